"""The dashboard's entrypoint: page setup, login, the menu a role may use, the period, the router.

Run with `MONITOR_DB=data/monitor.duckdb streamlit run dashboard/app.py` (or `make run`).

Every page is registered with Streamlit's router, but the menu lists only those the logged-in role may
open, and each page refuses itself to anyone else (common.require_page): a unit user who types the
address of 设置 is told no, not shown a blank. Nobody sees anything before logging in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common
from monitor.access import Actor

HERE = Path(__file__).resolve().parent

# The tab's icon ships with the dashboard: without page_icon, st.navigation makes each page's Material
# icon the favicon and the browser fetches it from fonts.gstatic.com, which an intranet cannot reach.
# An SVG file reaches the browser inline (a data: URI), not even as a request to this server.
st.set_page_config(page_title=common.APP_TITLE, page_icon=HERE / "favicon.svg", layout="wide")
st.html(HERE / "style.css")  # style-only: takes no space (Chinese for Streamlit's own chrome, print layout)

PAGES = HERE / "pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url: str
    actions: tuple[str, ...]  # the menu shows the page to a role that may take any of these


# Material icons rather than emoji: they ship with Streamlit, emoji need a colour-emoji font many office PCs lack.
SPECS: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "总览", ":material/dashboard:", "overview", ("read",)),
    PageSpec("tasks.py", "监控任务", ":material/assignment:", "tasks", ("task.open", "submit", "review.department", "review.bureau")),
    PageSpec("low_execution.py", "低执行项目", ":material/trending_down:", "low_execution", ("read",)),
    PageSpec("project.py", "项目详情", ":material/folder_open:", "project", ("read",)),
    PageSpec("warnings.py", "预警", ":material/warning:", "warnings", ("read",)),
    PageSpec("diff.py", "关账对比", ":material/compare_arrows:", "diff", ("read",)),
    PageSpec("audit.py", "修改记录", ":material/history:", "audit", ("audit.read",)),
    PageSpec("data.py", "数据", ":material/upload_file:", "data", ("data.import",)),
    PageSpec("settings.py", "设置", ":material/settings:", "settings", ("rules.change",)),
    PageSpec("report.py", "报告", ":material/description:", "report", ("read",)),
    PageSpec("accounts.py", "账户", ":material/manage_accounts:", "accounts", ("accounts.manage",)),
)


def _pages() -> dict[str, st.Page]:
    return {s.url: st.Page(PAGES / s.file, title=s.title, icon=s.icon, url_path=s.url, default=s.url == "overview")
            for s in SPECS}


def _menu(who: Actor, pages: dict[str, st.Page]) -> None:
    st.sidebar.markdown(f"**{common.APP_TITLE}**")
    for spec in SPECS:
        if any(who.may(a) for a in spec.actions):
            st.sidebar.page_link(pages[spec.url], label=spec.title, icon=spec.icon)


def _period() -> None:
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


def _who_box(who: Actor) -> None:
    place = " / ".join(x for x in (who.department, who.unit) if x)
    st.sidebar.caption(f"{common.plain(who.name)} · {who.role_name}" + (f" · {common.plain(place)}" if place else ""))
    st.sidebar.button("退出登录", key="logout", on_click=common.guard(common.logout), icon=":material/logout:")


def _login() -> None:
    """The login form: shown instead of any page until the user has logged in."""
    st.title(common.APP_TITLE)
    message = st.session_state.get("_login_message")
    if message:
        st.info(message)
    if not common.store().scalar("SELECT count(*) FROM users"):
        st.warning("系统中还没有账户。请管理员在服务器上创建第一个管理员账户：\n\n"
                   "`echo 密码 | monitor user add 用户名 --role admin --password-stdin`")
        return
    left, _ = st.columns([1, 2])
    with left.form("login", border=True):
        st.subheader("登录", anchor=False)
        st.text_input("用户名", key="login_name", autocomplete="username")
        st.text_input("密码", key="login_password", type="password", autocomplete="current-password")
        st.form_submit_button("登录", type="primary", on_click=_do_login, width="stretch")
    error = st.session_state.pop("_login_error", None)
    if error:
        left.error(error)


def _do_login() -> None:
    from monitor.errors import MonitorError

    try:
        common.login(st.session_state.get("login_name") or "", st.session_state.get("login_password") or "")
    except MonitorError as exc:
        st.session_state["_login_error"] = str(exc)
    st.session_state["login_password"] = ""


def main() -> None:
    common.write_cookie()
    pages = _pages()
    page = st.navigation(list(pages.values()), position="hidden")
    who = common.current_actor()
    if who is None:
        _login()
        return
    common.init_selection()
    _menu(who, pages)
    _period()
    _who_box(who)
    common.busy_notice()
    common.no_data_banner()
    common.routed_run(page)


common.guarded(main)
