"""Dashboard benchmark: how fast the pages answer in a real browser, against a province-sized database.

`run(db_path)` starts `streamlit run dashboard/app.py` on a free port against the database, and an
empty one-line Streamlit page the same way (the floor: what any Streamlit page costs), then in one
headless Chromium measures, with the server warm (every cache filled by an earlier visit):

- overview_s: navigation to 总览 until it is fully rendered (KPI cards, the three charts drawn, the
  last element present, Streamlit's running indicator gone), in a new browser context each time: a
  first visit, nothing cached in the browser — the issue's definition, whose floor is "about 1.1 s";
- empty_s: the same for the empty page, visited in turn with the overview; ratio = overview_s ÷ empty_s;
- returning_*: the same navigations again and again in one page, in turn, so the browser's HTTP and
  script caches are warm (a user reloading the page);
- one_chart_*: the same for an empty page with one small Plotly chart: the floor of any page whose
  charts Plotly draws in the browser (its 4.7 MB script to load and run);
- filter_s: on 低执行项目, from choosing 资金灯 = 红灯 to the list re-rendered with the new count;
- server_rss_mb / server_pss_mb / server_processes: the memory the dashboard's server holds at rest,
  after all the visits: the streamlit process and every process it started (RSS summed, and PSS,
  which splits shared pages among the processes sharing them).

Each figure is the median of several navigations, since one run on a shared machine is noisy.
Aim (issue 15): overview_s ≤ 2.5 × empty_s, returning_overview_s ≤ 1.5 × returning_empty_s, filter_s < 0.5 s.

    .venv/bin/python bench/dashboard_bench.py            # builds bench/out/dashboard_100k.duckdb once
    .venv/bin/python bench/dashboard_bench.py some.duckdb
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
OUT = ROOT / "bench" / "out"
DEFAULT_DB = OUT / "dashboard_100k.duckdb"
N_PROJECTS = 100_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
COLD_TIMEOUT_MS = 300_000  # the first visit computes a province's status
WARM_RUNS = 5  # navigations per figure; the median is reported
FRESH_RUNS = 9  # first visits per page: they vary more
VIEWPORT = {"width": 1440, "height": 1000}
REST_S = 5  # after the last visit, before the server's memory is read: sessions closed, work finished

# The checks read textContent, never innerText: innerText makes the browser lay the page out on
# every poll (60 a second), which slows the very drawing being timed, and a long page the most.
# The KPI cards shown, the three Plotly charts drawn with their axis ticks, and the last element
# present: the 各部门明细 expander, whose table is sent only once a user opens it (pages/overview.py).
OVERVIEW_READY = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || document.querySelector('[data-testid=stStatusWidget]')) return false;
  const charts = [...main.querySelectorAll('[data-testid=stPlotlyChart]')];
  const text = main.textContent;
  return charts.length === 3 && charts.every(c => c.querySelector('.main-svg .xtick'))
    && text.includes('预算执行率') && text.includes('沉淀资金') && text.includes('各部门明细');
}"""
EMPTY_READY = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  return !!main && !document.querySelector('[data-testid=stStatusWidget]') && main.textContent.includes('空白页');
}"""
# The floors: an empty page, and the same with one small Plotly chart drawn as the overview draws its
# charts — what any page with a Plotly chart costs before it shows anything of its own.
EMPTY_PAGE = 'import streamlit as st\nst.write("空白页")\n'
ONE_CHART_PAGE = """import plotly.graph_objects as go
import streamlit as st

st.write("空白页")
fig = go.Figure(go.Scatter(x=["1月", "2月", "3月"], y=[10, 30, 20], mode="lines+markers"))
fig.update_layout(template=None, height=360)
st.plotly_chart(fig, theme=None, config={"displayModeBar": False})
"""
ONE_CHART_READY = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  return !!main && !document.querySelector('[data-testid=stStatusWidget]') && main.textContent.includes('空白页')
    && !!main.querySelector('[data-testid=stPlotlyChart] .main-svg .xtick');
}"""
COUNT = r"符合条件的项目 [0-9,]+ 个"
LIST_READY = """(before) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || document.querySelector('[data-testid=stStatusWidget]')) return false;
  const m = main.textContent.match(/符合条件的项目 [0-9,]+ 个/);
  return !!m && m[0] !== before && !!main.querySelector('[data-testid=stDataFrame] canvas');
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    """pid and every process started under it (from /proc: the parent of each process)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # the name is in parentheses and may hold spaces; the parent's pid is the second field after it
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _kib(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def server_memory(pid: int) -> dict[str, object]:
    """The memory a server holds: RSS summed over the process and all its children, and PSS (shared
    pages split among the processes sharing them: what the tree really costs the machine)."""
    rss = pss = n = 0
    for p in _descendants(pid):
        try:
            rss += _kib(Path(f"/proc/{p}/status"), "VmRSS")
            pss += _kib(Path(f"/proc/{p}/smaps_rollup"), "Pss")
            n += 1
        except OSError:
            continue
    return {"processes": n, "rss_mb": round(rss / 1024), "pss_mb": round(pss / 1024)}


@contextmanager
def streamlit_server(script: Path, db: str, log: Path) -> Iterator[tuple[str, int]]:
    """`streamlit run` on a free port, as (url, pid); ends only the process it started."""
    port = _free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "MONITOR_DB": db}, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start, see {log}") from None
                    time.sleep(0.3)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


BENCH_USER, BENCH_PASSWORD = "bench-dashboard", "Bench-dashboard-2023"


def session_cookies(db: str, url: str) -> list[dict[str, str]]:
    """The dashboard is behind a login (issue 12): a bureau account's live session, in the cookie the
    login form leaves in the browser, so each new context opens the overview as a logged-in user
    would, with nothing else of an earlier visit. Account and session rows do not move the data
    version, so no figure or cache of the measurement changes."""
    from monitor.access import ADMIN, PAGE
    from monitor.accounts import account_actor, add_user, start_session
    from monitor.store import Store

    store = Store(db)
    if store.scalar("SELECT count(*) FROM users WHERE name = ?", [BENCH_USER]) == 0:
        add_user(store, ADMIN, BENCH_USER, "bureau", BENCH_PASSWORD)
    token = start_session(store, account_actor(store, BENCH_USER, PAGE))
    return [{"name": "monitor_session", "value": token, "url": url}]


def _navigate(page, url: str, ready: str, timeout_ms: int = 60_000) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ready, timeout=timeout_ms, polling=16)
    return time.perf_counter() - start


def _fresh(browser, targets: list[tuple[str, str]], cookies: list[dict[str, str]],  # type: ignore[no-untyped-def]
           repeat: int = FRESH_RUNS) -> list[list[float]]:
    """Navigation times to each (url, ready) target, each in a new browser context (no HTTP cache, no
    compiled scripts; only the login's cookie). The targets take turns, so a slow spell of a shared
    machine hits them alike."""
    times: list[list[float]] = [[] for _ in targets]
    for _ in range(repeat):
        for i, (url, ready) in enumerate(targets):
            context = browser.new_context(viewport=VIEWPORT)
            context.add_cookies(cookies)
            try:
                times[i].append(_navigate(context.new_page(), url, ready))
            finally:
                context.close()
    return times


def _filter_time(page, url: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_function(LIST_READY, arg="", timeout=COLD_TIMEOUT_MS, polling=16)
    count = re.search(COUNT, page.locator("[data-testid=stMain]").inner_text()).group(0)  # type: ignore[union-attr]
    widget = page.locator("[data-testid=stMultiSelect]").filter(has_text="资金灯").first
    widget.locator("input").click()
    option = page.get_by_role("option", name="红灯", exact=True)
    option.wait_for()
    start = time.perf_counter()
    option.click()
    page.wait_for_function(LIST_READY, arg=count, timeout=60_000, polling=16)
    elapsed = time.perf_counter() - start
    return elapsed, re.search(COUNT, page.locator("[data-testid=stMain]").inner_text()).group(0)  # type: ignore[union-attr]


def _returning(page, targets: list[tuple[str, str]], repeat: int = WARM_RUNS) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """Navigation times to each target again and again in one page (HTTP and script caches warm), in turn."""
    for url, ready in targets:  # each once first: its scripts cached
        _navigate(page, url, ready)
    times: list[list[float]] = [[] for _ in targets]
    for _ in range(repeat):
        for i, (url, ready) in enumerate(targets):
            times[i].append(_navigate(page, url, ready))
    return times


def run(db_path: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    db = str(Path(db_path).resolve())
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        empty, one_chart = Path(tmp) / "empty_page.py", Path(tmp) / "one_chart_page.py"
        empty.write_text(EMPTY_PAGE, encoding="utf-8")
        one_chart.write_text(ONE_CHART_PAGE, encoding="utf-8")
        with streamlit_server(APP, db, OUT / "dashboard_bench_app.log") as (app, app_pid), \
                streamlit_server(empty, db, OUT / "dashboard_bench_empty.log") as (floor, _), \
                streamlit_server(one_chart, db, OUT / "dashboard_bench_one_chart.log") as (chart_floor, _), \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                cookies = session_cookies(db, app)
                page = browser.new_page(viewport=VIEWPORT)
                page.context.add_cookies(cookies)
                _navigate(page, app + "/", OVERVIEW_READY, COLD_TIMEOUT_MS)  # the server computes and caches
                _navigate(page, floor + "/", EMPTY_READY, COLD_TIMEOUT_MS)
                targets = [(app + "/", OVERVIEW_READY), (floor + "/", EMPTY_READY), (chart_floor + "/", ONE_CHART_READY)]
                overview, empty, chart = _fresh(browser, targets, cookies)
                returning, returning_empty, returning_chart = _returning(page, targets)
                filters = [_filter_time(page, app + "/low_execution") for _ in range(3)]
                page.close()
                time.sleep(REST_S)
                memory = server_memory(app_pid)
            finally:
                browser.close()
    filter_times = [f[0] for f in filters]
    return {
        "db": db,
        "overview_s": round(median(overview), 3), "empty_s": round(median(empty), 3),
        "ratio": round(median(overview) / median(empty), 2),
        "returning_overview_s": round(median(returning), 3), "returning_empty_s": round(median(returning_empty), 3),
        "returning_ratio": round(median(returning) / median(returning_empty), 2),
        "one_chart_s": round(median(chart), 3), "one_chart_ratio": round(median(chart) / median(empty), 2),
        "returning_one_chart_s": round(median(returning_chart), 3),
        "returning_one_chart_ratio": round(median(returning_chart) / median(returning_empty), 2),
        "filter_s": round(median(filter_times), 3), "filter_result": filters[0][1],
        "server_processes": memory["processes"], "server_rss_mb": memory["rss_mb"], "server_pss_mb": memory["pss_mb"],
        "overview_runs_s": [round(t, 3) for t in overview], "empty_runs_s": [round(t, 3) for t in empty],
        "one_chart_runs_s": [round(t, 3) for t in chart],
        "returning_overview_runs_s": [round(t, 3) for t in returning],
        "returning_empty_runs_s": [round(t, 3) for t in returning_empty],
        "returning_one_chart_runs_s": [round(t, 3) for t in returning_chart],
        "filter_runs_s": [round(t, 3) for t in filter_times],
    }


def main(argv: list[str]) -> int:
    db = Path(argv[0]) if argv else DEFAULT_DB
    if not db.exists():
        sys.path.insert(0, str(ROOT))
        from monitor.synthetic import build_database

        print(f"building {db} ({N_PROJECTS:,} projects)…", file=sys.stderr)
        build_database(db, N_PROJECTS)
    print(json.dumps(run(str(db)), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
