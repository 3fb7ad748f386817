"""报告段落修改: list a project report's generated paragraphs and let a person reword one before export.

The page stays thin: the paragraphs and their keys come from monitor.report.report_paragraphs, the
saving rules (rights, compare-and-set, closed months, audit) from monitor.report_edits.
"""

from __future__ import annotations

import streamlit as st

from dashboard import common
from monitor.errors import MonitorError, NoteConflict
from monitor.report import load, report_paragraphs
from monitor.report_edits import ParagraphEdit, can_edit, load_edits, revert_edit, save_edit
from monitor.status import Status
from monitor.store import Store


def render(store: Store, status: Status, code: str, issuer: str | None) -> None:
    """Inside an expander below the project's download buttons."""
    actor = common.actor()
    year, month = status.year, status.month
    with st.expander("修改报告段落（导出前）", expanded=False):
        try:
            paragraphs = report_paragraphs(load(store, status, [code]), code, issuer=issuer)
            edits = load_edits(common.store(), actor, year, month, code)
        except MonitorError as exc:
            st.error(common.plain(str(exc)))
            return
        generated = dict(paragraphs)

        def label(key: str) -> str:
            e = edits.get(key)
            if e is None:
                return key
            return f"{key}（已修改，数据已变化）" if e.stale(generated[key]) else f"{key}（已修改）"

        st.caption(f"共{len(paragraphs)}段系统生成的文字，其中{len(edits)}段已修改。修改保存在本项目{year}年1-{month}月，"
                   "导出的报告用修改后的文字。")
        key = st.selectbox("段落", [k for k, _ in paragraphs], format_func=label, key=f"edit-key-{code}")
        if key is None:
            return
        edit = edits.get(key) or ParagraphEdit(year, month, code, key, generated[key], generated[key])
        st.markdown("**系统生成的文字**")
        st.text(generated[key])
        if key in edits and edit.stale(generated[key]):
            st.warning("此段修改基于旧数据：保存修改后，系统生成的文字已随数据变化（见上），请核对修改后的文字是否仍然准确。")
        if not can_edit(actor):
            st.info("当前账户只能查看，不能修改报告内容。")
            return
        with st.form(f"edit-form-{code}-{key}"):
            text = st.text_area("修改后的文字", value=edit.text, height=160, key=f"edit-text-{code}-{key}")
            save, revert = st.columns(2)
            saved = save.form_submit_button("保存修改")
            reverted = revert.form_submit_button("恢复生成文字", disabled=key not in edits)
        try:
            if saved:
                save_edit(common.store(), actor, ParagraphEdit(year, month, code, key, text, generated[key], edit.version))
                st.success("已保存，导出的报告将使用修改后的文字。")
            elif reverted:
                revert_edit(common.store(), actor, edit)
                st.success("已恢复系统生成的文字。")
        except NoteConflict as exc:
            st.error(common.plain(str(exc)))
        except MonitorError as exc:
            st.error(common.plain(str(exc)))
