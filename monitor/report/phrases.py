"""Sentences built from Status figures, shared by the project and department reports.

Only wording lives here: every figure, light and reason comes from the Status as computed.
"""

from __future__ import annotations

import re

import pandas as pd

from ..money import fmt_bp, fmt_wan
from ..status import LEVEL_LABELS

# Emoji have no glyph in the fonts a report is printed with; the rules text uses them as labels.
_EMOJI_WORDS = {"🟢": "绿灯", "🟡": "黄灯", "🔴": "红灯", "🔵": "蓝灯", "⚪": "白灯"}
_EMOJI_RE = re.compile("|".join(_EMOJI_WORDS))


def plain(text: str) -> str:
    """Light emoji replaced by their names (🟢 → 绿灯) for print."""
    return _EMOJI_RE.sub(lambda m: _EMOJI_WORDS[m.group(0)], str(text))


def missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def opt_int(v: object) -> int | None:
    return None if missing(v) else int(v)  # type: ignore[call-overload]


def light(level: str) -> str:
    """红灯 / 黄灯 / 绿灯 / 超额 / 未评判."""
    return LEVEL_LABELS.get(str(level), str(level))


def light_word(level: str) -> str:
    """The light as it reads after a verb: 亮红灯, 超额完成, 未评判."""
    return {"red": "亮红灯", "yellow": "亮黄灯", "green": "亮绿灯", "blue": "超额完成", "none": "暂不评判"}.get(str(level), str(level))


def wan(fen: object) -> str:
    return fmt_wan(opt_int(fen))


def pct(bp: object) -> str:
    return fmt_bp(opt_int(bp))


def whole_pct(bp: object) -> str:
    """100% when exactly whole hundreds (资金到位率为100%), else two decimals."""
    v = opt_int(bp)
    if v is not None and v % 10000 == 0:
        return f"{v // 100}%"
    return fmt_bp(v)


def schedule_gap(rate_bp: object, schedule_bp: object, gap_bp: object) -> str:
    """预算执行率为27.46%，低于序时进度（83.33%）55.88个百分点."""
    rate, sched, gap = opt_int(rate_bp), opt_int(schedule_bp), opt_int(gap_bp)
    if rate is None:
        return "暂无法计算预算执行率"
    head = f"预算执行率为{fmt_bp(rate)}"
    if sched is None or gap is None:
        return head
    if gap > 0:
        return f"{head}，低于序时进度（{fmt_bp(sched)}）{fmt_bp(gap, '个百分点')}"
    if gap < 0:
        return f"{head}，高于序时进度（{fmt_bp(sched)}）{fmt_bp(-gap, '个百分点')}"
    return f"{head}，与序时进度（{fmt_bp(sched)}）持平"


def gap_cell(gap_bp: object) -> str:
    """The gap for a table cell: 55.88 behind, -3.20 ahead."""
    v = opt_int(gap_bp)
    return "—" if v is None else fmt_bp(v, "")


def light_counts(red: int, yellow: int, green: int, blue: int = 0, none: int = 0) -> str:
    """红灯2项、黄灯0项、绿灯16项、超额5项 (zero categories after the first three are left out)."""
    parts = [f"红灯{red}项", f"黄灯{yellow}项", f"绿灯{green}项"]
    if blue:
        parts.append(f"超额{blue}项")
    if none:
        parts.append(f"未评判{none}项")
    return "、".join(parts)
