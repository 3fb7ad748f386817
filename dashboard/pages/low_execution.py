"""低执行项目: the project list, filtered and sorted on the server, top rows to the browser."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common, score_card, tables
from monitor import views
from monitor.money import fmt_bp
from monitor.report.lists import projects_workbook
from monitor.status import QUADRANTS

common.route_guard()
common.require_page("read")

MAX_ROWS = 500
LIGHTS = ("red", "yellow", "green", "none")
KEYS = ("le_departments", "le_units", "le_levels", "le_ind_levels", "le_quadrants", "le_bands", "le_text", "le_sort",
        "le_zero", "le_forecast_miss", "le_no_note")

c, s = common.require()
common.page_header("低执行项目", c, s)
projects = s.projects
common.restore_widgets(*KEYS)


row1 = st.columns([2, 2, 2, 2])
departments = row1[0].multiselect("主管部门", sorted(projects["department_name"].unique()), key="le_departments",
                                  placeholder="全部部门", select_all=False)
unit_pool = projects if not departments else projects[projects["department_name"].isin(departments)]
unit_options = sorted(unit_pool["unit_name"].unique())
if "le_units" in st.session_state:  # a unit of a department no longer chosen drops out
    st.session_state["le_units"] = [u for u in st.session_state["le_units"] if u in set(unit_options)]
units = row1[1].multiselect("预算单位", unit_options, key="le_units", placeholder="全部单位", select_all=False)
levels = row1[2].multiselect("资金灯", LIGHTS, format_func=common.label, key="le_levels", placeholder="全部", select_all=False)
ind_levels = row1[3].multiselect("指标灯", LIGHTS, format_func=common.label, key="le_ind_levels", placeholder="全部", select_all=False)

row2 = st.columns([2, 2, 2, 2])
quadrants = row2[0].multiselect("象限", QUADRANTS, key="le_quadrants", placeholder="全部", select_all=False)
bands = row2[1].multiselect("预算规模", [b[0] for b in views.MONEY_BANDS], key="le_bands", placeholder="全部", select_all=False)
text = row2[2].text_input("搜索项目名称或编码", key="le_text", placeholder="如：工会经费")
sort = row2[3].selectbox("排序", list(views.SORTS), key="le_sort")

row3 = st.columns(3)
zero = row3[0].checkbox("只看零支出项目", key="le_zero")
miss = row3[1].checkbox("只看当前绿灯、预计年底不达标", key="le_forecast_miss",
                        help="按用款计划、上年同期或目前月均支出预计，年底执行率达不到绿灯线")
no_note = row3[2].checkbox("只看未填写资金说明", key="le_no_note")

common.remember_widgets(*KEYS)

noted = views.noted_projects(common.month_notes(c), c.month)
f = views.ProjectFilter(tuple(departments), tuple(units), tuple(levels), tuple(ind_levels), tuple(quadrants),
                        tuple(bands), text, zero, miss, no_note)
matches = views.sort_projects(views.filter_projects(projects, f, noted), sort)

head_left, head_right = st.columns([4, 1], vertical_alignment="center")
head_left.markdown(f"**符合条件的项目 {len(matches):,} 个**" +
                   (f"（显示前{MAX_ROWS}个，请用筛选条件缩小范围；导出包含全部）" if len(matches) > MAX_ROWS else "") +
                   "　点选一行即可打开项目详情。")
title = f"{c.year}年1-{c.month}月低执行项目清单"
# built only when clicked (a callable): a province's list takes seconds to write
head_right.download_button(
    "导出Excel", lambda: projects_workbook(matches, title, [
        f"监控时点：{c.period}，序时进度{fmt_bp(s.schedule.bp)}；筛选条件：{views.describe_filter(f)}；排序：{sort}；共{len(matches):,}个项目",
        "金额单位：万元；执行率、序时进度、预计年底执行率为百分比；落后序时进度单位为个百分点",
        "监控规则：" + "；".join(s.rules.describe())]),
    file_name=f"{title}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="le_export", icon=":material/download:", on_click="ignore")
shown = matches.head(MAX_ROWS)
frame, config = tables.projects(shown, noted)
score_card.add_column(c, shown, frame, config)
event = st.dataframe(tables.styled(frame), hide_index=True, column_config=config, key="le_table", on_select="rerun",
                     selection_mode="single-row", height=min(38 + 35 * max(len(frame), 1), 640))
rows = event.selection.rows if event is not None else []
if rows:
    common.open_project(str(shown.iloc[rows[0]]["project_code"]))
