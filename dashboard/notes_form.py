"""The monitoring-note form of one item (the project's money or one indicator) for one month.

The form opens with the stored note, else the draft `views.draft_note` proposes, and remembers the
version it was filled from. Saving passes that version back, so if somebody else saved the same note
meanwhile the store refuses (`NoteConflict`): the user sees why, keeps his text, and can load the
other person's version. Widget values live in session state under `form_key(...)`, which tests use.
"""

from __future__ import annotations

import streamlit as st

from dashboard import common
from monitor import views
from monitor.errors import MonitorError, NoteConflict
from monitor.notes import CAUSES, LIKELIHOODS, MEASURE_STATUSES, MEASURE_TYPES, Note, save_note
from monitor.status import Status

FIELDS = ("problem", "causes", "explanation", "likelihood", "measure_type", "measure", "owner", "due_month", "status")


def form_key(year: int, month: int, code: str, indicator: str) -> str:
    return f"note:{year}:{month}:{code}:{indicator}"


@common.guard
def _load(prefix: str, note: Note) -> None:
    for f in FIELDS:
        value = getattr(note, f)
        st.session_state[f"{prefix}:{f}"] = list(value) if f == "causes" else value
    st.session_state[f"{prefix}:version"] = note.version
    for flag in ("conflict", "error"):
        st.session_state.pop(f"{prefix}:{flag}", None)


def _note_from_form(prefix: str, year: int, month: int, code: str, indicator: str) -> Note:
    v = {f: st.session_state.get(f"{prefix}:{f}") for f in FIELDS}
    return Note(
        year=year, project_code=code, indicator_name=indicator, month=month,
        problem=(v["problem"] or "").strip(), causes=tuple(v["causes"] or ()), explanation=(v["explanation"] or "").strip(),
        likelihood=v["likelihood"] or "", measure_type=v["measure_type"] or "", measure=(v["measure"] or "").strip(),
        owner=(v["owner"] or "").strip(), due_month=v["due_month"], status=v["status"] or "",
        version=int(st.session_state.get(f"{prefix}:version", 0)),
    )


@common.guard
def _save(path: str, year: int, month: int, code: str, indicator: str, prefix: str) -> None:
    note = _note_from_form(prefix, year, month, code, indicator)
    store = common.get_store(path)
    try:
        before = store.data_version()
        saved = save_note(store, note, common.actor())
    except NoteConflict as exc:
        st.session_state[f"{prefix}:conflict"] = str(exc)
        return
    except MonitorError as exc:
        st.session_state[f"{prefix}:error"] = str(exc)
        return
    common.record_note_write(path, before, store.data_version())
    st.session_state[f"{prefix}:version"] = saved.version
    st.session_state.pop(f"{prefix}:conflict", None)
    st.session_state.pop(f"{prefix}:error", None)
    st.session_state[f"{prefix}:saved"] = f"已保存（第{saved.version}版，{saved.updated_at:%Y-%m-%d %H:%M}）"


def _choice(label: str, options: tuple[object, ...], key: str, empty: str, container: object = st) -> None:
    container.selectbox(label, options, key=key, format_func=lambda v: empty if v in ("", None) else  # type: ignore[attr-defined]
                        (f"{v}月" if isinstance(v, int) else str(v)))


def render(c: common.Ctx, s: Status, code: str, item: views.NoteItem, notes: list[Note]) -> None:
    prefix = form_key(c.year, c.month, code, item.indicator_name)
    note, origin = views.draft_note(s, code, item.indicator_name, notes)
    if f"{prefix}:explanation" not in st.session_state:
        _load(prefix, note)
    # a just-saved or refused form stays open (its title changes, which makes a new expander)
    busy = any(f"{prefix}:{flag}" in st.session_state for flag in ("saved", "conflict", "error"))
    with st.expander(f"{common.light(item.level)}　{common.plain(item.label)}　·　{origin}",
                     expanded=busy or (not note.version and item.level == "red")):
        st.caption(f"判定依据：{common.plain(item.reason)}")
        if note.version:
            when = f"{note.updated_at:%Y-%m-%d %H:%M}" if note.updated_at is not None else ""
            st.caption(f"已保存第{note.version}版 · {common.plain(note.updated_by or '未署名')} · {when}")
        with st.form(key=f"{prefix}:form", border=False):
            st.text_input("问题（简短标题）", key=f"{prefix}:problem", max_chars=60)
            st.multiselect("偏差原因（可多选）", CAUSES, key=f"{prefix}:causes", placeholder="请选择", select_all=False)
            st.text_area("原因说明", key=f"{prefix}:explanation", height=90)
            a, b = st.columns(2)
            _choice("完成目标可能性", ("", *LIKELIHOODS), f"{prefix}:likelihood", "（未选择）", a)
            _choice("措施类型", ("", *MEASURE_TYPES), f"{prefix}:measure_type", "（未选择）", b)
            st.text_area("纠偏措施", key=f"{prefix}:measure", height=90)
            x, y, z = st.columns(3)
            x.text_input("责任人", key=f"{prefix}:owner")
            _choice("完成时限", (None, *common.MONTHS), f"{prefix}:due_month", "（未定）", y)
            _choice("措施状态", ("", *MEASURE_STATUSES), f"{prefix}:status", "（未选择）", z)
            st.form_submit_button("保存说明", type="primary", on_click=_save,
                                  args=(c.path, c.year, c.month, code, item.indicator_name, prefix))
        _messages(prefix, note if note.version else None)


def _messages(prefix: str, stored: Note | None) -> None:
    saved = st.session_state.pop(f"{prefix}:saved", None)
    if saved:
        st.success(saved)
    error = st.session_state.get(f"{prefix}:error")
    if error:
        st.error(common.plain(error))
    conflict = st.session_state.get(f"{prefix}:conflict")
    if conflict:
        st.error(common.plain(conflict))
        if stored is not None:
            st.button("放弃我的修改，载入对方保存的最新内容", key=f"{prefix}:reload", on_click=_load, args=(prefix, stored))
