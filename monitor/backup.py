"""Backup and restore: every table of the store in one zip of Parquet files, and back.

A backup is taken inside one read transaction, so it is a consistent copy even while people work.
Restoring replaces every table's rows in one transaction (all or nothing) and refuses a backup of
another schema version. Parquet, not a copy of the database file: the same backup restores into a
DuckDB file or, later, a PostgreSQL store, and a backup of a busy file is never half-written.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb

from . import audit
from .access import Actor, require
from .errors import MonitorError
from .store import SCHEMA_VERSION, Store

MANIFEST = "备份说明.json"
SEQUENCES = {"audit": ("audit_ids", "id"), "attachments": ("attachment_ids", "id")}  # indicators: see store.NUMBERED


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()]


def backup(store: Store, actor: Actor, out: str | Path) -> dict[str, int]:
    """Write every table to `out` (a .zip); returns the row count per table."""
    require(actor, "backup")
    counts: dict[str, int] = {}
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with store.connect() as con, tempfile.TemporaryDirectory() as tmp:
        con.execute("BEGIN TRANSACTION")  # one consistent view of every table
        try:
            for table in _tables(con):
                counts[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]  # noqa: S608
                con.execute(f"COPY {table} TO '{Path(tmp) / (table + '.parquet')}' (FORMAT parquet)")
        finally:
            con.execute("ROLLBACK")
        manifest = {"schema_version": SCHEMA_VERSION, "taken_at": datetime.now().isoformat(timespec="seconds"),
                    "taken_by": actor.name, "rows": counts}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            for table in counts:
                z.write(Path(tmp) / f"{table}.parquet", f"{table}.parquet")
    return counts


def restore(store: Store, actor: Actor, source: str | Path) -> dict[str, int]:
    """Replace every table's rows by the backup's, all or nothing; returns the rows restored per table."""
    require(actor, "backup")
    path = Path(source)
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise MonitorError(f"「{path.name}」不是本系统的备份文件：{exc}") from exc
    with z, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.loads(z.read(MANIFEST))
        except KeyError as exc:
            raise MonitorError(f"「{path.name}」不是本系统的备份文件（缺少{MANIFEST}）") from exc
        if int(manifest["schema_version"]) != SCHEMA_VERSION:
            raise MonitorError(f"备份来自结构版本{manifest['schema_version']}，本软件为结构版本{SCHEMA_VERSION}，不能直接恢复")
        z.extractall(tmp)
        counts: dict[str, int] = {}
        with store.transaction() as con:
            for table in _tables(con):
                if table not in manifest["rows"]:
                    raise MonitorError(f"备份中缺少表「{table}」，未恢复任何数据")
            # versions only move on: a page's caches are keyed by them, and must not take the restored
            # data for what they cached before under the same number
            versions = {k: Store._meta_int(con, k) for k in ("data_version", "keys_version")}
            for table in _tables(con):
                con.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the catalog
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet('{Path(tmp) / (table + '.parquet')}')")  # noqa: S608
                counts[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]  # noqa: S608
            for table, (sequence, column) in SEQUENCES.items():
                _advance(con, sequence, table, column)
            for key, before in versions.items():
                con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(max(before, Store._meta_int(con, key)) + 1)])
            audit.record(con, actor, "备份", f"从备份「{path.name}」恢复", None,
                         {"备份时间": manifest["taken_at"], "备份人": manifest["taken_by"]})
        return counts


def _advance(con: duckdb.DuckDBPyConnection, sequence: str, table: str, column: str) -> None:
    """Move a sequence past the restored rows' ids, so new rows do not collide with them.

    DuckDB cannot set a sequence (no setval, and a sequence a column default uses cannot be
    replaced), so it is drawn forward: one nextval per id it is behind, in one statement.
    """
    top = con.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608
    now = con.execute(f"SELECT nextval('{sequence}')").fetchone()[0]  # type: ignore[index]
    if top >= now:
        con.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [int(top) - int(now) + 1])
