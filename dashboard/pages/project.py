"""项目详情: money, curve, projections, indicators and the monitoring notes of one project."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import charts, common, notes_form, project_facts, review_section, round_form, score_card, tables
from monitor import views
from monitor.money import fmt_bp, fmt_wan
from monitor.rules import DENOMINATORS

common.route_guard()
who = common.require_page("read")

CHOICES = 500
APPLIED = "_project_from_url"  # the ?project= value already applied, so a later choice is not overridden

c, s = common.require()
common.page_header("项目详情", c, s)
codes = s.projects["project_code"]

# ?project=CODE (a link or st.switch_page) wins once; the chooser then drives the URL.
wanted = st.query_params.get("project")
if wanted and wanted != st.session_state.get(APPLIED):
    st.session_state[APPLIED] = wanted
    if bool((codes == wanted).any()):
        st.session_state[common.PROJECT] = wanted
    else:
        st.warning(f"{c.year}年没有项目编码为「{common.plain(wanted)}」的项目，请在下方选择。")
current = st.session_state.get(common.PROJECT)
if current is None or not bool((codes == current).any()):
    current = str(views.sort_projects(s.projects).iloc[0]["project_code"])
    st.session_state[common.PROJECT] = current


def _choose() -> None:
    st.session_state[common.PROJECT] = st.session_state["project_select"]


pick_a, pick_b = st.columns([1, 3])
search = pick_a.text_input("搜索项目", key="project_search", placeholder="名称或编码")
found = views.search_projects(s.projects, search, CHOICES)
if not bool((found["project_code"] == current).any()):
    found = pd.concat([s.projects[codes == current], found])
labels = dict(zip(found["project_code"], found["project_code"] + "　" + found["project_name"]))
st.session_state["project_select"] = current
pick_b.selectbox(f"项目（{len(found):,}个可选，按沉淀资金排列）", list(labels), key="project_select",
                 format_func=labels.get, on_change=_choose)
if st.query_params.get("project") != current:
    st.query_params["project"] = current
    st.session_state[APPLIED] = current

p = s.project(current)
st.subheader(common.plain(p["project_name"]), anchor=False)
st.caption(" · ".join(common.plain(p[k]) for k in ("project_code", "department_name", "unit_name")))
light_line = f"资金 {common.light(p['level'])}：{common.plain(p['level_reason'])}"
ind_line = (f"绩效指标 {common.light(p['indicator_level'])}（{p['quadrant']}）　|　"
            f"全年预计 {common.light(p['projection_level'])}（{s.rules.preset}）")
getattr(st, {"red": "error", "yellow": "warning"}.get(p["level"], "success"))(f"{light_line}　|　{ind_line}")
sub = round_form.banner(c, current)  # the round's state, and a return's reason at the top of the page

m = st.columns(3)
m[0].metric("预算执行率", fmt_bp(p["rate_bp"]), views.gap_text(p["gap_bp"]), delta_color=common.LEVEL_ST_COLORS[p["level"]],
            delta_arrow="off", border=True, help=f"累计支出 ÷ {DENOMINATORS[s.rules.denominator]}；序时进度 {fmt_bp(p['schedule_bp'])}")
m[1].metric("累计支出", fmt_wan(p["spent_fen"]), f"沉淀资金 {fmt_wan(p['idle_fen'])}", delta_color="off",
            delta_arrow="off", border=True)
m[2].metric("预计年底执行率", fmt_bp(p["projected_bp"]),
            f"按{p['projected_basis']}预计" + ("；实际落后于用款计划" if p["behind_plan"] else ""), delta_color="off",
            delta_arrow="off", border=True)
m2 = st.columns(3)
m2[0].metric("年初预算", fmt_wan(p["initial_fen"]), border=True)
m2[1].metric("调整后预算", fmt_wan(p["budget_fen"]), border=True)
m2[2].metric("到位资金", fmt_wan(p["arrived_fen"]), f"到位率 {fmt_bp(p['arrival_bp'])}", delta_color="off",
             delta_arrow="off", border=True)

curve = common.curve(c, current)
left, right = st.columns(2)
left.markdown("**累计执行率、序时进度与用款计划**")
left.plotly_chart(charts.cumulative(curve, c.month), key="chart_project_curve", theme=charts.THEME, config={"displayModeBar": False})
right.markdown("**各月支出**")
right.plotly_chart(charts.monthly_bars(curve, c.month), key="chart_project_months", theme=charts.THEME, config={"displayModeBar": False})

st.markdown("**年底预测**")
pace = views.required_pace_text(p, s.rules)
if pace:
    (st.warning if p["level"] in ("red", "yellow") or p["projected_miss"] else st.info)(pace)
for line in views.forecast_notes(p):
    (st.warning if line.startswith("实际落后") else st.caption)(line)
st.dataframe(tables.projections(views.projections(p)), hide_index=True, key="table_projections")
score_card.card(c, current)

st.markdown("**绩效指标**")
inds = views.indicator_order(s.project_indicators(current))
if inds.empty:
    st.caption("该项目没有绩效指标。")
for level1, group in inds.groupby("level1", sort=False):
    st.markdown(common.plain(level1))
    # every row visible: a red indicator must not hide below a scroll bar
    st.dataframe(tables.styled(tables.indicators(group).drop(columns=["一级指标"])), hide_index=True, key=f"table_ind_{level1}",
                 height=38 + 35 * len(group),
                 column_config={"判定依据": st.column_config.TextColumn(width="large")})
review_section.render(c, current)

st.divider()
round_form.fill_form(c, s, current, sub)
round_form.review_form(c, current, sub)
round_form.fix_form(c, current, sub)

st.markdown(f"**监控说明（{c.period}）**")
notes = common.project_notes(c, current)
if who.may("data.fill") and not c.closed_at:
    st.caption("每个红灯、黄灯事项一条说明：未填写的已按系统建议预填措辞，偏差原因、完成目标可能性等判断由单位选择后保存。"
               "两人同时修改同一条说明时，后保存的一方会收到提示，不会覆盖对方的内容。")
    for item in views.note_items(s, current, notes):
        notes_form.render(c, s, current, item, notes)
else:
    mine = [n for n in notes if n.month == c.month]
    if not mine:
        st.caption("本月没有监控说明。")
    for n in mine:
        st.markdown(f"- **{common.plain(n.item)}**（单位说明，{common.plain(n.updated_by)}）：{common.plain('、'.join(n.causes))}　"
                    f"{common.plain(n.explanation)}　纠偏措施：{common.plain(n.measure or '—')}")
round_form.opinion_form(c, current)
round_form.attachments(c, current)

earlier = views.open_earlier_notes(notes, c.month)
st.markdown("**以前月份尚未完成的措施**")
if not earlier:
    st.caption("没有。")
else:
    st.dataframe(pd.DataFrame({
        "月份": [f"{n.month}月" for n in earlier],
        "事项": [n.indicator_name or "项目资金" for n in earlier],
        "问题": [n.problem for n in earlier],
        "纠偏措施": [n.measure for n in earlier],
        "责任人": [n.owner for n in earlier],
        "完成时限": [f"{n.due_month}月" if n.due_month else "" for n in earlier],
        "措施状态": [n.status for n in earlier],
    }), hide_index=True, key="table_open_notes")
    st.caption("在本月说明中更新措施状态（改为“已完成”即关闭）。")

project_facts.render(c, current)  # the report's words: background, table 2, activities
