"""项目详情's 「目标合理性」 section: how the project's targets are set (monitor.review), as a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from monitor.review import CHECK, REVIEW_RULES, Finding, review

COLUMNS = ["指标", "问题", "性质", "依据", "建议"]


@st.cache_data(show_spinner=False, max_entries=256)
def _findings(c: common.Ctx, code: str) -> tuple[Finding, ...]:
    # keyed on the figures' version (common.figures_ctx): a note saved leaves the targets as they are
    return review(c.data(), c.who, c.year, c.month, code)


def findings_table(findings: tuple[Finding, ...]) -> pd.DataFrame:
    return pd.DataFrame({
        "指标": [f.indicator_name or "（项目整体）" for f in findings],
        "问题": [f.title for f in findings],
        "性质": [f.severity + ("（目标核对中已纠正）" if f.settled else "") for f in findings],
        "依据": [f.evidence for f in findings],
        "建议": [f.suggestion for f in findings],
    }, columns=COLUMNS)


def render(c: common.Ctx, code: str) -> None:
    findings = _findings(common.figures_ctx(c), code)
    st.markdown("**目标合理性**")
    if not findings:
        st.caption("未发现目标设置问题。")
    else:
        problems = sum(1 for f in findings if f.severity != CHECK)
        st.caption(f"按{len(REVIEW_RULES)}条审核规则，发现目标设置问题{problems}项、请核实的提示{len(findings) - problems}项"
                   "（目标核对中已删除或调整的指标，按申报时的样子一并审核）。")
        st.dataframe(findings_table(findings), hide_index=True, key="table_review",
                     column_config={"依据": st.column_config.TextColumn(width="large"),
                                    "建议": st.column_config.TextColumn(width="large")})
    with st.expander("审核规则"):
        st.markdown("\n".join(f"- **{r.title}**（{r.severity}）：{common.plain(r.explains)}。依据：{common.plain(r.source)}"
                              for r in REVIEW_RULES))
