"""A real headless Chromium against `streamlit run`: the finance officer's path through the pages.

Screenshots of every page go to tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlparse

import pytest
from browser_support import browser, choose, main_text, settle, shoot  # noqa: F401
from dashboard_support import DEMO_YEAR, SEED_PROJECT, demo_server, login  # noqa: F401

from monitor.access import ADMIN
from monitor.notes import load_notes
from monitor.store import Store

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

@pytest.fixture
def page(browser, demo_server):  # type: ignore[no-untyped-def]
    """A page of a new browser context, logged in to the demo server as its administrator (the
    session cookie then opens every later page of the context)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    login(pg, demo_server.url)
    yield pg
    context.close()


def _money_note(db):  # type: ignore[no-untyped-def]
    return next(n for n in load_notes(Store(db), DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN) if n.indicator_name == "")


def test_officer_filters_red_opens_the_seed_project_and_writes_a_note(demo_server, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(demo_server.url)
    settle(pg, charts=3, expect="2023年1-10月")  # the demo opens at its monitoring point
    text = main_text(pg)
    assert "总览" in text and "72.13%" in text and "落后序时进度11.20个百分点" in text
    shoot(pg, "1_overview")

    pg.get_by_role("link", name="低执行项目").click()
    settle(pg, expect="符合条件的项目")
    choose(pg, "资金灯", "红灯")
    settle(pg, expect="符合条件的项目 1 个")
    assert "符合条件的项目 1 个" in main_text(pg)
    shoot(pg, "2_low_execution_red")

    # a click on the row's selection box opens the project
    grid = pg.locator("[data-testid=stDataFrame]").first.bounding_box()
    pg.mouse.click(grid["x"] + 18, grid["y"] + 35 + 17)
    pg.wait_for_url(re.compile(r".*/project\?.*project=" + re.escape(SEED_PROJECT)))
    settle(pg, charts=2, expect="工会经费项目")
    text = main_text(pg)
    assert "工会经费项目" in text and "27.46%" in text and "红灯" in text
    assert "落后序时进度55.88个百分点" in text
    shoot(pg, "3_project_seed")

    money = pg.locator("[data-testid=stExpander]").filter(has_text="项目资金").first
    money.locator("summary").click()
    box = money.get_by_label("原因说明")
    box.fill("浏览器测试：已完成结算，11月集中支付。")
    save = money.get_by_role("button", name="保存说明")
    save.click()
    saved = pg.get_by_text("已保存（第2版")
    try:
        saved.wait_for(timeout=10_000)
    except playwright.TimeoutError:
        # Seen about once in ten runs of the whole suite on a fresh clone: the click lands but no
        # submission reaches the server (the store still holds version 1, no error shown). Click
        # again only in that case, so a note is never saved twice; the assertions below still hold.
        assert _money_note(demo_server.db).version == 1
        # shown in pytest's warnings summary, so how often this happens is counted, not guessed
        warnings.warn("浏览器测试：保存说明的点击没有到达服务器，已再点一次", stacklevel=1)
        save.click()
        saved.wait_for()
    settle(pg)

    stored = _money_note(demo_server.db)
    assert stored.explanation == "浏览器测试：已完成结算，11月集中支付。" and stored.version == 2

    pg.reload()
    settle(pg, charts=2)
    money = pg.locator("[data-testid=stExpander]").filter(has_text="项目资金").first
    money.locator("summary").click()
    # the form is filled from the store as the expander opens: wait for it rather than read at once
    playwright.expect(money.get_by_label("原因说明")).to_have_value("浏览器测试：已完成结算，11月集中支付。")
    assert "已保存第2版 · admin" in money.inner_text()  # the logged-in user, recorded by the store


@pytest.mark.parametrize("path, name, charts, expected", [
    ("warnings?month=10", "4_warnings", 0, "共8项预警"),
    ("data?month=10", "5_data", 0, "下载空白导入模板"),
    ("settings?month=10", "6_settings", 0, "现行规则"),
])
def test_other_pages_render_in_the_browser(demo_server, page, path, name, charts, expected) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo_server.url}/{path}")
    settle(page, charts, expect=expected)
    assert expected in main_text(page)
    assert not page.locator("[data-testid=stException]").count()
    shoot(page, name)


def click_point(pg, chart, point) -> str:  # type: ignore[no-untyped-def]
    """Point at a chart's point as a person does (its hover label shows), click it; returns the label."""
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pg.mouse.move(x - 30, y - 30)
    pg.mouse.move(x, y, steps=8)
    hover = chart.locator(".hoverlayer .hovertext").first
    hover.wait_for()
    text = hover.text_content() or ""
    pg.mouse.click(x, y)
    return text


def open_overview(pg, url: str):  # type: ignore[no-untyped-def]
    pg.goto(f"{url}/?month=10")
    settle(pg, charts=3, expect="各部门预算执行率")
    return pg.locator("[data-testid=stMain] [data-testid=stPlotlyChart]")


def test_a_click_on_a_department_bar_lists_its_projects(demo_server, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    charts = open_overview(pg, demo_server.url)
    bars = charts.nth(0)
    # bars are drawn in the order of the axis's categories
    names = [t.text_content() for t in bars.locator(".yaxislayer-above .ytick text").all()]
    hover = click_point(pg, bars, bars.locator(".barlayer .point").nth(names.index("青云谱区总工会")))
    assert "青云谱区总工会" in hover and "点击查看该部门的低执行项目" in hover
    pg.wait_for_url(re.compile(r".*/low_execution\?.*month=10"))
    settle(pg, expect="符合条件的项目 1 个")
    departments = pg.locator("[data-testid=stMultiSelect]").filter(has_text="主管部门").first
    assert "青云谱区总工会" in departments.inner_text()  # the department's one project is listed (the grid is a canvas)
    shoot(pg, "1c_department_click")


def test_a_click_on_a_quadrant_point_opens_its_project(demo_server, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    quadrants = open_overview(pg, demo_server.url).nth(2)
    points = quadrants.locator(".scatterlayer .point")
    assert points.count() == 6  # every project of the demo
    for i in range(points.count()):  # the point whose hover names the seed project
        quadrants.scroll_into_view_if_needed()
        box = points.nth(i).bounding_box()
        pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        hover = quadrants.locator(".hoverlayer .hovertext").first
        hover.wait_for()
        if SEED_PROJECT in (hover.text_content() or ""):
            break
    else:
        raise AssertionError("no point of the quadrant chart is the seed project")
    hover = click_point(pg, quadrants, points.nth(i))
    assert "执行率 27.46%" in hover and "点击打开项目详情" in hover  # hover tells which project and its figures
    pg.wait_for_url(re.compile(r".*/project\?.*project=" + re.escape(SEED_PROJECT)))
    settle(pg, charts=2, expect="工会经费项目")
    assert "落后序时进度55.88个百分点" in main_text(pg)


def test_a_click_on_a_month_of_the_curve_shows_that_period(demo_server, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    curve = open_overview(pg, demo_server.url).nth(1)
    actual = curve.locator(".scatterlayer .trace").nth(0).locator(".point")
    assert actual.count() == 10  # 1-10月
    assert "6月" in click_point(pg, curve, actual.nth(5))
    settle(pg, charts=3, expect="2023年1-6月")
    assert "41.69%" in main_text(pg) and re.search(r"[?&]month=6\b", pg.url)
    period = pg.locator("[data-testid=stSidebar] [data-testid=stPopover] button").first
    assert "监控时点：2023年1-6月" in period.inner_text()
    # back to 10月 on the schedule line: the actual curve now ends at 6月
    schedule = curve.locator(".scatterlayer .trace").nth(1).locator(".point")
    assert "10月" in click_point(pg, curve, schedule.nth(9))
    settle(pg, charts=3, expect="2023年1-10月")
    assert "72.13%" in main_text(pg) and re.search(r"[?&]month=10\b", pg.url)


def test_the_period_button_opens_the_year_and_month_choice(demo_server, page) -> None:  # type: ignore[no-untyped-def]
    """The sidebar shows the period; a click opens the choosers, a month changes every figure."""
    pg = page
    pg.goto(f"{demo_server.url}/?month=10")
    settle(pg, charts=3, expect="各部门预算执行率")
    period = pg.locator("[data-testid=stSidebar] [data-testid=stPopover] button").first
    assert "监控时点：2023年1-10月（本期）" in period.inner_text()
    period.click()
    pg.locator("[data-testid=stPopoverBody]").get_by_text("12月", exact=True).click()
    settle(pg, charts=3, expect="2023年1-12月")
    assert "92.21%" in main_text(pg)
    assert "month=12" in pg.url  # a reload or a shared link keeps the period
    shoot(pg, "7_period_12")


def test_the_xfd1048576_bomb_uploaded_to_the_server_is_refused_and_the_server_keeps_serving(demo_server, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 16 item 1: the 7.5 KB workbook that made the reader abort the whole process, uploaded
    through the page of a real `streamlit run`; afterwards the server answers and pages render."""
    import urllib.request

    from workbooks import bomb_xlsx

    before = Store(demo_server.db).data_version()
    pg = page
    pg.goto(f"{demo_server.url}/data?month=10")
    settle(pg, expect="下载空白导入模板")
    pg.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(bomb_xlsx(tmp_path / "炸弹.xlsx")))
    pg.get_by_text("炸弹.xlsx").wait_for()
    pg.get_by_role("button", name="导入", exact=True).click()
    settle(pg, expect="导入被拒绝")
    assert "数据库未作任何修改" in main_text(pg)
    assert not pg.locator("[data-testid=stException]").count()
    shoot(pg, "8_data_bomb_refused")
    assert demo_server.proc.poll() is None
    with urllib.request.urlopen(demo_server.url + "/_stcore/health", timeout=10) as r:
        assert r.status == 200 and r.read() == b"ok"
    pg.goto(f"{demo_server.url}/warnings?month=10")
    settle(pg, expect="共8项预警")
    assert Store(demo_server.db).data_version() == before


def test_the_success_message_links_to_the_period_imported(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After importing November, the link under 导入成功 opens the overview at 2023年1-11月
    (the demo opens at 1-10月), on the app's own host."""
    from dashboard_support import StreamlitServer
    from workbooks import xlsx_bytes

    from monitor.demo import create_demo_accounts, load_demo

    db = tmp_path / "monitor.duckdb"
    load_demo(Store(db))
    november = tmp_path / "十一月.xlsx"
    november.write_bytes(xlsx_bytes({"月度支出": [["年度", "项目编码", "月份", "支出金额(万元)"], [DEMO_YEAR, SEED_PROJECT, 11, 10]]}))
    create_demo_accounts(Store(db))
    server = StreamlitServer(db)
    try:
        pg = page
        login(pg, server.url)
        pg.goto(f"{server.url}/data")
        settle(pg, expect="下载空白导入模板")
        pg.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(november))
        pg.get_by_text("十一月.xlsx").wait_for()
        pg.get_by_role("button", name="导入", exact=True).click()
        settle(pg, expect="导入成功")
        assert "导入成功：2023年11月；月度支出1行" in main_text(pg)
        link = pg.get_by_role("link", name="查看2023年1-11月的监控情况 →")
        href = link.get_attribute("href") or ""
        assert href == "overview?year=2023&month=11"
        target = pg.context.expect_page() if link.get_attribute("target") == "_blank" else None
        if target is not None:
            with target as info:
                link.click()
            pg = info.value
        else:
            link.click()
        pg.wait_for_url(re.compile(r".*/overview\?.*month=11"))
        settle(pg, charts=3, expect="2023年1-11月")
        assert pg.url.startswith(server.url)
    finally:
        server.stop()


def test_no_page_asks_anything_of_another_host(demo_server, page) -> None:  # type: ignore[no-untyped-def]
    """A government intranet has no internet: every request of every page in the navigation — with the
    period chooser open and a project shown — goes to the dashboard's own server (no font, icon,
    favicon or script from elsewhere)."""
    pg = page
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("websocket", lambda ws: requests.append(ws.url))
    pg.goto(f"{demo_server.url}/?month=10")
    settle(pg, charts=3, expect="各部门预算执行率")
    links = pg.locator("[data-testid=stSidebar] [data-testid=stPageLink] a")
    paths = ["/" + urlparse(links.nth(i).get_attribute("href") or "").path.lstrip("/") for i in range(links.count())]
    assert len(paths) == 11 and "/project" in paths  # every page of the administrator's menu
    for path in paths:
        pg.goto(f"{demo_server.url}{path}?month=10" + (f"&project={SEED_PROJECT}" if path == "/project" else ""))
        settle(pg, charts={"/": 3, "/project": 2}.get(path, 0))
        assert not pg.locator("[data-testid=stException]").count(), path
    pg.locator("[data-testid=stSidebar] [data-testid=stPopover] button").first.click()
    pg.locator("[data-testid=stPopoverBody]").get_by_text("12月", exact=True).wait_for()
    pg.wait_for_timeout(1000)  # late requests: fonts of the popover, the favicon
    own = urlparse(demo_server.url).netloc
    elsewhere = sorted({u for u in requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).netloc != own})
    assert len(requests) > 50 and not elsewhere
    # the tab's icon is the dashboard's own, inline: a page without one gets its Material icon from Google
    assert (pg.locator("link[rel='shortcut icon']").get_attribute("href") or "").startswith("data:image/svg+xml")
