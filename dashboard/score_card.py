"""年终自评得分预估 on the pages: the card of 项目详情 and the 预计得分 column of 低执行项目.

Both read monitor.score_preview (the rules live in monitor.score); the column scores the rows a page
shows in one pass of the column code, the card one project. Notes cannot change a score, so results
are cached on the figures' context (common.figures_ctx), as the money and the lights are.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from monitor.money import fmt_bp
from monitor.score import ProjectScore, method_of
from monitor.score_preview import preview

COLUMN = "预计得分（分）"


@st.cache_data(show_spinner=False, max_entries=256)
def _totals(c: common.Ctx, codes: tuple[str, ...]) -> pd.DataFrame:
    s = common.status(c)
    assert s is not None
    return preview(s, codes).projects[["project_code", "total_h", "grade"]]


@st.cache_data(show_spinner=False, max_entries=256)
def _one(c: common.Ctx, code: str) -> tuple[ProjectScore, str]:
    s = common.status(c)
    assert s is not None
    pv = preview(s, [code])
    return pv.project(code), pv.method.describe()


def add_column(c: common.Ctx, shown: pd.DataFrame, frame: pd.DataFrame, config: dict[str, object]) -> None:
    """Put 预计得分（分） into the project table `frame` (rows of `shown`), after its key columns: the
    columns a 1366 px laptop shows without scrolling stay as they are."""
    totals = _totals(common.figures_ctx(c), tuple(str(x) for x in shown["project_code"]))
    by_code = dict(zip(totals["project_code"], totals["total_h"], strict=True))
    values = [None if pd.isna(by_code.get(code)) else int(by_code[code]) / 100 for code in shown["project_code"]]
    at = list(frame.columns).index("说明") + 1 if "说明" in frame.columns else len(frame.columns)
    frame.insert(at, COLUMN, pd.array(values, dtype="Float64"))
    config[COLUMN] = st.column_config.NumberColumn(
        format="%.2f", width=84,
        help=f"年终自评得分预估（{method_of(c.rules.score_method).name}）："
             "按预计年底执行率和指标预计完成率测算，满分100分；空白为没有可计分的绩效指标。详见项目详情")


def card(c: common.Ctx, code: str) -> None:
    """The card 「年终自评得分预估」: total and grade, the execution and indicator parts, deductions and
    the cap, the method; each indicator's points in an expander."""
    p, method_text = _one(common.figures_ctx(c), code)
    with st.container(border=True, key="score_card"):
        st.markdown("**年终自评得分预估**")
        m = st.columns(4)
        total = "—" if p.total is None else f"{p.total}分"
        m[0].metric("预计总分", total, p.grade, delta_color="off", delta_arrow="off",
                    help="满分100分：优 ≥ 90分，良 80–90分，中 60–80分，差 < 60分")
        rate = "—" if p.execution_rate is None else fmt_bp(int(p.execution_rate * 100))
        m[1].metric("预算执行率得分", f"{p.execution_score}分", f"满分10分，预计年底执行率{rate}", delta_color="off", delta_arrow="off")
        ind = "—" if p.indicator_score is None else f"{p.indicator_score}分"
        unscored = f"，{p.unscored}项未填报不计分" if p.unscored else ""
        m[2].metric("绩效指标得分", ind, f"满分90分{unscored}", delta_color="off", delta_arrow="off")
        cap = "" if p.cap is None else f"总分不超过{p.cap}分" + ("（已封顶）" if p.capped else "")
        over = f"{p.deducted}项指标超额30%及以上" if p.deducted else "无超额扣分"
        m[3].metric("扣分与封顶", f"{p.deductions}分", "；".join(x for x in (over, cap) if x), delta_color="off", delta_arrow="off")
        if p.total is None:
            st.caption("该项目没有可计分的绩效指标（未填报或没有指标），暂不能预估总分。")
        st.caption(common.plain(method_text))
        if p.indicators:
            with st.expander("各指标预计得分"):
                st.dataframe(pd.DataFrame({
                    "一级指标": [i.level1 for i in p.indicators],
                    "三级指标": [i.name for i in p.indicators],
                    "分值（分）": [float(i.weight) for i in p.indicators],
                    "预计完成率": ["—" if i.completion is None else f"{i.completion}%" for i in p.indicators],
                    "预计得分（分）": ["不计分" if i.score is None else f"{i.score}" + ("（超额，扣分）" if i.deducted else "")
                                   for i in p.indicators],
                    "计分规则": [i.rule for i in p.indicators],
                }), hide_index=True, key="table_score_indicators",
                    column_config={"分值（分）": st.column_config.NumberColumn(format="%.2f"),
                                   "计分规则": st.column_config.TextColumn(width="large")})
