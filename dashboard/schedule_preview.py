"""The custom schedule typed in its short form ("9:74.97", "7:58,9:74.97" or twelve numbers), checked and previewed.

The twelve month-end percentages in force are shown before saving, with the months the bureau entered
and those that differ from m/12 marked, and the Chinese reason when the text would be refused.
"""

from decimal import Decimal

import pandas as pd
import streamlit as st

from monitor.errors import MonitorError
from monitor.rules import FIELDS, Rules, default_custom_schedule

FIELD = FIELDS["custom_schedule"]


def short_form(schedule: tuple[Decimal, ...]) -> str:
    """The months that differ from m/12 as "9:74.97"; empty when the schedule is m/12."""
    base = default_custom_schedule()
    return ",".join(f"{m}:{v}" for m, (v, b) in enumerate(zip(schedule, base, strict=True), start=1) if v != b)


def parse(text: str) -> tuple[tuple[Decimal, ...], frozenset[int]]:
    """The twelve percentages in force and the months entered; MonitorError (Chinese) when refused."""
    schedule = FIELD.coerce(text.strip()) or default_custom_schedule()
    if len(schedule) != 12:  # type: ignore[arg-type]
        raise MonitorError("自定义序时进度须填写12个月末百分比，或只写公布的月份，如 9:74.97")
    FIELD.check(schedule)
    if any(b < a for a, b in zip(schedule, schedule[1:], strict=False)):  # type: ignore[index]
        raise MonitorError("自定义序时进度须逐月不减")
    if ":" in text or "：" in text:
        entered = frozenset(m for m, _ in FIELD._floors(text))
    else:
        entered = frozenset(range(1, 13)) if text.strip() else frozenset()
    return schedule, entered  # type: ignore[return-value]


def table(schedule: tuple[Decimal, ...], entered: frozenset[int]) -> pd.DataFrame:
    base = default_custom_schedule()
    return pd.DataFrame({
        "月份": [f"1-{m}月" for m in range(1, 13)],
        "月末序时进度（%）": [str(v) for v in schedule],
        "按m/12（%）": [str(b) for b in base],
        "说明": ["已填写" + ("，不同于m/12" if v != b else "") if m in entered else ("不同于m/12" if v != b else "按m/12")
                 for m, v, b in zip(range(1, 13), schedule, base, strict=True)],
    })


def render(current: Rules, key: str) -> None:
    st.text_input(f"{FIELD.label}（仅在口径为“自定义月末进度”时使用）", value=short_form(current.custom_schedule or default_custom_schedule()),
                  help=FIELD.help, placeholder="9:74.97 或 7:58,9:74.97，或依次填写12个数", key=key)
    try:
        schedule, entered = parse(st.session_state[key])
    except MonitorError as exc:
        st.error(f"自定义序时进度有误，无法保存：{exc}")
        return
    st.dataframe(table(schedule, entered), hide_index=True, key=key + ":preview")
