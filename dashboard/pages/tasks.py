"""监控任务: the round of the chosen month — open it (bureau, or a department for its units), follow each
unit's state and deadline, review what waits for this user, remind the late, and close the month."""

from datetime import date, timedelta

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import common, round_form
from monitor import reminders, rounds, snapshots
from monitor.errors import MonitorError

common.route_guard()
who = common.actor()
if not any(who.may(a) for a in ("task.open", "submit", "review.department", "review.bureau")):
    common.require_page("task.open")

c = common.ctx()
if c is None:
    st.info("数据库中还没有项目数据。")
    st.stop()
st.title("监控任务")
st.caption(f"{c.period} · 在左侧“监控时点”选择月份")


def _flash(kind: str, message: str) -> None:
    st.session_state["tasks:flash"] = (kind, message)


def _show() -> None:
    got = st.session_state.pop("tasks:flash", None)
    if got:
        (st.success if got[0] == "ok" else st.error)(common.plain(got[1]))


def _due_default() -> date:
    nxt = date(c.year + (c.month == 12), c.month % 12 + 1, 1)
    return nxt + timedelta(days=9)  # the 10th of the next month, the usual 报送 deadline


@common.guard
def _open() -> None:
    try:
        due = date.fromisoformat(st.session_state["tasks:due"].strip())
    except ValueError:
        _flash("error", "报送截止日期应写成 年-月-日，如 2023-11-10")
        return
    try:
        n = rounds.open_task(common.store(), who, c.year, c.month, due, key_only=st.session_state["tasks:scope"] == "重点监控项目")
    except MonitorError as exc:
        _flash("error", str(exc))
        return
    _flash("ok", f"已布置{c.period}监控任务，报送截止{due:%Y年%m月%d日}，共{n}个项目；各单位登录后即可看到待办。")


@common.guard
def _close() -> None:
    try:
        snapshots.close_month(common.store(), who, c.year, c.month)
    except MonitorError as exc:
        _flash("error", str(exc))
        return
    _flash("ok", f"{c.period}已关账：数据、灯色、规则和说明已冻结，此后的更正记为调整（见“关账对比”）。")


if c.closed_at:
    st.info(f"{c.period}已于{c.closed_at[:16]}关账，不能再填报或审核；更正记为关账后调整。")

if who.may("task.open") and not c.closed_at:
    with st.expander("布置监控任务", expanded=False):
        a, b = st.columns(2)
        a.text_input("报送截止日期（年-月-日）", value=_due_default().isoformat(), key="tasks:due")
        b.radio("范围", ["全部项目", "重点监控项目"], key="tasks:scope", horizontal=True,
                help="主管部门布置的任务只含本部门所属单位的项目")
        st.button("布置任务", type="primary", key="tasks:open", on_click=_open)

subs = rounds.submissions(common.store(), who, c.year, c.month)
units = rounds.task_status(common.store(), who, c.year, c.month)
_show()
if subs.empty:
    st.caption(f"{c.period}尚未布置监控任务。" + ("" if who.may("task.open") else "布置后这里会列出本单位待填报的项目。"))
    st.stop()

st.subheader("各单位进度")
st.dataframe(pd.DataFrame({
    "主管部门": units["department_name"], "预算单位": units["unit_name"], "状态": units["state"],
    "已送审/项目": [f"{a}/{b}" for a, b in zip(units["submitted"], units["projects"], strict=True)],
    "报送截止": [d.isoformat() for d in units["due_date"]],
    "剩余天数": [f"已超时{-d}天" if o else (f"{d}天" if d >= 0 else "已过截止日") for d, o in zip(units["days_left"], units["overdue"], strict=True)],
    "整改未反馈": units["open_fixes"],
}), hide_index=True, key="tasks_units")

waiting = {"unit": [rounds.NOT_FILLED, rounds.DRAFT, rounds.RETURNED], "department": [rounds.SUBMITTED],
           "bureau": [rounds.DEPT_APPROVED, rounds.SUBMITTED], "admin": [rounds.DEPT_APPROVED, rounds.SUBMITTED]}.get(who.role, [])
todo = subs[subs["state"].isin(waiting)]
st.subheader("我的待办" if who.role == "unit" else "待审核")
if todo.empty:
    st.caption("没有。")
else:
    frame = pd.DataFrame({"状态": todo["state"], "预算单位": todo["unit_name"], "项目编码": todo["project_code"],
                          "项目名称": todo["project_name"], "退回原因": todo["return_reason"].fillna(""),
                          "截止日期": [d.isoformat() for d in todo["due_date"]]})
    event = st.dataframe(frame, hide_index=True, key="tasks_todo", on_select="rerun", selection_mode="single-row")
    st.caption("点选一行打开该项目，在“本月填报”或“审核”中处理。")
    rows = event.selection.rows if event is not None else []
    if rows:
        common.open_project(str(todo.iloc[rows[0]]["project_code"]))

with st.expander(f"全部项目（{len(subs)}个）"):
    st.dataframe(pd.DataFrame({"状态": subs["state"], "主管部门": subs["department_name"], "预算单位": subs["unit_name"],
                               "项目编码": subs["project_code"], "项目名称": subs["project_name"],
                               "最后修改": subs["updated_by"].fillna(""), "重点监控": ["是" if k else "" for k in subs["key_project"]]}),
                 hide_index=True, key="tasks_all")

if who.may("remind"):
    st.subheader("催报")
    r = reminders.reminders(common.store(), who, c.year, c.month)
    st.caption(f"未送审单位{len(r.not_submitted)}个，红灯未填写原因{len(r.without_cause)}项，整改未反馈{len(r.open_fixes)}项。")
    a, b = st.columns(2)
    a.download_button("催报清单（Excel）", lambda: reminders.reminders_workbook(r), file_name=f"{c.period}催报清单.xlsx",
                      mime=round_form.XLSX, key="tasks_remind_xlsx", on_click="ignore", icon=":material/download:")
    b.download_button("各部门提醒函（Word）", lambda: reminders.reminder_letters(r), file_name=f"{c.period}提醒函.docx",
                      mime=round_form.DOCX, key="tasks_remind_docx", on_click="ignore", icon=":material/download:")

if who.may("task.close") and not c.closed_at:
    st.subheader("关账")
    with st.popover("关账…", icon=":material/lock:"):
        st.markdown(f"关账后{c.period}的数据、灯色、规则和说明冻结，报告按关账时的内容生成；此后导入的更正记为调整。")
        st.button(f"确认关账{c.period}", type="primary", key="tasks:close", on_click=_close)
