"""The store: schema versions, the shared file between dashboard and CLI, exact money."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from monitor import rulebook
from monitor.access import ADMIN
from monitor.errors import MonitorError, StoreBusy
from monitor.store import SCHEMA_VERSION, Store

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL


def test_a_new_database_is_at_the_current_schema_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.duckdb")
    assert store.schema_version() == SCHEMA_VERSION
    Store(tmp_path / "m.duckdb")  # opening again migrates nothing and keeps the data
    assert store.schema_version() == SCHEMA_VERSION


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.duckdb"
    Store(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    with pytest.raises(MonitorError, match="更新的版本"):
        Store(path)


def test_money_is_stored_as_exact_decimals(demo_store: Store) -> None:
    with demo_store.connect() as con:
        typ, total = con.execute(
            "SELECT typeof(spent), sum(spent) FROM monthly WHERE project_code = '360104-ZGH-2023-001' GROUP BY ALL").fetchone()
    assert typ == "DECIMAL(18,2)" and total == Decimal("1345368.00")  # 元


def test_every_write_moves_the_data_version_on(demo_store: Store) -> None:
    before = demo_store.data_version()
    rulebook.save(demo_store, rulebook.load(demo_store), ADMIN)
    assert demo_store.data_version() == before + 1


def test_a_writer_holding_the_file_makes_another_process_wait_then_fail_clearly(tmp_path: Path) -> None:
    path = tmp_path / "m.duckdb"
    Store(path)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("locked", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        t = time.perf_counter()
        with pytest.raises(StoreBusy, match="正被另一个程序写入"):
            Store(path, busy_timeout=0.5)
        assert time.perf_counter() - t >= 0.5
    finally:
        holder.kill()
        holder.wait()


def test_the_demo_opens_at_its_monitoring_point_1_to_10(demo_store: Store) -> None:
    assert demo_store.latest_month(2023) == 12  # seed 000's units report the whole year
    assert demo_store.monitoring_month(2023) == 10
    demo_store.set_monitoring_point(2023, None)
    assert demo_store.monitoring_month(2023) == 12


def test_a_database_of_the_first_release_is_migrated_and_keeps_its_figures(tmp_path: Path) -> None:
    from monitor.status import compute_status
    from monitor.store import MIGRATIONS

    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    for sql in MIGRATIONS[0]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO projects (year, project_code, project_name, department_name, unit_name, budget_initial, budget_adjusted)"
                " VALUES (2023, 'P1', '项目一', '部门甲', '单位甲', 4900000, 4900000)")
    con.execute("INSERT INTO monthly VALUES (2023, 'P1', 10, 1345368, NULL, NULL)")
    con.execute("INSERT INTO indicators (year, project_code, name, seq, level1, level2, target_text, target_op, target_value,"
                " target_unit, nature) VALUES (2023, 'P1', '培训人次', 0, '产出指标', '数量指标', '≥100人', '>=', 100, '人', 'cumulative')")
    con.execute("INSERT INTO progress (year, project_code, indicator_name, month, actual_text, actual_value)"
                " VALUES (2023, 'P1', '培训人次', 7, '40', 40), (2023, 'P1', '培训人次', 9, '70', 70)")
    con.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION == 9
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert st.project("P1")["rate_bp"] == 2746
    row = st.project_indicators("P1").iloc[0]
    assert (row["name"], row["actual_micro"], row["reported_month"]) == ("培训人次", 70_000_000, 9)


def test_a_database_of_version_5_gains_the_report_facts_and_keeps_its_data(tmp_path: Path) -> None:
    """Version 5 (before project facts, sources of funds and activities) opens, migrates, and imports them."""
    from monitor.demo import DEMO_DIR
    from monitor.importer import import_path
    from monitor.store import MIGRATIONS

    path = tmp_path / "v5.duckdb"
    con = duckdb.connect(str(path))
    for v in range(5):
        for sql in MIGRATIONS[v]:
            if sql != "REKEY":
                con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '5')")
    con.execute("INSERT INTO projects (year, project_code, project_name, department_name, unit_name, budget_initial, budget_adjusted)"
                " VALUES (2023, '360104-ZGH-2023-001', '工会经费项目', '青云谱区总工会', '青云谱区总工会', 4900000, 4900000)")
    con.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.scalar("SELECT budget_adjusted FROM projects") == 4900000
    assert store.scalar("SELECT count(*) FROM project_facts") == 0
    import_path(store, DEMO_DIR, actor=ADMIN)
    assert store.scalar("SELECT count(*) FROM activities WHERE project_code = '360104-ZGH-2023-001'") == 9
    assert store.scalar("SELECT sum(adjusted) FROM fund_sources WHERE month = 10") == 4900000
    assert store.scalar("SELECT goal_adjusted FROM project_facts WHERE project_code = '360104-ZGH-2023-001'") is True


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 24 MB file system of its own, so a test can fill it (needs root, as in CI)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_an_import_onto_a_full_disk_says_so_and_the_next_import_works_once_space_is_freed(small_disk: Path, tmp_path: Path) -> None:
    import shutil

    from monitor.demo import load_demo
    from monitor.errors import DiskFull
    from monitor.importer import import_path
    from monitor.synthetic import generate, write_csv

    store = Store(small_disk / "m.duckdb")
    load_demo(store)
    folder = write_csv(generate(3000, seed=1), tmp_path / "big")
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 200_000))
    with pytest.raises(DiskFull, match="磁盘空间不足"):
        import_path(store, folder, actor=ADMIN)
    filler.unlink()
    assert store.table_counts()["projects"] == 6  # nothing of the failed import, the demo intact
    import_path(store, folder, actor=ADMIN)
    assert store.table_counts()["projects"] == 3006


def test_a_month_filled_twice_and_the_demo_imported_again_leave_one_row_per_key(demo_store: Store) -> None:
    """monthly, indicators and progress carry no key index (schema 9): their writers keep each key to one row."""
    from dataclasses import replace

    from monitor import filling
    from monitor.demo import DEMO_DIR, SEED_PROJECT
    from monitor.importer import import_path
    from monitor.store import NATURAL_KEYS

    import_path(demo_store, DEMO_DIR, actor=ADMIN)
    # October's actuals are stored (updated twice), November's are not (inserted, then updated)
    for month, wan, done in ((10, "22.0882", "90%"), (10, "23.0882", "95%"), (11, "1.5", "97%"), (11, "2.5", "99%")):
        entry = filling.month_entry(demo_store, ADMIN, 2023, month, SEED_PROJECT)
        actuals = tuple(replace(a, actual=done) if a.indicator_name == "上解上级工会经费工作完成率" else a for a in entry.actuals)
        filling.save_month(demo_store, ADMIN, replace(entry, spent_wan=wan, actuals=actuals))
    with demo_store.connect() as con:
        for table, keys in NATURAL_KEYS.items():
            doubled = con.execute(f"SELECT count(*) FROM (SELECT {', '.join(keys)} FROM {table} GROUP BY ALL HAVING count(*) > 1)").fetchone()
            assert doubled == (0,), table
        spent = con.execute("SELECT month, spent FROM monthly WHERE project_code = ? AND month IN (10, 11) ORDER BY month",
                            [SEED_PROJECT]).fetchall()
        actual = con.execute("SELECT month, actual_text FROM progress WHERE project_code = ? "
                             "AND indicator_name = '上解上级工会经费工作完成率' ORDER BY month", [SEED_PROJECT]).fetchall()
    assert spent == [(10, Decimal("230882.00")), (11, Decimal("25000.00"))]
    assert actual == [(10, "95%"), (11, "99%")]


def test_the_three_big_tables_hold_no_key_index_and_postgresql_keeps_their_keys(tmp_path: Path) -> None:
    from monitor.pgstore import _catalog

    store = Store(tmp_path / "m.duckdb")
    with store.connect() as con:
        indexed = {r[0] for r in con.execute("SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
        catalog = _catalog(con)
    assert {"monthly", "indicators", "progress"}.isdisjoint(indexed) and {"projects", "notes"} <= indexed
    assert catalog["progress"].keys == ("year", "project_code", "indicator_name", "month")
    assert "PRIMARY KEY (year, project_code, indicator_name, month)" in catalog["progress"].ddl


def test_a_frame_arrow_cannot_take_is_still_written_whole(tmp_path: Path) -> None:
    """upsert hands DuckDB an Arrow table; a column of mixed Python objects (a number and a text)
    has none, and DuckDB reads the frame itself."""
    import pandas as pd

    store = Store(tmp_path / "m.duckdb")
    frame = pd.DataFrame({"year": [2023, 2023], "project_code": ["P1", "P2"], "project_name": ["一", "二"],
                          "department_name": ["部门"] * 2, "unit_name": ["单位"] * 2, "budget_initial": [100, 200],
                          "budget_adjusted": [100, 200], "annual_goal": [490, "完成培训"]})
    with store.transaction() as con:
        assert store.upsert(con, "projects", frame, money=("budget_initial", "budget_adjusted")) == 2
    assert store.df("SELECT project_code, budget_adjusted, annual_goal FROM projects ORDER BY 1").values.tolist() == [
        ["P1", Decimal("1.00"), "490"], ["P2", Decimal("2.00"), "完成培训"]]
