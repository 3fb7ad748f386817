"""项目详情's part of the round: the month's filling (暂存/送审), the review (通过/退回, 整改), the
evaluator's opinion and the attachments. Rules and states live in monitor (rounds, filling,
opinions); this renders them for the logged-in user and passes his actions on.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import common
from monitor import filling, opinions, rounds
from monitor.errors import MonitorError
from monitor.notes import load_notes
from monitor.rulebook import load as load_rules
from monitor.status import Status, compute_status

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATE_COLORS = {rounds.NOT_FILLED: "gray", rounds.DRAFT: "blue", rounds.SUBMITTED: "orange", rounds.RETURNED: "red",
                rounds.DEPT_APPROVED: "green", rounds.BUREAU_APPROVED: "green"}


def state_badge(state: str) -> str:
    return f":{STATE_COLORS.get(state, 'gray')}-badge[{state}]"


def _flash(key: str, kind: str, message: str) -> None:
    st.session_state[f"round:{key}:flash"] = (kind, message)


def _show(key: str) -> None:
    got = st.session_state.pop(f"round:{key}:flash", None)
    if got:
        (st.success if got[0] == "ok" else st.error)(common.plain(got[1]))


def banner(c: common.Ctx, code: str) -> rounds.Submission:
    """At the top of the page: the project's state in the round, and a return's reason above all."""
    sub = rounds.submission(common.store(), common.actor(), c.year, c.month, code)
    if sub.due_date is None:
        return sub
    left = sub.days_left()
    when = "已超时" if sub.overdue() else (f"剩{left}天" if left is not None and left >= 0 else "已过截止日期")
    st.markdown(f"本月填报：{state_badge(sub.state)}　报送截止 {sub.due_date:%Y-%m-%d}（{when}）"
                + (f"　最后修改：{common.plain(sub.updated_by)} {sub.updated_at:%m-%d %H:%M}" if sub.updated_at else ""))
    if sub.state == rounds.RETURNED:
        st.error(f"被退回（{common.plain(sub.returned_by)}）：{common.plain(sub.return_reason)}　请修改后重新送审。")
    if sub.needs_fix:
        st.warning(f"整改要求：{common.plain(sub.fix_request)}" + (f"　整改结果：{common.plain(sub.fix_result)}" if sub.fix_result else "　（尚未反馈整改结果）"))
    return sub


# -- filling -------------------------------------------------------------------------------------
def _entry_key(c: common.Ctx, code: str) -> str:
    return f"fill:{c.year}:{c.month}:{code}"


@common.guard
def _save(c: common.Ctx, code: str, version: int, submit: bool) -> None:
    key = _entry_key(c, code)
    who = common.actor()
    store = common.store()
    base = filling.month_entry(store, who, c.year, c.month, code)
    edited = st.session_state.get(f"{key}:actuals")
    table: pd.DataFrame = st.session_state[f"{key}:table"]
    if isinstance(edited, dict):  # the data editor's changes: {"edited_rows": {row: {column: value}}}
        table = table.copy()
        for row, change in edited.get("edited_rows", {}).items():
            for col, value in change.items():
                table.loc[int(row), col] = "" if value is None else str(value)
    actuals = tuple(filling.Actual(a.indicator_name, a.target_text, str(table.loc[i, "实际完成值"] or ""),
                                   str(table.loc[i, "完成情况说明"] or "")) for i, a in enumerate(base.actuals))
    entry = replace(base, spent_wan=st.session_state.get(f"{key}:spent", ""), arrived_wan=st.session_state.get(f"{key}:arrived", ""),
                    actuals=actuals, version=version)
    try:
        sub = filling.save_month(store, who, entry)
        if submit:
            # judged on the figures as just saved, within the submitter's own scope (a unit's: a handful of projects)
            now = compute_status(store, c.year, c.month, actor=who)
            notes = load_notes(store, c.year, code, c.month, actor=who)
            missing = filling.missing_before_submit(now, code, notes, load_rules(store, now.year))
            sub = rounds.submit(store, who, c.year, c.month, code, sub.version, missing,
                                filling.submission_content(filling.month_entry(store, who, c.year, c.month, code), notes))
    except MonitorError as exc:
        _flash(key, "error", str(exc))
        return
    st.session_state.pop(f"{key}:loaded", None)
    _flash(key, "ok", "已送审，等待审核。" if submit else f"已暂存（{sub.state}）。")


def fill_form(c: common.Ctx, s: Status, code: str, sub: rounds.Submission) -> None:
    """The month's spend, arrivals and actuals with evidence; 暂存 and 送审."""
    who = common.actor()
    if not who.may("data.fill") or sub.due_date is None:
        return
    key = _entry_key(c, code)
    locked = who.role == "unit" and sub.state in rounds.LOCKED_FOR_UNITS
    st.markdown(f"**{c.month}月填报**（支出、到位资金单位：万元；实际完成值为截至{c.month}月末的累计数）")
    if locked:
        st.caption("已送审，等待审核；审核人退回后才能修改。")
        _show(key)
        return
    entry = filling.month_entry(common.store(), who, c.year, c.month, code)
    if st.session_state.get(f"{key}:loaded") != entry.version:
        # a fresh form (or the stored data moved on): fill it from the store; typed text otherwise stays
        st.session_state[f"{key}:spent"] = entry.spent_wan
        st.session_state[f"{key}:arrived"] = entry.arrived_wan
        st.session_state[f"{key}:table"] = pd.DataFrame({
            "三级指标": [a.indicator_name for a in entry.actuals], "年度指标值": [a.target_text for a in entry.actuals],
            "实际完成值": [a.actual for a in entry.actuals], "完成情况说明": [a.evidence for a in entry.actuals]})
        st.session_state.pop(f"{key}:actuals", None)
        st.session_state[f"{key}:loaded"] = entry.version
    with st.form(f"{key}:form", border=True):
        a, b = st.columns(2)
        a.text_input(f"{c.month}月支出（万元）", key=f"{key}:spent", placeholder="如 22.0882")
        b.text_input(f"{c.month}月到位资金（万元）", key=f"{key}:arrived", placeholder="未到位可不填")
        st.data_editor(st.session_state[f"{key}:table"], key=f"{key}:actuals", hide_index=True, width="stretch",
                       disabled=["三级指标", "年度指标值"], num_rows="fixed",
                       column_config={"完成情况说明": st.column_config.TextColumn(width="large", help="做了什么、何时、数据来源"),
                                      "实际完成值": st.column_config.TextColumn(help="如 183、90%、达成/部分达成/未达成")})
        x, y, _ = st.columns([1, 1, 3])
        x.form_submit_button("暂存", on_click=_save, args=(c, code, entry.version, False))
        y.form_submit_button("送审", type="primary", on_click=_save, args=(c, code, entry.version, True),
                             disabled=not who.may("submit"))
    _show(key)


# -- review --------------------------------------------------------------------------------------
@common.guard
def _review(c: common.Ctx, code: str, version: int, approve: bool) -> None:
    key = f"review:{c.year}:{c.month}:{code}"
    who = common.actor()
    try:
        if approve:
            rounds.approve(common.store(), who, c.year, c.month, code, version,
                           bool(st.session_state.get(f"{key}:fix")), st.session_state.get(f"{key}:fix_request", ""))
        else:
            rounds.send_back(common.store(), who, c.year, c.month, code, version, st.session_state.get(f"{key}:reason", ""))
    except MonitorError as exc:
        _flash(key, "error", str(exc))
        return
    _flash(key, "ok", "已审核通过。" if approve else "已退回，单位将在项目页顶部看到退回原因。")


def review_form(c: common.Ctx, code: str, sub: rounds.Submission) -> None:
    who = common.actor()
    mine = (who.role == "department" and sub.state == rounds.SUBMITTED) or (
        who.role in ("bureau", "admin") and sub.state in (rounds.SUBMITTED, rounds.DEPT_APPROVED))
    key = f"review:{c.year}:{c.month}:{code}"
    if not mine or sub.due_date is None:
        _show(key)
        return
    st.markdown("**审核**")
    changes = rounds.changes_between_submissions(sub)
    if changes:
        st.info("与上次送审相比的修改：\n" + "\n".join(f"- {common.plain(x)}" for x in changes))
    with st.form(f"{key}:form", border=True):
        st.checkbox("需要整改", key=f"{key}:fix")
        st.text_input("整改要求（需要整改时填写）", key=f"{key}:fix_request")
        st.text_area("退回原因（退回时必填，单位将看到）", key=f"{key}:reason", height=70)
        a, b, _ = st.columns([1, 1, 3])
        a.form_submit_button("审核通过", type="primary", on_click=_review, args=(c, code, sub.version, True))
        b.form_submit_button("退回", on_click=_review, args=(c, code, sub.version, False))
    _show(key)


@common.guard
def _answer_fix(c: common.Ctx, code: str) -> None:
    key = f"fixres:{c.year}:{c.month}:{code}"
    try:
        rounds.answer_fix(common.store(), common.actor(), c.year, c.month, code, st.session_state.get(key, ""))
    except MonitorError as exc:
        _flash(key, "error", str(exc))
        return
    _flash(key, "ok", "已反馈整改结果。")


def fix_form(c: common.Ctx, code: str, sub: rounds.Submission) -> None:
    who = common.actor()
    if not (sub.needs_fix and who.may("data.fill") and who.role in ("unit", "department")):
        return
    key = f"fixres:{c.year}:{c.month}:{code}"
    with st.form(f"{key}:form", border=True):
        st.text_area("整改结果", key=key, value=sub.fix_result, height=70)
        st.form_submit_button("反馈整改结果", on_click=_answer_fix, args=(c, code))
    _show(key)


# -- the evaluator's opinion and the attachments --------------------------------------------------
@common.guard
def _save_opinion(c: common.Ctx, code: str, version: int) -> None:
    key = f"opinion:{c.year}:{c.month}:{code}"
    try:
        opinions.save_opinion(common.store(), common.actor(),
                              opinions.Opinion(c.year, c.month, code, st.session_state.get(key, ""), version))
    except MonitorError as exc:
        _flash(key, "error", str(exc))
        return
    _flash(key, "ok", "监控方意见已保存。")


def opinion_form(c: common.Ctx, code: str) -> None:
    who = common.actor()
    current = opinions.load_opinion(common.store(), who, c.year, c.month, code)
    key = f"opinion:{c.year}:{c.month}:{code}"
    if not who.may("opinion.write"):
        if current.text:
            st.markdown(f"**监控方意见**（{common.plain(current.updated_by)}）：{common.plain(current.text)}")
        return
    st.markdown("**监控方意见**（第三方评价机构或绩效科的意见，报告中与单位说明分开引用）")
    if key not in st.session_state:
        st.session_state[key] = current.text
    with st.form(f"{key}:form", border=True):
        st.text_area("意见", key=key, height=90, label_visibility="collapsed")
        st.form_submit_button("保存意见", on_click=_save_opinion, args=(c, code, current.version))
    _show(key)


@common.guard
def _upload(c: common.Ctx, code: str) -> None:
    key = f"attach:{c.year}:{c.month}:{code}"
    upload = st.session_state.get(key)
    if upload is None:
        return
    try:
        opinions.attach(common.store(), common.actor(), c.year, c.month, code, upload.name, upload.getvalue())
    except MonitorError as exc:
        _flash(key, "error", str(exc))
        return
    _flash(key, "ok", f"已上传附件「{upload.name}」。")


def attachments(c: common.Ctx, code: str) -> None:
    who = common.actor()
    files = opinions.attachments(common.store(), who, c.year, c.month, code)
    key = f"attach:{c.year}:{c.month}:{code}"
    st.markdown(f"**附件**（佐证材料：PDF、图片、Excel、Word，每个不超过{opinions.MAX_ATTACHMENT_MB}MB）")
    for f in files:
        name, mime, data = opinions.attachment_content(common.store(), who, f.id)
        st.download_button(f"{name}（{f.size / 1024:,.0f} KB，{f.uploaded_by}，{f.uploaded_at:%m-%d %H:%M}）", data,
                           file_name=name, mime=mime, key=f"{key}:{f.id}", icon=":material/attach_file:")
    if who.may("data.fill"):
        st.file_uploader("上传附件", type=[k.lstrip(".") for k in opinions.KINDS], key=key, on_change=_upload, args=(c, code))
    elif not files:
        st.caption("没有附件。")
    _show(key)
