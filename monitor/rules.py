"""The rules in force: schedule mode, denominator, light modes and thresholds, as data.

Every figure a user sees carries the rules that produced it, so `describe()` prints them in Chinese.
Thresholds are Decimals in percent (or 个百分点); the computations compare them against figures
already rounded half up to two decimals, as integer hundredths.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

from .errors import MonitorError

SCHEDULE_MODES = {"month": "按月（m/12）", "day": "按日（已过天数/全年天数）", "custom": "自定义月末进度", "plan": "按用款计划"}
DENOMINATORS = {"adjusted": "调整后预算", "initial": "年初预算", "arrived": "到位资金"}
LIGHT_MODES = {"ratio": "比值法（执行率÷序时进度）", "gap": "差距法（落后序时进度个百分点）"}


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

    def validate(self) -> Rules:
        if self.schedule_mode not in SCHEDULE_MODES:
            raise MonitorError(f"未知的序时进度口径「{self.schedule_mode}」")
        if self.denominator not in DENOMINATORS:
            raise MonitorError(f"未知的执行率分母「{self.denominator}」")
        if self.light_mode not in LIGHT_MODES:
            raise MonitorError(f"未知的预警方式「{self.light_mode}」")
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
        return self

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
