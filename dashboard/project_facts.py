"""The 「项目基本情况」 expander of 项目详情: 项目背景, 立项依据, 表2's adjusted total target, the monitoring
body, the 合规性 finding and the 工作进展 list — what the monitoring report prints besides figures.

A user who may fill the month's data edits them; everybody else reads them. The form remembers the
version it was filled from, so a save after somebody else's is refused (`FactsConflict`): the user
keeps his text and may load the other person's version.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard import common
from monitor.errors import MonitorError
from monitor.money import fen_to_wan, fmt_wan, wan_to_fen
from monitor.project_facts import (
    MONITOR_BODIES,
    SOURCE_NAMES,
    THIRD_PARTY,
    FactsConflict,
    FundSource,
    ProjectFacts,
    SourcesConflict,
    activity_lines,
    load_facts,
    load_sources,
    parse_activity_lines,
    save_facts,
    save_sources,
)

TEXTS = ("background", "basis", "adjusted_goal", "third_party", "compliance", "efficiency", "effectiveness", "fairness")
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
        editable = who.may("data.fill") and not c.closed_at
        _sources(c, code, editable)
        if not editable:
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
            st.caption("项目绩效情况分析（报告§四；不填则报告只写按数据得出的总体判断）")
            for name, label in (("efficiency", "效率性分析"), ("effectiveness", "效益性分析"), ("fairness", "公平性分析")):
                st.text_area(label, key=f"{prefix}:{name}", height=70)
            st.text_area("工作进展（每行一项：日期 事项：内容；如 2023-07-03—2023-08-11 开设职工子女暑期托管班：83名职工子女参加）",
                         key=f"{prefix}:activities", height=160)
            st.form_submit_button("保存项目基本情况", type="primary", on_click=_save, args=(c.path, c.year, c.month, code, prefix))
        _outcome(prefix, "", "放弃我的修改，载入对方保存的最新内容", _load, (prefix, stored))


SOURCE_COLUMNS = {"source": "资金来源", "initial": "年初预算", "added": "追加", "cut": "调减", "adjusted": "调整后预算",
                  "spent": "执行数"}


def _wan(fen: int | None) -> float | None:
    return None if fen is None else float(fen_to_wan(fen))


def _fen(v: object) -> int | None:
    """万元 as the editor gives it (a float) → 分, to the six decimals a 分 needs."""
    if v is None or pd.isna(v):  # type: ignore[call-overload]
        return None
    return wan_to_fen(Decimal(f"{float(v):.6f}"))  # type: ignore[arg-type]


def _frame(rows: list[FundSource]) -> pd.DataFrame:
    # the source column typed as text even when there are no rows: pandas makes an empty column
    # float, and the editor's text column then refuses it (the whole page failed)
    return pd.DataFrame({"source": pd.Series([r.source for r in rows], dtype=object), "initial": [_wan(r.initial_fen) for r in rows],
                         "added": [_wan(r.added_fen) for r in rows], "cut": [_wan(r.cut_fen) for r in rows],
                         "adjusted": [_wan(r.adjusted_fen) for r in rows], "spent": [_wan(r.spent_fen) for r in rows]},
                        columns=list(SOURCE_COLUMNS))


@common.guard
def _save_sources(path: str, year: int, month: int, code: str, prefix: str, expected: tuple[FundSource, ...]) -> None:
    edited = st.session_state[f"{prefix}:sources_frame"]
    state = st.session_state.get(f"{prefix}:sources_editor") or {}
    frame = edited.copy()
    # the editor's deltas (edited/added/deleted rows) applied to the frame it was given
    for i, change in (state.get("edited_rows") or {}).items():
        for col, v in change.items():
            frame.loc[frame.index[int(i)], col] = v
    frame = frame.drop(index=[frame.index[int(i)] for i in state.get("deleted_rows") or []])
    added = pd.DataFrame(state.get("added_rows") or [], columns=list(SOURCE_COLUMNS))
    frame = pd.concat([frame, added], ignore_index=True) if not added.empty else frame
    rows = []
    for r in frame.to_dict("records"):
        if not str(r.get("source") or "").strip() and all(_fen(r.get(k)) is None for k in list(SOURCE_COLUMNS)[1:]):
            continue  # an empty row left in the editor
        initial, added_fen, cut = _fen(r.get("initial")), _fen(r.get("added")), _fen(r.get("cut"))
        adjusted = _fen(r.get("adjusted"))
        if adjusted is None and initial is not None:
            adjusted = initial + (added_fen or 0) - (cut or 0)
        rows.append(FundSource(str(r.get("source") or ""), month, adjusted if adjusted is not None else 0, initial, added_fen, cut,
                               _fen(r.get("spent"))))
    store = common.get_store(path)
    try:
        before = store.data_version()
        save_sources(store, common.actor(), year, month, code, rows, expected)
    except SourcesConflict as exc:
        st.session_state[f"{prefix}:sources_conflict"] = str(exc)
        return
    except MonitorError as exc:
        st.session_state[f"{prefix}:sources_error"] = str(exc)
        return
    common.record_note_write(path, before, store.data_version())
    for k in ("sources_conflict", "sources_error", "sources_frame", "sources_editor", "sources_expected"):
        st.session_state.pop(f"{prefix}:{k}", None)
    st.session_state[f"{prefix}:sources_saved"] = f"资金来源已保存（截至{month}月，{len(rows)}项）"


@common.guard
def _reload_sources(prefix: str) -> None:
    for k in ("sources_conflict", "sources_error", "sources_frame", "sources_editor", "sources_expected"):
        st.session_state.pop(f"{prefix}:{k}", None)


def _sources(c: common.Ctx, code: str, editable: bool) -> None:
    """The sources of funds as known at the month: read-only, or a table the month's filler edits
    (the same checks as the workbook's 资金来源 sheet; a save over somebody else's is refused)."""
    rows = load_sources(common.get_store(c.path), common.actor(), c.year, c.month, code)
    if not editable:
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
        return
    prefix = form_key(c.year, code)
    if f"{prefix}:sources_frame" not in st.session_state:
        st.session_state[f"{prefix}:sources_frame"] = _frame(rows)
        st.session_state[f"{prefix}:sources_expected"] = tuple(r for r in rows if r.month == c.month)
    shown = f"截至{rows[0].month}月" if rows else "未填报"
    st.markdown(f"**资金来源**（{shown}；单位：万元；保存即为截至{c.month}月的资金来源，各来源调整后预算之和须等于项目调整后预算，"
                "调整后预算留空按 年初 + 追加 − 调减 计算）")
    num = {k: st.column_config.NumberColumn(v, min_value=0.0, step=0.000001, format="%.4f") for k, v in SOURCE_COLUMNS.items() if k != "source"}
    st.data_editor(st.session_state[f"{prefix}:sources_frame"], key=f"{prefix}:sources_editor", num_rows="dynamic", hide_index=True,
                   column_config={"source": st.column_config.TextColumn("资金来源", required=True, help="如" + "、".join(SOURCE_NAMES)), **num})
    st.button("保存资金来源", key=f"{prefix}:sources_save", on_click=_save_sources,
              args=(c.path, c.year, c.month, code, prefix, st.session_state[f"{prefix}:sources_expected"]))
    _outcome(prefix, "sources_", "放弃我的修改，载入对方保存的最新资金来源", _reload_sources, (prefix,))


def _outcome(prefix: str, part: str, reload_label: str, reload, args: tuple) -> None:  # type: ignore[no-untyped-def]
    """What the last save of a form left in the session: saved, refused (with why), or overtaken by
    somebody else's save (with a button that loads theirs). `part`: "" for the facts, "sources_" for the table."""
    saved = st.session_state.pop(f"{prefix}:{part}saved", None)
    if saved:
        st.success(saved)
    if st.session_state.get(f"{prefix}:{part}error"):
        st.error(common.plain(st.session_state[f"{prefix}:{part}error"]))
    if st.session_state.get(f"{prefix}:{part}conflict"):
        st.error(common.plain(st.session_state[f"{prefix}:{part}conflict"]))
        st.button(reload_label, key=f"{prefix}:{part}reload", on_click=reload, args=args)


def _show(f: ProjectFacts) -> None:
    rows = [("项目背景", f.background), ("立项依据", f.basis),
            ("总目标是否调整", {None: "", True: "是", False: "否"}[f.goal_adjusted]), ("调整后总目标", f.adjusted_goal),
            ("监控主体", f.monitor_body + (f"（{f.third_party}）" if f.monitor_body == THIRD_PARTY and f.third_party else "")),
            ("资金使用合规性结论", f.compliance), ("效率性分析", f.efficiency), ("效益性分析", f.effectiveness),
            ("公平性分析", f.fairness)]
    shown = [(k, v) for k, v in rows if v]
    if not shown and not f.activities:
        st.caption("尚未填写。")
    for k, v in shown:
        st.markdown(f"**{k}**：{common.plain(v)}")
    if f.activities:
        st.markdown("**工作进展**")
        for a in f.activities:
            st.markdown(f"- {a.when}　{common.plain(a.title)}" + (f"：{common.plain(a.text)}" if a.text else ""))
