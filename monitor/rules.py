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
LIGHT_MODES = {"ratio": "比值法（执行率÷序时进度）", "gap": "差距法（落后序时进度个百分点）"}
NOTE_REQUIRED = {
    "red_yellow": "红灯和黄灯事项须填写偏差原因和纠偏措施",
    "red": "仅红灯事项须填写偏差原因和纠偏措施",
    "red_yellow_likelihood": "红灯和黄灯事项须填写偏差原因和纠偏措施；完成目标可能性为有可能或完全不可能时，还须填写全年预计完成情况和原因说明",
}


@dataclass(frozen=True)
class Rules:
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
            typed[key] = spec.coerce(value)
        return replace(self, **typed).validate()  # type: ignore[arg-type]

    def changes_from(self, before: Rules) -> dict[str, tuple[object, object]]:
        """The fields that differ from `before`: field → (before, after), JSON-ready."""
        old, new = before.as_dict(), self.as_dict()
        return {k: (old[k], new[k]) for k in FIELDS if old[k] != new[k]}

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
            if k == "custom_schedule":
                kw[k] = tuple(Decimal(x) for x in v)
            elif isinstance(default, Decimal) or k == "materiality_wan":
                kw[k] = None if v is None else Decimal(str(v))
            else:
                kw[k] = v
        return cls(**kw).validate()  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form for `status --json`."""
        return {k: _enc(v) for k, v in asdict(self).items()}

    def describe(self) -> list[str]:
        """The rules in force, one Chinese sentence each: printed under every legend and report."""
        lines = [f"序时进度口径：{SCHEDULE_MODES[self.schedule_mode]}"]
        if self.schedule_mode == "custom":
            lines.append("自定义月末进度：" + "、".join(f"{i + 1}月{_pct(v)}" for i, v in enumerate(self.custom_schedule)))
        lines.append(f"预算执行率 = 累计支出 ÷ {DENOMINATORS[self.denominator]}")
        # words, not 🟢🟡🔴: the sentences go into Word, Excel and PDF, where a PC without a
        # colour-emoji font shows empty boxes
        if self.light_mode == "ratio":
            lines.append(
                f"资金预警（比值法）：比值 = 执行率 ÷ 序时进度 × 100；比值 ≥ {_n(self.ratio_green)} 为绿灯，"
                f"{_n(self.ratio_yellow)} ≤ 比值 < {_n(self.ratio_green)} 为黄灯，比值 < {_n(self.ratio_yellow)} 为红灯"
            )
        else:
            lines.append(
                f"资金预警（差距法）：差距 = 序时进度 − 执行率（个百分点）；差距 ≤ {_n(self.gap_green)} 为绿灯，"
                f"{_n(self.gap_green)} < 差距 ≤ {_n(self.gap_yellow)} 为黄灯，差距 > {_n(self.gap_yellow)} 为红灯"
            )
        lines.append(f"以下情形一律红灯：执行率超过100%（超预算）；序时进度达到{_pct(self.not_started_from)}仍无支出（未启动）")
        if self.materiality_wan is not None:
            lines.append(f"重要性：预算不足{_n(self.materiality_wan)}万元的项目最多亮黄灯")
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
        lines.append(f"送审要求：{NOTE_REQUIRED[self.note_required]}")
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


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    changes: dict[str, object] = field(default_factory=dict)

    def apply(self, rules: Rules) -> Rules:
        return replace(rules, **self.changes).validate()  # type: ignore[arg-type]


PRESETS: tuple[Preset, ...] = (
    Preset("默认（比值法 80/60）", "多省通用：比值 ≥80 绿，60–80 黄，<60 红", {"light_mode": "ratio", "ratio_green": Decimal("80"), "ratio_yellow": Decimal("60")}),
    Preset("差距法 10/20", "落后序时进度不超过10个百分点为绿，超过20个百分点为红", {"light_mode": "gap", "gap_green": Decimal("10"), "gap_yellow": Decimal("20")}),
    Preset("重点项目 10/30", "差距法：≤10 绿，10–30 黄，>30 红", {"light_mode": "gap", "gap_green": Decimal("10"), "gap_yellow": Decimal("30")}),
)


# -- the editable fields, as data: the page, the CLI and validation all read this one table -------
@dataclass(frozen=True)
class RuleField:
    """One setting a bureau may change: its Chinese label, kind and allowed range."""

    key: str
    label: str
    kind: str  # choice | number | optional_number | schedule
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
        if self.kind == "schedule":
            if value in (None, "", ()):
                return ()
            items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)  # type: ignore[arg-type]
            return tuple(self._number(v) for v in items)
        return self._number(value)

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
        values = value if self.kind == "schedule" else (value,)
        for v in values:  # type: ignore[union-attr]
            if isinstance(v, Decimal) and not self.low <= v <= self.high:
                raise MonitorError(f"{self.label}应在{_n(self.low)}到{_n(self.high)}之间，而不是{_n(v)}")

    def show(self, value: object) -> str:
        """The value in words, as `monitor rules show` prints it."""
        if self.kind == "choice":
            return f"{value}（{(self.choices or {}).get(str(value), '')}）"
        if value is None:
            return "不启用"
        if self.kind == "schedule":
            return "、".join(_n(v) for v in value) if value else "（未设置）"  # type: ignore[union-attr]
        return _n(value)  # type: ignore[arg-type]


FIELDS: dict[str, RuleField] = {f.key: f for f in (
    RuleField("schedule_mode", "序时进度口径", "choice", choices=SCHEDULE_MODES),
    RuleField("custom_schedule", "自定义月末进度（%）", "schedule", "十二个月末累计百分比，逐月不减", high=Decimal(100), places=4),
    RuleField("denominator", "执行率分母", "choice", choices=DENOMINATORS),
    RuleField("light_mode", "资金预警方式", "choice", choices=LIGHT_MODES),
    RuleField("note_required", "送审前须填写说明的事项", "choice", choices=NOTE_REQUIRED),
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
