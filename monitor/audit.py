"""The audit trail: every change with who, when, from where, and the value before and after.

Rows are only ever inserted, inside the transaction of the change they describe, so a change and
its record commit together or not at all. Nothing in the product updates or deletes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

from .access import Actor, require, scope_sql

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class Entry:
    """One recorded change."""

    at: datetime
    actor: str
    source: str
    kind: str  # 规则 / 说明 / 导入 / 填报 / 状态 / 账户 …
    target: str  # what was changed, in words
    before: object  # decoded JSON, None when created
    after: object  # decoded JSON, None when removed
    year: int | None = None
    project_code: str | None = None


def record(con: duckdb.DuckDBPyConnection, actor: Actor, kind: str, target: str, before: object, after: object,
           at: datetime | None = None, *, year: int | None = None, project_code: str | None = None) -> None:
    """Record a change on the writing connection (call inside the change's transaction)."""
    con.execute(
        "INSERT INTO audit (changed_at, actor, source, kind, target, old_value, new_value, year, project_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [at or datetime.now().replace(microsecond=0), actor.name, actor.source, kind, target,
         None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True, default=str),
         None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True, default=str), year, project_code],
    )


def entries(con: duckdb.DuckDBPyConnection, kind: str | None = None, limit: int = 100) -> list[Entry]:
    """The latest changes first, of one kind or all (no scope: for the store's own use)."""
    return _read(con, "(? IS NULL OR kind = ?)", [kind, kind], limit)


def trail(store: Store, actor: Actor, *, project_code: str | None = None, user: str | None = None,
          since: date | None = None, limit: int = 1000) -> list[Entry]:
    """The audit trail as the actor may see it: everything for the bureau and administrators, the
    changes of his own projects for anyone else (rules and accounts are not his to read)."""
    require(actor, "audit.read")
    scope, params = scope_sql(actor)
    own = "TRUE" if actor.sees_everything else (
        f"EXISTS (SELECT 1 FROM projects p WHERE p.year = audit.year AND p.project_code = audit.project_code AND {scope})")
    where = f"(? IS NULL OR project_code = ?) AND (? IS NULL OR actor = ?) AND (? IS NULL OR changed_at >= ?) AND {own}"
    with store.connect() as con:
        return _read(con, where, [project_code, project_code, user, user, since, since, *([] if actor.sees_everything else params)],
                     limit)


def _read(con: duckdb.DuckDBPyConnection, where: str, params: list[object], limit: int) -> list[Entry]:
    rows = con.execute(
        f"SELECT changed_at, actor, source, kind, target, old_value, new_value, year, project_code FROM audit WHERE {where} "
        "ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
    return [Entry(r[0], r[1], r[2], r[3], r[4], None if r[5] is None else json.loads(r[5]),
                  None if r[6] is None else json.loads(r[6]), r[7], r[8]) for r in rows]
