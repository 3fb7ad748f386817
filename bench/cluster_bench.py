"""Cluster benchmark (issue 14): 100 users over two dashboard processes on PostgreSQL behind nginx,
then the same with one process killed midway.

Set-up: a throwaway PostgreSQL cluster (tests/pgcluster.py: Debian's server in a temporary folder on
a free loopback port, stopped at the end). The synthetic region of bench/round_bench.py part 2
(2,000 projects, 2 departments × 10 units, seed 3, the 2023 month-10 task open) with its accounts
(`round_bench.region_accounts`: two unit users on one project, who edit the same note; the other
unit users on projects of their own, several per unit; a reader in five) is built in a DuckDB file and
moved into one PostgreSQL database per phase with `monitor.transfer.copy_store` (what `monitor
migrate` does). Each phase starts two `streamlit run dashboard/app.py` with MONITOR_DB=the database
and nginx of its own in front (deploy/nginx_conf.py: sticky sessions by the proxy's route cookie,
failover to the other process).

Each user does what round_bench's users do, through the proxy: opens the link to his project
(landing on 项目详情) with the session cookie of a login earlier that day (a session started for
every account with `accounts.start_session` at set-up: each arrival is then a page load whose session
the process checks in PostgreSQL; the login form itself is driven by round_bench and by
tests/test_cluster_browser.py), then the menu's 总览 → 低执行项目 → 项目详情; a unit user then writes a
text nobody else writes into the project's money note and presses 保存说明 (round_bench's `_visit`
and `_save_note`, imported). The two users of the shared note save it together, so one of them must
be told 「这条说明已被他人修改」. Afterwards the database is checked against what every user was told
(round_bench's `check_saves`): `lost` counts saves reported as 「已保存（第N版」 that are not version
N of the note with that user's text, and notes not at their last version.

How 100 users fit on 2 cores: a user's first page in a new browser context loads every script
(Streamlit's, Plotly's 4.7 MB) at ~5 CPU s, and a Streamlit page costs Chromium's renderer ~0.5 CPU s
per navigation, several times what the server spends; 100 contexts at once would also need ~15 GB.
So the users come through AT_ONCE (10) browser seats, like people at shared desks: a seat is one
context, which keeps its HTTP cache; when a user is done, the seat's cookies are cleared (his
session cookie and the proxy's route cookie), so the next user arrives with only his own session
cookie and the proxy pins him anew, to either process. At most AT_ONCE users are active at any
moment. Page times are therefore those of 10 concurrent users plus the CPU the simulated browsers take
from the servers; the CPU each side used is reported beside them.

Phase 2 kills (SIGKILL, as a crash) the first dashboard process when half of the users are done or
half of the phase's time has passed, whichever comes first. A user whose page then does not settle, or whose save gets no answer, reloads the page's address (the
proxy sends him to the other process, which knows his session from the store) and goes on; a save
that got no answer is made again after the reload. Counted: interrupted navigations, reloads,
repeated saves, and lost saves as above (a save that got no answer is not a reported save, so it can
not be lost; whether it was stored anyway is shown).

Bounded: no user starts after BENCH_CLUSTER_SECONDS (600) of a phase, and whatever still runs
HARD_STOP_S later is cancelled; users still queued then are reported as not started (how many pass
depends on what else the machine runs). Environment: BENCH_CLUSTER_USERS (100),
BENCH_CLUSTER_AT_ONCE (10), BENCH_CLUSTER_SECONDS (600). On this 2-core machine, idle otherwise, the
100 users take 460–510 s a phase (about 20 minutes for the whole benchmark).

    .venv/bin/python bench/cluster_bench.py
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT), str(ROOT / "tests")):  # round_bench beside this file; deploy; tests/pgcluster.py
    if p not in sys.path:
        sys.path.insert(0, p)

from dashboard_bench import APP, CHROMIUM, CHROMIUM_ARGS, OUT, VIEWPORT, _descendants, _free_port, streamlit_server  # noqa: E402
from round_bench import (  # noqa: E402
    LOW,
    OVERVIEW,
    PAGE_KEYS,
    PAIR,
    SETTLED,
    SMALL_PROJECTS,
    THINK_S,
    YEAR,
    Account,
    Log,
    _cpu_s,
    _create,
    _pct,
    _project,
    _save_note,
    _visit,
    check_saves,
    region_accounts,
)

from deploy.nginx_conf import Nginx  # noqa: E402

USERS = int(os.environ.get("BENCH_CLUSTER_USERS", "100"))
AT_ONCE = int(os.environ.get("BENCH_CLUSTER_AT_ONCE", "10"))
SECONDS = float(os.environ.get("BENCH_CLUSTER_SECONDS", "600"))
HARD_STOP_S = 60
ARRIVAL_TIMEOUT_MS = 60_000
COOKIE = "monitor_session"  # dashboard/common.py COOKIE
MONTH = 10


@dataclass
class Phase:
    log: Log
    served: int = 0  # users who finished their visit
    not_started: int = 0  # users left in the queue at the time limit
    reloads: int = 0  # a page that did not settle, opened again by its address
    saves_repeated: int = 0  # a save without an answer, made again after a reload
    killed_at_s: float | None = None


async def _arrive(page, url: str, a: Account, token: str, log: Log) -> bool:  # type: ignore[no-untyped-def]
    """The user opens the link to his project with his session cookie (he logged in earlier today):
    the page, every script from the seat's cache, the websocket, the session checked in the store."""
    t = time.perf_counter()
    try:
        await page.context.add_cookies([{"name": COOKIE, "value": token, "url": url}])
        await page.goto(f"{url}/project?project={a.project}")
        await page.wait_for_function(SETTLED, arg=_project(a), timeout=ARRIVAL_TIMEOUT_MS, polling=50)
    except Exception as exc:  # noqa: BLE001 - counted; this user takes no part
        log.failures.append((a.name, "到达", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
        return False
    log.logins.append(time.perf_counter() - t)
    return True


async def _user(page, url: str, a: Account, token: str, phase: Phase, pair: asyncio.Barrier | None) -> None:  # type: ignore[no-untyped-def]
    log = phase.log
    if not await _arrive(page, url, a, token, log):
        if pair is not None:
            await pair.abort()
        return
    steps = (("总览", OVERVIEW, "/"), ("低执行项目", LOW, "/low_execution"),
             ("项目详情", _project(a), f"/project?project={a.project}"))
    ok = False
    for name, want, path in steps:
        await asyncio.sleep(THINK_S)
        ok = await _visit(page, log, a.name, name, name, want)
        if not ok:  # the process went away (or hung): reload the page's address, as a person would
            phase.reloads += 1
            ok = await _visit(page, log, a.name, name, f"{url}{path}", want)
    if a.role == "unit" and ok:
        await _save_note(page, log, a, 1, pair)
        if log.saves and log.saves[-1].user == a.name and log.saves[-1].outcome in ("no answer", "error"):
            phase.reloads += 1
            if await _visit(page, log, a.name, "项目详情", f"{url}/project?project={a.project}", _project(a)):
                phase.saves_repeated += 1
                await _save_note(page, log, a, 2, None)
    elif pair is not None:
        await pair.abort()
    log.rounds_done += 1


def _cpu(pids: list[int]) -> dict[str, float]:
    servers = [q for pid in pids for q in _descendants(pid)]
    others = [q for q in _descendants(os.getpid()) if q not in servers and q != os.getpid()]
    return {"server": _cpu_s(servers), "browser": _cpu_s(others)}


async def _drive(url: str, accounts: list[Account], tokens: dict[str, str], server_pids: list[int],
                 kill: Callable[[], None] | None) -> Phase:
    """The users pass through AT_ONCE seats; `kill` is called once half of them are done or half of
    the phase's time has passed, whichever comes first."""
    from playwright.async_api import async_playwright

    phase = Phase(Log())
    queue: asyncio.Queue[Account] = asyncio.Queue()
    for a in accounts:
        queue.put_nowait(a)
    pair = asyncio.Barrier(2)
    start = time.perf_counter()
    stop_at = time.monotonic() + SECONDS

    async def seat(browser) -> None:  # type: ignore[no-untyped-def]
        context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        try:
            page = await context.new_page()
            while time.monotonic() < stop_at:
                try:
                    a = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await context.clear_cookies()  # the next person: no session, no route yet
                await _user(page, url, a, tokens[a.name], phase, pair if a.name in PAIR else None)
                phase.served += 1
                if kill is not None and phase.killed_at_s is None and \
                        (phase.served >= len(accounts) // 2 or time.perf_counter() - start >= SECONDS / 2):
                    phase.killed_at_s = round(time.perf_counter() - start, 1)
                    kill()
        finally:
            await context.close()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            before = _cpu(server_pids)
            seats = [asyncio.ensure_future(seat(browser)) for _ in range(AT_ONCE)]
            await asyncio.wait(seats, timeout=SECONDS + HARD_STOP_S)
            for task in seats:
                if not task.done():
                    task.cancel()
                    phase.log.failures.append(("*", "*", "cut off at the time limit"))
                elif not task.cancelled() and task.exception() is not None:
                    exc = task.exception()
                    phase.log.failures.append(("*", "*", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
            await asyncio.sleep(0)
            after = _cpu(server_pids)  # a killed process's CPU is gone from /proc: the survivor's and the browser's
            phase.log.cpu = {k: round(after[k] - before[k], 1) for k in after} | {"wall": round(time.perf_counter() - start, 1)}
        finally:
            await browser.close()
    phase.not_started = queue.qsize()
    return phase


def _region(path: Path, n_users: int) -> tuple[list[Account], dict[str, str]]:
    """round_bench's region and accounts in a DuckDB file, to be moved into PostgreSQL, and a live
    session of each account (the token its browser keeps in the session cookie)."""
    from monitor import rounds
    from monitor.access import ADMIN, PAGE
    from monitor.accounts import account_actor, start_session
    from monitor.synthetic import build_database

    store = build_database(path, SMALL_PROJECTS, seed=3)
    store.set_monitoring_point(YEAR, MONTH)
    rounds.open_task(store, ADMIN, YEAR, MONTH, date.today() + timedelta(days=30))
    accounts = region_accounts(store, n_users)
    for a in accounts:
        _create(store, a)
    return accounts, {a.name: start_session(store, account_actor(store, a.name, PAGE)) for a in accounts}


def run_phase(dsn: str, accounts: list[Account], tokens: dict[str, str], tmp: Path, name: str, kill_one: bool) -> dict[str, object]:
    from monitor.store import open_store

    start = time.perf_counter()
    with streamlit_server(APP, dsn, OUT / f"cluster_bench_{name}_a.log") as (url_a, pid_a), \
            streamlit_server(APP, dsn, OUT / f"cluster_bench_{name}_b.log") as (url_b, pid_b):
        ports = [int(u.rsplit(":", 1)[1]) for u in (url_a, url_b)]
        proxy = Nginx(ports, _free_port(), tmp / f"nginx_{name}")
        try:
            kill = (lambda: os.kill(pid_a, signal.SIGKILL)) if kill_one else None
            phase = asyncio.run(_drive(proxy.url, accounts, tokens, [pid_a, pid_b], kill))
            answered = [r.answered_by for r in proxy.requests()]
            failed_over = sum(len(r.tried) > 1 for r in proxy.requests())
        finally:
            proxy.stop()
    wall = time.perf_counter() - start
    store = open_store(dsn)
    check = check_saves(store, phase.log.saves)
    store.close()
    log = phase.log
    times = [t for _, _, t in log.pages]
    per_page = {k: [t for _, n, t in log.pages if n == page] for k, page in PAGE_KEYS.items()}
    outcomes = [s.outcome for s in log.saves]
    return {
        "users": len(accounts), "served": phase.served, "not_started": phase.not_started, "at_once": AT_ONCE,
        "wall_s": round(wall, 1), "killed_at_s": phase.killed_at_s,
        "requests_a": answered.count(f"127.0.0.1:{ports[0]}"), "requests_b": answered.count(f"127.0.0.1:{ports[1]}"),
        "requests_failed_over": failed_over,
        "arrivals": len(log.logins), "arrival_p50_s": _pct(log.logins, 50), "arrival_p95_s": _pct(log.logins, 95),
        "pages": len(times), "page_p50_s": _pct(times, 50), "page_p95_s": _pct(times, 95),
        "page_max_s": round(max(times), 3) if times else None,
        **{f"page_{k}_p50_s": _pct(v, 50) for k, v in per_page.items()},
        **{f"page_{k}_p95_s": _pct(v, 95) for k, v in per_page.items()},
        "reloads": phase.reloads, "saves_repeated": phase.saves_repeated,
        "saves_attempted": len(log.saves), "saves_succeeded": outcomes.count("saved"), "saves_conflict": outcomes.count("conflict"),
        "saves_conflict_shared_note": sum(s.outcome == "conflict" and s.user in PAIR for s in log.saves),
        "saves_error": outcomes.count("error"), "saves_no_answer": outcomes.count("no answer"), "saves_cut_off": outcomes.count(""),
        "save_p50_s": _pct([s.seconds for s in log.saves if s.seconds], 50),
        "save_p95_s": _pct([s.seconds for s in log.saves if s.seconds], 95),
        **{f"cpu_{k}_s": v for k, v in log.cpu.items()},
        **check,
        "page_failures": log.failures, "errors_shown": log.errors_shown,
        "save_messages": [(s.user, s.outcome, s.message[:120]) for s in log.saves if s.outcome != "saved"],
    }


def missing() -> str:
    """Why the benchmark cannot run here ('' when it can)."""
    import shutil

    from pgcluster import server_bin

    lacking = [n for n, ok in (("nginx", shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
                               ("PostgreSQL server", server_bin())) if not ok]
    return f"{' and '.join(lacking)} not installed (make system-deps)" if lacking else ""


def run(n_users: int = USERS) -> dict[str, object]:
    reason = missing()
    if reason:
        return {"skipped": reason}
    from pgcluster import PgCluster

    from monitor.store import Store, open_store
    from monitor.transfer import copy_store

    OUT.mkdir(parents=True, exist_ok=True)
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp, PgCluster() as pg:
        t = time.perf_counter()
        accounts, tokens = _region(Path(tmp) / "region.duckdb", n_users)
        dsns = {}
        for name in ("steady", "killed"):  # each phase on a database of its own: its notes start empty
            dsns[name] = pg.create_database(f"cluster_{name}")
            target = open_store(dsns[name])
            copy_store(Store(Path(tmp) / "region.duckdb"), target)
            target.close()
        out["setup_s"] = round(time.perf_counter() - t, 1)
        for name, kill_one in (("steady", False), ("killed", True)):
            out.update({f"{name}_{k}": v for k, v in run_phase(dsns[name], accounts, tokens, Path(tmp), name, kill_one).items()})
    return out


def print_results(r: dict[str, object]) -> None:
    """This benchmark's lines of the bench table (bench/run.py)."""
    if "skipped" in r:
        print(f"skipped: {r['skipped']}")
        return

    def f(key: str) -> str:
        v = r.get(key)
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    for name, title in (("steady", "two processes"), ("killed", "the first process killed when half the users were done")):
        p = f"{name}_"
        print(f"{title}: {r[p + 'served']} of {r[p + 'users']} users served ({r[p + 'at_once']} at once), "
              f"{r[p + 'not_started']} not started, in {r[p + 'wall_s']} s"
              + (f"; killed at {r[p + 'killed_at_s']} s" if r.get(p + "killed_at_s") is not None else ""))
        print(f"   requests answered by process A / B: {r[p + 'requests_a']} / {r[p + 'requests_b']}; "
              f"sent on to the other after a failure: {r[p + 'requests_failed_over']}")
        print(f"   arrivals (the project's link opened with the session cookie) p50 {f(p + 'arrival_p50_s')} s, "
              f"p95 {f(p + 'arrival_p95_s')} s ({r[p + 'arrivals']})")
        print(f"   page times ({r[p + 'pages']} menu navigations until settled): p50 {f(p + 'page_p50_s')} s, "
              f"p95 {f(p + 'page_p95_s')} s, max {f(p + 'page_max_s')} s;  总览 {f(p + 'page_overview_p50_s')} / "
              f"{f(p + 'page_overview_p95_s')} s, 低执行项目 {f(p + 'page_low_execution_p50_s')} / "
              f"{f(p + 'page_low_execution_p95_s')} s, 项目详情 {f(p + 'page_project_p50_s')} / {f(p + 'page_project_p95_s')} s")
        print(f"   CPU meanwhile: browser {r.get(p + 'cpu_browser_s')} s, dashboard servers {r.get(p + 'cpu_server_s')} s, "
              f"in {r.get(p + 'cpu_wall_s')} s on {os.cpu_count()} cores")
        print(f"   note saves: attempted {r[p + 'saves_attempted']}, saved {r[p + 'saves_succeeded']}, conflict "
              f"{r[p + 'saves_conflict']} (shared note {r[p + 'saves_conflict_shared_note']}), error {r[p + 'saves_error']}, "
              f"no answer {r[p + 'saves_no_answer']}, cut off {r[p + 'saves_cut_off']}; answer p50 {f(p + 'save_p50_s')} s, "
              f"p95 {f(p + 'save_p95_s')} s")
        print(f"   interrupted: {len(r[p + 'page_failures'])} (reloaded {r[p + 'reloads']}, saves made again "  # type: ignore[arg-type]
              f"{r[p + 'saves_repeated']}); checked in PostgreSQL ({r[p + 'notes_checked']} notes, "
              f"{r[p + 'versions_checked']} versions): lost or overwritten saves {r[p + 'lost']}; refused but stored "
              f"{len(r[p + 'refused_but_stored'])}; stored without a save {len(r[p + 'stored_without_a_save'])}; "  # type: ignore[arg-type]
              f"unanswered but stored {r[p + 'unanswered_but_stored']}")
        for key in ("page_failures", "errors_shown"):
            if r.get(p + key):
                print(f"   {key}: {len(r[p + key])}; first: {r[p + key][:3]}")  # type: ignore[arg-type,index]


def main() -> int:
    result = run()
    print_results(result)
    (OUT / "cluster_bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
