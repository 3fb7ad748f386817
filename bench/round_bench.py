"""Round benchmark (issue 12): a unit's save seen on the bureau's overview, and 20 people at once.

`run(db_path)` measures two things against `streamlit run dashboard/app.py` (started from the
repository root, so .streamlit/config.toml is read), each in one headless Chromium:

1. **Save → the bureau's overview**, on a copy of the province `make bench` builds (100,000
   projects; the core bench's own file is left unchanged). A bureau account and a unit account are
   created with `monitor.accounts`; the 2023 month-10 task is opened (`rounds.open_task`). In the
   browser the bureau logs in through the form and opens 总览 (`/?month=10`) twice, so the status of
   the current data is cached. Then, in this process, the unit saves a changed October spend of one
   of its projects through the library (`filling.save_month`, what the page's 暂存 calls), and the
   bureau's overview is opened again and again until its KPI card 累计支出 shows the new region
   total (known exactly, in 分, from the change). Reported: the save's own time, and the time from
   the save's return to the new figure on the overview (aim: ≤ 1 s), median of REPS repetitions,
   each with a different amount. To show where the time goes: the same navigation with nothing
   changed; the overview's whole script run on the server side after a save and with nothing
   changed (Streamlit's AppTest in this process, the server stopped); and each computation the
   server redoes for a new data version — the region's status brought up to date for the one changed
   project (`refresh_status`), not computed again — timed separately in this process (`recompute_*`),
   with a full computation of the status beside it.

2. **Many users at once** (20 by default) on a synthetic region of 2,000 projects (2 departments
   × 10 units), one browser context per account, driven concurrently with Playwright's async API.
   Unit users (16 of 20; each on a project of his own, except two users of one unit who share one
   project), two department users, a bureau user and a viewer log in through the form, two at a
   time (landing on 项目详情 of their project). Then all of them at once do up to ROUNDS rounds of:
   the menu's 总览 → 低执行项目 → 项目详情; a unit user then opens the project's money note
   (项目资金), writes a text nobody else writes and presses 保存说明. The two users of the shared
   project edit the SAME note in every round: both open the form (same version), both type, then
   both save, so one of them must be told 「这条说明已被他人修改」. Every page time runs from the
   click until the page has settled (Streamlit's status widget gone, data-test-script-state
   "notRunning", the page's title and closing texts drawn, every Plotly chart drawn — as the
   browser tests' `settle`). Afterwards the database is checked against what each user was told
   (`check_saves`): a save reported as 「已保存（第N版」 must be version N of that note in the
   audit trail with that user's text, each note must hold its last version, a refused save must be
   stored nowhere, and every stored version must come from some user's save. `lost` counts the
   failures; it is measured, not assumed.

   The browser shares the two cores with the server: a Streamlit page costs Chromium's renderer
   ~0.5 CPU s per navigation and a new context ~5 CPU s to load its scripts, several times what
   the server spends, so these page times are mostly the simulated browsers queueing for the CPU;
   the CPU each side used is reported beside them.

Part 2 stops by itself: users who have not logged in within ARRIVALS_S take no part, nobody starts
a round after BENCH_ROUND_SECONDS, and whatever still runs HARD_STOP_S later is cancelled.

Environment (defaults are the issue's): BENCH_ROUND_USERS (20), BENCH_ROUND_ROUNDS (3 per user, at
most), BENCH_ROUND_SECONDS (90, after the logins), BENCH_ROUND_REPS (5 saves for part 1),
BENCH_ROUND_PROJECTS (2,000, the region of part 2).

    .venv/bin/python bench/round_bench.py            # builds bench/out/dashboard_100k.duckdb once
    .venv/bin/python bench/round_bench.py some.duckdb
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from statistics import median

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT)):  # dashboard_bench beside this file; dashboard.charts for the breakdown
    if p not in sys.path:
        sys.path.insert(0, p)

from dashboard_bench import APP, CHROMIUM, CHROMIUM_ARGS, DEFAULT_DB, N_PROJECTS, OUT, VIEWPORT, _descendants, streamlit_server  # noqa: E402

from monitor import filling, notes, rounds  # noqa: E402
from monitor.access import ADMIN, Actor  # noqa: E402
from monitor.accounts import add_user  # noqa: E402
from monitor.money import FEN_PER_WAN, fmt_wan  # noqa: E402
from monitor.store import Store  # noqa: E402

YEAR, MONTH = 2023, 10
AIM_S = 1.0
COLD_TIMEOUT_MS = 300_000  # the first visit computes a province's status
PAGE_TIMEOUT_MS = 60_000
FIGURE_TIMEOUT_S = 60.0  # part 1: how long to keep reopening the overview for the new figure

REPS = int(os.environ.get("BENCH_ROUND_REPS", "5"))
USERS = int(os.environ.get("BENCH_ROUND_USERS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUND_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "90"))
SMALL_PROJECTS = int(os.environ.get("BENCH_ROUND_PROJECTS", "2000"))
# Users log in two at a time, as people arrive over a morning: a new browser context loads every
# script (Streamlit's, Plotly's 4.7 MB) and costs the browser ~5 CPU seconds, so twenty logging in at
# the same second would only measure the browser's own queue on two cores.
ARRIVING_AT_ONCE = 2
THINK_S = 0.5  # a user looks at each page this long before the next click
PAIR = ("bench-u01", "bench-u02")  # the two unit users who edit one note
ARRIVALS_S = 150.0  # every user has logged in by then, or takes no part
ARRIVAL_TIMEOUT_MS = 60_000
PAIR_WAIT_S = 150.0  # how long one of them waits for the other (who may still be logging in)
HARD_STOP_S = 60  # after SECONDS, how long the rounds under way may take to finish before they are cut off

# Streamlit has settled (as tests/test_dashboard_browser.py's READY): no running indicator, the
# script state Streamlit's frontend sets for tests is notRunning, no element waiting for its script,
# every Plotly chart drawn. textContent, never innerText: innerText lays the page out on every poll.
SETTLED = """(want) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || document.querySelector('[data-testid=stStatusWidget]')) return false;
  if (document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const h1 = main.querySelector('h1');
  if (!h1 || !h1.textContent.includes(want.title)) return false;
  if (main.querySelector(':is([data-testid=stSkeleton], [data-testid=stSkeletonElement])')) return false;
  if (![...main.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'))) return false;
  const text = main.textContent;
  return want.text.every(t => text.includes(t));
}"""
# Part 1: the overview's KPI card 累计支出 (a Markdown block: label, then the figure as a heading).
# "new" once it shows the expected figure; "old:<figure>" when the page has settled with another one.
SPENT_CARD = """(expected) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return null;
  const card = [...main.querySelectorAll('[data-testid=stMarkdownContainer]')]
    .find(c => c.textContent.startsWith('累计支出') && c.querySelector('h3'));
  if (!card) return null;
  const shown = card.querySelector('h3').textContent.trim();
  if (shown === expected) return 'new';
  const settled = !document.querySelector('[data-testid=stStatusWidget]')
    && document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning';
  return settled ? 'old:' + shown : null;
}"""
PAGE_KEYS = {"overview": "总览", "low_execution": "低执行项目", "project": "项目详情"}
# each page's title and texts that only its last parts show
OVERVIEW = {"title": "总览", "text": ["各部门明细"]}
LOW = {"title": "低执行项目", "text": ["符合条件的项目"]}
PROJECT = {"title": "项目详情", "text": ["监控说明", "以前月份尚未完成的措施"]}


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else float("nan")


def _copy_db(src: Path, dst: Path) -> None:
    for suffix in ("", ".wal"):
        f = Path(str(src) + suffix)
        if f.exists():
            shutil.copy(f, str(dst) + suffix)


# -- part 1: a unit's save on the bureau's overview ------------------------------------------------
@dataclass(frozen=True)
class Account:
    name: str
    password: str
    role: str
    department: str | None = None
    unit: str | None = None
    project: str = ""  # the project the user works on (units) or reads (others)

    def actor(self) -> Actor:
        return Actor(self.name, "页面", self.role, self.department, self.unit)


def _create(store: Store, a: Account) -> None:
    add_user(store, ADMIN, a.name, a.role, a.password, department=a.department, unit=a.unit, display_name=a.name)


def _login_sync(page, url: str, a: Account) -> None:  # type: ignore[no-untyped-def]
    """The login form, as a person fills it; the session cookie then opens every later page."""
    page.goto(url + "/")
    page.get_by_label("用户名").fill(a.name)
    page.get_by_label("密码").fill(a.password)
    page.get_by_role("button", name="登录").click()
    page.locator("[data-testid=stSidebar]").get_by_text("退出登录").wait_for(timeout=COLD_TIMEOUT_MS)


def _region_spent_fen(store: Store) -> int:
    """The region's 累计支出 1-10月 in 分, as the overview's card sums it."""
    return int(store.scalar("SELECT CAST(sum(m.spent) * 100 AS BIGINT) FROM monthly m JOIN projects p "
                            "ON p.year = m.year AND p.project_code = m.project_code WHERE m.year = ? AND m.month <= ?",
                            [YEAR, MONTH]))  # type: ignore[arg-type]


def _wait_figure(page, url: str, expected: str, deadline: float) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Open the overview until its 累计支出 card shows `expected`: (seconds from the call, page loads)."""
    start = time.perf_counter()
    loads = 0
    while True:
        loads += 1
        page.goto(url)
        seen = page.wait_for_function(SPENT_CARD, arg=expected, timeout=PAGE_TIMEOUT_MS, polling=16).json_value()
        if seen == "new":
            return time.perf_counter() - start, loads
        if time.monotonic() > deadline:
            raise TimeoutError(f"the overview still shows {seen[4:]} instead of {expected}")


def save_to_overview(db: Path, reps: int = REPS) -> dict[str, object]:
    """Part 1 on `db` (a copy: accounts, a task and saves are written into it)."""
    from playwright.sync_api import sync_playwright

    store = Store(db)
    dep, unit, code = store.df("SELECT department_name, unit_name, project_code FROM projects WHERE year = ? "
                               "ORDER BY project_code LIMIT 1", [YEAR]).iloc[0]
    bureau = Account("bench-bureau", "Bench-bureau-2023", "bureau")
    clerk = Account("bench-unit", "Bench-unit-2023", "unit", str(dep), str(unit), str(code))
    for a in (bureau, clerk):
        _create(store, a)
    rounds.open_task(store, ADMIN, YEAR, MONTH, date.today() + timedelta(days=30))
    total_fen = _region_spent_fen(store)
    october = filling.month_entry(store, clerk.actor(), YEAR, MONTH, clerk.project).spent_wan
    october_fen = int(Decimal(october) * FEN_PER_WAN)

    saves, shown, loads, settled, unchanged = [], [], [], [], []
    with streamlit_server(APP, str(db), OUT / "round_bench_overview.log") as (url, _pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            _login_sync(page, url, bureau)
            overview = f"{url}/?month={MONTH}"
            for _ in range(2):  # the first computes the province's status; the second is what a user sees warm
                page.goto(overview)
                page.wait_for_function(SETTLED, arg=OVERVIEW, timeout=COLD_TIMEOUT_MS, polling=16)
            figure = fmt_wan(total_fen)
            for _ in range(3):  # the same navigation with nothing changed: the overview from its caches
                unchanged.append(_wait_figure(page, overview, figure, time.monotonic() + FIGURE_TIMEOUT_S)[0])
                page.wait_for_function(SETTLED, arg=OVERVIEW, polling=16)
            for i in range(reps):
                # a different amount each time, always away from the original October figure
                new_fen = october_fen + (i + 1) * 123_456_700  # +123.4567万元 per repetition
                saves.append(_save_october(store, clerk, new_fen))
                saved_at = time.perf_counter()
                figure = fmt_wan(total_fen - october_fen + new_fen)
                elapsed, n = _wait_figure(page, overview, figure, time.monotonic() + FIGURE_TIMEOUT_S)
                shown.append(elapsed)
                loads.append(n)
                page.wait_for_function(SETTLED, arg=OVERVIEW, timeout=PAGE_TIMEOUT_MS, polling=16)
                settled.append(time.perf_counter() - saved_at)
        finally:
            browser.close()
    out: dict[str, object] = {
        "projects": int(store.scalar("SELECT count(*) FROM projects WHERE year = ?", [YEAR])),  # type: ignore[arg-type]
        "unit": f"{dep} / {unit}", "project": clerk.project,
        "save_s": round(median(saves), 3), "save_to_overview_s": round(median(shown), 3), "aim_s": AIM_S,
        "save_to_overview_settled_s": round(median(settled), 3),
        "reload_unchanged_s": round(median(unchanged), 3),
        "save_runs_s": [round(t, 3) for t in saves], "save_to_overview_runs_s": [round(t, 3) for t in shown],
        "overview_loads_per_run": loads, "save_to_overview_settled_runs_s": [round(t, 3) for t in settled],
        "reload_unchanged_runs_s": [round(t, 3) for t in unchanged],
    }
    out.update(recompute_breakdown(db))
    out.update(script_runs(db, bureau, clerk, total_fen - october_fen, [october_fen + (i + 1) * 98_765_400 for i in range(3)]))
    return out


def _save_october(store: Store, clerk: Account, spent_fen: int) -> float:
    """The unit's 暂存 of its project's October spend, through the library as the page calls it: its seconds."""
    entry = filling.month_entry(store, clerk.actor(), YEAR, MONTH, clerk.project)  # the form opens on what is stored
    t = time.perf_counter()
    filling.save_month(store, clerk.actor(), replace(entry, spent_wan=str(Decimal(spent_fen) / FEN_PER_WAN)))
    return time.perf_counter() - t


def script_runs(db: Path, bureau: Account, clerk: Account, others_fen: int, amounts: list[int]) -> dict[str, object]:
    """The overview's whole script run on the server side, in this process through Streamlit's AppTest (no
    browser, no websocket; the server stopped): with nothing changed, and right after a save (the status
    and every per-version cache recomputed). The difference is what a save adds to the next page view."""
    import logging

    from streamlit.testing.v1 import AppTest

    from monitor.access import PAGE
    from monitor.accounts import account_actor

    # setting AppTest's session state before its first run warns that there is no script context yet
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    store = Store(db)
    kept = os.environ.get("MONITOR_DB")
    os.environ["MONITOR_DB"] = str(db)
    try:
        at = AppTest.from_file(str(APP), default_timeout=COLD_TIMEOUT_MS / 1000)
        # AppTest cannot fill the login form before its first run: the session starts as a login leaves it
        at.session_state["_actor"] = account_actor(store, bureau.name, PAGE)
        at.query_params["month"] = str(MONTH)
        at.run()

        def timed_run(figure: str) -> float:
            t = time.perf_counter()
            at.run()
            elapsed = time.perf_counter() - t
            if at.exception or not any(figure in m.value for m in at.markdown):
                raise RuntimeError(f"the overview's script run did not show {figure}: {[e.value for e in at.exception]}")
            return elapsed

        unchanged, changed = [], []
        for fen in amounts:
            _save_october(store, clerk, fen)
            changed.append(timed_run(fmt_wan(others_fen + fen)))
            unchanged.append(timed_run(fmt_wan(others_fen + fen)))
    finally:
        if kept is None:
            os.environ.pop("MONITOR_DB", None)
        else:
            os.environ["MONITOR_DB"] = kept
    return {"script_unchanged_s": round(median(unchanged), 3), "script_after_save_s": round(median(changed), 3),
            "script_unchanged_runs_s": [round(t, 3) for t in unchanged], "script_after_save_runs_s": [round(t, 3) for t in changed]}


def recompute_breakdown(db: Path, repeat: int = 3) -> dict[str, object]:
    """What the dashboard's server redoes for the bureau's overview after a unit's save moved the data
    version, step by step, in this process (the server stopped, so nothing else runs): the calls
    dashboard/common.py makes per data version, without Streamlit — the page facts in one read, the
    region's status brought up to date for the one changed project (`refresh_status`), the overview's
    data, curve and figures. A full computation of the status is timed beside it for comparison.
    Medians of `repeat` saves after a warm-up; the saves go to a copy of the database."""
    from dataclasses import replace as _replace

    from dashboard import charts
    from monitor import filling, views
    from monitor.access import ADMIN
    from monitor.rules import Rules
    from monitor.status import compute_status, monthly_curve, refresh_status

    copy = db.with_name(db.stem + "_breakdown.duckdb")
    _copy_db(db, copy)
    store = Store(copy)
    bureau = Actor("", "", "bureau")  # the viewpoint the bureau's pages compute with (Actor.viewpoint)
    steps: dict[str, list[float]] = {}

    @contextmanager
    def clock(name: str) -> Iterator[None]:
        t = time.perf_counter()
        yield
        steps.setdefault(name, []).append(time.perf_counter() - t)

    facts = store.facts()
    text = facts.rules_for(YEAR)
    rules = Rules.from_json(text) if text else Rules()
    s = compute_status(store, YEAR, MONTH, rules, actor=bureau)
    code = str(s.project_figures["project_code"].min())
    for i in range(repeat + 1):
        before = store.data_version()
        entry = filling.month_entry(store, ADMIN, YEAR, MONTH, code)
        filling.save_month(store, ADMIN, _replace(entry, spent_wan=str(100 + i)))
        with clock("data_version"):
            after = store.data_version()
        with clock("facts"):  # rules, years, months, closed months: one read
            store.facts()
        with clock("changed_projects"):
            changed = store.changed_projects(YEAR, before, after)
        with clock("status_refresh"):
            s = refresh_status(store, s, changed or set())
        with clock("overview_data"):
            departments = s.departments.copy()
            points = views.quadrant_points(s.project_figures, limit=300)  # dashboard.common.QUADRANT_POINTS
            views.quadrant_counts(s.project_figures)
            s.region.to_dict()
        with clock("curve"):
            curve = monthly_curve(store, YEAR, rules, actor=bureau)
        with clock("figures"):
            charts.departments(departments, s.schedule.bp)
            charts.cumulative(curve, MONTH, clickable=True)
            x_col, x_label, x_line = views.money_axis(rules)
            charts.quadrants(points, x_col, x_label, x_line)
    full = []
    for _ in range(2):
        t = time.perf_counter()
        compute_status(store, YEAR, MONTH, rules, actor=bureau)
        full.append(time.perf_counter() - t)
    copy.unlink(missing_ok=True)
    med = {k: round(median(v[1:]), 3) for k, v in steps.items()}  # the first round warms up
    return ({f"recompute_{k}_s": v for k, v in med.items()} | {"recompute_total_s": round(sum(med.values()), 3)}
            | {"full_status_s": round(min(full), 3)})


# -- part 2: many users at once -------------------------------------------------------------------
@dataclass
class Save:
    user: str
    project: str
    text: str
    outcome: str = ""  # saved / conflict / error / no answer; "" = the run was cut off while it waited
    version: int = 0
    message: str = ""
    seconds: float = 0.0


@dataclass
class Log:
    pages: list[tuple[str, str, float]] = field(default_factory=list)  # (user, page, seconds)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (user, page, what)
    errors_shown: list[tuple[str, str, str]] = field(default_factory=list)  # an error element on a settled page
    saves: list[Save] = field(default_factory=list)
    logins: list[float] = field(default_factory=list)
    rounds_done: int = 0
    pair_rounds: int = 0  # rounds in which the two users of the shared note saved it together
    arrival_s: float = 0.0  # from the first user's arrival to the last one's project page
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of the server, the browser, this process


def region_accounts(store: Store, n_users: int) -> list[Account]:
    """n_users accounts of the region: two unit users of one unit on the same project (they edit one
    note), one unit user per other unit on a project of his own, and readers (two department users, a
    bureau user, a viewer) — about one reader in five."""
    units = store.df("SELECT department_name, unit_name, min(project_code) AS code FROM projects WHERE year = ? "
                     "GROUP BY ALL ORDER BY code", [YEAR])
    deps = list(dict.fromkeys(units["department_name"]))
    readers: list[Account] = [Account(f"bench-dept{i + 1}", f"Bench-dept{i + 1}-2023", "department", d,
                                      project=str(units[units["department_name"] == d]["code"].iloc[0]))
                              for i, d in enumerate(deps[:2])]
    readers += [Account("bench-bureau", "Bench-bureau-2023", "bureau", project=str(units["code"].iloc[0])),
                Account("bench-viewer", "Bench-viewer-2023", "viewer", project=str(units["code"].iloc[-1]))]
    n_readers = min(len(readers), max(1, n_users // 5))
    n_units = max(2, n_users - n_readers)
    shared = units.iloc[0]
    out = [Account(f"bench-u{i:02d}", f"Bench-u{i:02d}-2023", "unit", str(shared.department_name), str(shared.unit_name),
                   str(shared.code)) for i in (1, 2)]
    for i in range(3, n_units + 1):
        u = units.iloc[1 + (i - 3) % (len(units) - 1)]
        if (i - 3) >= len(units) - 1:  # more users than units: a second project of the unit
            u = u.copy()
            u["code"] = store.scalar("SELECT project_code FROM projects WHERE year = ? AND department_name = ? AND unit_name = ? "
                                     "ORDER BY project_code LIMIT 1 OFFSET ?",
                                     [YEAR, u.department_name, u.unit_name, (i - 3) // (len(units) - 1)])
        out.append(Account(f"bench-u{i:02d}", f"Bench-u{i:02d}-2023", "unit", str(u.department_name), str(u.unit_name), str(u.code)))
    return out + readers[:n_readers]


async def _settle(page, want: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    await page.wait_for_function(SETTLED, arg=want, timeout=PAGE_TIMEOUT_MS, polling=50)


async def _visit(page, log: Log, user: str, name: str, go: str, want: dict[str, str]) -> bool:  # type: ignore[no-untyped-def]
    """One navigation, timed until the page has settled: `go` is a menu entry to click (the session and
    the browser's page stay, as when a person uses the menu) or an address to open (a new page load)."""
    t = time.perf_counter()
    try:
        if go.startswith("http"):
            await page.goto(go)
        else:
            await page.locator("[data-testid=stSidebar]").get_by_role("link", name=go, exact=True).click()
        await _settle(page, want)
    except Exception as exc:  # noqa: BLE001 - a page that does not settle is counted, and the user goes on
        log.failures.append((user, name, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
        return False
    log.pages.append((user, name, time.perf_counter() - t))
    # a red project's light is a red banner too: only what says something went wrong is counted
    shown = await page.locator("[data-testid=stMain] :is([data-testid=stException], [data-testid=stAlert])").all_text_contents()
    for text in shown:
        if any(word in text for word in TROUBLE):
            log.errors_shown.append((user, name, text[:300]))
    return True


TROUBLE = ("出错", "错误编号", "正被另一个程序", "写入中", "无权", "Error", "Exception")
SAVED = re.compile(r"已保存（第(\d+)版")
SIMULTANEOUS = "刚刚同时保存"  # monitor.notes: the refusal when DuckDB reports a write-write conflict
# What the money note's form says after 保存说明: inside its expander (a red project also shows a red
# banner at the top of the page, which is no answer to the save), or an unexpected error at the top.
OUTCOME = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const form = main && [...main.querySelectorAll('[data-testid=stExpander]')].find(e => e.textContent.includes('项目资金'));
  if (!form) return null;
  // an unexpected error in the save's callback is shown at the top of the page (common.guard)
  const failed = [...main.querySelectorAll('[data-testid=stAlert]')].find(e => e.textContent.includes('页面出错了'));
  if (failed) return 'error:' + failed.textContent;
  const text = form.textContent;
  const saved = text.match(/已保存（第\\d+版[^）]*）/);
  if (saved) return 'saved:' + saved[0];
  if (text.includes('这条说明已被他人修改')) return 'conflict:' + text.slice(text.indexOf('这条说明已被他人修改'), text.indexOf('这条说明已被他人修改') + 80);
  const settled = !document.querySelector('[data-testid=stStatusWidget]')
    && document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning';
  const err = form.querySelector(':is([data-testid=stException], [data-testid=stAlertContentError])');
  return settled && err ? 'error:' + err.textContent : null;
}"""


async def _money_form(page):  # type: ignore[no-untyped-def]
    money = page.locator("[data-testid=stExpander]").filter(has_text="项目资金").first
    if not await money.locator("textarea").first.is_visible():
        await money.locator("summary").click()
    await money.get_by_label("原因说明").wait_for(timeout=PAGE_TIMEOUT_MS)
    return money


async def _meet(pair: asyncio.Barrier | None, log: Log, counted: bool) -> None:
    """The two users of the shared note wait for each other; if the other one has gone (failed or past
    the time limit), this one goes on alone."""
    if pair is None or pair.broken:
        return
    try:
        if await asyncio.wait_for(pair.wait(), PAIR_WAIT_S) == 0 and counted:
            log.pair_rounds += 1  # once per meeting
    except (asyncio.BrokenBarrierError, TimeoutError):
        await pair.abort()


async def _save_note(page, log: Log, a: Account, rnd: int, pair: asyncio.Barrier | None) -> None:  # type: ignore[no-untyped-def]
    """Write a text nobody else writes into the project's money note and press 保存说明. The two users
    of the shared note meet at `pair` with their forms open (both read the same version) and again
    with their text typed, so their saves go out together."""
    save = Save(a.name, a.project, f"压测：{a.name}第{rnd}轮写入 {uuid.uuid4().hex[:8]}")
    try:
        money = await _money_form(page)
        box = money.get_by_label("原因说明")
        await _meet(pair, log, counted=False)
        await box.fill(save.text)
        await box.press("Tab")
        await _meet(pair, log, counted=True)
    except Exception as exc:  # noqa: BLE001 - counted; the save was never sent
        if pair is not None:
            await pair.abort()
        log.failures.append((a.name, "说明表单", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
        return
    log.saves.append(save)
    t = time.perf_counter()
    try:
        await money.get_by_role("button", name="保存说明").click()
        seen = await (await page.wait_for_function(OUTCOME, timeout=PAGE_TIMEOUT_MS, polling=50)).json_value()
    except Exception:  # noqa: BLE001 - nothing shown within the limit: the database tells what happened
        save.outcome = "no answer"
        return
    save.seconds = time.perf_counter() - t
    kind, _, message = str(seen).partition(":")
    save.outcome, save.message = {"saved": "saved", "conflict": "conflict"}.get(kind, "error"), message
    m = SAVED.search(message)
    if m:
        save.version = int(m.group(1))


async def _arrive(browser, url: str, a: Account, log: Log, door: asyncio.Semaphore):  # type: ignore[no-untyped-def]
    """A user opens the link to his project and logs in (the login lands on the page of the address):
    (context, page), or None when that fails. The address page also puts the project in the session,
    which the menu's 项目详情 then opens."""
    async with door:
        return await _log_in(browser, url, a, log)


async def _log_in(browser, url: str, a: Account, log: Log):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = await context.new_page()
    # a fresh context loads every script (Streamlit's, Plotly's 4.7 MB) while the others do the same
    page.set_default_timeout(ARRIVAL_TIMEOUT_MS)
    t = time.perf_counter()
    try:
        await page.goto(f"{url}/project?project={a.project}")
        await page.get_by_label("用户名").fill(a.name)
        await page.get_by_label("密码").fill(a.password)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_function(SETTLED, arg=_project(a), timeout=ARRIVAL_TIMEOUT_MS, polling=50)
        page.set_default_timeout(PAGE_TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001 - counted; this user takes no part
        log.failures.append((a.name, "登录", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
        await context.close()
        return None
    log.logins.append(time.perf_counter() - t)
    return context, page


def _project(a: Account) -> dict[str, object]:
    return {"title": "项目详情", "text": [*PROJECT["text"], a.project]}


async def _rounds(page, a: Account, log: Log, rounds_: int, stop_at: float, pair: asyncio.Barrier | None) -> None:  # type: ignore[no-untyped-def]
    for rnd in range(1, rounds_ + 1):
        if time.monotonic() > stop_at:
            if pair is not None:
                await pair.abort()  # the other one of the pair goes on alone
            break
        for name, want in (("总览", OVERVIEW), ("低执行项目", LOW), ("项目详情", _project(a))):
            await asyncio.sleep(THINK_S)
            ok = await _visit(page, log, a.name, name, name, want)
        if a.role == "unit":
            if ok:
                await _save_note(page, log, a, rnd, pair)
            elif pair is not None:
                await pair.abort()
        log.rounds_done += 1


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used so far (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: the 14th and 15th fields of the line
    return total / os.sysconf("SC_CLK_TCK")


def _cpu_split(server_pid: int) -> dict[str, float]:
    """Who has used the machine: the dashboard's server, and the browser with Playwright's driver."""
    server = _descendants(server_pid)
    others = [p for p in _descendants(os.getpid()) if p not in server and p != os.getpid()]
    return {"server": _cpu_s(server), "browser": _cpu_s(others), "bench": time.process_time()}


async def _drive(url: str, server_pid: int, accounts: list[Account], rounds_: int, seconds: float) -> Log:
    """The users arrive (log in) two at a time, within ARRIVALS_S; then all browse and save at once,
    starting no new round after `seconds`, and whatever still runs HARD_STOP_S later is cut off."""
    from playwright.async_api import async_playwright

    log = Log()
    pair = asyncio.Barrier(2)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            before, start = _cpu_split(server_pid), time.perf_counter()
            door = asyncio.Semaphore(ARRIVING_AT_ONCE)
            arriving = [asyncio.ensure_future(_arrive(browser, url, a, log, door)) for a in accounts]
            await asyncio.wait(arriving, timeout=ARRIVALS_S)
            for a, task in zip(accounts, arriving):
                if not task.done():
                    task.cancel()
                    log.failures.append((a.name, "登录", f"not logged in within {ARRIVALS_S:g} s"))
            log.arrival_s = time.perf_counter() - start
            here = [(a, task.result()[1]) for a, task in zip(accounts, arriving)
                    if task.done() and not task.cancelled() and task.exception() is None and task.result() is not None]
            both = sum(a.name in PAIR for a, _ in here) == 2
            stop_at = time.monotonic() + seconds
            working = [asyncio.ensure_future(_rounds(page, a, log, rounds_, stop_at, pair if both and a.name in PAIR else None))
                       for a, page in here]
            await asyncio.wait(working, timeout=seconds + HARD_STOP_S)
            for (a, _), task in zip(here, working):
                if not task.done():
                    task.cancel()
                    log.failures.append((a.name, "*", "cut off at the time limit"))
                elif not task.cancelled() and task.exception() is not None:  # one user's surprise ends only his rounds
                    exc = task.exception()
                    log.failures.append((a.name, "*", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
            await asyncio.sleep(0)  # let the cancelled ones unwind
            after = _cpu_split(server_pid)  # before the browser closes: its renderers' time is still there
            log.cpu = {k: round(after[k] - before[k], 1) for k in after} | {"wall": round(time.perf_counter() - start, 1)}
        finally:
            await browser.close()
    return log


def check_saves(store: Store, saves: list[Save]) -> dict[str, object]:
    """What every user was told, against what the database holds (the notes and the audit trail).

    The region starts with no notes, so version N of a note is the N-th save in its audit trail. A save
    reported as 「已保存（第N版」 is kept when version N is that user's text; the note must hold its
    last version (so a reported save is either the note's text or superseded by a later version).
    A save refused (conflict or error) must be nowhere; every stored version must come from a save
    some user made."""
    stored = {n.project_code: n for n in notes.load_notes(store, YEAR, month=MONTH, actor=ADMIN)
              if n.month == MONTH and n.indicator_name == ""}
    trail: dict[str, list[tuple[str, str]]] = {}
    for actor, code, value in store.df("SELECT actor, project_code, new_value FROM audit WHERE kind = '说明' AND target = ? "
                                       "ORDER BY id", [f"{YEAR}年{MONTH}月 项目资金"]).itertuples(index=False):
        trail.setdefault(code, []).append((actor, json.loads(value)["原因说明"]))
    attempted = {s.text for s in saves}
    lost = [s for s in saves if s.outcome == "saved"
            and not (1 <= s.version <= len(trail.get(s.project, [])) and trail[s.project][s.version - 1] == (s.user, s.text))]
    not_last = [code for code, versions in trail.items()
                if code not in stored or stored[code].version != len(versions) or stored[code].explanation != versions[-1][1]]
    stored_texts = {text for versions in trail.values() for _, text in versions}
    refused_but_stored = [s for s in saves if s.outcome in ("conflict", "error") and s.text in stored_texts]
    phantom = [(code, v) for code, versions in trail.items() for v, (_, text) in enumerate(versions, 1) if text not in attempted]
    return {"lost": len(lost) + len(not_last),
            "reported_saved_not_stored": [(s.user, s.version, s.text) for s in lost],
            "notes_not_at_their_last_version": not_last,
            "refused_but_stored": [(s.user, s.text) for s in refused_but_stored],
            "stored_without_a_save": phantom,
            "unanswered_but_stored": sum(s.outcome in ("no answer", "") and s.text in stored_texts for s in saves),
            "notes_checked": len(trail), "versions_checked": sum(len(v) for v in trail.values())}


def many_users(db: Path, n_users: int = USERS, rounds_: int = ROUNDS, seconds: float = SECONDS) -> dict[str, object]:
    """Part 2 on a fresh synthetic region at `db`."""
    from monitor.synthetic import build_database

    store = build_database(db, SMALL_PROJECTS, seed=3)
    store.set_monitoring_point(YEAR, MONTH)  # every session opens on 1-10月, the month of the task
    rounds.open_task(store, ADMIN, YEAR, MONTH, date.today() + timedelta(days=30))
    accounts = region_accounts(store, n_users)
    for a in accounts:
        _create(store, a)
    start = time.perf_counter()
    with streamlit_server(APP, str(db), OUT / "round_bench_users.log") as (url, pid):
        log = asyncio.run(_drive(url, pid, accounts, rounds_, seconds))
    wall = time.perf_counter() - start
    check = check_saves(store, log.saves)
    times = [t for _, _, t in log.pages]
    per_page = {k: [t for _, n, t in log.pages if n == name] for k, name in PAGE_KEYS.items()}
    shared = set(PAIR)
    outcomes = [s.outcome for s in log.saves]
    return {
        "users": len(accounts), "unit_users": sum(a.role == "unit" for a in accounts),
        "readers": ", ".join(sorted({a.role for a in accounts} - {"unit"})), "region_projects": SMALL_PROJECTS,
        "wall_s": round(wall, 1), "rounds": log.rounds_done, "pages": len(times),
        "page_p50_s": _pct(times, 50), "page_p95_s": _pct(times, 95), "page_max_s": round(max(times), 3) if times else None,
        **{f"page_{k}_p50_s": _pct(v, 50) for k, v in per_page.items()},
        **{f"page_{k}_p95_s": _pct(v, 95) for k, v in per_page.items()},
        "arrivals": len(log.logins), "arrival_p50_s": _pct(log.logins, 50), "arrival_p95_s": _pct(log.logins, 95),
        "arrival_all_s": round(log.arrival_s, 1), "think_s": THINK_S,
        "saves_attempted": len(log.saves), "saves_succeeded": outcomes.count("saved"), "saves_conflict": outcomes.count("conflict"),
        "shared_note_rounds": log.pair_rounds,
        "saves_conflict_shared_note": sum(s.outcome == "conflict" and s.user in shared for s in log.saves),
        "saves_conflict_own_note": sum(s.outcome == "conflict" and s.user not in shared for s in log.saves),
        # the store's two refusals: the note moved on since the form was read, or two writes collided in DuckDB
        "saves_conflict_collision": sum(s.outcome == "conflict" and SIMULTANEOUS in s.message for s in log.saves),
        "saves_error": outcomes.count("error"), "saves_no_answer": outcomes.count("no answer"), "saves_cut_off": outcomes.count(""),
        "save_p50_s": _pct([s.seconds for s in log.saves if s.seconds], 50),
        "save_p95_s": _pct([s.seconds for s in log.saves if s.seconds], 95),
        **{f"cpu_{k}_s": v for k, v in log.cpu.items()},
        **check,
        "page_failures": log.failures, "errors_shown": log.errors_shown,
        "save_messages": [(s.user, s.outcome, s.message[:120]) for s in log.saves if s.outcome not in ("saved",)],
    }


# -- the whole benchmark --------------------------------------------------------------------------
def run(db_path: str) -> dict[str, object]:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        copy = Path(tmp) / "province.duckdb"
        _copy_db(Path(db_path), copy)
        out = {f"save_{k}" if not k.startswith("save") else k: v for k, v in save_to_overview(copy).items()}
        out.update({f"users_{k}": v for k, v in many_users(Path(tmp) / "region.duckdb").items()})
    return out


def print_results(r: dict[str, object]) -> None:
    """This benchmark's lines of the bench table (bench/run.py)."""
    def f(key: str) -> str:
        v = r.get(key)
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    met = "met" if float(r["save_to_overview_s"]) <= AIM_S else "NOT met"  # type: ignore[arg-type]
    steps = [k for k in r if k.startswith("save_recompute_") and k != "save_recompute_total_s"]
    print(f"1) a unit's save → the bureau's 总览, {r['save_projects']:,} projects (unit {r['save_unit']}, project {r['save_project']})")
    print(f"   the save (filling.save_month, library call):             {f('save_s')} s    runs {r['save_runs_s']}")
    print(f"   save's return → 总览 shows the new 累计支出 (median):      {f('save_to_overview_s')} s    aim ≤ {AIM_S:g} s: {met};"
          f" runs {r['save_to_overview_runs_s']}")
    print(f"     … until the whole overview has settled (charts drawn):  {f('save_to_overview_settled_s')} s")
    print(f"   where it goes: the same navigation with nothing changed:  {f('save_reload_unchanged_s')} s (browser + cached run)")
    print(f"     the overview's script run on the server (AppTest):      {f('save_script_after_save_s')} s after a save, "
          f"{f('save_script_unchanged_s')} s unchanged")
    print(f"     of which redone per data version (in-process):          {f('save_recompute_total_s')} s = "
          + ", ".join(f"{k[len('save_recompute_'):-2]} {r[k]:.3f}" for k in steps)  # type: ignore[str-format]
          + f"; a full status would take {f('save_full_status_s')} s")
    print(f"2) {r['users_users']} users at once ({r['users_unit_users']} unit users; readers: {r['users_readers']}) on a "
          f"{r['users_region_projects']:,}-project region: {r['users_rounds']} rounds in {r['users_wall_s']} s")
    print(f"   logging in (two at a time, landing on 项目详情): {r['users_arrivals']} users in {r['users_arrival_all_s']} s, "
          f"each p50 {f('users_arrival_p50_s')} s")
    print(f"   page times, all at once ({r['users_pages']} menu navigations until settled): p50 {f('users_page_p50_s')} s, "
          f"p95 {f('users_page_p95_s')} s, max {f('users_page_max_s')} s")
    print(f"     总览 p50 {f('users_page_overview_p50_s')} / p95 {f('users_page_overview_p95_s')} s;  低执行项目 p50 "
          f"{f('users_page_low_execution_p50_s')} / p95 {f('users_page_low_execution_p95_s')} s;  项目详情 p50 "
          f"{f('users_page_project_p50_s')} / p95 {f('users_page_project_p95_s')} s")
    print(f"     CPU used meanwhile: browser {r.get('users_cpu_browser_s')} s, dashboard server {r.get('users_cpu_server_s')} s, "
          f"in {r.get('users_cpu_wall_s')} s on {os.cpu_count()} cores")
    print(f"   note saves: attempted {r['users_saves_attempted']}, saved {r['users_saves_succeeded']}, refused as a conflict "
          f"{r['users_saves_conflict']} (shared note: {r['users_saves_conflict_shared_note']} in {r['users_shared_note_rounds']} "
          f"rounds saved together; notes nobody else edits: {r['users_saves_conflict_own_note']}; of all, 「刚刚同时保存」: "
          f"{r['users_saves_conflict_collision']}), error {r['users_saves_error']}, "
          f"no answer {r['users_saves_no_answer']}, cut off {r['users_saves_cut_off']}; answer p50 {f('users_save_p50_s')} s")
    print(f"   checked in the database ({r['users_notes_checked']} notes, {r['users_versions_checked']} versions): "
          f"lost or overwritten saves {r['users_lost']}; refused but stored {len(r['users_refused_but_stored'])}; "  # type: ignore[arg-type]
          f"stored without a save {len(r['users_stored_without_a_save'])}; unanswered but stored {r['users_unanswered_but_stored']}")  # type: ignore[arg-type]
    for key in ("users_page_failures", "users_errors_shown"):
        if r.get(key):
            print(f"   {key[6:]}: {len(r[key])}; first: {r[key][:3]}")  # type: ignore[arg-type,index]


def main(argv: list[str]) -> int:
    db = Path(argv[0]) if argv else DEFAULT_DB
    if not db.exists():
        from monitor.synthetic import build_database

        print(f"building {db} ({N_PROJECTS:,} projects)…", file=sys.stderr)
        build_database(db, N_PROJECTS)
    result = run(str(db))
    print_results(result)
    (OUT / "round_bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
