"""The dashboard's entrypoint: page setup, the shared year/month selector, and the page router.

Run with `MONITOR_DB=data/monitor.duckdb streamlit run dashboard/app.py` (or `make run`).
"""

from __future__ import annotations

from pathlib import Path

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common

HERE = Path(__file__).resolve().parent

# The tab's icon ships with the dashboard: without page_icon, st.navigation makes each page's Material
# icon the favicon and the browser fetches it from fonts.gstatic.com, which an intranet cannot reach.
# An SVG file reaches the browser inline (a data: URI), not even as a request to this server.
st.set_page_config(page_title=common.APP_TITLE, page_icon=HERE / "favicon.svg", layout="wide")
st.html(HERE / "style.css")  # style-only: takes no space (Chinese for Streamlit's own chrome, print layout)

PAGES = HERE / "pages"


def _pages() -> list[st.Page]:
    pages = [
        st.Page(PAGES / "overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page(PAGES / "low_execution.py", title="低执行项目", icon=":material/trending_down:", url_path="low_execution"),
        st.Page(PAGES / "project.py", title="项目详情", icon=":material/folder_open:", url_path="project"),
        st.Page(PAGES / "warnings.py", title="预警", icon=":material/warning:", url_path="warnings"),
        st.Page(PAGES / "data.py", title="数据", icon=":material/upload_file:", url_path="data"),
        st.Page(PAGES / "settings.py", title="设置", icon=":material/settings:", url_path="settings"),
    ]
    # 报告 is written separately; it joins the menu once its file exists. Material icons rather than
    # emoji (📄): they ship with Streamlit, emoji need a colour-emoji font many office PCs lack.
    report = PAGES / "report.py"
    if report.exists():
        pages.append(st.Page(report, title="报告", icon=":material/description:", url_path="report"))
    return pages


def _sidebar() -> None:
    st.sidebar.markdown(f"**{common.APP_TITLE}**")
    years = common.years()
    if not years:
        st.sidebar.caption("数据库中还没有数据")
        return
    latest = common.latest_month(st.session_state[common.YEAR])
    year, month = st.session_state[common.YEAR], st.session_state[common.MONTH]
    # The period shown, as a button that opens the year and month choosers: a first visit then
    # draws one button instead of fourteen (~0.06 s, bench/dashboard_bench), and the period is read
    # at a glance. Segmented buttons rather than select boxes inside: one click instead of two, the
    # months laid out like a calendar, and no select-box script to load (another ~0.1 s).
    period = f"监控时点：{year}年1-{month}月" + ("（本期）" if month == latest else "")
    with st.sidebar.popover(period, icon=":material/calendar_month:", width="stretch", key="period",
                            help=f"选择年度和监控时点（1月至所选月份累计）；本期即数据的监控时点，为1-{latest}月"):
        st.segmented_control("年度", years, key=common.YEAR, format_func=lambda y: f"{y}年", required=True,
                             on_change=common.on_year_change)
        last = common.last_data_month(year)
        st.segmented_control("监控时点（1月至所选月份累计）", common.MONTHS, key=common.MONTH,
                             format_func=lambda m: common.month_label(m, last), required=True,
                             help=f"灰色的月份尚无数据（{year}年数据截至{last}月）" if last and last < 12 else None)
    common.remember_widgets(common.YEAR, common.MONTH)
    common.keep_selection_in_url()


def main() -> None:
    common.init_selection()
    page = st.navigation(_pages())
    _sidebar()
    common.busy_notice()
    common.no_data_banner()
    common.routed_run(page)


common.guarded(main)
