"""Shared helpers of the browser tests (headless Chromium through Playwright against `streamlit run`):
the browser, when a page has settled, a screenshot, the page's text."""

from __future__ import annotations

import pytest
from dashboard_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

playwright = pytest.importorskip("playwright.sync_api")

# Streamlit has finished when its running indicator is gone, no element still waits for its script (a
# kind of element the browser has not met yet shows a skeleton meanwhile: 项目详情's metrics after the
# overview, which has none) and every Plotly chart has drawn its SVG. data-test-script-state is set by
# Streamlit's frontend for tests: it turns to rerunRequested the moment a widget change is sent, so it
# never shows "idle" before a rerun has started.
READY = """() => !document.querySelector('[data-testid=stStatusWidget]')
  && document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'
  && document.querySelector('[data-testid=stMain] h1') !== null
  && !document.querySelector('[data-testid=stMain] :is([data-testid=stSkeleton], [data-testid=stSkeletonElement])')
  && [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'))"""
DRAWN = "() => document.querySelectorAll('[data-testid=stMain] .js-plotly-plot .main-svg').length / 3"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def settle(pg, charts: int = 0, expect: str = "") -> None:  # type: ignore[no-untyped-def]
    """Wait for the rerun to finish; `expect` = a text only the new result shows (the running
    indicator appears late, so its absence alone does not prove the rerun has happened)."""
    if expect:
        pg.wait_for_function("t => document.querySelector('[data-testid=stMain]').innerText.includes(t)", arg=expect)
    pg.wait_for_timeout(300)
    pg.wait_for_function(READY)
    if charts:
        pg.wait_for_function(f"({DRAWN})() >= {charts}")


def shoot(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-length picture: the app scrolls inside its own container, so stretch the window."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = pg.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    pg.set_viewport_size({"width": 1440, "height": min(max(int(height) + 40, 900), 6000)})
    pg.wait_for_timeout(500)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    pg.set_viewport_size({"width": 1440, "height": 1000})


def main_text(pg) -> str:  # type: ignore[no-untyped-def]
    return pg.locator("[data-testid=stMain]").inner_text()


def choose(pg, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an option of a Streamlit select box or multiselect by its label."""
    widget = pg.locator("[data-testid=stMultiSelect], [data-testid=stSelectbox]").filter(has_text=label).first
    widget.locator("input").click()
    pg.get_by_role("option", name=option, exact=True).click()
    pg.keyboard.press("Escape")
