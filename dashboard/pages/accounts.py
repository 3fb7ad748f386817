"""账户: local accounts (administrators only): list, add, disable, reset a password, and the projects
an evaluator may see."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import common
from monitor import accounts
from monitor.access import ROLES
from monitor.errors import MonitorError

common.route_guard()
who = common.require_page("accounts.manage")
st.title("账户")


def _flash(kind: str, message: str) -> None:
    st.session_state["acc:flash"] = (kind, message)


@common.guard
def _add() -> None:
    ss = st.session_state
    try:
        acc = accounts.add_user(common.store(), who, ss["acc:name"], ss["acc:role"], ss["acc:password"],
                                department=ss["acc:department"].strip() or None, unit=ss["acc:unit"].strip() or None,
                                display_name=ss["acc:display"].strip())
    except MonitorError as exc:
        _flash("error", str(exc))
        return
    ss["acc:password"] = ""
    _flash("ok", f"已新建账户「{acc.name}」（{acc.role_name}）。")


@common.guard
def _disable(name: str) -> None:
    try:
        accounts.disable_user(common.store(), who, name)
    except MonitorError as exc:
        _flash("error", str(exc))
        return
    _flash("ok", f"已停用账户「{name}」，其登录已全部失效。")


@common.guard
def _reset(name: str) -> None:
    try:
        accounts.set_password(common.store(), who, name, st.session_state.get(f"acc:pw:{name}", ""))
    except MonitorError as exc:
        _flash("error", str(exc))
        return
    _flash("ok", f"已重设「{name}」的密码，其原有登录已失效。")


users = accounts.list_users(common.store(), who)
st.dataframe(pd.DataFrame({
    "用户名": [u.name for u in users], "显示名称": [u.display_name for u in users], "角色": [u.role_name for u in users],
    "部门": [u.department or "" for u in users], "单位": [u.unit or "" for u in users],
    "状态": ["已停用" if u.disabled else ("已锁定" if u.locked_until else "正常") for u in users],
}), hide_index=True, key="acc_table")
got = st.session_state.pop("acc:flash", None)
if got:
    (st.success if got[0] == "ok" else st.error)(common.plain(got[1]))

with st.expander("新建账户"):
    with st.form("acc:add", border=False):
        a, b, c_ = st.columns(3)
        a.text_input("用户名", key="acc:name")
        b.text_input("显示名称", key="acc:display")
        c_.selectbox("角色", list(ROLES), format_func=ROLES.get, key="acc:role")
        d, e, f = st.columns(3)
        d.text_input("部门（主管部门、预算单位必填）", key="acc:department")
        e.text_input("单位（预算单位必填）", key="acc:unit")
        f.text_input("初始密码（至少8位，含字母和数字）", type="password", key="acc:password")
        st.form_submit_button("新建", type="primary", on_click=_add)

with st.expander("停用账户或重设密码"):
    name = st.selectbox("账户", [u.name for u in users if u.name != who.name], key="acc:target")
    if name:
        a, b = st.columns(2)
        a.button(f"停用「{name}」", key="acc:disable", on_click=_disable, args=(name,))
        b.text_input("新密码", type="password", key=f"acc:pw:{name}")
        b.button("重设密码", key="acc:reset", on_click=_reset, args=(name,))
