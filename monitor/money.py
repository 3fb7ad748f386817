"""Exact money and rate arithmetic.

Money is stored as DECIMAL(18,2) 元 and handled here as integer 分 (fen), so that sums are exact
and rounding happens once, half up, where a figure is shown. Rates are integer hundredths of a
percent ("bp" below), the figure a user reads with two decimals.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000


# A number as written in a cell: ASCII digits, commas only between groups of three (1,234.5; the
# Chinese comma too), an optional exponent (Excel's shortest text of 0.00001 is 1e-05). Python's
# Decimal alone would also take "4_90" as 490, Arabic-Indic digits, and "1.234,56" once the comma is
# dropped as 1.23456 — all refused here. Full-width digits (an IME's full-width mode) are turned into
# ASCII explicitly, the one normalisation made.
_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:[,，][0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


def to_decimal(value: object) -> Decimal:
    """Decimal from text, int or float; a float goes through its shortest repr (Excel cells).

    Text must be a plain number (see _NUMBER); anything else raises InvalidOperation."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidOperation("bool is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidOperation(repr(value))
        return Decimal(repr(value))
    text = str(value).strip().translate(_FULLWIDTH_DIGITS)
    if not _NUMBER.fullmatch(text):
        raise InvalidOperation(text)
    d = Decimal(text.replace(",", "").replace("，", ""))
    if not d.is_finite():
        raise InvalidOperation(text)
    return d


def round_div(num: int, den: int) -> int:
    """num / den rounded half away from zero (half up for the positive figures users read)."""
    if den == 0:
        raise ZeroDivisionError
    if den < 0:
        num, den = -num, -den
    q = (abs(num) * 2 + den) // (2 * den)
    return q if num >= 0 else -q


def wan_to_fen(value: Decimal) -> int:
    return int((value * FEN_PER_WAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan_to_fen(value: Decimal) -> int:
    return int((value * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_wan(fen: int) -> Decimal:
    return Decimal(fen) / FEN_PER_WAN


def _whole(value: object) -> int | None:
    """An integer figure, or None for a missing one (None, NaN, pandas' NA: no arrivals reported…)."""
    if value is None:
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def fmt_wan(fen: int | None, places: int = 4, unit: bool = True) -> str:
    """134.5368万元, 490万元, 3,014.03万元: up to `places` decimals, trailing zeros dropped; — when missing."""
    fen = _whole(fen)
    if fen is None:
        return "—"
    d = (Decimal(fen) / FEN_PER_WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{d:,.{places}f}".rstrip("0").rstrip(".") if places else f"{d:,.0f}"
    if text in ("-0", ""):
        text = "0"
    return text + ("万元" if unit else "")


def fmt_bp(bp: int | None, suffix: str = "%") -> str:
    """Hundredths of a percent as 27.46%; — when missing."""
    bp = _whole(bp)
    if bp is None:
        return "—"
    sign = "-" if bp < 0 else ""
    a = abs(bp)
    return f"{sign}{a // 100}.{a % 100:02d}{suffix}"


def bp_to_float(bp: int | None) -> float | None:
    return None if bp is None else int(bp) / 100
