"""Two dashboard processes on one PostgreSQL database behind nginx, in a real browser (issue 14):
a note saved through one process is read through the other, figures imported by the command line show
on both, and when the process a browser is pinned to stops, the user reloads and goes on through the
other one, still logged in.

Needs nginx and PostgreSQL's server (`make test` installs them); skipped with the reason otherwise.
The tests run in this order: the last one kills a process of the module's cluster.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from browser_support import browser, main_text, settle, shoot  # noqa: F401
from cluster_support import Cluster, cluster, monitor  # noqa: F401
from dashboard_support import DEMO_YEAR, SEED_PROJECT, login

from deploy.nginx_conf import ROUTE_COOKIE
from monitor.access import ADMIN
from monitor.notes import load_notes

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

UNIT = "qypzgh-cw"  # the demo's unit user of the seed project


def _person(browser, cluster: Cluster):  # type: ignore[no-untyped-def]
    """A browser context logged in through the proxy, with its session cookie written."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    login(pg, cluster.proxy.url, UNIT)
    pg.wait_for_function("() => document.cookie.includes('monitor_session=')")
    return context, pg


def _open_project(pg, url: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(f"{url}/project?project={SEED_PROJECT}&month=10")
    settle(pg, expect="工会经费项目")


def _money_form(pg):  # type: ignore[no-untyped-def]
    money = pg.locator("[data-testid=stExpander]").filter(has_text="项目资金").first
    if not money.locator("textarea").first.is_visible():
        money.locator("summary").click()
    return money


def _save_note(pg, explanation: str, measure: str) -> int:  # type: ignore[no-untyped-def]
    """Fill the money note of the seed project (a red light: 27.46% against 83.33%) with 原因说明 and
    纠偏措施, press 保存说明: the version the page reports."""
    form = _money_form(pg)
    form.get_by_label("原因说明").fill(explanation)
    form.get_by_label("纠偏措施").fill(measure)
    form.get_by_label("纠偏措施").press("Tab")
    form.get_by_role("button", name="保存说明").click()
    saved = pg.get_by_text("已保存（第")
    saved.wait_for()
    return int(saved.inner_text().split("第")[1].split("版")[0])


def _stored_note(cluster: Cluster):  # type: ignore[no-untyped-def]
    from monitor.store import open_store

    store = open_store(cluster.dsn)
    try:
        found = load_notes(store, DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN)
    finally:
        store.close()
    return next(n for n in found if n.indicator_name == "" and n.month == 10)


def test_a_note_saved_through_one_process_is_read_through_the_other(cluster: Cluster, browser) -> None:  # type: ignore[no-untyped-def]
    context, pg = _person(browser, cluster)
    a, b = cluster.servers
    try:
        # logged in through the proxy; the session cookie is the host's, so each process is asked
        # directly and finds the session in the shared store
        _open_project(pg, a.url)
        assert "退出登录" in pg.locator("[data-testid=stSidebar]").inner_text()
        text, measure = f"甲进程保存：11月完成结算。{uuid.uuid4().hex[:6]}", "12月底前集中支付，已函告财政局。"
        version = _save_note(pg, text, measure)
        _open_project(pg, b.url)
        form = _money_form(pg)
        playwright.expect(form.get_by_label("原因说明")).to_have_value(text)
        playwright.expect(form.get_by_label("纠偏措施")).to_have_value(measure)
        assert f"已保存第{version}版 · " in form.inner_text()
        stored = _stored_note(cluster)
        assert (stored.explanation, stored.measure, stored.version, stored.updated_by) == (text, measure, version, UNIT)
    finally:
        context.close()


def test_figures_imported_by_the_command_line_show_on_both_processes(cluster: Cluster, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each process computes from its own copy of the data: after a write elsewhere (here the command
    line's import into PostgreSQL) both must show the new figures, not what they had cached."""
    context, pg = _person(browser, cluster)
    try:
        for server in cluster.servers:  # both have computed the project's figures once
            _open_project(pg, server.url)
            assert "27.46%" in main_text(pg)
        fix = tmp_path / "更正"
        fix.mkdir()
        (fix / "月度支出.csv").write_text("年度,项目编码,月份,支出金额(万元)\n2023,360104-ZGH-2023-001,10,122.0882\n", encoding="utf-8")
        imported = monitor(cluster.dsn, "--as", "jixiaoke", "import", str(fix))
        assert imported.returncode == 0, imported.stderr
        for server in cluster.servers:
            _open_project(pg, server.url)
            assert "47.86%" in main_text(pg) and "27.46%" not in main_text(pg), server.url
    finally:
        context.close()


def test_when_the_process_a_browser_is_pinned_to_stops_the_user_reloads_and_goes_on(cluster: Cluster, browser) -> None:  # type: ignore[no-untyped-def]
    context, pg = _person(browser, cluster)
    try:
        _open_project(pg, cluster.proxy.url)
        route = next(c["value"] for c in context.cookies() if c["name"] == ROUTE_COOKIE)
        mine = [r for r in cluster.proxy.requests() if r.route == route]
        pinned = {r.answered_by for r in mine}
        assert len(mine) > 5 and len(pinned) == 1, pinned  # the page, its scripts: one process
        dead = cluster.server_at(pinned.pop())
        survivor = next(s for s in cluster.servers if s is not dead)

        os.kill(dead.proc.pid, signal.SIGKILL)  # as a crash: no goodbye to the browser
        dead.proc.wait(timeout=10)
        # nginx logs the page's websocket to the killed process when it closes: count from there on
        pg.wait_for_function("() => true")  # a round trip to the browser, then look at the log
        deadline = time.monotonic() + 10
        while not any(r.line.startswith("GET /_stcore/stream") and r.route == route for r in cluster.proxy.requests()):
            assert time.monotonic() < deadline, "nginx logged no end of the page's websocket"
            time.sleep(0.1)
        before = len(cluster.proxy.requests())
        pg.reload()
        settle(pg, expect="工会经费项目")
        assert pg.get_by_label("密码").count() == 0  # no login form: the session came from the store
        assert "退出登录" in pg.locator("[data-testid=stSidebar]").inner_text()
        assert "执行率" in main_text(pg) and "序时进度" in main_text(pg)  # the project's figures
        text = f"进程停止后保存：已联系财政局。{uuid.uuid4().hex[:6]}"
        version = _save_note(pg, text, "按月跟踪支付进度。")
        shoot(pg, "cluster_after_failover")

        after = [r for r in cluster.proxy.requests()[before:] if r.route == route]
        assert after and {r.answered_by for r in after} == {f"127.0.0.1:{survivor.port}"}
        check = context.new_page()
        _open_project(check, survivor.url)
        playwright.expect(_money_form(check).get_by_label("原因说明")).to_have_value(text)
        stored = _stored_note(cluster)
        assert (stored.explanation, stored.version) == (text, version)
        # nginx served everything it was asked (a worker that cannot write its buffer files fails large scripts)
        assert "[crit]" not in (cluster.proxy.prefix / "error.log").read_text(encoding="utf-8")
    finally:
        context.close()
