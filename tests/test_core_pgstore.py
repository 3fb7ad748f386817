"""PostgreSQL as the shared store: what only a store shared by several processes must get right.

The store's ordinary behaviour (imports, notes, states, rounds …) is tested on both stores by the
modules marked `both_stores`; here: several processes over one database, the migration of a bureau's
file, a write that fails halfway, and a database of an older schema.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from pgcluster import PgCluster

from monitor import backup
from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT
from monitor.notes import load_notes, save_note
from monitor.pgstore import PgStore
from monitor.status import compute_status
from monitor.store import Store, open_store
from monitor.transfer import compare

ROOT = Path(__file__).resolve().parent.parent

SAVER = """
import sys, time
from dataclasses import replace
from pathlib import Path
from monitor.access import Actor
from monitor.errors import NoteConflict
from monitor.notes import load_notes, save_note
from monitor.store import open_store

dsn, who, folder, rounds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
store = open_store(dsn)
for r in range(rounds):
    note = next(n for n in load_notes(store, 2023, project_code="{seed}", actor=Actor("admin")) if n.indicator_name == "")
    (folder / f"{{who}}.ready{{r}}").touch()
    while not (folder / f"go{{r}}").exists():
        time.sleep(0.005)
    try:
        saved = save_note(store, replace(note, explanation=f"{{who}}第{{r}}轮"), Actor(who))
        print(f"saved {{r}} {{saved.version}}", flush=True)
    except NoteConflict as exc:
        print(f"conflict {{r}} {{'已被他人修改' in str(exc)}}", flush=True)
"""


def _seed_note(store: Store):  # noqa: ANN202 - a Note
    return next(n for n in load_notes(store, 2023, project_code=SEED_PROJECT, actor=ADMIN) if n.indicator_name == "")


def _whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables the stores read whole from PostgreSQL from now on (filled as they are read)."""
    whole: list[str] = []
    real = PgStore._load

    def watch(self, cur, names, full):  # noqa: ANN001, ANN202
        whole.extend(n for n in names if full)
        return real(self, cur, names, full)

    monkeypatch.setattr(PgStore, "_load", watch)
    return whole


@pytest.fixture
def pg_demo(pg_cluster: PgCluster, pg_demo_template: str) -> str:
    return pg_cluster.create_database(f"demo_{time.monotonic_ns()}", template=pg_demo_template)


def test_two_processes_saving_the_same_note_at_the_same_moment_one_wins_and_the_other_is_told(pg_demo: str, tmp_path: Path) -> None:
    rounds = 8
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", SAVER.format(seed=SEED_PROJECT), pg_demo, who, str(tmp_path), str(rounds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for who in ("用户甲", "用户乙")]
    for r in range(rounds):
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"{w}.ready{r}").exists() for w in ("用户甲", "用户乙")):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), [p.stderr.read() for p in procs if p.stderr]
            time.sleep(0.01)
        (tmp_path / f"go{r}").touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    lines = sorted(line for out, _ in outs for line in out.splitlines())
    by_round: dict[str, list[str]] = {}
    for line in lines:
        kind, r, detail = line.split()
        by_round.setdefault(r, []).append(f"{kind} {detail}")
    assert len(by_round) == rounds
    for outcome in by_round.values():
        # the one who read the same version a moment later is refused with the Chinese message
        assert sorted(o.split()[0] for o in outcome) == ["conflict", "saved"] and "conflict True" in outcome
    store = open_store(pg_demo)
    note = _seed_note(store)
    first = 1  # the demo note's version before the rounds
    assert note.version == first + rounds
    audited = store.df("SELECT count(*) AS n FROM audit WHERE kind = '说明' AND project_code = ?", [SEED_PROJECT])
    assert int(audited["n"].iloc[0]) == rounds  # no lost and no doubled save


def test_a_note_saved_through_one_process_is_read_by_the_other_on_its_next_read(pg_demo: str) -> None:
    a, b = open_store(pg_demo), open_store(pg_demo)
    before_b = b.data_version()
    note = _seed_note(a)
    save_note(a, replace(note, explanation="甲进程保存的说明"), ADMIN)
    assert _seed_note(b).explanation == "甲进程保存的说明"
    assert b.data_version() == before_b + 1
    # the audit trail reached b by its new rows only, and ids drawn by b do not collide with a's
    save_note(b, replace(_seed_note(b), explanation="乙进程再次修改"), ADMIN)
    ids = a.df("SELECT id FROM audit ORDER BY id")["id"].tolist()
    assert len(ids) == len(set(ids))
    assert _seed_note(a).explanation == "乙进程再次修改"


def test_the_status_from_postgresql_equals_the_status_from_the_file(pg_demo: str, demo_db_template: Path) -> None:
    import pandas.testing as pdt

    from_pg = compute_status(open_store(pg_demo), 2023, 10, actor=ADMIN)
    from_file = compute_status(Store(demo_db_template), 2023, 10, actor=ADMIN)
    for frame in ("projects", "indicators"):
        pdt.assert_frame_equal(getattr(from_pg, frame), getattr(from_file, frame))
    seed = from_pg.project(SEED_PROJECT)
    assert (int(seed["rate_bp"]), int(seed["gap_bp"]), seed["level"]) == (2746, 5588, "red")  # 27.46%, 55.88个百分点


def test_a_write_that_fails_halfway_changes_neither_postgresql_nor_the_mirror(pg_demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(pg_demo)
    assert isinstance(store, PgStore)
    before = store.table_counts()
    sends = {"n": 0}
    real = PgStore._send

    def fail_on_second(cur, t, rows, replace=False, match=""):  # noqa: ANN001, ANN202
        sends["n"] += 1
        if sends["n"] == 2:
            raise OSError("网络中断（模拟）")
        return real(cur, t, rows, replace, match)

    monkeypatch.setattr(PgStore, "_send", staticmethod(fail_on_second))
    with pytest.raises(OSError), store.transaction() as con:
        con.execute("DELETE FROM progress")
        con.execute("DELETE FROM notes")
        con.execute("UPDATE projects SET budget_adjusted = budget_adjusted + 1")
    monkeypatch.undo()
    assert store.table_counts() == before
    assert open_store(pg_demo).table_counts() == before
    assert float(store.df("SELECT sum(budget_adjusted) AS s FROM projects")["s"].iloc[0]) == \
        float(open_store(pg_demo).df("SELECT sum(budget_adjusted) AS s FROM projects")["s"].iloc[0])


def test_a_restore_in_one_process_replaces_every_table_the_other_reads(pg_demo: str, tmp_path: Path) -> None:
    a, b = open_store(pg_demo), open_store(pg_demo)
    backup.backup(a, ADMIN, tmp_path / "b.zip")
    save_note(a, replace(_seed_note(a), explanation="备份之后的修改"), ADMIN)
    assert _seed_note(b).explanation == "备份之后的修改"
    backup.restore(a, ADMIN, tmp_path / "b.zip")
    assert _seed_note(b).explanation != "备份之后的修改"
    assert all(c.same for c in compare(a, b))


def test_monitor_migrate_moves_a_bureaus_file_to_postgresql_and_back_table_for_table(
        pg_dsn: str, demo_db_template: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "monitor.cli"]
    there = subprocess.run([*run, "migrate", "--from", str(demo_db_template), "--to", pg_dsn],
                           capture_output=True, text=True, env=env, cwd=ROOT)
    assert there.returncode == 0, there.stderr
    assert "逐表核对一致" in there.stdout and "不一致" not in there.stdout
    back = tmp_path / "back.duckdb"
    home = subprocess.run([*run, "migrate", "--from", pg_dsn, "--to", str(back)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert home.returncode == 0, home.stderr
    tables = compare(Store(demo_db_template), Store(back))
    assert len(tables) >= 25 and all(t.same for t in tables), [t for t in tables if not t.same]
    assert sum(t.rows for t in tables) > 200
    again = subprocess.run([*run, "migrate", "--from", str(demo_db_template), "--to", pg_dsn], capture_output=True, text=True, env=env, cwd=ROOT)
    assert again.returncode == 1 and "只能写入空数据库" in again.stderr


def test_a_database_of_an_older_schema_is_brought_up_to_date_with_its_rows(
        pg_dsn: str, demo_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.pgstore as pgstore

    monkeypatch.setattr(pgstore, "SCHEMA_VERSION", 7)  # as the release before schema 8 created it
    seven = open_store(pg_dsn)
    assert seven.schema_version() == 7 and "efficiency" not in seven.tables["project_facts"].columns
    with seven.transaction() as con:
        con.execute("INSERT INTO settings VALUES ('monitoring_point', '2023-10')")
        con.execute("INSERT INTO project_facts (year, project_code, background) VALUES (2023, 'X1', '背景')")
    seven.close()
    monkeypatch.undo()
    now = open_store(pg_dsn)
    assert now.schema_version() == pgstore.SCHEMA_VERSION
    assert "efficiency" in now.tables["project_facts"].columns
    assert now.scalar("SELECT value FROM settings WHERE key = 'monitoring_point'") == "2023-10"
    assert now.df("SELECT background, efficiency FROM project_facts").values.tolist() == [["背景", None]]
    # and a second process opening it afterwards finds it current, with the same rows
    assert all(c.same for c in compare(now, open_store(pg_dsn)))


def test_a_writer_waiting_longer_than_its_patience_is_told_the_store_is_busy(pg_demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import monitor.pgstore as pgstore
    from monitor.errors import StoreBusy

    monkeypatch.setattr(pgstore, "MIN_LOCK_WAIT_S", 0.0)  # the store's own patience (10 s) shortened

    holder, waiter = open_store(pg_demo), PgStore(pg_demo, busy_timeout=0.5)
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.transaction() as con:  # an import that takes its time
            con.execute("UPDATE projects SET content = content")
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert inside.wait(10)
        with pytest.raises(StoreBusy, match="正被另一个操作写入"):
            save_note(waiter, replace(_seed_note(waiter), explanation="等不及"), ADMIN)
    finally:
        release.set()
        t.join()
    save_note(waiter, replace(_seed_note(waiter), explanation="稍后重试成功"), ADMIN)
    assert _seed_note(holder).explanation == "稍后重试成功"


def test_a_write_outside_a_transaction_is_refused_not_lost(pg_demo: str) -> None:
    from monitor.errors import MonitorError

    store = open_store(pg_demo)
    with pytest.raises(MonitorError, match="必须在事务中"), store.connect() as con:
        con.execute("DELETE FROM notes")
    assert open_store(pg_demo).table_counts()["notes"] == store.table_counts()["notes"] > 0


def test_a_spend_changed_by_another_process_is_read_again_for_that_project_only(pg_demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = open_store(pg_demo), open_store(pg_demo)
    assert isinstance(b, PgStore)
    before = compute_status(b, 2023, 10, actor=ADMIN).project(SEED_PROJECT)
    with a.transaction() as con:
        a.touched(con, 2023, [SEED_PROJECT])
        con.execute("UPDATE monthly SET spent = spent + 100000 WHERE year = 2023 AND project_code = ? AND month = 10", [SEED_PROJECT])
    whole = _whole_reads(monkeypatch)
    after = compute_status(b, 2023, 10, actor=ADMIN).project(SEED_PROJECT)
    assert int(after["spent_fen"]) == int(before["spent_fen"]) + 10_000_000  # 10万元 more, in 分
    assert "monthly" not in whole and "progress" not in whole
    assert all(c.same for c in compare(a, b))


def test_a_note_saved_by_another_process_is_read_again_for_that_project_only(pg_demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = open_store(pg_demo), open_store(pg_demo)
    assert isinstance(b, PgStore)
    others = b.df("SELECT * FROM notes WHERE project_code <> ? ORDER BY ALL", [SEED_PROJECT])
    whole = _whole_reads(monkeypatch)
    save_note(a, replace(_seed_note(a), explanation="只读回这个项目"), ADMIN)
    assert _seed_note(b).explanation == "只读回这个项目"
    with a.transaction() as con:  # rows gone are read again as well
        con.execute("DELETE FROM notes WHERE year = 2023 AND project_code = ? AND indicator_name <> ''", [SEED_PROJECT])
    assert b.df("SELECT count(*) AS n FROM notes WHERE project_code = ? AND indicator_name <> ''", [SEED_PROJECT])["n"][0] == 0
    assert "notes" not in whole
    pd.testing.assert_frame_equal(b.df("SELECT * FROM notes WHERE project_code <> ? ORDER BY ALL", [SEED_PROJECT]), others)
    assert all(c.same for c in compare(a, b))


def test_a_write_of_more_projects_than_are_worth_reading_one_by_one_is_read_whole(pg_demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.pgstore as pgstore

    a, b = open_store(pg_demo), open_store(pg_demo)
    b.df("SELECT count(*) FROM notes")  # b has read this version
    monkeypatch.setattr(pgstore, "MAX_PROJECTS_BY_KEY", 0)
    whole = _whole_reads(monkeypatch)
    save_note(a, replace(_seed_note(a), explanation="读整张表"), ADMIN)
    assert _seed_note(b).explanation == "读整张表"
    assert "notes" in whole
    assert all(c.same for c in compare(a, b))


def test_rows_changed_removed_rekeyed_and_added_in_one_write_reach_postgresql_exactly(pg_demo: str) -> None:
    """The write's difference is found from each row's (rowid, fingerprint) set aside before it."""
    a, b = open_store(pg_demo), open_store(pg_demo)
    key = (2023, SEED_PROJECT)
    with a.transaction() as con:
        a.touched(con, 2023, [SEED_PROJECT])
        con.execute("UPDATE monthly SET spent = spent + 0.01 WHERE year = ? AND project_code = ? AND month = 3", key)
        con.execute("DELETE FROM monthly WHERE year = ? AND project_code = ? AND month = 12", key)
        con.execute("UPDATE monthly SET month = 12 WHERE year = ? AND project_code = ? AND month = 11", key)  # a key changed
        con.execute("INSERT INTO monthly (year, project_code, month, spent) VALUES (?, ?, 11, 7.77)", key)
        # a row removed and put back as it was: nothing to tell PostgreSQL, and nothing lost
        row = con.execute("SELECT * FROM monthly WHERE year = ? AND project_code = ? AND month = 5", key).fetchall()
        con.execute("DELETE FROM monthly WHERE year = ? AND project_code = ? AND month = 5", key)
        con.execute("INSERT INTO monthly VALUES (?, ?, ?, ?, ?, ?)", list(row[0]))
    fresh = open_store(pg_demo)  # everything read from PostgreSQL
    for other in (fresh, b):
        assert all(c.same for c in compare(a, other)), [c for c in compare(a, other) if not c.same]
    assert fresh.scalar("SELECT spent FROM monthly WHERE year = ? AND project_code = ? AND month = 11", list(key)) == Decimal("7.77")


# What a PostgreSQL-compatible database must accept: the statements the store sends, by their opening
# words (the driver's own catalogue queries on connecting included). Anything else fails the test, so
# a new kind of statement is a decision, written down here and in the README.
CORE_SQL = re.compile(
    r"^(BEGIN( ISOLATION LEVEL REPEATABLE READ)?|COMMIT|ROLLBACK|SET LOCAL lock_timeout = '\d+ms'"
    r"|CREATE TABLE (IF NOT EXISTS )?\w+ \(.*\)|CREATE TEMPORARY TABLE pg_temp \. \"\w+\" \(.*\)"
    r"|CREATE INDEX IF NOT EXISTS \w+ ON \w+ \(\w+\)|DROP TABLE \"?\w+\"?|LOCK TABLE \w+ IN EXCLUSIVE MODE"
    r"|COPY pg_temp \. \"\w+\" \(.*\) FROM STDIN WITH \(FORMAT binary\)"
    r"|SELECT .* FROM \w+( WHERE .*)?( FOR UPDATE)?|SELECT count\(\*\) FROM information_schema\.tables WHERE .*"
    r"|INSERT INTO \w+ \(.*\) SELECT .* FROM _rows|INSERT INTO monitor_sync VALUES \(\$1, 1, 1\)"
    r"|DELETE FROM \w+|DELETE FROM \w+ t USING _(rows|gone) d WHERE .*|DELETE FROM monitor_sync_keys WHERE name = \$1 AND version < \$2|UPDATE monitor_sync SET .* WHERE .*"
    r"|ALTER DATABASE \w+ SET log_statement = 'all'"
    r"|SELECT CURRENT_SCHEMA\(\)|SELECT version\(\);|SELECT [\w, ]+ FROM pg_catalog\.pg_(type|attribute) .*)$",  # the driver's, on connecting
    re.DOTALL)


def test_postgresql_receives_only_core_sql(tmp_path: Path) -> None:
    with PgCluster() as cluster:
        dsn = cluster.create_database("core_sql")
        import adbc_driver_postgresql.dbapi as pg

        with pg.connect(cluster.dsn(), autocommit=True) as con, con.cursor() as cur:
            cur.execute("ALTER DATABASE core_sql SET log_statement = 'all'")
        from monitor.demo import create_demo_accounts, load_demo

        a, b = open_store(dsn), open_store(dsn)
        load_demo(a)
        create_demo_accounts(a)
        save_note(b, replace(_seed_note(b), explanation="核对语句"), ADMIN)
        with a.transaction() as con:
            a.touched(con, 2023, [SEED_PROJECT])
            con.execute("UPDATE monthly SET spent = spent + 1 WHERE year = 2023 AND project_code = ? AND month = 10", [SEED_PROJECT])
        compute_status(b, 2023, 10, actor=ADMIN)
        backup.backup(a, ADMIN, tmp_path / "b.zip")
        backup.restore(b, ADMIN, tmp_path / "b.zip")
        compute_status(a, 2023, 10, actor=ADMIN)
        log = (cluster.dir / "log").read_text(encoding="utf-8", errors="replace")
    statements = [" ".join(m.split()) for m in re.findall(r"(?:statement|execute [^:]*): (.*?)(?=\n\S|\Z)", log, re.DOTALL)]
    # the driver reads every result as binary COPY of the query
    statements = [re.sub(r"^COPY \((.*)\) TO STDOUT \(FORMAT binary\)$", r"\1", s) for s in statements]
    assert len(statements) > 100
    odd = sorted({s[:160] for s in statements if not CORE_SQL.match(s)})
    assert not odd, "\n".join(odd)
    assert not any("ON CONFLICT" in s or "LISTEN" in s or "NOTIFY" in s or "::" in s.split(" FROM pg_catalog")[0] for s in statements
                   if "pg_catalog" not in s)


REVIEWER = """
import sys, time
from pathlib import Path
from monitor import rounds
from monitor.access import PAGE, Actor
from monitor.errors import StateConflict
from monitor.store import open_store

dsn, action, folder, version = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
store = open_store(dsn)
dept = Actor("qypzgh", PAGE, "department", "青云谱区总工会")
(folder / f"{{action}}.ready").touch()
while not (folder / "go").exists():
    time.sleep(0.005)
try:
    if action == "approve":
        rounds.approve(store, dept, 2023, 10, "{seed}", version)
    else:
        rounds.send_back(store, dept, 2023, 10, "{seed}", version, "凭证不全，请补充")
    print("done", flush=True)
except StateConflict as exc:
    print("refused", "已被" in str(exc) or "不能" in str(exc), flush=True)
"""


def test_a_department_approving_and_returning_one_submission_from_two_processes_gets_one_outcome(pg_demo: str, tmp_path: Path) -> None:
    from datetime import date

    from monitor import rounds
    from monitor.access import PAGE, Actor

    store = open_store(pg_demo)
    rounds.open_task(store, Actor("jixiaoke", PAGE, "bureau"), 2023, 10, date(2023, 11, 10))
    sub = rounds.submit(store, Actor("qypzgh-cw", PAGE, "unit", "青云谱区总工会", "青云谱区总工会"), 2023, 10, SEED_PROJECT, 0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = {a: subprocess.Popen([sys.executable, "-c", REVIEWER.format(seed=SEED_PROJECT), pg_demo, a, str(tmp_path), str(sub.version)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for a in ("approve", "send_back")}
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"{a}.ready").exists() for a in procs):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs.values())
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outs = {a: p.communicate(timeout=60) for a, p in procs.items()}
    assert all(p.returncode == 0 for p in procs.values()), {a: e for a, (_, e) in outs.items()}
    results = {a: out.strip() for a, (out, _) in outs.items()}
    assert sorted(results.values()) == ["done", "refused True"], results
    winner = next(a for a, r in results.items() if r == "done")
    now = rounds.submission(open_store(pg_demo), Actor("admin"), 2023, 10, SEED_PROJECT)
    assert now.state == (rounds.DEPT_APPROVED if winner == "approve" else rounds.RETURNED) and now.version == sub.version + 1


def test_indicators_imported_by_two_processes_in_turn_never_share_an_id(pg_demo: str, tmp_path: Path) -> None:
    """An indicator's id is numbered by the write from the rows it sees: process b, which read a's
    import for those projects only, still numbers after a's ids."""
    from builders import INDICATOR_HEADER, PROJECT_HEADER, write

    from monitor.demo import DEMO_DIR
    from monitor.importer import import_path

    a, b = open_store(pg_demo), open_store(pg_demo)
    b.data_version()
    import_path(a, DEMO_DIR, actor=ADMIN)  # the demo's indicators again, under new ids
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "项目", PROJECT_HEADER, [[2023, "新部门", "新单位", "NEW-1", "新项目", "10", "10"]])
    write(folder, "绩效指标", INDICATOR_HEADER, [[2023, "NEW-1", "产出指标", "数量指标", f"指标{i}", "≥10人", ""] for i in range(30)])
    import_path(b, folder, actor=ADMIN)
    for store in (a, b, open_store(pg_demo)):
        ids = store.df("SELECT indicator_id FROM indicators")["indicator_id"]
        assert ids.notna().all() and ids.is_unique and len(ids) == 50 + 30
    assert b.df("SELECT min(indicator_id) AS m FROM indicators WHERE project_code = 'NEW-1'")["m"][0] > \
        a.df("SELECT max(indicator_id) AS m FROM indicators WHERE project_code <> 'NEW-1'")["m"][0]


def test_the_key_log_keeps_only_the_versions_a_reader_can_still_ask_for(pg_demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import adbc_driver_postgresql.dbapi as pg

    import monitor.pgstore as pgstore

    monkeypatch.setattr(pgstore, "MAX_VERSIONS_BEHIND", 2)
    monkeypatch.setattr(pgstore, "PRUNE_EVERY", 1)
    a, b, behind = open_store(pg_demo), open_store(pg_demo), open_store(pg_demo)
    behind.df("SELECT count(*) FROM notes")
    for i in range(6):
        save_note(a, replace(_seed_note(a), explanation=f"第{i}次"), ADMIN)
        assert _seed_note(b).explanation == f"第{i}次"  # b, one version behind each time, reads by key
    with pg.connect(pg_demo, autocommit=True) as con, con.cursor() as cur:
        cur.execute("SELECT min(version), max(version) FROM monitor_sync_keys WHERE name = 'notes'")
        low, high = cur.fetchall()[0]
    assert high - low <= 2  # the versions kept: those two back and the last
    whole = _whole_reads(monkeypatch)
    assert _seed_note(behind).explanation == "第5次"  # six versions behind: read whole
    assert "notes" in whole
    assert all(c.same for c in compare(a, behind))
