"""How the project report words its indicators and judgements: rules as data, filled from the figures.

Seed 004 writes as a reviewer: "截至10月底，已完成技能培训183人，超额完成年度目标". So each tracked
indicator falls into one situation (`situation`), each situation has one sentence pattern
(`PATTERNS`), and indicators that are simply on track are grouped into one sentence per 二级指标
instead of one sentence each. Lights and arithmetic (完成率 = 实际 ÷ 本阶段目标) stay in 表4 and the
rules appendix; no sentence here carries a formula or a light.

Attribution: a reason is always printed with its author. Notes (偏差原因, 纠偏措施) are written by
the unit's side — `data.fill` is not an evaluator's right — so they are "项目单位说明" when someone
else signs the report, and the unit's own statement when the unit signs it. The evaluator's
opinion (监控方意见) is "监控方意见" unless the evaluator signs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .phrases import missing

# situation → sentence pattern; {m} month, {name} indicator, {actual}/{stage}/{target} figures with units
PATTERNS: dict[str, str] = {
    "over_year": "截至{m}月底，{name}已完成{actual}，超额完成年度目标（{target}）。",
    "done_year": "截至{m}月底，{name}已完成{actual}，完成年度目标（{target}）。",
    "on_track": "截至{m}月底，{name}已完成{actual}，达到本阶段目标。",
    "behind": "截至{m}月底，{name}完成{actual}，低于本阶段应完成的{stage}，进度滞后。",
    "zero": "截至{m}月底，{work}尚未开展（本阶段应完成{stage}）。",
    "qual_met": "截至{m}月底，{name}达到年度目标“{target}”的要求。",
    "qual_partial": "截至{m}月底，{name}部分达成年度目标“{target}”，仍需推进。",
    "qual_missed": "截至{m}月底，{name}尚未达成年度目标“{target}”。",
    "not_measurable": "截至{m}月底，{name}尚无可衡量的完成情况，暂不评判。",
    "cost_money_lag": ("截至{m}月底，{name}实际支出{actual}，未超出年度成本上限（{target}）；但支出低于序时进度，"
                       "属于资金执行滞后而非成本节约，成本控制情况待年底结算后判断。"),
}
# the situations counted as having reached this stage's target (the judgement's count)
ON_TRACK = frozenset({"over_year", "done_year", "on_track", "qual_met", "cost_money_lag"})
# targets deviate markedly when more than this share of measured indicators is behind
MARKED_DEVIATION = Decimal("0.2")

_UNIT_TAIL = re.compile(r"[（(][^（）()]{1,2}[）)]$")


def short_name(name: str) -> str:
    """The indicator as prose names it: “携手小康”就业重点群体技能培训(人) → without the unit in brackets."""
    return _UNIT_TAIL.sub("", str(name).strip())


def is_cost(r) -> bool:  # type: ignore[no-untyped-def]
    return "成本" in str(r.level1) and str(r.op) in ("<=", "<")


def situation(r, money_level: str) -> str:  # type: ignore[no-untyped-def]
    """Which sentence an indicator row of the Status gets.

    A cost indicator counted in money says what the money says: spending below the cap while the
    money is red or yellow is slow execution, not saving, so it is not called 控制良好.
    """
    level = str(r.level)
    if level == "none":
        return "not_measurable"
    if r.nature == "qualitative":
        status = "" if missing(r.actual_status) else str(r.actual_status)
        if level in ("green", "blue"):
            return "qual_met"
        return "qual_partial" if "部分" in status else "qual_missed"
    if is_cost(r) and money_level in ("red", "yellow") and level in ("green", "blue"):
        return "cost_money_lag"
    if level in ("red", "yellow"):
        actual = None if missing(r.actual_micro) else float(r.actual_micro)
        return "zero" if actual == 0 else "behind"
    if r.nature == "cumulative" and not missing(r.annual_bp) and str(r.op) in (">=", ">", "="):
        if int(r.annual_bp) > 10000:
            return "over_year"
        if int(r.annual_bp) == 10000:
            return "done_year"
    return "on_track"


def sentence(r, month: int, money_level: str) -> str:  # type: ignore[no-untyped-def]
    return PATTERNS[situation(r, money_level)].format(m=month, **_figures(r))


def _figures(r) -> dict[str, str]:  # type: ignore[no-untyped-def]
    def t(v: object) -> str:
        return "—" if missing(v) or not str(v).strip() else str(v)
    name = short_name(r.name)
    # 上解上级工会经费工作完成率 尚未开展 → the work, not its rate, is what has not started
    work = name[: -len("完成率")] if name.endswith("完成率") and len(name) > 3 else name
    return {"name": name, "work": work, "actual": t(r.actual_text), "stage": t(r.stage_text), "target": t(r.target_text)}


def _item(r) -> str:  # type: ignore[no-untyped-def]
    """One indicator inside a grouped sentence: 劳模开展宣讲活动5次, 各类培训合格率100%."""
    name = short_name(r.name)
    if r.nature == "qualitative" or missing(r.actual_text) or not str(r.actual_text).strip():
        return name
    return f"{name}{r.actual_text}"


@dataclass(frozen=True)
class GroupText:
    """The on-track indicators of one 二级指标 as one sentence, and the rest one by one."""

    grouped: str  # "" when no indicator of the group is on track
    singles: tuple[tuple[str, str], ...]  # (indicator name, its sentence) for the others


def group_text(level2: str, rows: list, month: int, money_level: str) -> GroupText:  # type: ignore[type-arg]
    """数量指标方面，截至10月底，A5次、B4家均已达到本阶段目标，其中C183人、D83人超额完成年度目标。"""
    plain, over, done, singles, every, unknown = [], [], [], [], [], []
    for r in rows:
        s = situation(r, money_level)
        if s == "not_measurable":
            unknown.append(short_name(r.name))
        elif s in ("over_year", "done_year", "on_track", "qual_met"):
            every.append(_item(r))
            {"over_year": over, "done_year": done}.get(s, plain).append(_item(r))
        else:
            singles.append((str(r.name), sentence(r, month, money_level)))
    label = level2 if str(level2).endswith("指标") else f"{level2}指标" if level2 else "其他指标"
    head = f"{label}方面，截至{month}月底，"
    if unknown:
        # indicators nobody can judge yet are one sentence too, not one each
        both = "均" if len(unknown) > 1 else ""
        singles.append(("", f"{head if not every else f'截至{month}月底，'}{'、'.join(unknown)}{both}尚无可衡量的完成情况，暂不评判。"))
    if not every:
        return GroupText("", tuple(singles))
    if len(every) == 1:
        verb = "超额完成年度目标" if over else "已完成年度目标" if done else "已达到本阶段目标"
        return GroupText(f"{head}{every[0]}，{verb}。", tuple(singles))
    tails = []
    if over:
        tails.append(f"{'、'.join(over)}超额完成年度目标")
    if done:
        tails.append(f"{'、'.join(done)}已完成年度目标")
    tail = ("，其中" + "，".join(tails)) if tails and (plain or len(tails) > 1) else ""
    if not plain and len(tails) == 1:
        return GroupText(f"{head}{'、'.join(every)}均已{'超额完成' if over else '完成'}年度目标。", tuple(singles))
    return GroupText(f"{head}{'、'.join(every)}均已达到本阶段目标{tail}。", tuple(singles))


@dataclass(frozen=True)
class Judgement:
    total: int
    measured: int
    on_track: int
    over: int
    behind: tuple[str, ...]  # names of the indicators behind
    marked: bool  # targets deviate markedly

    @property
    def targets_sentence(self) -> str:
        if not self.measured:
            return f"{self.total}项指标均尚无可衡量的完成情况"
        over = f"（其中{self.over}项超额完成年度目标）" if self.over else ""
        lag = f"，{len(self.behind)}项滞后" if self.behind else ""
        verdict = "绩效目标实现存在较大偏离" if self.marked else "绩效目标总体未出现较大偏离"
        return f"{self.measured}项指标中{self.on_track}项已达到本阶段目标{over}{lag}，{verdict}"


def judgement(rows: list, money_level: str) -> Judgement:  # type: ignore[type-arg]
    sits = [(r, situation(r, money_level)) for r in rows]
    measured = [(r, s) for r, s in sits if s != "not_measurable"]
    on = [r for r, s in measured if s in ON_TRACK]
    behind = tuple(short_name(r.name) for r, s in measured if s not in ON_TRACK)
    marked = bool(measured) and Decimal(len(behind)) / Decimal(len(measured)) > MARKED_DEVIATION
    return Judgement(len(sits), len(measured), len(on), sum(1 for _, s in measured if s == "over_year"), behind, marked)


def money_state(level: str) -> str:
    """The money's state in words (the light stays in the tables)."""
    return {"red": "资金执行进度明显滞后", "yellow": "资金执行进度略有滞后", "green": "资金执行进度基本符合序时进度",
            "blue": "资金执行进度快于序时进度"}.get(str(level), "资金执行进度暂无法判断")


def unit_says(text: str, *, unit_signs: bool) -> str:
    """A reason written by the unit, with its author when someone else signs the report."""
    text = text.strip()
    return text if unit_signs else f"项目单位说明：{text}"


def monitor_says(text: str, *, evaluator_signs: bool) -> str:
    """The evaluator's opinion, with its author unless the evaluator signs the report."""
    text = text.strip()
    return f"经监控方核实，{text}" if evaluator_signs else f"监控方意见：{text}"


# measure type → heading naming the work in words ({what}: the item, or 预算执行 for the money)
MEASURE_HEADS: dict[str, str] = {
    "加快执行": "加快推进{what}",
    "调整实施计划": "调整{what}的实施计划",
    "调减预算并同步调整绩效目标": "调减{what}预算并同步调整绩效目标",
    "暂缓拨款": "暂缓{what}拨款",
    "停止拨款并收回统筹": "停止{what}拨款并收回统筹",
    "暂停项目实施": "暂停{what}实施",
    "其他": "做好{what}相关工作",
}


def measure_head(measure_type: str, indicator: str) -> str:
    what = short_name(indicator) if indicator else "预算执行进度"
    if indicator and what.endswith("完成率"):
        what = what[: -len("完成率")]
    return MEASURE_HEADS.get(measure_type, "做好{what}相关工作").format(what=what)


_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")  # the year may be left to the report's


def dated_after(text: str, cutoff: date) -> bool:
    """The text names a day after the monitoring point: written for a later report (the project's facts
    are kept per year, so a 1-10月 合规性结论 must not be printed as the finding of 1-7月)."""
    for y, m, d in _DATE.findall(text or ""):
        try:
            if date(int(y or cutoff.year), int(m), int(d)) > cutoff:
                return True
        except ValueError:
            continue
    return False
