"""Performance targets: "≥100人", "=73.5万", "≤490 万", "0次", "100%", "丰富".

A target keeps its original text and gains a parsed form {op, value, unit}. Actual values reported
during the year go through the same reader, plus the qualitative words 达成/部分达成/未达成.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from .errors import TargetParseError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
from .money import to_decimal

# Full-width and ASCII signs both occur in real declarations.
_OPS = [
    ("≥", ">="), (">=", ">="), ("＞=", ">="), ("≧", ">="), ("＞＝", ">="), (">＝", ">="),
    ("≤", "<="), ("<=", "<="), ("＜=", "<="), ("≦", "<="), ("＜＝", "<="), ("<＝", "<="),
    (">", ">"), ("＞", ">"), ("<", "<"), ("＜", "<"), ("=", "="), ("＝", "="),
]
_NUMBER = re.compile(r"^\s*([+-]?\d[\d,，]*(?:\.\d+)?)\s*(.*?)\s*$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

OPS = (">=", ">", "=", "<=", "<")
HIGHER_BETTER = (">=", ">", "=")
LOWER_BETTER = ("<=", "<")

# Units counted in whole things (people, events, articles…): a forecast of 4.8家 is shown as 4家.
# Units with a 万/亿 prefix (万次, 万元) are amounts and keep decimals.
COUNT_CLASSIFIERS = frozenset("人次场家个条篇户项件所名台套册份批期座处间辆张本门节课")


def is_countable(unit: str) -> bool:
    u = unit.strip()
    return bool(u) and u[-1] in COUNT_CLASSIFIERS and u[0] not in "万亿"


ACHIEVED = "达成"
PARTLY = "部分达成"
NOT_ACHIEVED = "未达成"
QUALITATIVE_STATUSES = (ACHIEVED, PARTLY, NOT_ACHIEVED)


@dataclass(frozen=True)
class Target:
    text: str
    op: str | None  # None for a qualitative target
    value: Decimal | None
    unit: str

    @property
    def qualitative(self) -> bool:
        return self.op is None

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


def parse_target(text: object) -> Target:
    """Read a target value text; raise TargetParseError (Chinese) when it cannot be understood."""
    if text is None:
        raise TargetParseError("指标值为空")
    original = str(text).strip()
    if not original:
        raise TargetParseError("指标值为空")
    s = original.translate(_FULLWIDTH)
    op = None
    for sign, name in _OPS:
        if s.startswith(sign):
            op, s = name, s[len(sign):].strip()
            break
    m = _NUMBER.match(s)
    if m and not re.search(r"\d", m.group(2)):
        try:
            value = to_decimal(m.group(1))
        except InvalidOperation as exc:  # pragma: no cover - regex admits only numbers
            raise TargetParseError(f"无法识别指标值「{original}」") from exc
        return Target(original, op or "=", _bounded(value, original), m.group(2).strip())
    if op is not None:
        raise TargetParseError(f"无法识别指标值「{original}」：比较符号后应为数值，如「≥100人」")
    if re.search(r"\d", s):
        raise TargetParseError(
            f"无法识别指标值「{original}」：定量指标应写成「≥100人」「=100%」的形式，定性指标写文字，如「丰富」"
        )
    return Target(original, None, None, "")


@dataclass(frozen=True)
class Actual:
    """A reported actual: a number in the target's unit, or a qualitative status."""

    text: str
    value: Decimal | None
    status: str | None


def parse_actual(text: object, target: Target, percent_cell: bool = False) -> Actual:
    """Read an actual such as 183, "183人", "90%", an Excel percent cell, 达成, or the target's own word."""
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        value = to_decimal(text)
        if percent_cell:
            value = value * 100
        return Actual(_plain(value) + ("%" if percent_cell else ""), _bounded(value, _plain(value)), None)
    original = "" if text is None else str(text).strip()
    if not original:
        raise TargetParseError("实际完成值为空")
    if percent_cell and not target.qualitative:
        try:
            return parse_actual(to_decimal(original), target, True)  # an Excel percent cell: 0.95 is 95%
        except InvalidOperation:
            pass
    if target.qualitative:
        if original in QUALITATIVE_STATUSES:
            return Actual(original, None, original)
        if original == target.text:
            return Actual(original, None, ACHIEVED)
        raise TargetParseError(
            f"定性指标「{target.text}」的实际完成值应为 达成、部分达成、未达成 或「{target.text}」，而不是「{original}」"
        )
    if original in QUALITATIVE_STATUSES:
        raise TargetParseError(f"定量指标「{target.text}」的实际完成值应为数值，而不是「{original}」")
    s = original.translate(_FULLWIDTH).lstrip("=＝").strip()
    m = _NUMBER.match(s)
    if not m or re.search(r"\d", m.group(2)):
        raise TargetParseError(f"无法识别实际完成值「{original}」：应为数值，如「183」「90%」")
    value = to_decimal(m.group(1))
    unit = m.group(2).strip()
    if unit == "%" and not target.is_percent:
        raise TargetParseError(f"实际完成值「{original}」是百分比，但指标值「{target.text}」不是百分比")
    return Actual(original, _bounded(value, original), None)


# Indicator values are stored as DECIMAL(18,6): twelve digits before the point.
VALUE_LIMIT = Decimal(10) ** 12


def _bounded(value: Decimal, original: str) -> Decimal:
    if abs(value) >= VALUE_LIMIT:
        raise TargetParseError(f"数值「{original}」过大：指标值的绝对值应小于1万亿")
    return value


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


RATE = "rate"
CUMULATIVE = "cumulative"
QUALITATIVE = "qualitative"
NATURES = (RATE, CUMULATIVE, QUALITATIVE)
NATURE_LABELS = {RATE: "比率类", CUMULATIVE: "累计类", QUALITATIVE: "定性"}


RATE_LEVEL2 = ("质量", "满意度", "时效")


def infer_natures(qualitative: np.ndarray, is_percent: np.ndarray, level2: pd.Series) -> np.ndarray:
    """Default nature (the user may override): % is a rate; otherwise by the 二级 indicator
    (质量/满意度/时效 → rate, 数量/成本/效益 → cumulative); a worded target is qualitative."""
    import numpy as np

    by_level2 = level2.astype("string").str.contains("|".join(RATE_LEVEL2), regex=True).fillna(False).to_numpy(dtype=bool)
    return np.where(qualitative, QUALITATIVE, np.where(is_percent | by_level2, RATE, CUMULATIVE))
