"""The rules in force: schedule mode, denominator, light modes and thresholds, as data.

Every figure a user sees carries the rules that produced it, so `describe()` prints them in Chinese.
Thresholds are Decimals in percent (or 个百分点); the computations compare them against figures
already rounded half up to two decimals, as integer hundredths.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation

from .errors import MonitorError
from .score import METHODS as SCORE_METHODS
from .score import method_of

SCHEDULE_MODES = {"month": "按月（m/12）", "day": "按日（已过天数/全年天数）", "custom": "自定义月末进度", "plan": "按用款计划"}
DENOMINATORS = {"adjusted": "调整后预算", "initial": "年初预算", "arrived": "到位资金"}
LIGHT_MODES = {
    "ratio": "比值法（执行率÷序时进度）", "gap": "差距法（落后序时进度个百分点）",
    "milestone": "里程碑底线（执行率不低于考核节点底线）", "binary": "达标判定（执行率不低于序时进度）",
    "gated": "金额门槛（预算和落后差距均达门槛才亮红灯）",
}
INDICATOR_MODES = {
    "unit": "按计量单位和指标性质（累计类折算、比率类不折算）",
    "kind": "按指标类型（数量、效益、满意度正向指标按序时进度折算；质量、时效、成本和反向指标只看是否达标）",
}
# 二级 (or 一级) indicator types judged in range / out of range under indicator_mode "kind"
RANGE_KINDS = ("质量", "时效", "成本")
NOTE_REQUIRED = {
    "red_yellow": "红灯和黄灯事项须填写偏差原因和纠偏措施",
    "red": "仅红灯事项须填写偏差原因和纠偏措施",
    "red_yellow_likelihood": "红灯和黄灯事项须填写偏差原因和纠偏措施；完成目标可能性为有可能或完全不可能时，还须填写全年预计完成情况和原因说明",
}


DEFAULT_PRESET = "比值法 80/60（默认）"
MODIFIED = "（已修改）"


@dataclass(frozen=True)
class Rules:
    # which preset these rules came from, marked MODIFIED once a field is changed afterwards; a label,
    # not a rule: two rule sets that judge alike are equal whatever they are called
    preset: str = field(default=DEFAULT_PRESET, compare=False)
    schedule_mode: str = "month"
    custom_schedule: tuple[Decimal, ...] = ()  # twelve month-end percentages for "custom"
    denominator: str = "adjusted"
    light_mode: str = "ratio"
    ratio_green: Decimal = Decimal("80")
    ratio_yellow: Decimal = Decimal("60")
    gap_green: Decimal = Decimal("10")
    gap_yellow: Decimal = Decimal("20")
    not_started_from: Decimal = Decimal("50")  # no spend once 序时进度 ≥ this % is always red
    materiality_wan: Decimal | None = None  # red only for budgets ≥ this many 万元
    ind_green: Decimal = Decimal("80")
    ind_yellow: Decimal = Decimal("60")
    ind_rate_yellow: Decimal = Decimal("90")
    ind_lower_yellow: Decimal = Decimal("110")
    ind_blue: Decimal = Decimal("120")
    year_end_target: Decimal = Decimal("100")  # the year-end execution the required pace aims at
    plan_keep_pct: Decimal = Decimal("90")  # spend ≥ this % of the plan so far = keeping to its 用款计划
    note_required: str = "red_yellow"  # which items need a written cause and measure before 送审
    # light_mode "milestone": (month, floor %) pairs; from each month on its floor holds until the next
    milestone_floors: tuple[tuple[int, Decimal], ...] = ()
    gate_budget_wan: Decimal = Decimal("1000")  # light_mode "gated": red only for budgets ≥ this many 万元 …
    gate_gap: Decimal = Decimal("20")  # … that are ≥ this many 个百分点 behind the schedule
    indicator_mode: str = "unit"
    over_explain_pct: Decimal | None = None  # an actual ≥ this % of the annual target needs an explanation
    proj_green: Decimal = Decimal("100")  # 全年预计完成情况: projected ÷ target ≥ this % is green …
    proj_yellow: Decimal = Decimal("90")  # … ≥ this % yellow, below red
    # -- year-end score preview (issue 13 part 3) --
    score_method: str = "threshold_60"  # monitor.score.METHODS: how the year-end score is previewed

    def validate(self) -> Rules:
        if self.schedule_mode not in SCHEDULE_MODES:
            raise MonitorError(f"未知的序时进度口径「{self.schedule_mode}」")
        if self.denominator not in DENOMINATORS:
            raise MonitorError(f"未知的执行率分母「{self.denominator}」")
        if self.light_mode not in LIGHT_MODES:
            raise MonitorError(f"未知的预警方式「{self.light_mode}」")
        if self.note_required not in NOTE_REQUIRED:
            raise MonitorError(f"未知的说明要求「{self.note_required}」")
        if self.indicator_mode not in INDICATOR_MODES:
            raise MonitorError(f"未知的指标判定方式「{self.indicator_mode}」")
        if self.light_mode == "milestone" and not self.milestone_floors:
            raise MonitorError("里程碑底线：须至少设置一个考核节点，如 4:25,6:40,8:60,10:80")
        months = [m for m, _ in self.milestone_floors]
        if any(not 1 <= m <= 12 for m in months) or months != sorted(set(months)):
            raise MonitorError("里程碑底线：考核月份须在1到12之间且逐个递增")
        if any(b < a for (_, a), (_, b) in zip(self.milestone_floors, self.milestone_floors[1:], strict=False)):
            raise MonitorError("里程碑底线：各节点底线须逐个不减")
        if not self.proj_yellow <= self.proj_green:
            raise MonitorError("全年预计：黄灯下限不能高于绿灯下限")
        if self.schedule_mode == "custom":
            if len(self.custom_schedule) != 12:
                raise MonitorError("自定义序时进度须填写12个月末百分比")
            if any(b < a for a, b in zip(self.custom_schedule, self.custom_schedule[1:], strict=False)):
                raise MonitorError("自定义序时进度须逐月不减")
            if any(not (0 <= v <= 100) for v in self.custom_schedule):
                raise MonitorError("自定义序时进度须在0%到100%之间")
        if not self.ratio_yellow <= self.ratio_green:
            raise MonitorError("比值法：黄灯下限不能高于绿灯下限")
        if not self.gap_green <= self.gap_yellow:
            raise MonitorError("差距法：绿灯上限不能高于黄灯上限")
        if not self.ind_yellow <= self.ind_green:
            raise MonitorError("指标：黄灯下限不能高于绿灯下限")
        for spec in FIELDS.values():
            spec.check(getattr(self, spec.key))
        return self

    def with_changes(self, changes: Mapping[str, object]) -> Rules:
        """These rules with `changes` (field → value as typed: text, number or Decimal), checked like
        every other way of setting rules (the page, `monitor rules set`, presets); MonitorError in Chinese."""
        typed: dict[str, object] = {}
        for key, value in changes.items():
            spec = FIELDS.get(key)
            if spec is None:
                raise MonitorError(f"没有名为「{key}」的规则项；可设置的规则项为：{'、'.join(FIELDS)}")
            if spec.kind == "label":
                raise MonitorError(f"{spec.label}随应用预设自动记录，不能直接设置")
            typed[key] = spec.coerce(value)
        changed = replace(self, **typed).validate()  # type: ignore[arg-type]
        return changed.marked_against(self)

    def marked_against(self, before: Rules) -> Rules:
        """These rules with their preset marked MODIFIED when a rule differs from `before`."""
        if self.changes_from(before) and not self.preset.endswith(MODIFIED):
            return replace(self, preset=self.preset + MODIFIED)
        return self

    def floor_for(self, month: int) -> Decimal | None:
        """The milestone floor in force at the end of `month`: the last node at or before it; None
        before the first node (nothing is judged yet)."""
        floor = None
        for m, f in self.milestone_floors:
            if m <= month:
                floor = f
        return floor

    def changes_from(self, before: Rules) -> dict[str, tuple[object, object]]:
        """The rules that differ from `before`: field → (before, after), JSON-ready; the preset's name
        is a label, not a rule, and is left out."""
        old, new = before.as_dict(), self.as_dict()
        return {k: (old[k], new[k]) for k in FIELDS if old[k] != new[k] and FIELDS[k].kind != "label"}

    def to_json(self) -> str:
        d = asdict(self)
        return json.dumps({k: _enc(v) for k, v in d.items()}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Rules:
        raw = json.loads(text)
        defaults = asdict(cls())
        kw: dict[str, object] = {}
        for k, default in defaults.items():
            if k not in raw:
                continue
            v = raw[k]
            kind = FIELDS[k].kind
            if k == "custom_schedule":
                kw[k] = tuple(Decimal(x) for x in v)
            elif kind == "floors":
                kw[k] = tuple((int(m), Decimal(str(f))) for m, f in v)
            elif isinstance(default, Decimal) or kind == "optional_number":
                kw[k] = None if v is None else Decimal(str(v))
            else:
                kw[k] = v
        return cls(**kw).validate()  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form for `status --json`."""
        return {k: _enc(v) for k, v in asdict(self).items()}

    def describe(self) -> list[str]:
        """The rules in force, one Chinese sentence each: printed under every legend and report."""
        lines = [f"规则预设：{self.preset}", f"序时进度口径：{SCHEDULE_MODES[self.schedule_mode]}"]
        if self.schedule_mode == "custom":
            lines.append("自定义月末进度：" + "、".join(f"1-{i + 1}月{_pct(v)}" for i, v in enumerate(self.custom_schedule)))
        lines.append(f"预算执行率 = 累计支出 ÷ {DENOMINATORS[self.denominator]}")
        # words, not 🟢🟡🔴: the sentences go into Word, Excel and PDF, where a PC without a
        # colour-emoji font shows empty boxes
        if self.light_mode == "ratio":
            lines.append(
                f"资金预警（比值法）：比值 = 执行率 ÷ 序时进度 × 100；比值 ≥ {_n(self.ratio_green)} 为绿灯，"
                f"{_n(self.ratio_yellow)} ≤ 比值 < {_n(self.ratio_green)} 为黄灯，比值 < {_n(self.ratio_yellow)} 为红灯"
            )
        elif self.light_mode == "gap":
            lines.append(
                f"资金预警（差距法）：差距 = 序时进度 − 执行率（个百分点）；差距 ≤ {_n(self.gap_green)} 为绿灯，"
                f"{_n(self.gap_green)} < 差距 ≤ {_n(self.gap_yellow)} 为黄灯，差距 > {_n(self.gap_yellow)} 为红灯"
            )
        elif self.light_mode == "milestone":
            nodes = "、".join(f"1-{m}月{_pct(f)}" for m, f in self.milestone_floors)
            lines.append(
                f"资金预警（里程碑底线）：考核节点底线为{nodes}，两个节点之间沿用上一节点的底线；"
                f"执行率 ≥ 底线为绿灯，低于底线为红灯；第一个节点（1-{self.milestone_floors[0][0]}月）之前未到考核节点，不预警"
            )
        elif self.light_mode == "binary":
            lines.append(
                "资金预警（达标判定）：执行率 ≥ 序时进度为绿灯，否则为红灯；综合判定：资金达标且绩效目标正常为绿灯，"
                "资金达标但绩效目标滞后为黄灯，资金未达标为红灯"
            )
        else:
            lines.append(
                f"资金预警（金额门槛）：差距 = 序时进度 − 执行率（个百分点）；预算 ≥ {_n(self.gate_budget_wan)}万元且差距 ≥ "
                f"{_n(self.gate_gap)}个百分点为红灯；差距 ≥ {_n(self.gate_gap)}个百分点但预算不足{_n(self.gate_budget_wan)}万元为黄灯；"
                f"差距 < {_n(self.gate_gap)}个百分点为绿灯"
            )
        lines.append(f"以下情形一律红灯：执行率超过100%（超预算）；序时进度达到{_pct(self.not_started_from)}仍无支出（未启动）")
        if self.materiality_wan is not None:
            lines.append(f"重要性：预算不足{_n(self.materiality_wan)}万元的项目最多亮黄灯")
        if self.indicator_mode == "kind":
            lines.append(
                f"指标预警（按指标类型）：数量、效益、满意度类正向指标按序时进度折算本阶段目标（数据中给出本阶段目标值的从其值），"
                f"完成率 ≥ {_n(self.ind_green)} 为绿灯，{_n(self.ind_yellow)}–{_n(self.ind_green)} 为黄灯，"
                f"< {_n(self.ind_yellow)} 或实际为0为红灯；质量、时效、成本类指标和所有反向（≤、<）指标不折算，"
                "按年度目标值判定，达标为绿灯，未达标为红灯（“=”须相等）；目标为0时实际为0即绿灯；"
                "定性指标按达成、部分达成、未达成分别为绿、黄、红灯"
            )
        else:
            lines.append(
                f"指标预警：完成率 = 实际完成值 ÷ 本阶段目标值 × 100；累计类完成率 ≥ {_n(self.ind_green)} 为绿灯，"
                f"{_n(self.ind_yellow)}–{_n(self.ind_green)} 为黄灯，< {_n(self.ind_yellow)} 或实际为0为红灯；"
                f"比率类达到目标为绿灯，达到目标的{_pct(self.ind_rate_yellow)}为黄灯，更低为红灯；"
                f"越低越好的比率不超过目标为绿灯，不超过目标的{_pct(self.ind_lower_yellow)}为黄灯；"
                "成本上限超出即红灯；目标为0时实际为0即绿灯；定性指标按达成、部分达成、未达成分别为绿、黄、红灯"
            )
        lines.append(f"蓝灯（超额）：实际完成值达到年度目标的{_pct(self.ind_blue)}及以上（提示目标偏保守）；白灯：未填报或年底才能衡量，不参与评判")
        lines.append(f"年底预测：用款计划覆盖其余各月且累计支出达到计划累计的{_pct(self.plan_keep_pct)}时按用款计划预测，"
                     "否则依次按上年同期进度、本部门上年进度、目前月均支出预测")
        lines.append(
            f"全年预计完成情况预警：年底预计执行率 ÷ 年底执行率目标{_pct(self.year_end_target)}、各指标全年预计完成值 ÷ 年度目标值，"
            f"≥ {_pct(self.proj_green)} 为绿灯，{_pct(self.proj_yellow)}–{_pct(self.proj_green)} 为黄灯，< {_pct(self.proj_yellow)} 为红灯；"
            "反向指标和目标为0的指标预计达标为绿灯，否则红灯；项目取资金和各指标中最差的灯")
        lines.append(f"送审要求：{NOTE_REQUIRED[self.note_required]}")
        if self.over_explain_pct is not None:
            lines.append(f"超额说明：实际完成值达到年度目标的{_pct(self.over_explain_pct)}及以上的指标，送审前须填写原因说明")
        lines.append(method_of(self.score_method).describe())  # year-end score preview (issue 13 part 3)
        lines.append("所有比率、差距先按四舍五入保留两位小数，再据此判定灯色")
        return lines


def _enc(v: object) -> object:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (tuple, list)):
        return [_enc(x) for x in v]
    return v


def _n(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _pct(d: Decimal) -> str:
    return f"{_n(d)}%"


# What a preset leaves as the region has set it: the schedule and denominator a bureau publishes
# (教育部's 74.97% at 1-9月 stays whatever light rule it picks) and what must be written before 送审.
KEPT_BY_PRESETS = ("schedule_mode", "custom_schedule", "denominator", "year_end_target", "plan_keep_pct",
                   "note_required", "over_explain_pct")


@dataclass(frozen=True)
class Preset:
    """A named rule set from a real deployment: its light rules replace the whole set in force,
    except the region's own schedule and submission requirements (KEPT_BY_PRESETS)."""

    name: str
    source: str  # where the rule comes from, in words
    description: str
    changes: dict[str, object] = field(default_factory=dict)

    def apply(self, rules: Rules) -> Rules:
        kept = {k: getattr(rules, k) for k in KEPT_BY_PRESETS}
        return replace(Rules(), **kept, **self.changes, preset=self.name).validate()  # type: ignore[arg-type]


def _d(text: str) -> Decimal:
    return Decimal(text)


PRESETS: tuple[Preset, ...] = (
    Preset(DEFAULT_PRESET, "多省预算管理一体化系统绩效模块的出厂默认规则",
           "比值 = 执行率 ÷ 序时进度 × 100：≥80 绿，60–80 黄，<60 红；指标按计量单位和性质判定，达到年度目标120%亮蓝灯"),
    Preset("四川 里程碑", "四川省2025年预算执行进度要求",
           "执行率低于考核节点底线即红灯：1-4月25%、1-6月40%、1-8月60%、1-10月80%，节点之间沿用上一节点底线",
           {"light_mode": "milestone", "milestone_floors": ((4, _d("25")), (6, _d("40")), (8, _d("60")), (10, _d("80")))}),
    Preset("合肥 达标判定", "合肥市预算绩效运行监控",
           "执行率 ≥ 序时进度为绿，否则红；综合判定：资金达标且目标正常绿，资金达标目标滞后黄，资金未达标红",
           {"light_mode": "binary"}),
    Preset("金额门槛 1000万/20个百分点", "国库支付进度筛查",
           "预算 ≥ 1000万元且落后序时进度 ≥ 20个百分点才亮红灯；落后 ≥ 20个百分点的小项目黄灯；其余绿灯",
           {"light_mode": "gated", "gate_budget_wan": _d("1000"), "gate_gap": _d("20")}),
    Preset("指标分类判定（比值法 80/60）", "绩效运行监控表的指标分类口径",
           "资金同默认；数量、效益、满意度正向指标按序时进度折算，质量、时效、成本和反向指标只看是否达标",
           {"indicator_mode": "kind"}),
    Preset("差距法 10/20", "差距法通用口径", "落后序时进度不超过10个百分点为绿，超过20个百分点为红",
           {"light_mode": "gap", "gap_green": _d("10"), "gap_yellow": _d("20")}),
    Preset("重点项目 10/30", "重点项目差距法口径", "差距法：≤10 绿，10–30 黄，>30 红",
           {"light_mode": "gap", "gap_green": _d("10"), "gap_yellow": _d("30")}),
)


def preset_named(name: str) -> Preset:
    """The preset called exactly `name`; MonitorError listing the names otherwise."""
    for preset in PRESETS:
        if preset.name == name.strip():
            return preset
    raise MonitorError(f"没有名为「{name}」的预设；可用的预设为：{'、'.join(p.name for p in PRESETS)}")


# -- the editable fields, as data: the page, the CLI and validation all read this one table -------
@dataclass(frozen=True)
class RuleField:
    """One setting a bureau may change: its Chinese label, kind and allowed range."""

    key: str
    label: str
    kind: str  # choice | number | optional_number | schedule | floors | label
    help: str = ""
    choices: Mapping[str, str] | None = None
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(1000)
    places: int = 2  # decimals a value may carry (thresholds are compared as hundredths)

    def coerce(self, value: object) -> object:
        """A value as typed (page floats, CLI text) → the stored type, exactly."""
        if self.kind == "choice":
            text = str(value).strip()
            if self.choices is not None and text not in self.choices:
                named = {v: k for k, v in self.choices.items()}  # the Chinese name works too
                if text not in named:
                    options = "、".join(f"{k}（{v}）" for k, v in self.choices.items())
                    raise MonitorError(f"{self.label}应为 {options} 之一，而不是「{text}」")
                text = named[text]
            return text
        if self.kind == "optional_number" and (value is None or str(value).strip().lower() in ("", "none", "无", "不启用")):
            return None
        if self.kind == "label":
            return str(value)
        if self.kind == "floors":
            return self._floors(value)
        if self.kind == "schedule":
            if value in (None, "", ()):
                return ()
            if isinstance(value, str) and (":" in value or "：" in value):
                # only the published months (教育部 "9:74.97", 中科院 "7:58"); the others stay m/12
                schedule = list(default_custom_schedule())
                for month, floor in self._floors(value):
                    if not 1 <= month <= 12:
                        raise MonitorError(f"{self.label}：月份应在1到12之间，而不是{month}")
                    schedule[month - 1] = floor
                return tuple(schedule)
            items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)  # type: ignore[arg-type]
            return tuple(self._number(v) for v in items)
        return self._number(value)

    def _floors(self, value: object) -> tuple[tuple[int, Decimal], ...]:
        """"4:25,6:40" (also 4月25%、6月40%, full-width signs) or (month, floor) pairs → pairs."""
        if value in (None, "", ()):
            return ()
        if not isinstance(value, str):
            return tuple((int(m), self._number(f)) for m, f in value)  # type: ignore[attr-defined]
        text = value.replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",").replace("：", ":")
        out = []
        for item in (x.strip() for x in text.split(",")):
            if not item:
                continue
            month, sep, floor = item.replace("月", ":").replace("::", ":").partition(":")
            if not sep or not month.strip().isdigit():
                raise MonitorError(f"{self.label}应写成 月份:百分比，如 4:25,6:40,8:60,10:80，而不是「{item}」")
            out.append((int(month), self._number(floor.strip().rstrip("%"))))
        return tuple(out)

    def _number(self, value: object) -> Decimal:
        try:
            # a page's number input gives a float: keep the two decimals it can show, exactly
            d = Decimal(f"{value:.{self.places}f}") if isinstance(value, float) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError) as exc:
            raise MonitorError(f"{self.label}应为数字，而不是「{value}」") from exc
        if not d.is_finite():
            raise MonitorError(f"{self.label}应为数字，而不是「{value}」")
        if d != d.quantize(Decimal(1).scaleb(-self.places)):
            raise MonitorError(f"{self.label}最多保留{self.places}位小数，而不是「{value}」")
        return Decimal(int(d)) if d == d.to_integral_value() else d.normalize()

    def check(self, value: object) -> None:
        if self.kind == "choice" and self.choices is not None and value not in self.choices:
            raise MonitorError(f"{self.label}应为 {'、'.join(f'{k}（{v}）' for k, v in self.choices.items())} 之一，而不是「{value}」")
        values = value if self.kind == "schedule" else tuple(f for _, f in value) if self.kind == "floors" else (value,)  # type: ignore[union-attr]
        for v in values:  # type: ignore[union-attr]
            if isinstance(v, Decimal) and not self.low <= v <= self.high:
                raise MonitorError(f"{self.label}应在{_n(self.low)}到{_n(self.high)}之间，而不是{_n(v)}")

    def show(self, value: object) -> str:
        """The value in words, as `monitor rules show` prints it."""
        if self.kind == "choice":
            return f"{value}（{(self.choices or {}).get(str(value), '')}）"
        if value is None:
            return "不启用"
        if self.kind == "label":
            return str(value)
        if self.kind == "floors":
            return "，".join(f"{m}:{_n(f)}" for m, f in value) if value else "（未设置）"  # type: ignore[union-attr]
        if self.kind == "schedule":
            return "、".join(_n(v) for v in value) if value else "（未设置）"  # type: ignore[union-attr]
        return _n(value)  # type: ignore[arg-type]


FIELDS: dict[str, RuleField] = {f.key: f for f in (
    RuleField("preset", "规则预设", "label", "应用预设时自动记录；之后改动任何规则项即标注“（已修改）”"),
    RuleField("schedule_mode", "序时进度口径", "choice", choices=SCHEDULE_MODES),
    RuleField("custom_schedule", "自定义月末进度（%）", "schedule",
              "十二个月末累计百分比，逐月不减；也可只写公布的月份，如 9:74.97，其余月份按 m/12", high=Decimal(100), places=4),
    RuleField("denominator", "执行率分母", "choice", choices=DENOMINATORS),
    RuleField("light_mode", "资金预警方式", "choice", choices=LIGHT_MODES),
    RuleField("note_required", "送审前须填写说明的事项", "choice", choices=NOTE_REQUIRED),
    RuleField("indicator_mode", "指标判定方式", "choice", choices=INDICATOR_MODES),
    RuleField("ratio_green", "比值法：绿灯下限（比值 ≥）", "number", "比值 = 执行率 ÷ 序时进度 × 100"),
    RuleField("ratio_yellow", "比值法：黄灯下限（比值 ≥）", "number", "低于此值亮红灯"),
    RuleField("gap_green", "差距法：绿灯上限（个百分点 ≤）", "number", "差距 = 序时进度 − 执行率", high=Decimal(100)),
    RuleField("gap_yellow", "差距法：黄灯上限（个百分点 ≤）", "number", "高于此值亮红灯", high=Decimal(100)),
    RuleField("not_started_from", "序时进度达到（%）仍无支出即红灯", "number", "未启动项目", high=Decimal(100)),
    RuleField("materiality_wan", "重要性门槛（万元）", "optional_number", "预算低于门槛的项目最多亮黄灯；不启用则留空",
              high=Decimal(10) ** 8, places=4),
    RuleField("ind_green", "指标：绿灯下限（完成率 ≥ %）", "number", "累计类指标：实际 ÷ 本阶段目标"),
    RuleField("ind_yellow", "指标：黄灯下限（完成率 ≥ %）", "number", "低于此值亮红灯"),
    RuleField("ind_rate_yellow", "比率类指标：黄灯（达到目标的 %）", "number", "未达目标但不低于此比例为黄灯"),
    RuleField("ind_lower_yellow", "越低越好的比率：黄灯（不超过目标的 %）", "number"),
    RuleField("ind_blue", "超额提示：达到年度目标的 %", "number", "提示目标可能偏保守"),
    RuleField("year_end_target", "年底执行率目标（%）", "number", "“须月均支出X万元”按此目标计算", low=Decimal(1), high=Decimal(100)),
    RuleField("plan_keep_pct", "按用款计划执行：累计支出达到计划累计的 %", "number",
              "达到即视为按计划执行，年底预测可采用用款计划；低于即提示“实际落后于用款计划”", low=Decimal(1), high=Decimal(100), places=0),
    RuleField("milestone_floors", "里程碑底线（月份:执行率%）", "floors",
              "如 4:25,6:40,8:60,10:80：1-4月执行率不低于25%……两个节点之间沿用上一节点的底线", high=Decimal(100)),
    RuleField("gate_budget_wan", "金额门槛：预算（万元 ≥）", "number", "预算达到此数且落后差距达到门槛才亮红灯", high=Decimal(10) ** 8, places=4),
    RuleField("gate_gap", "金额门槛：落后差距（个百分点 ≥）", "number", "差距 = 序时进度 − 执行率", high=Decimal(100)),
    RuleField("over_explain_pct", "超额须说明：实际达到年度目标的 %", "optional_number",
              "实际完成值达到年度目标的此比例及以上时，送审前须填写原因说明；不启用则留空", high=Decimal(10000)),
    RuleField("proj_green", "全年预计：绿灯下限（预计 ÷ 目标 ≥ %）", "number", "年底预计执行率 ÷ 年底目标、指标全年预计 ÷ 年度目标"),
    RuleField("proj_yellow", "全年预计：黄灯下限（预计 ÷ 目标 ≥ %）", "number", "低于此值亮红灯"),
    # -- year-end score preview (issue 13 part 3) --
    RuleField("score_method", "年终自评得分预估方法", "choice",
              "按预计年底执行率和指标预计完成率预估年终自评得分：完成率低于60%不得分的比例得分、按完成比例得分，"
              "或全国自评手册（按执行率封顶，超额30%扣2分）",
              choices={k: m.name for k, m in SCORE_METHODS.items()}),
)}
assert set(FIELDS) == {f.name for f in fields(Rules)}, "every rule field is listed once in FIELDS"


def default_custom_schedule() -> tuple[Decimal, ...]:
    """m/12 per month to two decimals: the starting point when a region switches to custom."""
    return tuple((Decimal(m * 100) / 12).quantize(Decimal("0.01")) for m in range(1, 13))


def parse_assignments(items: list[str]) -> dict[str, str]:
    """KEY=VALUE words (the CLI's `rules set`) → a change dict; refused in Chinese when malformed."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise MonitorError(f"「{item}」应写成 规则项=值，例如 ratio_green=80")
        out[key.strip()] = value.strip()
    return out


# -- rules stored per year ------------------------------------------------------------------------
# A year's rules live under RULES_KEY + ":YYYY"; a year without its own takes the latest earlier
# year's, then the rules stored under RULES_KEY alone (what every year used before rules were kept
# per year), then the shipped defaults.
RULES_KEY = "rules"


def year_key(year: int | None) -> str:
    return RULES_KEY if year is None else f"{RULES_KEY}:{int(year)}"


def stored_for(stored: Mapping[str, str], year: int | None) -> str | None:
    """The stored rules text in force for `year` among settings rows `stored` (key → value)."""
    if year is not None:
        earlier = [int(k.split(":", 1)[1]) for k in stored if k.startswith(RULES_KEY + ":")
                   and k.split(":", 1)[1].isdigit() and int(k.split(":", 1)[1]) <= year]
        if earlier:
            return stored[year_key(max(earlier))]
    return stored.get(RULES_KEY)
