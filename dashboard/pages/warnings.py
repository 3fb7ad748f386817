"""预警: every red and yellow item of the month, by department, with the suggested measure and
whether its note has been written."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import common, tables
from monitor.money import fmt_bp
from monitor.report.lists import warnings_workbook

common.route_guard()
common.require_page("read")

MAX_ROWS = 500
KEYS = ("w_departments", "w_levels", "w_kinds", "w_no_note")

c, s = common.require()
common.page_header("预警", c, s)
items = common.warnings(c)
if items.empty:
    st.success(f"{c.period}没有红灯、黄灯事项。")
    st.stop()

common.restore_widgets(*KEYS)
a, b, d, e = st.columns([3, 1, 1, 1])
departments = a.multiselect("主管部门", sorted(items["department_name"].unique()), key="w_departments", placeholder="全部部门", select_all=False)
levels = b.multiselect("灯", ["red", "yellow"], format_func=common.label, key="w_levels", placeholder="红灯和黄灯", select_all=False)
kinds = d.multiselect("类别", ["资金", "指标"], key="w_kinds", placeholder="资金和指标", select_all=False)
no_note = e.checkbox("只看未填写说明", key="w_no_note")
common.remember_widgets(*KEYS)

mask = pd.Series(True, index=items.index)
if departments:
    mask &= items["department_name"].isin(departments)
if levels:
    mask &= items["level"].isin(levels)
if kinds:
    mask &= items["kind"].isin(kinds)
if no_note:
    mask &= ~items["has_note"]
shown = items[mask]

by_dep = shown.groupby("department_name", sort=True).agg(
    红灯=("level", lambda v: int((v == "red").sum())), 黄灯=("level", lambda v: int((v == "yellow").sum())),
    未填写说明=("has_note", lambda v: int((~v).sum())),
).reset_index().rename(columns={"department_name": "主管部门"})
st.markdown(f"**共{len(shown):,}项预警**（红灯{int((shown['level'] == 'red').sum()):,}项，黄灯{int((shown['level'] == 'yellow').sum()):,}项，"
            f"未填写说明{int((~shown['has_note']).sum()):,}项），涉及{len(by_dep)}个部门")
with st.expander("按部门汇总", expanded=len(by_dep) <= 10):
    st.dataframe(by_dep, hide_index=True, key="w_by_department")

filters = "；".join(part for part in (
    f"主管部门：{'、'.join(departments)}" if departments else "", f"灯：{'、'.join(common.label(v) for v in levels)}" if levels else "",
    f"类别：{'、'.join(kinds)}" if kinds else "", "只看未填写说明" if no_note else "") if part) or "无（全部预警）"
title = f"{c.year}年1-{c.month}月预警清单"
st.download_button(
    "导出Excel", lambda: warnings_workbook(shown, title, [
        f"监控时点：{c.period}，序时进度{fmt_bp(s.schedule.bp)}；筛选条件：{filters}；共{len(shown):,}项",
        "金额单位：万元", "监控规则：" + "；".join(s.rules.describe())]),
    file_name=f"{title}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="w_export", icon=":material/download:", on_click="ignore")
head = shown.head(MAX_ROWS)
if len(shown) > MAX_ROWS:
    st.caption(f"按部门排列，显示前{MAX_ROWS}项；请选择部门缩小范围。")
frame, config = tables.warnings(head)
event = st.dataframe(tables.styled(frame), hide_index=True, column_config=config, key="w_table", on_select="rerun",
                     selection_mode="single-row", height=min(38 + 35 * max(len(frame), 1), 640))
st.caption("点选一行即可打开该项目，填写或修改说明。")
rows = event.selection.rows if event is not None else []
if rows:
    common.open_project(str(head.iloc[rows[0]]["project_code"]))
