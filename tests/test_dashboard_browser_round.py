"""One monitoring round in a real browser, each person in his own browser context:

the bureau opens the task → the unit fills in and submits → the department returns it with a reason →
the unit corrects and resubmits → the department and the bureau approve → the bureau closes the month
→ a later import changes the closed month → `monitor diff` shows it, and the closed month's report
is the same text as before.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import browser, main_text, settle, shoot  # noqa: F401
from dashboard_support import ROOT, SEED_PROJECT, StreamlitServer, demo_server, login  # noqa: F401

from monitor import rounds
from monitor.access import ADMIN
from monitor.report import docx_lines
from monitor.store import Store

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


def monitor(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor.cli", "--db", str(db), *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def server(demo_server: StreamlitServer) -> StreamlitServer:
    """A demo database of this module's own, with the demo accounts, served by `streamlit run`."""
    return demo_server


def person(browser, server, user: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    login(pg, server.url, user)
    return pg


def open_project(pg, server) -> None:  # type: ignore[no-untyped-def]
    pg.goto(f"{server.url}/project?project={SEED_PROJECT}&month=10")
    settle(pg, expect="工会经费项目")


def state(server) -> str:  # type: ignore[no-untyped-def]
    return rounds.submission(Store(server.db), ADMIN, 2023, 10, SEED_PROJECT).state


def test_a_whole_round_from_task_to_closed_month(server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau = person(browser, server, "jixiaoke")
    bureau.goto(f"{server.url}/tasks?month=10")
    settle(bureau, expect="监控任务")
    bureau.get_by_test_id("stExpander").get_by_text("布置监控任务").click()
    bureau.get_by_label("报送截止日期（年-月-日）").fill("2023-11-10")
    bureau.get_by_role("button", name="布置任务").click()
    settle(bureau, expect="已布置2023年1-10月监控任务")
    assert "共6个项目" in main_text(bureau)
    shoot(bureau, "round_1_task_opened")

    unit = person(browser, server, "qypzgh-cw")
    unit.goto(f"{server.url}/tasks?month=10")
    settle(unit, expect="我的待办")
    assert "全部项目（1个）" in main_text(unit) and "南昌市" not in main_text(unit)  # its own project only
    open_project(unit, server)
    unit.get_by_label("10月支出（万元）").fill("22.0882")
    unit.get_by_role("button", name="送审").click()
    settle(unit, expect="已送审，等待审核")
    assert state(server) == rounds.SUBMITTED

    dept = person(browser, server, "qypzgh")
    open_project(dept, server)
    dept.get_by_label("退回原因（退回时必填，单位将看到）").fill("上解经费请附银行回单")
    dept.get_by_role("button", name="退回", exact=True).click()
    settle(dept, expect="已退回")
    assert state(server) == rounds.RETURNED

    open_project(unit, server)
    assert "被退回（qypzgh）：上解经费请附银行回单" in main_text(unit)  # at the top of the unit's page
    shoot(unit, "round_2_returned")
    unit.get_by_label("10月支出（万元）").fill("22.0882")
    unit.get_by_role("button", name="送审").click()
    settle(unit, expect="已送审，等待审核")

    open_project(dept, server)
    dept.get_by_role("button", name="审核通过").click()
    settle(dept, expect="已审核通过")
    assert state(server) == rounds.DEPT_APPROVED
    open_project(bureau, server)
    bureau.get_by_role("button", name="审核通过").click()
    settle(bureau, expect="已审核通过")
    assert state(server) == rounds.BUREAU_APPROVED

    bureau.goto(f"{server.url}/tasks?month=10")
    settle(bureau, expect="各单位进度")
    bureau.get_by_role("button", name="关账…").click()
    bureau.get_by_role("button", name="确认关账2023年1-10月").click()
    settle(bureau, expect="已关账")
    shoot(bureau, "round_3_closed")

    before = tmp_path / "before.docx"
    assert monitor(server.db, "report", "--project", SEED_PROJECT, "--year", "2023", "--month", "10",
                   "--date", "2023-11-30", "--out", str(before)).returncode == 0
    fix = tmp_path / "更正"
    fix.mkdir()
    (fix / "月度支出.csv").write_text("年度,项目编码,月份,支出金额(万元)\n2023,360104-ZGH-2023-001,10,122.0882\n", encoding="utf-8")
    assert monitor(server.db, "--as", "jixiaoke", "import", str(fix)).returncode == 0
    diff = monitor(server.db, "diff", "--year", "2023", "--month", "10")
    assert "工会经费项目" in diff.stdout and "27.46% → 47.86%" in diff.stdout
    after = tmp_path / "after.docx"
    assert monitor(server.db, "report", "--project", SEED_PROJECT, "--year", "2023", "--month", "10",
                   "--date", "2023-11-30", "--out", str(after)).returncode == 0
    assert docx_lines(after.read_bytes()) == docx_lines(before.read_bytes())
    assert any("27.46%" in line for line in docx_lines(after.read_bytes()))

    bureau.goto(f"{server.url}/diff?month=10")
    settle(bureau, expect="关账时与现在")
    assert "1个项目的数据发生了变化" in main_text(bureau)
    shoot(bureau, "round_4_diff")
