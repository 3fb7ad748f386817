"""修改记录: every change (data, notes, rules, accounts, states) with who, when, from where, and the
value before and after — of the user's own projects, or everything for the bureau. Read-only: the
trail cannot be edited from the app."""

import json
from datetime import date

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import common
from monitor import audit

common.route_guard()
who = common.require_page("audit.read")
st.title("修改记录")
st.caption("每次修改数据、说明、规则、账户和填报状态都记录在此：谁、何时、从哪里（页面、命令行、导入的文件）、原值和新值。记录不能修改或删除。")

a, b, c_ = st.columns(3)
project = a.text_input("项目编码", key="audit_project", value=st.session_state.get(common.PROJECT, "") if st.query_params.get("project") else "",
                       placeholder="全部项目")
user = b.text_input("操作人", key="audit_user", placeholder="全部")
since = c_.text_input("起始日期（年-月-日）", key="audit_since", placeholder="全部")
try:
    since_date = date.fromisoformat(since.strip()) if since.strip() else None
except ValueError:
    st.error("起始日期应写成 年-月-日，如 2023-11-01")
    st.stop()
rows = audit.trail(common.store(), who, project_code=project.strip() or None, user=user.strip() or None, since=since_date, limit=2000)


def _v(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "；".join(f"{k}：{_v(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list):
        return "、".join(_v(v) for v in value)
    return str(value) if not isinstance(value, float) else json.dumps(value)


st.markdown(f"**共{len(rows):,}条**" + ("（显示最近2,000条）" if len(rows) == 2000 else ""))
st.dataframe(pd.DataFrame({
    "时间": [f"{e.at:%Y-%m-%d %H:%M:%S}" for e in rows], "操作人": [e.actor for e in rows], "途径": [e.source for e in rows],
    "类别": [e.kind for e in rows], "项目编码": [e.project_code or "" for e in rows], "内容": [e.target for e in rows],
    "原值": [_v(e.before) for e in rows], "新值": [_v(e.after) for e in rows],
}), hide_index=True, key="audit_table", column_config={"原值": st.column_config.TextColumn(width="large"),
                                                        "新值": st.column_config.TextColumn(width="large")})
