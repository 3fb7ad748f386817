"""Judging the targets themselves (目标合理性审核): is each indicator set the way a reviewer expects?

Year-end evaluations and monitoring reports criticise the targets as well as their execution (seed
004 §五 "部分指标设置不合理", seed 000 §五 "绩效目标值设置不合理"): money counted as a 数量
indicator, a 质量 indicator that measures nothing or matches no 数量 indicator, an 经济效益
indicator unrelated to the project, targets far below (or, at year end, above) what is done, a
target that cannot be measured, a 年度绩效目标 without work content, no 成本 indicator.

`review_project` is pure: a project's facts in, findings out. Each rule is a small function in the
registry `REVIEW_RULES` (code, 中文标题, source, severity); its word lists and thresholds are data
in this module. `review` reads the facts through the store with the acting user's scope.

Indicators deleted or adjusted at the 目标核对 are reviewed as they were declared too (seed 004
criticises its 表1, several of whose indicators the 核对 then deleted): a finding says so, and its
suggestion acknowledges the correction already made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from .access import Actor, require, scope_sql
from .errors import MonitorError, TargetParseError
from .money import fmt_wan
from .store import Store
from .targets import HIGHER_BETTER, Target, is_countable, parse_target

# -- data: severities, thresholds, word lists -----------------------------------------------------
PROBLEM = "问题"  # a reviewer would write it into §五 as it stands
CHECK = "请核实"  # a heuristic hint: the unit should look and confirm or correct

# an actual at or above this share of the annual target means the target was set too low
# (seed 004 at 1-10月: 183%, 500%, 207.50%, 183.33%; seed 000 at year end: 182.50%, "目标设置过于保守")
FAR_ABOVE_PCT = Decimal(150)
# at year end, an actual below this share of the annual target: the target may have been set too
# high (seed 000 §五 1: 1808/2000 = 90.40% and 861/1000 = 86.10% called "设置偏高")
FAR_BELOW_PCT = Decimal(95)
YEAR_END_MONTH = 12
# the national framework (财预〔2021〕101号) puts 成本指标 beside 产出/效益/满意度 from 2021 on;
# seed 004 (a district project of 2023) declares its 成本指标 and tracks it
COST_REQUIRED_FROM_YEAR = 2021

MONEY_UNITS = frozenset({"元", "万元", "亿元", "万", "千元", "万元/年"})
MONEY_WORDS = ("经费", "资金", "拨款", "款项", "上解", "下拨", "拨付")
# a quality indicator names a standard or a rate; one without these words is a work requirement
QUALITY_WORDS = ("率", "合格", "达标", "准确", "符合", "验收", "标准", "质量", "优良", "通过", "满意", "等级", "一致")
# a percentage needs a base: the name must say what it is a share of
RATE_WORDS = ("率", "比例", "占比", "比重", "百分比", "满意", "认可度", "知晓", "完成度", "参与度", "指数", "覆盖", "达标",
              "合格", "普及")
# words that set no measurable standard when they are the whole target
VAGUE_WORDS = ("丰富", "提升", "提高", "有所", "明显", "显著", "有效", "改善", "增强", "加强", "进一步", "较好",
               "良好", "逐步", "稳步", "持续", "不断", "促进", "推动", "优化", "完善", "加大", "扩大")
ECONOMIC_LEVEL2 = ("经济效益",)
# words left out when comparing the objects of two indicators: the whole domain shares them, or
# they say how an object is measured rather than what it is
OBJECT_STOPWORDS = (
    "合格率", "成功率", "准确率", "符合率", "覆盖率", "达标率", "完成率", "及时率", "落实率", "满意度", "到位率",
    "工会", "职工", "开展", "举办", "组织", "各类", "各项", "项目", "工作", "完成", "情况", "数量", "人数", "人次",
    "场次", "次数", "个数", "金额", "经费", "验收", "对象", "发放", "基层", "上级", "本级", "加强", "提升", "提高",
    "促进", "推进", "推动", "带动", "强化", "发展", "水平", "效果", "率", "数",
)
SLOGAN_VERBS = ("加强", "提升", "提高", "促进", "推进", "推动", "强化", "增强", "创新", "做好", "落实")
_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+\s*(?:个|次|场|家|人|项|期|批|所|名|户|篇|条|座|处)")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_ADJUSTED, _DELETED, _ADDED = "调整", "删除", "新增指标"


# -- the facts a review reads -------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorFacts:
    """One indicator as declared and as in force, with its latest actual at the month."""

    name: str
    level1: str
    level2: str
    target: Target
    nature: str
    adjust_type: str = "原指标"
    original_name: str = ""  # an 调整 indicator's declared name and target
    original_target: Target | None = None
    actual: Decimal | None = None  # in the target's unit, cumulative to the month
    reported_month: int | None = None  # the month of that actual

    @property
    def deleted(self) -> bool:
        return self.adjust_type == _DELETED

    @property
    def added(self) -> bool:
        return self.adjust_type == _ADDED

    @property
    def adjusted(self) -> bool:
        return self.adjust_type == _ADJUSTED and bool(self.original_name)

    def forms(self) -> list[tuple[str, Target, bool]]:
        """(name, target, declared only) for each form this indicator had: the declared original of
        an adjusted one first, then the form in force (or, deleted, the form that was deleted)."""
        out: list[tuple[str, Target, bool]] = []
        if self.adjusted and self.original_target is not None:
            out.append((self.original_name, self.original_target, True))
        out.append((self.name, self.target, self.deleted))
        return out

    @property
    def annual_pct(self) -> Decimal | None:
        """Actual ÷ annual target in percent, rounded half up to two decimals (as the lights round)."""
        if self.actual is None or self.target.value is None or self.target.value <= 0:
            return None
        return (self.actual * 100 / self.target.value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProjectFacts:
    year: int
    month: int
    code: str
    name: str
    budget_fen: int
    indicators: tuple[IndicatorFacts, ...]
    annual_goal: str = ""
    content: str = ""
    department: str = ""
    unit: str = ""

    def in_force(self) -> list[IndicatorFacts]:
        return [i for i in self.indicators if not i.deleted]


@dataclass(frozen=True)
class Finding:
    """One problem with how a target is set: which indicator, which rule, the evidence, the fix."""

    project_code: str
    indicator_name: str  # "" for the project as a whole (its goal, a missing 成本指标)
    rule: str
    title: str
    evidence: str
    suggestion: str
    severity: str
    settled: bool = False  # the 目标核对 already deleted or adjusted the indicator as declared
    project_name: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"project_code": self.project_code, "project_name": self.project_name,
                "indicator_name": self.indicator_name, "rule": self.rule,
                "title": self.title, "evidence": self.evidence, "suggestion": self.suggestion,
                "severity": self.severity, "settled": self.settled}


# a check yields (indicator name, evidence, suggestion, settled)
Hit = tuple[str, str, str, bool]


@dataclass(frozen=True)
class ReviewRule:
    code: str
    title: str
    source: str  # where reviewers make this criticism
    severity: str
    explains: str  # what the rule checks, with its threshold, for the README and the page
    check: Callable[[ProjectFacts], Iterable[Hit]]


# -- helpers --------------------------------------------------------------------------------------
def _is_quantity(i: IndicatorFacts) -> bool:
    return "数量" in i.level2


def _is_quality(i: IndicatorFacts) -> bool:
    return "质量" in i.level2


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _figure(value: Decimal, unit: str) -> str:
    """183人, 1000人, 134.5368万元 (万 alone is written 万元 when it is money)."""
    return f"{_num(value)}{unit}"


def _pct(d: Decimal) -> str:
    return f"{d:.2f}%"


_STOPWORDS = re.compile("|".join(sorted(OBJECT_STOPWORDS, key=len, reverse=True)))


@lru_cache(maxsize=65536)
def _object(name: str) -> str:
    """What an indicator is about, for comparing two indicators: no brackets, signs or common words."""
    return _NON_CJK.sub(" ", _STOPWORDS.sub(" ", _BRACKETS.sub("", name))).strip()


@lru_cache(maxsize=65536)
def _object_pairs(name: str) -> frozenset[str]:
    return frozenset(_pairs(_object(name)))


def _pairs(text: str) -> set[str]:
    """Character pairs at distance one and two within each run of text: 疗休养 gives 疗休, 休养, 疗养,
    so 职工疗养对象符合率 finds 职工疗休养(人)."""
    out: set[str] = set()
    for run in _NON_CJK.sub(" ", text).split():
        for k in range(len(run) - 1):
            out.add(run[k:k + 2])
            if k + 2 < len(run):
                out.add(run[k] + run[k + 2])
    return out


def _relates(a: str, b: str) -> bool:
    return bool(_object_pairs(a) & _object_pairs(b))


def _quote(names: Sequence[str], limit: int = 3) -> str:
    shown = "".join(f"「{n}」" for n in names[:limit])
    return shown + ("等" if len(names) > limit else "")


def _declared_note(deleted: bool, adjusted_to: IndicatorFacts | None) -> str:
    if deleted and adjusted_to is None:
        return "（申报时设置，目标核对中已删除）"
    if adjusted_to is not None:
        return f"（申报时设置，目标核对中已调整为「{adjusted_to.name}」{adjusted_to.target.text}）"
    return ""


def _has_money(name: str, target: Target) -> bool:
    if target.unit in MONEY_UNITS:
        return True
    # 劳模慰问金发放人数 counts people: a countable unit means the object is not money
    return any(w in name for w in MONEY_WORDS) and not is_countable(target.unit)


def _money_object(name: str) -> str:
    s = _BRACKETS.sub("", name)
    for tail in ("工作完成率", "完成率", "金额", "到位率"):
        s = s.removesuffix(tail)
    return s


def _wan_text(value: Decimal, unit: str) -> str:
    fen = {"元": 100, "千元": 100_000, "万": 1_000_000, "万元": 1_000_000, "万元/年": 1_000_000, "亿元": 10_000_000_000}[unit]
    return fmt_wan(int((value * fen).to_integral_value(rounding=ROUND_HALF_UP)))


# -- the rules ------------------------------------------------------------------------------------
def _money_as_quantity(p: ProjectFacts) -> Iterable[Hit]:
    for i in p.indicators:
        if not _is_quantity(i):
            continue
        money_forms = [(n, t) for n, t, _ in i.forms() if _has_money(n, t)]
        if not money_forms:
            continue
        now_money = _has_money(i.name, i.target) and not i.deleted
        amount = next(((n, t) for n, t in money_forms if t.unit in MONEY_UNITS and t.value is not None), None)
        parts = [f"「{n}」（{t.text}）" for n, t in money_forms]
        words = [w for w in MONEY_WORDS if any(w in n for n, _ in money_forms)]
        why = (f"名称含「{'」「'.join(words)}」" if words else "") + (
            "、指标值是金额" if words and amount else "指标值是金额" if amount else "")
        evidence = (f"数量指标{'、'.join(parts)}考核的是资金（{why}），"
                    "而数量指标应体现项目实施的工作内容，资金的上解、下拨和拨付属于项目成本")
        if i.adjusted and now_money:
            evidence += "；目标核对中改为完成率后，考核对象仍是资金"
        obj = _money_object(amount[0] if amount else i.name)
        if amount is not None and amount[1].value is not None:
            fix = f"建议将「{obj}」调整为成本指标（经济成本），指标值为≤{_wan_text(amount[1].value, amount[1].unit)}"
        else:
            fix = f"建议将「{obj}」调整为成本指标（经济成本），以金额设定指标值"
        fix += "；数量指标改设反映实际工作内容的指标，如资金支持的对象个数、开展的活动次数。"
        if i.deleted:
            fix = "目标核对中已删除该指标；今后申报时，" + fix.removeprefix("建议")
        yield i.name, evidence + _declared_note(i.deleted, None) + "。", fix, not now_money


def _quality_not_measure(p: ProjectFacts) -> Iterable[Hit]:
    for i in p.indicators:
        if not _is_quality(i) or any(w in i.name for w in QUALITY_WORDS):
            continue
        unmatched = _quantities_without_quality(p)
        evidence = (f"质量指标「{i.name}」（{i.target.text}）是一项工作要求，没有说明检验哪项产出的质量、"
                    "以什么标准衡量" + _declared_note(i.deleted, None) + "。")
        example = f"，如为「{unmatched[0]}」设置合格率或完成质量的指标" if unmatched else ""
        fix = f"建议删除该指标，改设与数量指标对应的质量指标{example}。"
        if i.deleted:
            fix = "目标核对中已删除该指标；今后申报时，质量指标应与数量指标对应设置" + example + "。"
        yield i.name, evidence, fix, i.deleted


def _quantity_names(p: ProjectFacts) -> list[str]:
    names: list[str] = []
    for i in p.indicators:
        if _is_quantity(i):
            names.extend(n for n, _, _ in i.forms())
    return names


def _quantities_without_quality(p: ProjectFacts) -> list[str]:
    qualities = [i.name for i in p.in_force() if _is_quality(i)]
    return [i.name for i in p.in_force() if _is_quantity(i) and not _has_money(i.name, i.target)
            and not any(_relates(i.name, q) for q in qualities)]


def _quality_without_quantity(p: ProjectFacts) -> Iterable[Hit]:
    quantities = _quantity_names(p)
    if not quantities:
        return
    for i in p.indicators:
        if not _is_quality(i) or not any(w in i.name for w in QUALITY_WORDS):
            continue  # one that measures nothing is the rule above
        if any(_relates(i.name, q) for q in quantities):
            continue
        evidence = (f"质量指标「{i.name}」（{i.target.text}）检验的对象在{len(quantities)}项数量指标"
                    f"（{_quote(quantities)}）中都找不到，质量指标与数量指标未对应设置" + _declared_note(i.deleted, None) + "。")
        fix = (f"建议补充「{_object(i.name) or i.name}」方面的数量指标，或将该质量指标改为检验已有数量指标"
               f"（如「{quantities[0]}」）的完成质量。")
        if i.deleted:
            fix = "目标核对中已删除该指标；今后申报时，质量指标应检验数量指标所列产出的质量。"
        yield i.name, evidence, fix, i.deleted


def _economic_unrelated(p: ProjectFacts) -> Iterable[Hit]:
    for i in p.indicators:
        if not any(k in i.level2 for k in ECONOMIC_LEVEL2):
            continue
        others = [n for j in p.indicators if j is not i and not any(k in j.level2 for k in ECONOMIC_LEVEL2)
                  for n, _, _ in j.forms()]
        context = " ".join([p.name, p.annual_goal, p.content, *others])
        obj = _object(i.name)
        if not obj or _pairs(obj) & _pairs(context):
            continue
        evidence = (f"经济效益指标「{i.name}」（{i.target.text}）所说的「{obj}」，在项目名称、年度绩效目标、"
                    "项目内容和其他绩效指标中都没有出现，与项目的相关性不强" + _declared_note(i.deleted, None) + "。")
        fix = "建议核实项目是否产生直接的经济效益；如没有，删除该指标，效益指标以项目实际产生的社会效益为主。"
        if i.deleted:
            fix = "目标核对中已删除该指标；今后申报时，效益指标应与项目实施内容直接相关。"
        yield i.name, evidence, fix, i.deleted


def _cumulative_higher(i: IndicatorFacts) -> bool:
    t = i.target
    return (not i.deleted and i.nature == "cumulative" and t.op in HIGHER_BETTER and t.value is not None
            and t.value > 0 and not t.is_percent and i.actual is not None)


def _shown_actual(i: IndicatorFacts) -> str:
    a = i.actual
    assert a is not None
    if is_countable(i.target.unit):
        a = a.to_integral_value(rounding=ROUND_DOWN)
    return _figure(a, i.target.unit)


def _target_too_low(p: ProjectFacts) -> Iterable[Hit]:
    for i in p.indicators:
        share = i.annual_pct if _cumulative_higher(i) else None
        if share is None or share < FAR_ABOVE_PCT:
            continue
        when = "全年" if i.reported_month == YEAR_END_MONTH else f"截至{i.reported_month or p.month}月末"
        evidence = (f"「{i.name}」{when}实际完成{_shown_actual(i)}，为年度目标值（{i.target.text}）的{_pct(share)}，"
                    f"超过{_num(FAR_ABOVE_PCT)}%，目标值明显偏低，设置过于保守。")
        fix = f"建议按实际完成水平将目标值调高至≥{_shown_actual(i)}；今后申报时参照上年实际完成数和本年工作计划设定。"
        yield i.name, evidence, fix, False


def _target_too_high(p: ProjectFacts) -> Iterable[Hit]:
    if p.month < YEAR_END_MONTH:
        return  # during the year a shortfall is a matter of pace, judged by the lights
    for i in p.indicators:
        share = i.annual_pct if _cumulative_higher(i) else None
        if share is None or share >= FAR_BELOW_PCT or i.actual == 0 or i.reported_month != YEAR_END_MONTH:
            continue  # only the year's total shows a target too high; nothing done at all is not a target's fault
        evidence = (f"「{i.name}」全年实际完成{_shown_actual(i)}，为年度目标值（{i.target.text}）的{_pct(share)}，"
                    f"低于{_num(FAR_BELOW_PCT)}%，目标值与完成值差异较大，可能设置偏高。")
        fix = f"建议核实目标值的测算依据；如系目标偏高，下年度参照本年实际完成数（{_shown_actual(i)}）合理设定。"
        yield i.name, evidence, fix, False


def _vague_target(p: ProjectFacts) -> Iterable[Hit]:
    for i in p.indicators:
        for name, t, declared in i.forms():
            if not t.qualitative or _FIGURE.search(t.text):
                continue
            words = [w for w in VAGUE_WORDS if w in t.text]
            if not words:
                continue
            evidence = (f"「{name}」的指标值为「{t.text}」，没有数量、比率或可核查的标准，"
                        "无法判断是否完成" + _declared_note(declared and i.deleted, i if declared and i.adjusted else None) + "。")
            fix = ("建议改为可量化、可核查的指标值，如受益或参与的人数、人次，或问卷认可度不低于某一百分比，"
                   "并写明数据来源和计算方法。")
            yield name, evidence, fix, declared
            break


def _percent_without_base(p: ProjectFacts) -> Iterable[Hit]:
    for i in p.indicators:
        for name, t, declared in i.forms():
            if not t.is_percent or any(w in name for w in RATE_WORDS):
                continue
            adjusted_to = i if declared and i.adjusted else None
            evidence = (f"「{name}」的指标值为{t.text}，但指标名称没有说明是什么的比率（分子、分母不明），"
                        "无法计算" + _declared_note(declared and i.deleted, adjusted_to) + "。")
            if adjusted_to is not None:
                fix = f"目标核对中已改为「{i.name}」（{i.target.text}），可以衡量；今后申报时照此设置。"
            elif declared:
                fix = "目标核对中已删除该指标；今后申报时，百分比指标应写明比率的口径，如「…完成率」「…覆盖率」。"
            else:
                fix = f"建议将指标名称改为比率的口径（如「{_object(name) or name}完成率」），或改用数量、时限等可衡量的指标值。"
            yield name, evidence, fix, declared
            break


def _goal_without_content(p: ProjectFacts) -> Iterable[Hit]:
    goal = p.annual_goal.strip()
    quantities = [i for i in p.in_force() if _is_quantity(i) and not _has_money(i.name, i.target)]
    if not goal or not quantities or _FIGURE.search(goal):
        return
    goal_pairs = _pairs(_object(goal))
    if any(_object_pairs(i.name) & goal_pairs for i in quantities):
        return
    shown = goal if len(goal) <= 60 else goal[:60] + "……"
    evidence = (f"年度绩效目标「{shown}」没有写明任务和数量，{len(quantities)}项数量指标"
                f"（{_quote([i.name for i in quantities])}）所列的工作在目标中都没有体现，目标与实际工作匹配度较低。")
    tasks = "、".join(f"{_BRACKETS.sub('', i.name)}{i.target.text}" for i in quantities[:3])
    fix = f"建议根据工作计划写明年度任务和数量，如「全年完成{tasks}……」，使年度目标与绩效指标相互对应。"
    yield "", evidence, fix, False


def _missing_cost(p: ProjectFacts) -> Iterable[Hit]:
    inds = p.in_force()
    if p.year < COST_REQUIRED_FROM_YEAR or not inds or p.budget_fen <= 0:
        return
    if any("成本" in i.level1 for i in inds):
        return
    kinds: dict[str, int] = {}
    for i in inds:
        key = i.level1.removesuffix("指标")
        kinds[key] = kinds.get(key, 0) + 1
    listed = "、".join(f"{k}{n}项" for k, n in kinds.items())
    evidence = f"项目预算{fmt_wan(p.budget_fen)}，设置绩效指标{len(inds)}项（{listed}），没有成本指标。"
    fix = f"建议增设成本指标（经济成本），如「项目总成本≤{fmt_wan(p.budget_fen)}」，或按主要支出内容设定单位成本。"
    yield "", evidence, fix, False


REVIEW_RULES: tuple[ReviewRule, ...] = (
    ReviewRule("money_as_quantity", "资金作为数量指标", "样本004 §五（一）1 ①", PROBLEM,
               "数量指标的指标值是金额（万元、元），或名称考核经费、资金的上解、下拨、拨付（计量单位不是人、次等个数）",
               _money_as_quantity),
    ReviewRule("quality_not_measure", "质量指标不是质量标准", "样本004 §五（一）1 ②", PROBLEM,
               "质量指标名称中没有合格、达标、准确、符合、验收等质量标准或比率，是工作要求而不是质量指标",
               _quality_not_measure),
    ReviewRule("quality_without_quantity", "质量指标与数量指标未对应", "样本004 §五（一）1 ②", CHECK,
               "质量指标检验的对象在数量指标中找不到（按名称中的关键字比对）",
               _quality_without_quantity),
    ReviewRule("economic_unrelated", "经济效益指标与项目无关", "样本004 §五（一）1 ③", CHECK,
               "经济效益指标的对象在项目名称、年度绩效目标、项目内容和其他指标中都没有出现",
               _economic_unrelated),
    ReviewRule("target_too_low", "目标值明显偏低", "样本004 表4；样本000 官微视频号超出82.50%", PROBLEM,
               f"累计类指标的实际完成值达到年度目标值的{_num(FAR_ABOVE_PCT)}%以上",
               _target_too_low),
    ReviewRule("target_too_high", "目标值可能偏高", "样本000 §五（一）1", CHECK,
               f"年底（{YEAR_END_MONTH}月）累计类指标的实际完成值低于年度目标值的{_num(FAR_BELOW_PCT)}%（为0的不计，那是未实施）",
               _target_too_high),
    ReviewRule("vague_target", "指标值无法衡量", "样本004 §五（二）1；样本000 §五（二）", PROBLEM,
               "定性指标值只有「丰富」「提升」「有效」等字样，没有数量、比率或可核查的标准",
               _vague_target),
    ReviewRule("percent_without_base", "百分比指标口径不明", "样本004 表1与表3（目标核对中删除、调整的指标）", PROBLEM,
               "指标值是百分比，但指标名称没有「率」「比例」「满意度」等比率口径",
               _percent_without_base),
    ReviewRule("goal_without_content", "年度绩效目标无明确工作内容", "样本004 §五（一）1 一是", PROBLEM,
               "年度绩效目标没有任何数字或数量，且数量指标所列的工作在目标中都没有体现",
               _goal_without_content),
    ReviewRule("missing_cost", "缺少成本指标", "财预〔2021〕101号；样本004 表1、表3", PROBLEM,
               f"{COST_REQUIRED_FROM_YEAR}年起，有预算的项目没有一级成本指标",
               _missing_cost),
)
RULES_BY_CODE = {r.code: r for r in REVIEW_RULES}


def review_project(p: ProjectFacts, rules: Sequence[ReviewRule] = REVIEW_RULES) -> tuple[Finding, ...]:
    """Every finding of every rule on one project, in rule order then indicator order."""
    out: list[Finding] = []
    for rule in rules:
        for name, evidence, fix, settled in rule.check(p):
            out.append(Finding(p.code, name, rule.code, rule.title, evidence, fix, rule.severity, settled, p.name))
    return tuple(out)


# -- reading the facts (the edge) -----------------------------------------------------------------
_PROJECTS_SQL = """SELECT p.project_code, p.project_name, p.department_name, p.unit_name, coalesce(p.annual_goal, ''),
  coalesce(p.content, ''), CAST(round(p.budget_adjusted * 100) AS BIGINT)
FROM projects p WHERE p.year = ? AND (? IS NULL OR p.project_code = ?) AND {scope}
ORDER BY p.department_name, p.unit_name, p.project_code"""
_INDICATORS_SQL = """SELECT i.project_code, i.name, i.level1, i.level2, i.target_text, i.target_op, i.target_value,
  coalesce(i.target_unit, ''), i.nature, i.adjust_type, coalesce(i.original_name, ''), i.original_target, a.actual_value,
  a.month
FROM indicators i JOIN projects p ON p.year = i.year AND p.project_code = i.project_code
LEFT JOIN progress a ON a.year = i.year AND a.indicator_id = i.indicator_id AND a.month <= ? AND a.reported_until > ?
WHERE i.year = ? AND (? IS NULL OR i.project_code = ?) AND {scope}
ORDER BY i.project_code, i.seq, i.name"""


def review_facts(store: Store, actor: Actor, year: int, month: int, project: str | None = None) -> list[ProjectFacts]:
    """The facts of the projects of `year` the actor may see (or of one), as of the end of `month`."""
    require(actor, "read")
    if not 1 <= month <= 12:
        raise MonitorError(f"监控月份应为1到12，而不是{month}")
    scope, params = scope_sql(actor)
    with store.connect() as con:
        projects = con.execute(_PROJECTS_SQL.replace("{scope}", scope), [year, project, project, *params]).fetchall()
        rows = con.execute(_INDICATORS_SQL.replace("{scope}", scope),
                           [month, month, year, project, project, *params]).fetchall()
    by_project: dict[str, list[IndicatorFacts]] = {}
    for code, name, l1, l2, text, op, value, unit, nature, adjust, oname, otext, actual, reported in rows:
        target = Target(text, op, value, unit)
        original = None
        if otext:
            try:
                original = parse_target(otext)
            except TargetParseError:
                original = None
        by_project.setdefault(code, []).append(IndicatorFacts(
            name, l1, l2, target, nature, adjust, oname, original, actual, None if reported is None else int(reported)))
    return [ProjectFacts(year, month, code, name, int(budget), tuple(by_project.get(code, ())), goal, content, dep, unit)
            for code, name, dep, unit, goal, content, budget in projects]


def review(store: Store, actor: Actor, year: int, month: int | None = None, project: str | None = None) -> tuple[Finding, ...]:
    """The findings on every project of `year` the actor may see (or on one), as of `month`
    (default: the monitoring month)."""
    m = month or store.monitoring_month(year) or YEAR_END_MONTH
    facts = review_facts(store, actor, year, m, project)
    if project is not None and not facts:
        from .errors import NotFound

        raise NotFound(f"{year}年没有项目编码为「{project}」的项目" if actor.sees_everything
                       else f"{year}年本账户范围内没有项目编码为「{project}」的项目")
    return tuple(f for p in facts for f in review_project(p))


def counts_by(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each rule, in registry order, rules without findings left out."""
    n: dict[str, int] = {}
    for f in findings:
        n[f.rule] = n.get(f.rule, 0) + 1
    return {r.code: n[r.code] for r in REVIEW_RULES if r.code in n}
