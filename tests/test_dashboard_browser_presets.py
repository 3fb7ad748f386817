"""A real browser: the finance bureau switches rule presets on 设置 and the lists' lights change.

Under the default (比值法 80/60) one demo project is red at 1-10月 (工会经费项目, 27.46%); under 合肥's
pass/fail rule every project below 83.33% is red (all six: the others stand at 80.00% and 59.98%);
behind the treasury screen's 1000万元 gate none is (the two far behind have budgets of 490 and
509.45万元, so they turn yellow).
"""

from __future__ import annotations

import pytest
from browser_support import browser, choose, main_text, settle, shoot  # noqa: F401
from dashboard_support import SEED_PROJECT, StreamlitServer, demo_server, login  # noqa: F401

from monitor import rulebook
from monitor.rules import preset_named
from monitor.store import Store

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(demo_server: StreamlitServer) -> StreamlitServer:
    """A demo database of this module's own, with the demo accounts, served by `streamlit run`."""
    return demo_server


def red_projects(pg, server, count: int) -> None:  # type: ignore[no-untyped-def]
    """The list of low-execution projects filtered to red money lights shows `count` projects."""
    pg.goto(f"{server.url}/low_execution?month=10")
    settle(pg, expect="符合条件的项目")
    choose(pg, "资金灯", "红灯")
    settle(pg, expect=f"符合条件的项目 {count} 个")


def apply(pg, server, name: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(f"{server.url}/settings?month=10")
    settle(pg, expect="现行规则")
    preset = preset_named(name)
    choose(pg, "选择预设", f"{preset.name} — {preset.description}")
    settle(pg, expect=f"来源：{preset.source}")
    pg.get_by_role("button", name="应用预设").click()
    settle(pg, expect=f"已应用预设「{name}」")


def test_switching_presets_changes_the_lights_in_the_lists(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    login(pg, server.url, "jixiaoke")

    red_projects(pg, server, 1)

    apply(pg, server, "合肥 达标判定")
    assert rulebook.load(Store(server.db), 2023).light_mode == "binary"
    assert "规则预设：合肥 达标判定" in main_text(pg)
    shoot(pg, "presets_1_hefei_applied")
    red_projects(pg, server, 6)
    shoot(pg, "presets_2_hefei_all_red")

    pg.goto(f"{server.url}/project?project={SEED_PROJECT}&month=10")
    settle(pg, expect="工会经费项目")
    text = main_text(pg)
    assert "执行率27.46% < 序时进度83.33%，未达标，红灯" in text and "（合肥 达标判定）" in text

    apply(pg, server, "金额门槛 1000万/20个百分点")
    red_projects(pg, server, 0)
    pg.goto(f"{server.url}/project?project={SEED_PROJECT}&month=10")
    settle(pg, expect="工会经费项目")
    assert "但预算490万元不足1000万元，黄灯" in main_text(pg)

    apply(pg, server, "比值法 80/60（默认）")
    red_projects(pg, server, 1)
    context.close()
