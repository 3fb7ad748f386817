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

from monitor.errors import MonitorError, StoreBusy
from monitor.store import SCHEMA_VERSION, Store


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
    demo_store.set_rules(demo_store.get_rules())
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
