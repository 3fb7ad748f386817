"""The 「项目基本情况」 expander of 项目详情: 项目背景, 立项依据, 表2's adjusted total target, the monitoring
body, the 合规性 finding and the 工作进展 list — what the monitoring report prints besides figures.

A user who may fill the month's data edits them; everybody else reads them. The form remembers the
version it was filled from, so a save after somebody else's is refused (`FactsConflict`): the user
keeps his text and may load the other person's version.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from monitor.errors import MonitorError
from monitor.money import fmt_wan
from monitor.project_facts import (
    MONITOR_BODIES,
    THIRD_PARTY,
    FactsConflict,
    ProjectFacts,
    activity_lines,
    load_facts,
    load_sources,
    parse_activity_lines,
    save_facts,
)

TEXTS = ("background", "basis", "adjusted_goal", "third_party", "compliance")
YES_NO = {"": None, "是": True, "否": False}


def form_key(year: int, code: str) -> str:
    return f"facts:{year}:{code}"


@common.guard
def _load(prefix: str, f: ProjectFacts) -> None:
    for name in TEXTS:
        st.session_state[f"{prefix}:{name}"] = getattr(f, name)
    st.session_state[f"{prefix}:goal_adjusted"] = {None: "", True: "是", False: "否"}[f.goal_adjusted]
    st.session_state[f"{prefix}:monitor_body"] = f.monitor_body
    st.session_state[f"{prefix}:activities"] = activity_lines(f.activities)
    st.session_state[f"{prefix}:version"] = f.version
    for flag in ("conflict", "error"):
        st.session_state.pop(f"{prefix}:{flag}", None)


@common.guard
def _save(path: str, year: int, month: int, code: str, prefix: str) -> None:
    v = {name: (st.session_state.get(f"{prefix}:{name}") or "").strip() for name in TEXTS}
    store = common.get_store(path)
    try:
        acts = parse_activity_lines(st.session_state.get(f"{prefix}:activities") or "", year)
        facts = ProjectFacts(year, code, goal_adjusted=YES_NO[st.session_state.get(f"{prefix}:goal_adjusted") or ""],
                             monitor_body=st.session_state.get(f"{prefix}:monitor_body") or "", activities=acts,
                             version=int(st.session_state.get(f"{prefix}:version", 0)), **v)
        before = store.data_version()
        saved = save_facts(store, facts, common.actor(), month)
    except FactsConflict as exc:
        st.session_state[f"{prefix}:conflict"] = str(exc)
        return
    except MonitorError as exc:
        st.session_state[f"{prefix}:error"] = str(exc)
        return
    common.record_note_write(path, before, store.data_version())  # words only: the status still holds
    st.session_state[f"{prefix}:version"] = saved.version
    for flag in ("conflict", "error"):
        st.session_state.pop(f"{prefix}:{flag}", None)
    st.session_state[f"{prefix}:saved"] = f"已保存（第{saved.version}版，{saved.updated_at:%Y-%m-%d %H:%M}）"


def render(c: common.Ctx, code: str) -> None:
    """The expander; a closed month or a reader shows the words without a form."""
    who = common.actor()
    stored = load_facts(common.get_store(c.path), who, c.year, code)
    prefix = form_key(c.year, code)
    busy = any(f"{prefix}:{flag}" in st.session_state for flag in ("saved", "conflict", "error"))
    with st.expander("项目基本情况（监控报告用）", expanded=busy):
        if stored.version:
            st.caption(f"已保存第{stored.version}版 · {common.plain(stored.updated_by or '导入')} · "
                       + (f"{stored.updated_at:%Y-%m-%d %H:%M}" if stored.updated_at else ""))
        _sources(c, code)
        if not who.may("data.fill") or c.closed_at:
            _show(stored)
            return
        if f"{prefix}:background" not in st.session_state:
            _load(prefix, stored)
        with st.form(key=f"{prefix}:form", border=False):
            st.text_area("项目背景", key=f"{prefix}:background", height=110)
            st.text_area("立项依据", key=f"{prefix}:basis", height=90)
            a, b = st.columns([1, 3])
            a.selectbox("总目标是否调整", tuple(YES_NO), key=f"{prefix}:goal_adjusted", format_func=lambda v: v or "（未填写）")
            b.text_area("调整后总目标（表2）", key=f"{prefix}:adjusted_goal", height=70)
            x, y = st.columns([1, 3])
            x.selectbox("监控主体", ("", *MONITOR_BODIES), key=f"{prefix}:monitor_body", format_func=lambda v: v or "（未填写）")
            y.text_input("第三方名称（监控主体为第三方时填写）", key=f"{prefix}:third_party", max_chars=100)
            st.text_area("资金使用合规性结论", key=f"{prefix}:compliance", height=70)
            st.text_area("工作进展（每行一项：日期 事项：内容；如 2023-07-03—2023-08-11 开设职工子女暑期托管班：83名职工子女参加）",
                         key=f"{prefix}:activities", height=160)
            st.form_submit_button("保存项目基本情况", type="primary", on_click=_save, args=(c.path, c.year, c.month, code, prefix))
        saved = st.session_state.pop(f"{prefix}:saved", None)
        if saved:
            st.success(saved)
        if st.session_state.get(f"{prefix}:error"):
            st.error(common.plain(st.session_state[f"{prefix}:error"]))
        if st.session_state.get(f"{prefix}:conflict"):
            st.error(common.plain(st.session_state[f"{prefix}:conflict"]))
            st.button("放弃我的修改，载入对方保存的最新内容", key=f"{prefix}:reload", on_click=_load, args=(prefix, stored))


def _sources(c: common.Ctx, code: str) -> None:
    """The sources of funds as known at the month (imported with the 资金来源 sheet; read-only here)."""
    rows = load_sources(common.get_store(c.path), common.actor(), c.year, c.month, code)
    if not rows:
        st.caption("资金来源：未填报（可在导入工作簿的“资金来源”表中填写）。")
        return
    st.markdown(f"**资金来源**（截至{rows[0].month}月，单位：万元）")
    st.dataframe(pd.DataFrame({
        "资金来源": [r.source for r in rows],
        "年初预算": [fmt_wan(r.initial_fen, unit=False) for r in rows],
        "追加": [fmt_wan(r.added_fen, unit=False) for r in rows],
        "调减": [fmt_wan(r.cut_fen, unit=False) for r in rows],
        "调整后预算": [fmt_wan(r.adjusted_fen, unit=False) for r in rows],
        "执行数": [fmt_wan(r.spent_fen, unit=False) for r in rows],
    }), hide_index=True, key=f"table_sources_{code}")


def _show(f: ProjectFacts) -> None:
    rows = [("项目背景", f.background), ("立项依据", f.basis),
            ("总目标是否调整", {None: "", True: "是", False: "否"}[f.goal_adjusted]), ("调整后总目标", f.adjusted_goal),
            ("监控主体", f.monitor_body + (f"（{f.third_party}）" if f.monitor_body == THIRD_PARTY and f.third_party else "")),
            ("资金使用合规性结论", f.compliance)]
    shown = [(k, v) for k, v in rows if v]
    if not shown and not f.activities:
        st.caption("尚未填写。")
    for k, v in shown:
        st.markdown(f"**{k}**：{common.plain(v)}")
    if f.activities:
        st.markdown("**工作进展**")
        for a in f.activities:
            st.markdown(f"- {a.when}　{common.plain(a.title)}" + (f"：{common.plain(a.text)}" if a.text else ""))
