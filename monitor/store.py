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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import audit
from .access import Actor
from .errors import DiskFull, MonitorError, NoteConflict, StoreBusy

SCHEMA_VERSION = 3

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

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "projects": ("year", "project_code"),
    "monthly": ("year", "project_code", "month"),
    "indicators": ("year", "project_code", "name"),
    "progress": ("year", "project_code", "indicator_name", "month"),
    "notes": ("year", "project_code", "indicator_name", "month"),
}

CAUSES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
MEASURE_TYPES = ("加快执行", "调整实施计划", "调减预算并同步调整绩效目标", "暂缓拨款", "停止拨款并收回统筹", "暂停项目实施", "其他")
MEASURE_STATUSES = ("未开始", "进行中", "已完成")


@dataclass(frozen=True)
class Note:
    """A monitoring note: the cause of a deviation and what is done about it."""

    year: int
    project_code: str
    indicator_name: str  # "" = the project's money
    month: int
    problem: str = ""  # a short title, e.g. 资金执行率偏低; the report groups §五 by it
    causes: tuple[str, ...] = ()
    explanation: str = ""
    likelihood: str = ""
    measure_type: str = ""
    measure: str = ""
    owner: str = ""
    due_month: int | None = None
    status: str = ""
    version: int = 0  # 0 = not yet saved
    updated_at: datetime | None = None
    updated_by: str = ""

    def contents(self) -> dict[str, object]:
        """What a person wrote, JSON-ready (the audit trail keeps it before and after each save)."""
        return {"问题": self.problem, "偏差原因": list(self.causes), "原因说明": self.explanation,
                "完成目标可能性": self.likelihood, "措施类型": self.measure_type, "纠偏措施": self.measure,
                "责任人": self.owner, "完成时限": self.due_month, "措施状态": self.status}

    @property
    def is_open(self) -> bool:
        return bool(self.measure or self.measure_type) and self.status != "已完成"


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
            duckdb.connect(self.path).close()
            return True
        except duckdb.IOException:
            return False

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: everything inside commits together or not at all; bumps data_version.

        A write that fails for want of disk space ends in `DiskFull`, never in DuckDB's own error,
        and leaves the store usable for the next attempt once space is freed.
        """
        try:
            with self.connect() as con:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    con.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('data_version', CAST(COALESCE((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'data_version'), 0) + 1 AS VARCHAR))"
                    )
                    con.execute("COMMIT")
                except BaseException:
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:
                        pass  # the transaction is gone already (the failed COMMIT ended it, or the database was invalidated)
                    raise
        except (duckdb.IOException, duckdb.FatalException) as exc:
            raise _io_error(self.path, exc) from exc

    def migrate(self) -> None:
        with self.connect() as con:
            con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise MonitorError(f"数据库「{self.path}」来自更新的版本（结构版本{version}），请升级本软件后再打开。")
            while version < SCHEMA_VERSION:
                con.execute("BEGIN TRANSACTION")
                for sql in MIGRATIONS[version]:
                    if sql == "REKEY":
                        self.rekey(con)
                    else:
                        con.execute(sql)
                version += 1
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
                con.execute("COMMIT")

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
        cols = list(frame.columns)
        con.register("_incoming", frame)
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

    # -- notes -------------------------------------------------------------------------------
    def notes(self, year: int, project_code: str | None = None, month: int | None = None) -> list[Note]:
        sql = "SELECT * FROM notes WHERE year = ?"
        params: list[object] = [year]
        if project_code is not None:
            sql += " AND project_code = ?"
            params.append(project_code)
        if month is not None:
            sql += " AND month <= ?"
            params.append(month)
        frame = self.df(sql + " ORDER BY project_code, month, indicator_name", params)
        return [_note_from_row(r) for r in frame.to_dict("records")]

    def save_note(self, note: Note, actor: Actor) -> Note:
        """Save a note if nobody changed it since it was read (note.version); else NoteConflict.

        Two saves of one note at the same instant collide inside DuckDB ("Conflict on tuple
        deletion"); the loser gets the same NoteConflict as a stale form, and nothing is overwritten.
        """
        _check_note(note)
        key = [note.year, note.project_code, note.indicator_name, note.month]
        try:
            with self.transaction() as con:
                row = con.execute(
                    "SELECT version, updated_by, updated_at FROM notes WHERE year=? AND project_code=? AND indicator_name=? AND month=?",
                    key).fetchone()
                current = int(row[0]) if row else 0
                if current != note.version:
                    who = f"（{row[1]}，{row[2]:%Y-%m-%d %H:%M}）" if row and row[1] and row[2] else ""
                    raise NoteConflict(f"{NOTE_CONFLICT_HEAD}{who}{NOTE_CONFLICT_TAIL}")
                before = None if row is None else _note_from_row(
                    con.execute("SELECT * FROM notes WHERE year=? AND project_code=? AND indicator_name=? AND month=?", key).df()
                    .to_dict("records")[0])
                now = datetime.now().replace(microsecond=0)
                saved = Note(**{**note.__dict__, "version": current + 1, "updated_at": now, "updated_by": actor.name})
                con.execute("DELETE FROM notes WHERE year=? AND project_code=? AND indicator_name=? AND month=?", key)
                con.execute(
                    "INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [saved.year, saved.project_code, saved.indicator_name, saved.month, saved.problem, "、".join(saved.causes),
                     saved.explanation, saved.likelihood, saved.measure_type, saved.measure, saved.owner,
                     saved.due_month, saved.status, saved.version, saved.updated_at, saved.updated_by],
                )
                audit.record(con, actor, "说明", f"{note.year}年{note.month}月 {note.project_code} {note.indicator_name or '项目资金'}",
                             None if before is None else before.contents(), saved.contents(), at=now)
        except duckdb.TransactionException as exc:
            if "conflict" not in str(exc).lower():
                raise
            raise NoteConflict(f"{NOTE_CONFLICT_HEAD}（刚刚同时保存）{NOTE_CONFLICT_TAIL}") from exc
        return saved


NOTE_CONFLICT_HEAD = "这条说明已被他人修改"
NOTE_CONFLICT_TAIL = "，您的修改未保存，以免覆盖对方的内容。您填写的内容仍保留在表单中；请载入对方的最新内容后重新修改。"


def _io_error(path: str, exc: BaseException) -> MonitorError:
    """DuckDB's I/O failures in words a user can act on."""
    text = str(exc)
    if "No space left" in text or "ENOSPC" in text or "Disk full" in text.lower():
        return DiskFull(f"磁盘空间不足，写入数据库文件「{path}」失败，本次修改没有完成。请清理服务器磁盘空间后重试"
                        "（重新导入同一文件不会重复计数）。")
    return MonitorError(f"无法读写数据库文件「{path}」：{text}")


def _note_from_row(r: dict[str, object]) -> Note:
    def s(v: object) -> str:
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    due = r.get("due_month")
    return Note(
        year=int(r["year"]), project_code=str(r["project_code"]), indicator_name=s(r["indicator_name"]),
        month=int(r["month"]), problem=s(r.get("problem")), causes=tuple(c for c in s(r["causes"]).split("、") if c),
        explanation=s(r["explanation"]), likelihood=s(r["likelihood"]), measure_type=s(r["measure_type"]),
        measure=s(r["measure"]), owner=s(r["owner"]),
        due_month=None if due is None or pd.isna(due) else int(due), status=s(r["status"]),  # type: ignore[arg-type]
        version=int(r["version"]), updated_at=None if pd.isna(r["updated_at"]) else r["updated_at"],  # type: ignore[arg-type]
        updated_by=s(r.get("updated_by")),
    )


def _check_note(note: Note) -> None:
    bad = [c for c in note.causes if c not in CAUSES]
    if bad:
        raise MonitorError(f"偏差原因「{'、'.join(bad)}」不在可选范围内（{'、'.join(CAUSES)}）")
    if note.likelihood and note.likelihood not in LIKELIHOODS:
        raise MonitorError(f"完成目标可能性应为 {'、'.join(LIKELIHOODS)} 之一")
    if note.measure_type and note.measure_type not in MEASURE_TYPES:
        raise MonitorError(f"纠偏措施类型应为 {'、'.join(MEASURE_TYPES)} 之一")
    if note.status and note.status not in MEASURE_STATUSES:
        raise MonitorError(f"措施状态应为 {'、'.join(MEASURE_STATUSES)} 之一")
    if note.due_month is not None and not 1 <= note.due_month <= 12:
        raise MonitorError("完成时限月份应为1到12")
    if note.likelihood == "完全不可能" and not (note.measure or note.measure_type):
        raise MonitorError("完成目标可能性为「完全不可能」时，必须填写纠偏措施")
