"""PostgreSQL as the shared store; DuckDB as each process's computing engine.

A province runs several dashboard processes over one database. PostgreSQL (or a compatible domestic
database: KingbaseES, openGauss) holds every table; each process keeps a *mirror* of the tables in
a DuckDB database of its own, and every existing query — the status, the reports, the pages' reads —
runs on the mirror unchanged, at DuckDB's speed. The mirror is a DuckDB file in a private temporary
folder, removed with the store: stored compressed as the bureau's own file is, the status runs on it
as fast as on that file (measured: in memory it was 1.1–1.4× slower at 100,000 projects, and a
province's mirror held in each process's memory costs ~0.3 GB more per process).
`MONITOR_MIRROR=memory` keeps it in memory instead.

Reading. Before each unit of work (`connect`) the process reads one small table from PostgreSQL,
`monitor_sync`: a version per table, moved by every commit that changed that table. Tables whose
version moved since the mirror last read them are read again (as Arrow, through ADBC's PostgreSQL
driver) in one REPEATABLE READ snapshot, so the mirror never mixes two commits. A table only ever
appended to since (the audit trail, the change log) is read from its last key on, not whole; the
tables of project rows (the figures, notes, opinions, states …) are read again for only the projects
the writes since changed, which each write logs in `monitor_sync_keys` (kept about a thousand
versions long per table). So a change made by another process is seen on this process's next page run.

Writing. A transaction (`transaction`) first takes the row lock of `monitor_sync`'s "*" row in
PostgreSQL (SELECT … FOR UPDATE): writers of every process take turns, as writers of one DuckDB file
do, so a note's or a state's version check (read, compare, write) cannot interleave with another
process's. With the lock held the mirror is brought up to date, then the code of the transaction runs
on the mirror in a DuckDB transaction — the same SQL as on a file. Before its first change each table
is set aside as (rowid, fingerprint, key) of its rows (a table without a key: copied whole); at the
end the difference (rows added or changed, keys removed) is sent to
PostgreSQL, the tables' versions are moved, and PostgreSQL commits before the mirror does. If
anything fails, both roll back: an import stays all-or-nothing.

What PostgreSQL sees is plain SQL that PostgreSQL-compatible databases accept: CREATE TABLE with
VARCHAR/INTEGER/BIGINT/NUMERIC/DATE/TIMESTAMP/BOOLEAN/BYTEA and a primary key, SELECT … FOR UPDATE,
DELETE … USING, INSERT … SELECT, temporary tables and COPY (ADBC's bulk load); no extension.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .backup import SEQUENCES, _advance
from .errors import MonitorError, StoreBusy
from .store import _PENDING, NATURAL_KEYS, SCHEMA_VERSION, Store

SYNC = "monitor_sync"
# The (year, project_code) each write changed in a table of project rows (the figures, notes, opinions,
# submissions, facts …), by the table's version: another process reads only those projects' rows
# again. Without it one unit's fill or note would make every process read a province's million
# progress rows or all its notes. Beyond the bounds, reading whole is simpler.
SYNC_KEYS = "monitor_sync_keys"
MIRROR_ON_DISK = os.environ.get("MONITOR_MIRROR", "disk") == "disk"
MAX_VERSIONS_BEHIND = 1000
# Every this many versions of a table, its logged keys that no reader can ask for any more are removed.
PRUNE_EVERY = 100
# How long a write waits for the writers' lock at least. A page gives a DuckDB file 2 s (the wait is
# for a CLI import); here the wait is mostly for other people's saves, queued across processes — with
# 10 users at once on 2 cores, 3 of 61 note saves waited more than 2 s and were told to try again.
MIN_LOCK_WAIT_S = 10.0
MAX_PROJECTS_BY_KEY = 500
# Tables whose rows are only ever appended, by a growing key: read from the last key on.
APPEND_KEYS = {"audit": "id", "changes": "version"}
# A statement that writes a table: the table it names (checked against the known tables).
WRITES = re.compile(r"\b(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
PG_TYPES = {"BLOB": "BYTEA", "DOUBLE": "DOUBLE PRECISION", "HUGEINT": "NUMERIC(38,0)"}


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def label(dsn: str) -> str:
    """The address without user or password, for messages."""
    u = urlsplit(dsn)
    return f"{u.hostname or 'localhost'}:{u.port or 5432}{u.path}"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]  # the primary key; every column for a table without one
    ddl: str  # CREATE TABLE in PostgreSQL's words

    @property
    def cols(self) -> str:
        return ", ".join(self.columns)


def _catalog(con: duckdb.DuckDBPyConnection) -> dict[str, Table]:
    """The mirror's tables, described for PostgreSQL."""
    out: dict[str, Table] = {}
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()]
    for name in names:
        cols = con.execute("SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                           "WHERE table_name = ? AND database_name = current_database() AND schema_name = 'main' ORDER BY column_index", [name]).fetchall()
        pk = con.execute("SELECT constraint_column_names FROM duckdb_constraints() "
                         "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY' AND schema_name = 'main' AND database_name = current_database()", [name]).fetchall()
        # a table the mirror holds without a key index (store.NATURAL_KEYS) has its primary key here
        keys = tuple(pk[0][0]) if pk else NATURAL_KEYS.get(name, tuple(c for c, _, _ in cols))
        parts = [f"{c} {PG_TYPES.get(t, t)}{'' if n else ' NOT NULL'}" for c, t, n in cols]
        if pk or name in NATURAL_KEYS:
            parts.append(f"PRIMARY KEY ({', '.join(keys)})")
        out[name] = Table(name, tuple(c for c, _, _ in cols), keys, f"CREATE TABLE {name} ({', '.join(parts)})")
    return out


class _Watched:
    """A mirror connection whose statements are shown to `_see` before they run; everything else
    is DuckDB's own."""

    _con: duckdb.DuckDBPyConnection

    def _see(self, sql: str) -> None:
        raise NotImplementedError

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        self._see(sql)
        return self._con.execute(sql) if params is None else self._con.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> duckdb.DuckDBPyConnection:
        self._see(sql)
        return self._con.executemany(sql, params)

    def sql(self, query: str, **kwargs: Any) -> duckdb.DuckDBPyRelation:
        self._see(query)
        return self._con.sql(query, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


class _Tracked(_Watched):
    """The mirror's connection inside a transaction: sets a table aside before its first change
    (see `_see`), so the change can be sent to PostgreSQL as a difference."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: dict[str, Table]):
        self._con = con
        self._tables = tables
        self.changed: list[str] = []
        # append-only tables only appended to so far: their last key before the transaction (the
        # difference is the rows after it; copying a growing audit trail for each save would not be)
        self.tails: dict[str, int] = {}
        # tables with a primary key, set aside as (rowid, hash of the row, key) rather than copied
        # whole: a unit's fill must not copy a province's million progress rows before each save
        self.hashed: set[str] = set()

    def _see(self, sql: str) -> None:
        for verb, name in WRITES.findall(sql):
            name = name.lower()
            if name not in self._tables:
                continue
            key = APPEND_KEYS.get(name)
            if name not in self.changed:
                self._con.complete()  # a result the caller left unread is done with: it is issuing a new statement
                self.changed.append(name)
                if key and verb.upper().startswith("INSERT"):
                    self.tails[name] = self._con.execute(f"SELECT coalesce(max({key}), -1) FROM {name}").fetchall()[0][0]  # type: ignore[index]  # noqa: S608
                    continue
                t = self._tables[name]
                if t.keys != t.columns:
                    self._con.execute(f"CREATE TEMP TABLE _before_{name} AS SELECT rowid AS _rid, {_row_hash(t)} AS _h, "  # noqa: S608
                                      f"{', '.join(t.keys)} FROM {name}")
                    self.hashed.add(name)
                else:
                    self._con.execute(f"CREATE TEMP TABLE _before_{name} AS SELECT * FROM {name}")  # noqa: S608 - catalog names
            elif name in self.tails and not verb.upper().startswith("INSERT"):
                self._con.complete()
                top = self.tails.pop(name)  # rows up to the old last key are the table as it was
                self._con.execute(f"CREATE TEMP TABLE _before_{name} AS SELECT * FROM {name} WHERE {key} <= ?", [top])  # noqa: S608


def _row_hash(t: Table) -> str:
    """A row's fingerprint. DuckDB keeps a row's rowid through an UPDATE of its other columns and gives
    rows inserted in the transaction new ones, so a row whose (rowid, fingerprint) is unchanged is
    unchanged (64 bits: a changed row passing for unchanged is a 1-in-2^64 chance per row)."""
    return f"hash({t.cols})"


class _ReadOnly(_Watched):
    """The mirror outside a transaction. A write here would change this process's copy and never
    reach PostgreSQL, so it is refused loudly instead of being lost quietly."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: dict[str, Table]):
        self._con = con
        self._tables = tables

    def _see(self, sql: str) -> None:
        if any(name.lower() in self._tables for _, name in WRITES.findall(sql)):
            raise MonitorError("内部错误：修改数据必须在事务中进行（store.transaction），本次修改未保存。")


class _Pool:
    """PostgreSQL connections kept for reuse (ADBC's DB-API has no pool; opening one costs ~5 ms,
    more than a page's sync check). A connection that failed is closed, not kept."""

    def __init__(self, dsn: str, keep: int = 8):
        self.dsn, self.keep = dsn, keep
        self._idle: list[Any] = []
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def get(self) -> Iterator[Any]:
        import adbc_driver_postgresql.dbapi as pg

        with self._guard:
            con = self._idle.pop() if self._idle else None
        if con is None:
            try:
                con = pg.connect(self.dsn, autocommit=True)
            except Exception as exc:  # noqa: BLE001 - the driver's errors carry no stable class
                raise MonitorError(f"无法连接数据库服务器「{label(self.dsn)}」：{exc}。请检查数据库服务是否运行、地址和密码是否正确。") from exc
        try:
            yield con
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            raise
        with self._guard:
            if len(self._idle) < self.keep:
                self._idle.append(con)
                return
        con.close()

    def close(self) -> None:
        with self._guard:
            for con in self._idle:
                with contextlib.suppress(Exception):
                    con.close()
            self._idle.clear()


def _fetch(cur: Any, sql: str, params: tuple[object, ...] | None = None) -> pa.Table:
    cur.execute(sql, parameters=params)
    return cur.fetch_arrow_table()


class PgStore(Store):
    """The monitoring data in PostgreSQL, computed on in a DuckDB mirror (see the module docstring)."""

    def __init__(self, dsn: str, busy_timeout: float = 10.0):
        self.path = dsn
        self.busy_timeout = busy_timeout
        self._memory = None
        self._lock = threading.RLock()  # the mirror's writers of this process (sync and transactions)
        self._pool = _Pool(dsn)
        self._mirror_dir = _mirror_folder() if MIRROR_ON_DISK else None
        self._db = duckdb.connect(str(Path(self._mirror_dir) / "mirror.duckdb") if self._mirror_dir else ":memory:")
        self._db.execute("SET enable_progress_bar = false")
        # the mirror is this process's scratch copy: gone with the store, or at exit at the latest
        self._discard = weakref.finalize(self, _discard, self._db, self._pool, self._mirror_dir)
        self._seen: dict[str, tuple[int, int]] = {}  # table → (version, full_version) the mirror holds
        self._open()

    @property
    def label(self) -> str:
        return label(self.path)

    # -- schema --------------------------------------------------------------------------------
    def _build_mirror(self, version: int) -> None:
        """The mirror's tables as the migrations leave them at `version` (empty)."""
        for v in range(version):
            self.run_migration(self._db, v)
        self.tables = _catalog(self._db)

    def _open(self) -> None:
        with self._pool.get() as pg, contextlib.closing(pg.cursor()) as cur:
            cur.execute("BEGIN")
            try:
                cur.execute(f"CREATE TABLE IF NOT EXISTS {SYNC} (name VARCHAR PRIMARY KEY, version BIGINT NOT NULL, "
                            "full_version BIGINT NOT NULL)")
                cur.execute(f"CREATE TABLE IF NOT EXISTS {SYNC_KEYS} (name VARCHAR NOT NULL, version BIGINT NOT NULL, "
                            "year INTEGER NOT NULL, project_code VARCHAR NOT NULL)")
                cur.execute(f"CREATE INDEX IF NOT EXISTS {SYNC_KEYS}_version ON {SYNC_KEYS} (version)")
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
            cur.execute("BEGIN")
            try:
                # one process at a time creates or upgrades the schema; the others wait here
                cur.execute(f"LOCK TABLE {SYNC} IN EXCLUSIVE MODE")
                cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = current_schema()")
                exists = cur.fetchall()[0][0] > 0
                stored = 0
                if exists:
                    cur.execute("SELECT value FROM meta WHERE key = 'schema_version'")
                    rows = cur.fetchall()
                    stored = int(rows[0][0]) if rows else 0
                if stored > SCHEMA_VERSION:
                    raise MonitorError(f"数据库「{self.label}」来自更新的版本（结构版本{stored}），请升级本软件后再打开。")
                self._build_mirror(stored if exists else 0)
                if not exists or stored < SCHEMA_VERSION:
                    if exists:
                        self._load(cur, list(self.tables), full=True)
                    self._upgrade(cur, stored, exists)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        if not self._seen:
            self._sync()

    def _upgrade(self, cur: Any, stored: int, exists: bool) -> None:
        """Bring the mirror to this version's schema and make PostgreSQL's tables that schema, with
        the mirror's rows (inside the caller's PostgreSQL transaction: all or nothing)."""
        con = self._db
        old = dict(self.tables) if exists else {}
        version = stored
        while version < SCHEMA_VERSION:
            self.run_migration(con, version)
            version += 1
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        self.tables = _catalog(con)
        for name in old:
            cur.execute(f"DROP TABLE {name}")
        for t in self.tables.values():
            cur.execute(t.ddl)
            self._send(cur, t, con.sql(f"SELECT {t.cols} FROM {t.name}").to_arrow_table())  # noqa: S608
        cur.execute("CREATE INDEX IF NOT EXISTS changes_version ON changes (version)")
        cur.execute(f"DELETE FROM {SYNC}")
        cur.execute(f"DELETE FROM {SYNC_KEYS}")  # versions start again at 1: a logged key of before must not pass for one of after
        for name in [*self.tables, "*"]:
            cur.execute(f"INSERT INTO {SYNC} VALUES ($1, 1, 1)", parameters=(name,))
        self._seen = {name: (1, 1) for name in self.tables}

    # -- reading PostgreSQL into the mirror ------------------------------------------------------
    def _remote_versions(self, cur: Any) -> dict[str, tuple[int, int]]:
        cur.execute(f"SELECT name, version, full_version FROM {SYNC}")
        return {n: (int(v), int(f)) for n, v, f in cur.fetchall()}

    def _stale(self, remote: dict[str, tuple[int, int]]) -> tuple[list[str], list[str]]:
        """Tables to read whole, and append-only tables to read from their last key on."""
        full, tail = [], []
        for name in self.tables:
            now, seen = remote.get(name), self._seen.get(name)
            if now is None or now == seen:
                continue
            if seen is not None and name in APPEND_KEYS and now[1] == seen[1]:
                tail.append(name)
            else:
                full.append(name)
        return full, tail

    def _sync(self, cur: Any = None) -> None:
        """Bring the mirror up to the latest commit (`cur`: a cursor inside a transaction that holds
        the writers' lock; else a snapshot of its own is taken)."""
        if cur is not None:
            self._apply(cur, self._remote_versions(cur))
            return
        with self._pool.get() as pg, contextlib.closing(pg.cursor()) as c:
            if not any(self._stale(self._remote_versions(c))):
                return
            with self._lock:
                c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                try:
                    self._apply(c, self._remote_versions(c))
                finally:
                    c.execute("ROLLBACK")  # read only

    def _apply(self, cur: Any, remote: dict[str, tuple[int, int]]) -> None:
        full, tail = self._stale(remote)
        if not full and not tail:
            return
        keyed = {n: k for n in full if self._keyed(n) and n in self._seen
                 and (k := self._logged_keys(cur, n, self._seen[n][0], remote[n][0])) is not None}
        full = [n for n in full if n not in keyed]
        self._db.execute("BEGIN TRANSACTION")
        try:
            for name, keys in keyed.items():
                self._load_projects(cur, [name], keys)
            self._load(cur, full, full=True)
            self._load(cur, tail, full=False)
            # the mirror's sequences drawn past the ids other processes added
            for table, (sequence, column) in SEQUENCES.items():
                if table in full or table in tail:
                    _advance(self._db, sequence, table, column)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._seen.update({name: remote[name] for name in full + tail + list(keyed)})

    def _keyed(self, name: str) -> bool:
        """A table of project rows whose writes log the projects they changed (see SYNC_KEYS)."""
        return name not in APPEND_KEYS and {"year", "project_code"} <= set(self.tables[name].keys)

    def _logged_keys(self, cur: Any, name: str, seen: int, now: int) -> list[tuple[int, str]] | None:
        """The projects the versions of `name` after `seen` up to `now` changed; None when a version
        left no keys (it changed more projects than are worth reading one by one) or is too far back."""
        if now - seen > MAX_VERSIONS_BEHIND:
            return None
        cur.execute(f"SELECT version, year, project_code FROM {SYNC_KEYS} WHERE name = $1 AND version > $2 AND version <= $3",
                    parameters=(name, seen, now))
        log = cur.fetchall()
        if len({v for v, _, _ in log}) != now - seen:
            return None
        codes = sorted({(int(y), str(c)) for _, y, c in log})
        return codes if len(codes) <= MAX_PROJECTS_BY_KEY else None

    def _load_projects(self, cur: Any, names: list[str], codes: list[tuple[int, str]]) -> None:
        """Read again only the rows of the changed projects (one unit's fill must not make every
        process read a province's million progress rows)."""
        if not codes:
            return
        con = self._db
        con.register("_codes", pa.table({"year": [y for y, _ in codes], "project_code": [c for _, c in codes]}))
        try:
            for name in names:
                t = self.tables[name]
                con.execute(f"DELETE FROM {name} WHERE (year, project_code) IN (SELECT year, project_code FROM _codes)")  # noqa: S608
                marks = ", ".join(f"(CAST(${2 * i + 1} AS INTEGER), ${2 * i + 2})" for i in range(len(codes)))
                data = _fetch(cur, f"SELECT {t.cols} FROM {name} WHERE (year, project_code) IN ({marks})",  # noqa: S608
                              tuple(v for pair in codes for v in pair))
                self._insert(t, data)
        finally:
            con.unregister("_codes")

    def _load(self, cur: Any, names: list[str], full: bool) -> None:
        con = self._db
        for name in names:
            t = self.tables[name]
            if full:
                data = _fetch(cur, f"SELECT {t.cols} FROM {name}")  # noqa: S608 - catalog names
                con.execute(f"DELETE FROM {name}")  # noqa: S608
            else:
                key = APPEND_KEYS[name]
                top = con.execute(f"SELECT coalesce(max({key}), -1) FROM {name}").fetchall()[0][0]  # type: ignore[index]  # noqa: S608
                data = _fetch(cur, f"SELECT {t.cols} FROM {name} WHERE {key} > $1", (int(top),))  # noqa: S608
            self._insert(t, data)

    def _insert(self, t: Table, rows: pa.Table) -> None:
        """Rows read from PostgreSQL into the mirror's table (numbers arrive as text: the insert casts)."""
        if not rows.num_rows:
            return
        self._db.register("_pg_rows", rows)
        try:
            self._db.execute(f"INSERT INTO {t.name} ({t.cols}) SELECT {t.cols} FROM _pg_rows")  # noqa: S608
        finally:
            self._db.unregister("_pg_rows")

    # -- the Store's seam ------------------------------------------------------------------------
    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._sync()
        con = self._db.cursor()
        try:
            yield _ReadOnly(con, self.tables)  # type: ignore[misc]
        finally:
            con.close()

    def migrate(self) -> None:
        """The schema is brought up to date when the store is opened (see `_open`)."""

    def is_free(self) -> bool:
        return True

    @contextlib.contextmanager
    def transaction(self, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:  # type: ignore[override]
        with self._lock, self._pool.get() as pg, contextlib.closing(pg.cursor()) as cur:
            # catch up before queueing for the writers' lock, so that the lock is held only for what
            # the other writers committed meanwhile: every process's saves wait on this one lock
            self._sync()
            cur.execute("BEGIN")
            con = self._db.cursor()
            tracked = _Tracked(con, self.tables)
            try:
                cur.execute(f"SET LOCAL lock_timeout = '{int(max(self.busy_timeout, MIN_LOCK_WAIT_S) * 1000)}ms'")
                try:
                    cur.execute(f"SELECT version FROM {SYNC} WHERE name = '*' FOR UPDATE")  # writers take turns
                    cur.fetchall()  # the driver runs a query when its rows are read: wait for the lock here
                except Exception as exc:
                    if "lock timeout" in str(exc).lower():
                        raise StoreBusy(f"数据库「{self.label}」正被另一个操作写入（如正在导入数据），请稍后重试。") from exc
                    raise
                self._sync(cur)
                con.execute("BEGIN TRANSACTION")
                yield tracked  # type: ignore[misc]
                if bump:
                    version = self.data_version_on(con) + 1
                    tracked.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [str(version)])
                    self._log_changes(tracked, version, _PENDING.__dict__.pop(id(tracked), None))  # type: ignore[arg-type]
                con.complete()  # the transaction's last result, if left unread, would hold the connection
                moved = self._push(cur, con, tracked.changed, tracked.tails, tracked.hashed)
                cur.execute("COMMIT")
            except BaseException:
                _PENDING.__dict__.pop(id(tracked), None)
                with contextlib.suppress(Exception):
                    con.execute("ROLLBACK")
                with contextlib.suppress(Exception):
                    cur.execute("ROLLBACK")
                self._drop_before(con, tracked.changed)
                con.close()
                raise
            try:
                con.execute("COMMIT")
                self._seen.update(moved)
            except BaseException:
                # PostgreSQL has the change; the mirror reads it again on its next sync
                for name in moved:
                    self._seen.pop(name, None)
                raise
            finally:
                self._drop_before(con, tracked.changed)
                con.close()

    @staticmethod
    def _drop_before(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
        for name in names:
            with contextlib.suppress(Exception):
                con.execute(f"DROP TABLE IF EXISTS _before_{name}")

    def _push(self, cur: Any, con: duckdb.DuckDBPyConnection, names: list[str], tails: dict[str, int],
              hashed: set[str]) -> dict[str, tuple[int, int]]:
        """Send each changed table's difference to PostgreSQL; move the versions of those that differ."""
        moved: dict[str, tuple[int, int]] = {}
        for name in names:
            t = self.tables[name]
            before = f"_before_{name}"
            keys = ", ".join(t.keys)
            has_pk = t.keys != t.columns
            if name in tails:
                added = con.sql(f"SELECT {t.cols} FROM {name} WHERE {APPEND_KEYS[name]} > ?", params=[tails[name]]).to_arrow_table()  # noqa: S608
                if added.num_rows:
                    self._send(cur, t, added)
                    moved[name] = self._move(cur, name, full=False)
                continue
            rewritten = 0
            if name in hashed:
                added, gone, rewritten = self._hashed_difference(con, t)
            elif has_pk:
                added = con.sql(f"SELECT {t.cols} FROM {name} EXCEPT ALL SELECT {t.cols} FROM {before}").to_arrow_table()  # noqa: S608
                gone = con.sql(f"SELECT {keys} FROM {before} EXCEPT SELECT {keys} FROM {name}").to_arrow_table()  # noqa: S608
                if added.num_rows:
                    con.register("_added", added)
                    try:
                        rewritten = con.execute(f"SELECT count(*) FROM _added a SEMI JOIN {before} b USING ({keys})").fetchall()[0][0]  # type: ignore[index]  # noqa: S608
                    finally:
                        con.unregister("_added")
            else:
                added = con.sql(f"SELECT {t.cols} FROM {name} EXCEPT ALL SELECT {t.cols} FROM {before}").to_arrow_table()  # noqa: S608
                gone = con.sql(f"SELECT {t.cols} FROM {before} EXCEPT ALL SELECT {t.cols} FROM {name}").to_arrow_table()  # noqa: S608
            if not added.num_rows and not gone.num_rows:
                continue
            match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM d.{k}" if not has_pk else f"t.{k} = d.{k}" for k in t.keys)
            if gone.num_rows:
                cur.adbc_ingest("_gone", gone, mode="create", temporary=True)
                cur.execute(f"DELETE FROM {name} t USING _gone d WHERE {match}")  # noqa: S608
                cur.execute("DROP TABLE _gone")
            if added.num_rows:
                self._send(cur, t, added, replace=has_pk and rewritten > 0, match=match)
            moved[name] = self._move(cur, name, full=bool(gone.num_rows or rewritten or name not in APPEND_KEYS))
            if self._keyed(name):
                self._log_keys(cur, name, moved[name][0], [added, gone])
        if moved:
            cur.execute(f"UPDATE {SYNC} SET version = version + 1 WHERE name = '*'")
        return moved

    @staticmethod
    def _hashed_difference(con: duckdb.DuckDBPyConnection, t: Table) -> tuple[pa.Table, pa.Table, int]:
        """(rows added or changed, keys removed, how many added rows replace a row of the same key) of
        a table set aside by `_Tracked` as (rowid, fingerprint, key), in one pass over each side.

        Rows on one side only: the current table's are added or changed; the set-aside rows' keys
        that no such row holds were removed. No other current row can hold one of those keys: the key
        is unique (a primary key, or a natural key its writers keep unique: store.NATURAL_KEYS), so it
        would be that very row, unchanged, and that row would be on both sides."""
        n_cols = ", ".join(f"n.{c}" for c in t.columns)
        old_keys = ", ".join(f"b.{k} AS _old_{k}" for k in t.keys)
        diff = con.sql(f"SELECT n._rid IS NOT NULL AS _new, {n_cols}, {old_keys} "  # noqa: S608 - catalog names
                       f"FROM (SELECT rowid AS _rid, {_row_hash(t)} AS _h, {t.cols} FROM {t.name}) n "
                       f"FULL OUTER JOIN _before_{t.name} b ON n._rid = b._rid AND n._h = b._h "
                       "WHERE n._rid IS NULL OR b._rid IS NULL").to_arrow_table()
        new = diff["_new"]
        added = diff.filter(new).select(list(t.columns))
        old = diff.filter(pc.invert(new)).select([f"_old_{k}" for k in t.keys]).rename_columns(list(t.keys))
        if not old.num_rows:
            return added, old, 0
        keys = ", ".join(t.keys)
        con.register("_old", old)
        con.register("_added", added.select(list(t.keys)))
        try:
            gone = con.sql(f"SELECT {keys} FROM _old EXCEPT SELECT {keys} FROM _added").to_arrow_table()  # noqa: S608
            rewritten = old.num_rows - gone.num_rows
        finally:
            con.unregister("_old")
            con.unregister("_added")
        return added, gone, rewritten

    @staticmethod
    def _log_keys(cur: Any, name: str, version: int, parts: list[pa.Table]) -> None:
        """The projects this version of `name` changed, unless too many to be read one by one.

        Now and then the keys of versions more than MAX_VERSIONS_BEHIND back go: a reader that far
        behind reads the table whole, and one in an older snapshot still sees the rows it needs
        (REPEATABLE READ), so the log stays about a thousand versions long per table."""
        if version % PRUNE_EVERY == 0:
            cur.execute(f"DELETE FROM {SYNC_KEYS} WHERE name = $1 AND version < $2",
                        parameters=(name, version - MAX_VERSIONS_BEHIND))
        keys = pa.concat_tables([p.select(["year", "project_code"]).cast(pa.schema([("year", pa.int32()), ("project_code", pa.string())]))
                                 for p in parts if p.num_rows])
        keys = keys.group_by(["year", "project_code"]).aggregate([])
        if keys.num_rows > MAX_PROJECTS_BY_KEY:
            return  # no row for this version: readers read the table whole
        keys = keys.append_column("name", pa.array([name] * keys.num_rows, pa.string()))
        keys = keys.append_column("version", pa.array([version] * keys.num_rows, pa.int64()))
        cur.adbc_ingest("_rows", keys, mode="create", temporary=True)
        cur.execute(f"INSERT INTO {SYNC_KEYS} (name, version, year, project_code) SELECT name, version, year, project_code FROM _rows")  # noqa: S608
        cur.execute("DROP TABLE _rows")

    @staticmethod
    def _move(cur: Any, name: str, full: bool) -> tuple[int, int]:
        """Move a table's version (and its full version when it was more than appended to)."""
        cur.execute(f"UPDATE {SYNC} SET version = version + 1, full_version = full_version + $1 WHERE name = $2",
                    parameters=(int(full), name))
        cur.execute(f"SELECT version, full_version FROM {SYNC} WHERE name = $1", parameters=(name,))
        v, f = cur.fetchall()[0]
        return int(v), int(f)

    @staticmethod
    def _send(cur: Any, t: Table, rows: pa.Table, replace: bool = False, match: str = "") -> None:
        """Rows into a PostgreSQL table through a temporary table loaded by COPY (ADBC's ingest):
        one round trip for any number of rows; with `replace`, rows of the same key go first."""
        if not rows.num_rows:
            return
        cur.adbc_ingest("_rows", rows, mode="create", temporary=True)
        if replace:
            cur.execute(f"DELETE FROM {t.name} t USING _rows d WHERE {match}")  # noqa: S608
        cur.execute(f"INSERT INTO {t.name} ({t.cols}) SELECT {t.cols} FROM _rows")  # noqa: S608
        cur.execute("DROP TABLE _rows")

    def close(self) -> None:
        self._discard()


def _mirror_folder() -> str:
    """A private folder for this store's mirror, marked with the process's id; folders left by a
    process that is gone (killed, so its store could not remove them) are removed first."""
    for old in Path(tempfile.gettempdir()).glob("monitor-mirror-*"):
        try:
            pid = int((old / "pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(old, ignore_errors=True)
        except (OSError, ValueError):
            pass  # another user's, or being created right now
    folder = tempfile.mkdtemp(prefix="monitor-mirror-")
    (Path(folder) / "pid").write_text(str(os.getpid()))
    return folder


def _discard(db: duckdb.DuckDBPyConnection, pool: _Pool, folder: str | None) -> None:
    pool.close()
    with contextlib.suppress(Exception):
        db.close()
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
