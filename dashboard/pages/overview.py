"""总览: the region against the schedule, departments, the monthly curve and the quadrant chart."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import charts, clicks, common, tables
from monitor import views
from monitor.money import fmt_bp, fmt_wan

DETAILS = "overview_departments_open"  # the expander's state: open shows the department table
NBSP, WORD_JOINER = "\u00a0", "\u2060"  # no line break at a space / between two characters
ALT = {"departments": "各部门预算执行率与序时进度", "curve": "全区累计执行率与序时进度", "quadrants": "资金与目标：项目四象限"}

common.route_guard()
common.require_page("read")
clicks.go_on()

c, s = common.require()
common.page_header("总览", c, s)
fc = common.figures_ctx(c)
data = common.overview(fc)
figs = common.overview_figures(fc)
r = data["region"]


def chart(name: str) -> None:
    """A chart drawn by Plotly in the browser; a click on a point leads on (dashboard/clicks.py)."""
    key = f"chart_{name}"
    st.plotly_chart(figs[name], key=key, theme=charts.THEME, config={"displayModeBar": False}, alt=ALT[name],
                    on_select=lambda: clicks.follow(name, key), selection_mode="points")


def card(column, label: str, value: str, note: str, color: str | None = None, help: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """A KPI card: label, figure and a note (a badge in the light's colour when given, else grey text
    that wraps: a badge is cut off when too long), as one bordered Markdown block.

    Not st.metric: on a first visit each kind of element is script the browser must fetch and run
    before drawing, and the overview's metrics cost ~0.05 s of it (bench/dashboard_bench). A long
    figure (a province's 万元 with four decimals) also wraps here instead of being cut off.
    """
    with column.container(border=True):
        shown = f":{color}-badge[{note}]" if color else f":gray[:small[{note}]]"
        st.markdown(f":gray[:small[{label}]]\n### {value}\n{shown}", help=help)


def tally(counts: list[tuple[str, int]]) -> str:
    """● 红灯 7,222　● 黄灯 …: a narrow card wraps between lights, never inside one. Chinese text may
    break between any two characters, so the word's characters are held together by word joiners
    (U+2060) and the dot, word and count by no-break spaces; Markdown has no nowrap."""
    return "　".join(f"{common.dot(level)}{NBSP}{WORD_JOINER.join(common.label(level))}{NBSP}{n:,}" for level, n in counts)


top = st.columns(3)
card(top[0], "预算执行率", fmt_bp(r["rate_bp"]), views.light_text(r, s.rules), common.LEVEL_ST_COLORS[r["level"]],
     help=f"累计支出 ÷ 预算；序时进度 {fmt_bp(r['schedule_bp'])}；{common.label(r['level'])}")
card(top[1], "累计支出", fmt_wan(r["spent_fen"]), f"预算（调整后）{fmt_wan(r['budget_fen'])}")
card(top[2], "沉淀资金（到位未支出）", fmt_wan(r["idle_fen"]),
     f"资金到位率 {fmt_bp(r['arrival_bp'])}（到位 {fmt_wan(r['arrived_fen'])}）")

counts = st.columns(2)
# One Markdown block per card, its caption inside: each element is one more for the browser to build
# on a first visit (bench/dashboard_bench).
with counts[0].container(border=True):
    st.markdown(f":gray[:small[项目资金灯（共{data['projects']:,}个项目）]]\n#### "
                + tally([(lv, r[lv]) for lv in ("red", "yellow", "green")]))
with counts[1].container(border=True):
    st.markdown(":gray[:small[绩效指标灯（超额：实际达到年度目标的较高比例，提示目标偏保守；未评判：未填报或年底才能衡量）]]\n#### "
                + tally([(lv, r["ind_" + lv]) for lv in ("red", "yellow", "green", "blue", "none")]))

left, right = st.columns(2)
with left:
    st.subheader("各部门预算执行率")
    shown = figs["departments_shown"]
    chart("departments")
    if shown < len(data["departments"]):
        st.caption(f"显示执行率最低的{shown}个部门（共{len(data['departments'])}个），全部部门见页末明细。")
with right:
    st.subheader("全区累计执行率与序时进度")
    chart("curve")

st.subheader("资金与目标：项目四象限")
q_left, q_right = st.columns([3, 1])
with q_left:
    points = data["points"]
    chart("quadrants")
with q_right:
    st.markdown("\n\n".join(f"**{row.quadrant}**  \n{row.projects:,}个项目  \n:gray[:small[沉淀资金 {fmt_wan(row.idle_fen)}]]"
                            for row in data["quadrants"].itertuples(index=False)))
sampled = f"项目共{data['projects']:,}个，图中画出{len(points):,}个（沉淀资金最多的项目和按象限抽样的项目）。" \
    if data["projects"] > len(points) else ""
st.caption(f"横轴：资金执行（虚线为资金绿灯线）；纵轴：已评判指标中绿灯和超额所占比例，100%线以下即有红灯、黄灯指标（目标滞后）。"
           f"点的颜色为资金灯：{common.light('red')}、{common.light('yellow')}、{common.light('green')}。{sampled}"
           "点击图中的点打开该项目详情，点击部门条形查看该部门的低执行项目，点击曲线上的月份切换监控时点。\n\n"
           + common.rules_text(s))

# The table is sent only while the expander is open (opening it reruns the page): a closed expander
# still makes the browser load, build and lay out the data grid, about 0.25 s of every visit.
details = st.expander("各部门明细", expanded=False, key=DETAILS, on_change="rerun")
with details:
    if details.open:
        frame, config = tables.department_rows(data["departments"])
        st.dataframe(tables.styled(frame), hide_index=True, column_config=config, key="table_departments")
