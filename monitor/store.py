"""The DuckDB store: the only module that opens a connection.

Sharing one file between the dashboard and the CLI
---------------------------------------------------
DuckDB lets one process at a time open a database file for writing. So the store does not hold a
connection: every unit of work (a query, an import, saving a note) opens the file, does its work
and closes it again. A CLI import can therefore run while the dashboard is open; if the two collide
at the same instant, the later one waits and retries for a few seconds and then fails with
`StoreBusy` (a Chinese message saying to try again), never with a half-written database. The
dashboard caches computed results keyed by the database's `data_version`, which every write bumps,
so a page shows new data on its next run after an import from either side.

An in-memory store (":memory:") keeps its single connection, which makes test fixtures three lines.

Money is DECIMAL(18,2) 元. Indicator values are DECIMAL(18,6) in the target's own unit (up to 10^12).
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import DiskFull, MonitorError, StoreBusy

SCHEMA_VERSION = 9

# Migrations from the first release on: MIGRATIONS[v] takes a database from version v to v + 1.
MIGRATIONS: dict[int, list[str]] = {
    0: [
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "CREATE TABLE departments (department_name VARCHAR PRIMARY KEY)",
        """CREATE TABLE units (department_name VARCHAR NOT NULL, unit_name VARCHAR NOT NULL,
               PRIMARY KEY (department_name, unit_name))""",
        """CREATE TABLE projects (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, project_name VARCHAR NOT NULL,
               department_name VARCHAR NOT NULL, unit_name VARCHAR NOT NULL,
               start_date DATE, end_date DATE,
               budget_initial DECIMAL(18,2) NOT NULL, budget_adjusted DECIMAL(18,2) NOT NULL,
               annual_goal VARCHAR, content VARCHAR,
               PRIMARY KEY (year, project_code))""",
        """CREATE TABLE monthly (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, month INTEGER NOT NULL,
               spent DECIMAL(18,2) NOT NULL, arrived DECIMAL(18,2), planned DECIMAL(18,2),
               PRIMARY KEY (year, project_code, month))""",
        """CREATE TABLE indicators (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, name VARCHAR NOT NULL,
               seq INTEGER NOT NULL, level1 VARCHAR NOT NULL, level2 VARCHAR NOT NULL,
               target_text VARCHAR NOT NULL, target_op VARCHAR, target_value DECIMAL(18,6),
               target_unit VARCHAR, nature VARCHAR NOT NULL, weight DECIMAL(9,2),
               adjust_type VARCHAR NOT NULL DEFAULT '原指标', explanation VARCHAR,
               original_name VARCHAR, original_target VARCHAR,
               PRIMARY KEY (year, project_code, name))""",
        """CREATE TABLE progress (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL,
               month INTEGER NOT NULL, stage_text VARCHAR, stage_value DECIMAL(18,6),
               actual_text VARCHAR, actual_value DECIMAL(18,6), actual_status VARCHAR,
               PRIMARY KEY (year, project_code, indicator_name, month))""",
        """CREATE TABLE notes (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL,
               month INTEGER NOT NULL, problem VARCHAR, causes VARCHAR NOT NULL DEFAULT '', explanation VARCHAR,
               likelihood VARCHAR, measure_type VARCHAR, measure VARCHAR, owner VARCHAR,
               due_month INTEGER, status VARCHAR, version INTEGER NOT NULL DEFAULT 1,
               updated_at TIMESTAMP, updated_by VARCHAR,
               PRIMARY KEY (year, project_code, indicator_name, month))""",
        "CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    ],
    # Integer join keys for the status (see `rekey`): an indicator id, the progress row's indicator
    # id and the month its report is superseded, so the latest actual is a filter, not a group-by.
    1: [
        "CREATE SEQUENCE IF NOT EXISTS indicator_ids",
        "ALTER TABLE indicators ADD COLUMN indicator_id BIGINT DEFAULT nextval('indicator_ids')",
        "ALTER TABLE progress ADD COLUMN indicator_id BIGINT",
        "ALTER TABLE progress ADD COLUMN reported_until INTEGER",
        "REKEY",
    ],
    # The audit trail (monitor/audit.py): insert-only, written in the transaction of each change.
    2: [
        "CREATE SEQUENCE IF NOT EXISTS audit_ids",
        """CREATE TABLE audit (
               id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'), changed_at TIMESTAMP NOT NULL,
               actor VARCHAR NOT NULL, source VARCHAR NOT NULL, kind VARCHAR NOT NULL, target VARCHAR NOT NULL,
               old_value VARCHAR, new_value VARCHAR)""",
    ],
    # Many people, one monitoring round: accounts and sessions, who sees which project (assignments,
    # 重点监控), the round's tasks, each project's submission state, the evaluator's opinions, the
    # evidence behind each actual, attachments, and the frozen copy of each closed month.
    3: [
        """CREATE TABLE users (
               name VARCHAR PRIMARY KEY, display_name VARCHAR, role VARCHAR NOT NULL,
               department_name VARCHAR, unit_name VARCHAR, password_hash VARCHAR,
               disabled BOOLEAN NOT NULL DEFAULT false, failed_logins INTEGER NOT NULL DEFAULT 0,
               locked_until TIMESTAMP, sso_subject VARCHAR, created_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE sessions (
               token_hash VARCHAR PRIMARY KEY, user_name VARCHAR NOT NULL,
               created_at TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL)""",
        """CREATE TABLE assignments (user_name VARCHAR NOT NULL, year INTEGER NOT NULL, project_code VARCHAR NOT NULL,
               PRIMARY KEY (user_name, year, project_code))""",
        """CREATE TABLE key_projects (year INTEGER NOT NULL, project_code VARCHAR NOT NULL,
               PRIMARY KEY (year, project_code))""",
        """CREATE TABLE tasks (
               year INTEGER NOT NULL, month INTEGER NOT NULL, owner VARCHAR NOT NULL, due_date DATE NOT NULL,
               key_only BOOLEAN NOT NULL DEFAULT false, opened_by VARCHAR NOT NULL, opened_at TIMESTAMP NOT NULL,
               closed_by VARCHAR, closed_at TIMESTAMP,
               PRIMARY KEY (year, month, owner))""",
        """CREATE TABLE task_projects (
               year INTEGER NOT NULL, month INTEGER NOT NULL, project_code VARCHAR NOT NULL, owner VARCHAR NOT NULL,
               due_date DATE NOT NULL, PRIMARY KEY (year, month, project_code))""",
        """CREATE TABLE submissions (
               year INTEGER NOT NULL, month INTEGER NOT NULL, project_code VARCHAR NOT NULL, state VARCHAR NOT NULL,
               version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL,
               return_reason VARCHAR, returned_by VARCHAR, returned_at TIMESTAMP,
               needs_fix BOOLEAN NOT NULL DEFAULT false, fix_request VARCHAR, fix_result VARCHAR,
               submitted VARCHAR, previously_submitted VARCHAR,
               PRIMARY KEY (year, month, project_code))""",
        """CREATE TABLE opinions (
               year INTEGER NOT NULL, month INTEGER NOT NULL, project_code VARCHAR NOT NULL,
               indicator_name VARCHAR NOT NULL, text VARCHAR NOT NULL, version INTEGER NOT NULL,
               updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL,
               PRIMARY KEY (year, month, project_code, indicator_name))""",
        "CREATE SEQUENCE IF NOT EXISTS attachment_ids",
        """CREATE TABLE attachments (
               id BIGINT PRIMARY KEY DEFAULT nextval('attachment_ids'), year INTEGER NOT NULL, month INTEGER NOT NULL,
               project_code VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
               mime VARCHAR NOT NULL, size BIGINT NOT NULL, content BLOB NOT NULL,
               uploaded_at TIMESTAMP NOT NULL, uploaded_by VARCHAR NOT NULL)""",
        """CREATE TABLE snapshots (
               year INTEGER NOT NULL, month INTEGER NOT NULL, closed_at TIMESTAMP NOT NULL, closed_by VARCHAR NOT NULL,
               content BLOB NOT NULL, PRIMARY KEY (year, month))""",
        "ALTER TABLE progress ADD COLUMN evidence VARCHAR",
        "ALTER TABLE notes ADD COLUMN year_end VARCHAR",
        "ALTER TABLE audit ADD COLUMN year INTEGER",
        "ALTER TABLE audit ADD COLUMN project_code VARCHAR",
    ],
    # Which projects' figures each data version changed (see Store.touched): a page that holds the
    # status of an older version recomputes only those projects instead of a whole province.
    4: [
        """CREATE TABLE changes (version BIGINT NOT NULL, year INTEGER, project_code VARCHAR)""",
        "CREATE INDEX changes_version ON changes (version)",
    ],
    # What a monitoring report says besides figures (monitor/project_facts.py): a project's 项目背景,
    # 立项依据, adjusted total target, monitoring body and 合规性 finding, kept apart from `projects` so
    # that re-importing an old workbook (without these columns) never wipes what was written in the
    # browser; its 资金来源 rows (as known at a month: the split of the budget and the spend to that
    # month's end); and its dated 工作进展.
    5: [
        """CREATE TABLE project_facts (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, background VARCHAR, basis VARCHAR,
               goal_adjusted BOOLEAN, adjusted_goal VARCHAR, monitor_body VARCHAR, third_party VARCHAR,
               compliance VARCHAR, version INTEGER NOT NULL DEFAULT 1, updated_at TIMESTAMP, updated_by VARCHAR,
               PRIMARY KEY (year, project_code))""",
        """CREATE TABLE fund_sources (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, month INTEGER NOT NULL, source VARCHAR NOT NULL,
               seq INTEGER NOT NULL, initial DECIMAL(18,2), added DECIMAL(18,2), cut DECIMAL(18,2),
               adjusted DECIMAL(18,2) NOT NULL, spent DECIMAL(18,2),
               PRIMARY KEY (year, project_code, month, source))""",
        """CREATE TABLE activities (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, seq INTEGER NOT NULL,
               start_date DATE NOT NULL, end_date DATE, month_only BOOLEAN NOT NULL DEFAULT false,
               title VARCHAR NOT NULL, text VARCHAR,
               PRIMARY KEY (year, project_code, seq))""",
    ],
    # 6 → 7: a person's wording of one generated paragraph of a project's report (monitor/report_edits.py),
    # kept with the generated text it replaced so the page can tell when the figures have moved since
    6: [
        """CREATE TABLE report_edits (
               year INTEGER NOT NULL, month INTEGER NOT NULL, project_code VARCHAR NOT NULL, key VARCHAR NOT NULL,
               text VARCHAR NOT NULL, base_text VARCHAR NOT NULL, version INTEGER NOT NULL DEFAULT 1,
               updated_at TIMESTAMP, updated_by VARCHAR,
               PRIMARY KEY (year, month, project_code, key))""",
    ],
    # 7 → 8: the evaluator's 效率性/效益性/公平性分析 of a project (seed 004 §四（四）), words of the report
    7: [
        "ALTER TABLE project_facts ADD COLUMN efficiency VARCHAR",
        "ALTER TABLE project_facts ADD COLUMN effectiveness VARCHAR",
        "ALTER TABLE project_facts ADD COLUMN fairness VARCHAR",
    ],
    # 8 → 9: the three big tables lose their primary-key indexes. Keeping a composite VARCHAR key's
    # index up to date cost a province import (3.2M rows) about 2.4 s of its 5.6 s of writing, and
    # nothing reads through it: the status joins by hash and filters by zone maps. Their keys stay
    # unique because every write of them goes through one of the two paths that keep them so
    # (Store.upsert, which deletes each incoming key first; Store.put_row, which updates or inserts),
    # and PostgreSQL keeps the keys as primary keys (NATURAL_KEYS). DuckDB cannot drop a constraint,
    # so each table is built again with the same columns in the same order. An indicator's id is
    # numbered by the write that adds it (Store.upsert) rather than drawn from a sequence: nextval
    # cost a quarter of a second per million indicators, and each PostgreSQL process's mirror held
    # a sequence of its own.
    8: [
        """CREATE TABLE monthly_9 (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, month INTEGER NOT NULL,
               spent DECIMAL(18,2) NOT NULL, arrived DECIMAL(18,2), planned DECIMAL(18,2))""",
        "INSERT INTO monthly_9 SELECT year, project_code, month, spent, arrived, planned FROM monthly",
        "DROP TABLE monthly",
        "ALTER TABLE monthly_9 RENAME TO monthly",
        """CREATE TABLE indicators_9 (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, name VARCHAR NOT NULL,
               seq INTEGER NOT NULL, level1 VARCHAR NOT NULL, level2 VARCHAR NOT NULL,
               target_text VARCHAR NOT NULL, target_op VARCHAR, target_value DECIMAL(18,6),
               target_unit VARCHAR, nature VARCHAR NOT NULL, weight DECIMAL(9,2),
               adjust_type VARCHAR NOT NULL DEFAULT '原指标', explanation VARCHAR,
               original_name VARCHAR, original_target VARCHAR, indicator_id BIGINT)""",
        """INSERT INTO indicators_9 SELECT year, project_code, name, seq, level1, level2, target_text, target_op,
               target_value, target_unit, nature, weight, adjust_type, explanation, original_name, original_target,
               indicator_id FROM indicators""",
        "DROP TABLE indicators",
        "ALTER TABLE indicators_9 RENAME TO indicators",
        "DROP SEQUENCE indicator_ids",
        """CREATE TABLE progress_9 (
               year INTEGER NOT NULL, project_code VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL,
               month INTEGER NOT NULL, stage_text VARCHAR, stage_value DECIMAL(18,6),
               actual_text VARCHAR, actual_value DECIMAL(18,6), actual_status VARCHAR,
               indicator_id BIGINT, reported_until INTEGER, evidence VARCHAR)""",
        """INSERT INTO progress_9 SELECT year, project_code, indicator_name, month, stage_text, stage_value,
               actual_text, actual_value, actual_status, indicator_id, reported_until, evidence FROM progress""",
        "DROP TABLE progress",
        "ALTER TABLE progress_9 RENAME TO progress",
    ],
}

# The derived keys of progress rows, recomputed after every write that touches indicators or progress.
# reported_until: for a row that reports an actual, the month of the indicator's next report (13 if
# none), so "the latest actual at or before month M" is `month <= M AND reported_until > M`.
REKEY_SQL = """
UPDATE progress SET indicator_id = k.indicator_id, reported_until = k.reported_until
FROM (
  SELECT g.year, g.project_code, g.indicator_name, g.month, i.indicator_id,
    CASE WHEN g.reported THEN coalesce(lead(g.month) OVER (
      PARTITION BY g.year, g.project_code, g.indicator_name, g.reported ORDER BY g.month), 13) END AS reported_until
  FROM (SELECT *, actual_value IS NOT NULL OR actual_status IS NOT NULL AS reported FROM progress
        WHERE {scope}) g
  LEFT JOIN indicators i ON i.year = g.year AND i.project_code = g.project_code AND i.name = g.indicator_name
) k
WHERE progress.year = k.year AND progress.project_code = k.project_code
  AND progress.indicator_name = k.indicator_name AND progress.month = k.month
  AND (progress.indicator_id IS DISTINCT FROM k.indicator_id OR progress.reported_until IS DISTINCT FROM k.reported_until)
"""

# The natural keys of the tables that hold no primary-key index in DuckDB (schema 9): unique all the
# same, and primary keys in PostgreSQL (monitor/pgstore.py).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "monthly": ("year", "project_code", "month"),
    "indicators": ("year", "project_code", "name"),
    "progress": ("year", "project_code", "indicator_name", "month"),
}

# The tables whose rows get an id from the write that adds them (see Store.upsert), and its column.
NUMBERED = {"indicators": "indicator_id"}

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "projects": ("year", "project_code"),
    **NATURAL_KEYS,
    "notes": ("year", "project_code", "indicator_name", "month"),
}


@dataclass(frozen=True)
class Facts:
    """Small facts about the data that pages read on every run (see Store.facts)."""

    projects: dict[int, int]  # year → number of projects
    last_month: dict[int, int]  # year → the last month anything was reported for (a reported 0 counts)
    last_spend_month: dict[int, int]  # year → the last month with spend
    closed: dict[tuple[int, int], str]  # (year, month) → when it was closed
    rules_json: str | None  # the rules stored for every year without its own, None for the defaults
    point: tuple[int, int] | None  # the declared monitoring point (year, month)
    rules_stored: dict[str, str] = field(default_factory=dict)  # every stored rule set: settings key → text

    def rules_for(self, year: int) -> str | None:
        """The stored rules in force for `year` (see rules.stored_for), None for the defaults."""
        from .rules import stored_for

        return stored_for(self.rules_stored, year)

    @property
    def years(self) -> list[int]:
        return sorted(self.projects)

    @property
    def default_year(self) -> int | None:
        """As Store.default_year: the monitoring point's year, else the year with the most projects."""
        if self.point and self.point[0] in self.projects:
            return self.point[0]
        return max(self.projects, key=lambda y: (self.projects[y], y)) if self.projects else None

    def monitoring_month(self, year: int) -> int | None:
        """As Store.monitoring_month."""
        if self.point and self.point[0] == year:
            return self.point[1]
        return self.last_spend_month.get(year, self.last_month.get(year))


class Store:
    """A DuckDB database file (or ":memory:") holding the monitoring data."""

    def __init__(self, path: str | Path = "data/monitor.duckdb", busy_timeout: float = 10.0):
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self._memory: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        if self.path == ":memory:":
            self._memory = duckdb.connect(":memory:")
            self._memory.execute("SET enable_progress_bar = false")
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.migrate()

    # -- connections -------------------------------------------------------------------------
    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one unit of work; closed afterwards (see the module docstring)."""
        if self._memory is not None:
            with self._lock:
                yield self._memory
            return
        deadline = time.monotonic() + self.busy_timeout
        restarted = False
        while True:
            try:
                with _opening_lock(self.path):
                    con = duckdb.connect(self.path)
                con.execute("SET enable_progress_bar = false")  # never draw bars into a server log
                break
            except duckdb.FatalException as exc:
                # A failed write (a full disk) invalidates the database instance DuckDB keeps per file in
                # this process; it lives on until the last reference to a connection of it is collected
                # (a traceback can hold one). Collect, and the next connect opens the file afresh and
                # replays its log. Once only: a second failure is a real problem with the file.
                if restarted:
                    raise MonitorError(f"数据库文件「{self.path}」无法使用：{exc}。请联系管理员检查磁盘和文件。") from exc
                restarted = True
                gc.collect()
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    if "lock" in str(exc).lower():
                        raise StoreBusy(f"数据库文件「{self.path}」正被另一个程序写入（如正在导入数据），请稍后重试。") from exc
                    raise _io_error(self.path, exc) from exc
                time.sleep(0.1)
        try:
            yield con
        finally:
            con.close()

    def is_free(self) -> bool:
        """Whether the file can be opened right now (no waiting): another process may hold it."""
        if self._memory is not None:
            return True
        try:
            with _opening_lock(self.path):
                duckdb.connect(self.path).close()
            return True
        except duckdb.IOException:
            return False

    @contextlib.contextmanager
    def transaction(self, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: everything inside commits together or not at all; bumps data_version.

        Writers of one file in this process take turns (`_writer_lock`). DuckDB runs concurrent
        transactions optimistically and refuses the later of two that touched one row — and every
        write moves the one data_version row — so two people saving two different notes at the same
        moment would otherwise have one of them refused for nothing. (Another process is kept out
        by DuckDB's file lock anyway.) A note's own version check still decides who was first.

        A write that fails for want of disk space ends in `DiskFull`, never in DuckDB's own error,
        and leaves the store usable for the next attempt once space is freed.
        """
        try:
            with _writer_lock(self.path if self._memory is None else f":memory:{id(self)}"), self.connect() as con:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    if bump:
                        version = self.data_version_on(con) + 1
                        con.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [str(version)])
                        self._log_changes(con, version, _PENDING.__dict__.pop(id(con), None))
                    con.execute("COMMIT")
                except BaseException:
                    _PENDING.__dict__.pop(id(con), None)
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:
                        pass  # the transaction is gone already (the failed COMMIT ended it, or the database was invalidated)
                    raise
        except (duckdb.IOException, duckdb.FatalException) as exc:
            raise _io_error(self.path, exc) from exc
        except duckdb.TransactionException as exc:
            # a COMMIT whose log cannot be written fails as a transaction error; any other (a
            # conflict) is the caller's to handle
            if _disk_full(str(exc)):
                raise _io_error(self.path, exc) from exc
            raise

    # -- what a data version changed ---------------------------------------------------------
    @staticmethod
    def touched(con: duckdb.DuckDBPyConnection, year: int | None, codes: list[str] | tuple[str, ...] = ()) -> None:
        """Declare, inside a transaction, the projects whose figures it changes (none: it changes no
        figure, such as a note or a state). A transaction that declares nothing may have changed any."""
        _PENDING.__dict__.setdefault(id(con), []).extend((year, str(c)) for c in codes)

    @staticmethod
    def _log_changes(con: duckdb.DuckDBPyConnection, version: int, pending: list[tuple[int | None, str]] | None) -> None:
        if pending is None or len(pending) > MAX_LOGGED_PROJECTS:
            con.execute("INSERT INTO changes VALUES (?, NULL, NULL)", [version])  # anything may have changed
        elif not pending:
            con.execute("INSERT INTO changes VALUES (?, NULL, '')", [version])  # no figure changed
        else:
            con.executemany("INSERT INTO changes VALUES (?, ?, ?)", [[version, y, c] for y, c in dict.fromkeys(pending)])

    def changed_projects(self, year: int, since: int, until: int) -> set[str] | None:
        """The projects whose figures of `year` the versions after `since` up to `until` changed, or
        None when that cannot be told (a version wrote without saying, changed last year's figures,
        which the projections read, or is not logged): then everything must be computed again."""
        with self.connect() as con:
            rows = con.execute("SELECT version, year, project_code FROM changes WHERE version > ? AND version <= ?",
                               [since, until]).fetchall()
        if len({r[0] for r in rows}) != until - since:
            return None
        out: set[str] = set()
        for _, y, code in rows:
            if code is None or y == year - 1:
                return None
            if y == year and code:
                out.add(code)
        return out

    def write(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A transaction that changes no figure (accounts, sessions): the data version stays, so no
        page recomputes anything because somebody logged in."""
        return self.transaction(bump=False)

    def migrate(self) -> None:
        with self.connect() as con:
            con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise MonitorError(f"数据库「{self.path}」来自更新的版本（结构版本{version}），请升级本软件后再打开。")
            while version < SCHEMA_VERSION:
                con.execute("BEGIN TRANSACTION")
                self.run_migration(con, version)
                version += 1
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
                con.execute("COMMIT")

    def run_migration(self, con: duckdb.DuckDBPyConnection, version: int) -> None:
        """The statements that take a database from `version` to `version + 1` (inside a transaction)."""
        for sql in MIGRATIONS[version]:
            if sql == "REKEY":
                self.rekey(con)
            else:
                con.execute(sql)

    def schema_version(self) -> int:
        return int(self.scalar("SELECT value FROM meta WHERE key = 'schema_version'") or 0)

    def data_version(self) -> int:
        with self.connect() as con:
            return self.data_version_on(con)

    @staticmethod
    def _meta_int(con: duckdb.DuckDBPyConnection, key: str) -> int:
        rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return int(rows[0][0]) if rows else 0

    @staticmethod
    def keys_version_on(con: duckdb.DuckDBPyConnection) -> int:
        """Moves on whenever indicator ids may have changed (every `rekey`); notes and settings leave it."""
        return Store._meta_int(con, "keys_version")

    @staticmethod
    def data_version_on(con: duckdb.DuckDBPyConnection) -> int:
        """The data version as seen by an open connection (every write bumps it)."""
        return Store._meta_int(con, "data_version")

    # -- reads -------------------------------------------------------------------------------
    def df(self, sql: str, params: list[object] | dict[str, object] | None = None) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def dfs(self, queries: list[tuple[str, list[object]]]) -> list[pd.DataFrame]:
        """Several queries on one connection (one file open for a whole status computation)."""
        with self.connect() as con:
            return [con.execute(sql, params).df() for sql, params in queries]

    def scalar(self, sql: str, params: list[object] | None = None) -> object:
        with self.connect() as con:
            row = con.execute(sql, params or []).fetchone()
            return row[0] if row else None

    def is_empty(self) -> bool:
        return not self.scalar("SELECT count(*) FROM projects")

    def years(self) -> list[int]:
        return [int(y) for y in self.df("SELECT DISTINCT year FROM projects ORDER BY year")["year"]]

    def monitoring_month(self, year: int) -> int | None:
        """The month a user looks at by default: the declared monitoring point of that year if
        there is one (e.g. 1-10月 while December's spend is already in), else the latest month with data."""
        text = self.scalar("SELECT value FROM settings WHERE key = 'monitoring_point'")
        if text:
            y, m = (int(x) for x in str(text).split("-"))
            if y == year:
                return m
        return self.latest_month(year)

    def set_monitoring_point(self, year: int, month: int | None) -> None:
        """Declare (or with None, clear) the monitoring point: the year and month reports default to."""
        with self.transaction() as con:
            if month is None:
                con.execute("DELETE FROM settings WHERE key = 'monitoring_point'")
            else:
                if not 1 <= month <= 12:
                    raise MonitorError(f"监控月份应为1到12，而不是{month}")
                con.execute("INSERT OR REPLACE INTO settings VALUES ('monitoring_point', ?)", [f"{year}-{month}"])

    def default_year(self) -> int | None:
        """The year a new session opens on: the declared monitoring point's, else the year with the
        most projects (one stray project of another year does not move everyone's default), the
        later of two equal ones."""
        text = self.scalar("SELECT value FROM settings WHERE key = 'monitoring_point'")
        years = self.df("SELECT year, count(*) AS n FROM projects GROUP BY year ORDER BY n DESC, year DESC")
        if text and int(str(text).split("-")[0]) in set(years["year"]):
            return int(str(text).split("-")[0])
        return int(years["year"].iloc[0]) if len(years) else None

    def last_data_month(self, year: int) -> int | None:
        """The last month of `year` any project reported spend for (a reported 0 counts); None if none."""
        m = self.scalar("SELECT max(month) FROM monthly WHERE year = ?", [year])
        return None if m is None else int(m)

    def latest_month(self, year: int) -> int | None:
        m = self.scalar("SELECT max(month) FROM monthly WHERE year = ? AND spent <> 0", [year])
        if m is None:
            m = self.scalar("SELECT max(month) FROM monthly WHERE year = ?", [year])
        return None if m is None else int(m)

    def facts(self) -> Facts:
        """What every page needs to know before any figure, read on one connection: opening the file
        for each of these costs more than the query (~0.03 s each for a province)."""
        with self.connect() as con:
            counts = con.execute("SELECT year, count(*) FROM projects GROUP BY year").fetchall()
            months = con.execute("SELECT year, max(month), max(CASE WHEN spent <> 0 THEN month END) FROM monthly GROUP BY year").fetchall()
            closed = con.execute("SELECT year, month, CAST(closed_at AS VARCHAR) FROM snapshots").fetchall()
            settings = dict(con.execute("SELECT key, value FROM settings WHERE key IN ('rules', 'monitoring_point') "
                                        "OR starts_with(key, 'rules:')").fetchall())
        point = settings.get("monitoring_point")
        return Facts(
            projects={int(y): int(n) for y, n in counts}, last_month={int(y): int(m) for y, m, _ in months},
            last_spend_month={int(y): int(s_) for y, _, s_ in months if s_ is not None},
            closed={(int(y), int(m)): at for y, m, at in closed}, rules_json=settings.get("rules"),
            point=None if not point else (int(point.split("-")[0]), int(point.split("-")[1])),
            rules_stored={k: v for k, v in settings.items() if k == "rules" or k.startswith("rules:")})

    def table_counts(self) -> dict[str, int]:
        with self.connect() as con:
            return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLE_KEYS}  # noqa: S608 - fixed names

    # -- bulk writes -------------------------------------------------------------------------
    def upsert(self, con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
               money: tuple[str, ...] = (), micro: tuple[str, ...] = (), hundredths: tuple[str, ...] = ()) -> int:
        """Replace rows with the same natural key, insert the rest (inside a transaction).

        Exact values arrive as integers: `money` in 分, `micro` in millionths, `hundredths` in
        hundredths; DECIMAL × DECIMAL stays exact in DuckDB (a division would turn into DOUBLE).
        """
        if table not in TABLE_KEYS:
            raise ValueError(table)
        if frame.empty:
            return 0
        keys = TABLE_KEYS[table]
        incoming: pd.DataFrame | pa.Table = frame
        try:
            # DuckDB scans an Arrow table in parallel, a pandas frame in one thread: a province's
            # monthly spend inserts in 0.11 s instead of 0.25, its progress in 0.19 s instead of 0.40
            incoming = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass  # a column of mixed Python objects: DuckDB reads the frame itself as before
        if table in NUMBERED:
            # ids after every id the table holds, even those of the rows this write replaces, so no
            # id stands for two indicators at once (writers take turns: see transaction)
            top = con.execute(f"SELECT coalesce(max({NUMBERED[table]}), 0) FROM {table}").fetchall()[0][0]  # noqa: S608
            ids = pa.array(np.arange(int(top) + 1, int(top) + 1 + len(frame), dtype=np.int64))
            incoming = (incoming.append_column(NUMBERED[table], ids) if isinstance(incoming, pa.Table)
                        else incoming.assign(**{NUMBERED[table]: ids.to_numpy()}))
        cols = list(incoming.column_names if isinstance(incoming, pa.Table) else incoming.columns)
        con.register("_incoming", incoming)
        try:
            match = " AND ".join(f"t.{k} = i.{k}" for k in keys)
            con.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _incoming i WHERE {match})")  # noqa: S608
            exprs = [
                f"CAST({c} AS DECIMAL(18,0)) * 0.01" if c in money or c in hundredths
                else f"CAST({c} AS DECIMAL(18,0)) * 0.000001" if c in micro else c
                for c in cols
            ]
            con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM _incoming")  # noqa: S608
        finally:
            con.unregister("_incoming")
        return len(frame)

    @staticmethod
    def put_row(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, object]) -> None:
        """Set the given columns of the row with `row`'s natural key, or insert the row (inside a
        transaction). The one-row write of the tables without a key index, where INSERT … ON
        CONFLICT has no index to find the conflict by; writers take turns, so nothing comes between
        the update and the insert."""
        keys = TABLE_KEYS[table]
        where = " AND ".join(f"{k} = ?" for k in keys)
        sets = [c for c in row if c not in keys]
        updated = con.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in sets)} WHERE {where}",  # noqa: S608 - names from code
                              [row[c] for c in sets] + [row[k] for k in keys]).fetchall()
        if not updated or not updated[0][0]:
            con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
                        list(row.values()))

    def rekey(self, con: duckdb.DuckDBPyConnection, projects: pd.DataFrame | None = None) -> None:
        """Bring the derived keys of progress rows up to date (inside the writing transaction).

        `projects` (year, project_code) limits the work to the projects a write touched; an
        indicator written again gets a new id, so its progress rows are keyed anew.
        """
        con.execute("INSERT OR REPLACE INTO meta VALUES ('keys_version', CAST(? AS VARCHAR))", [self.keys_version_on(con) + 1])
        if projects is None:
            con.execute(REKEY_SQL.replace("{scope}", "true"))
            return
        con.register("_touched", projects[["year", "project_code"]].drop_duplicates())
        try:
            con.execute(REKEY_SQL.replace("{scope}", "(year, project_code) IN (SELECT year, project_code FROM _touched)"))
        finally:
            con.unregister("_touched")

    def refresh_hierarchy(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("DELETE FROM units")
        con.execute("DELETE FROM departments")
        con.execute("INSERT INTO departments SELECT DISTINCT department_name FROM projects")
        con.execute("INSERT INTO units SELECT DISTINCT department_name, unit_name FROM projects")



# The projects a transaction of this thread declared it changes (Store.touched), by connection.
_PENDING = threading.local()
MAX_LOGGED_PROJECTS = 5000  # more than this in one write: logged as "anything changed"

_WRITER_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _writer_lock(path: str) -> threading.RLock:
    """One lock per database file in this process, whichever Store object writes to it (re-entrant:
    a write inside a write of the same thread does not wait for itself)."""
    return _per_file(_WRITER_LOCKS, path, threading.RLock)


_OPENING_LOCKS: dict[str, threading.Lock] = {}


def _opening_lock(path: str) -> threading.Lock:
    """One lock per database file in this process, held while a connection to it is made. DuckDB
    keeps one database instance per file while any connection to it is open; a connection made by
    one thread while another thread's connection is setting up a fresh instance can find the Python
    client's table functions missing ("Table Function with name python_arrow_scan does not exist"
    on the next registered Arrow table). Seen once in 141 pages of the 20-user benchmark; ten
    threads opening, registering and closing with bare duckdb.connect fail tens of times in 2,400
    tries, and none once the connects take turns. Through Store (which runs a statement before any
    registration) no test has reproduced it, so this lock is a precaution without a test of its
    own; it costs nothing measurable, a connection takes milliseconds."""
    return _per_file(_OPENING_LOCKS, path, threading.Lock)


def _per_file(locks: dict[str, Any], path: str, make: Callable[[], Any]) -> Any:
    """The lock of `locks` for the database file at `path` (however the path is written), made on first use."""
    key = path if path.startswith(":memory:") else str(Path(path).resolve())
    with _LOCKS_GUARD:
        return locks.setdefault(key, make())


def _disk_full(text: str) -> bool:
    return "No space left" in text or "ENOSPC" in text or "disk full" in text.lower()


def _io_error(path: str, exc: BaseException) -> MonitorError:
    """DuckDB's I/O failures in words a user can act on."""
    text = str(exc)
    if _disk_full(text):
        return DiskFull(f"磁盘空间不足，写入数据库文件「{path}」失败，本次修改没有完成。请清理服务器磁盘空间后重试"
                        "（重新导入同一文件不会重复计数）。")
    return MonitorError(f"无法读写数据库文件「{path}」：{text}")


def open_store(target: str | Path, busy_timeout: float = 10.0) -> Store:
    """The store a `--db` / MONITOR_DB names: PostgreSQL for postgresql://…, else a DuckDB file
    (or ":memory:")."""
    from .pgstore import PgStore, is_postgres

    if is_postgres(str(target)):
        return PgStore(str(target), busy_timeout)
    return Store(target, busy_timeout)
