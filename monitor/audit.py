"""The audit trail: every change with who, when, from where, and the value before and after.

Rows are only ever inserted, inside the transaction of the change they describe, so a change and
its record commit together or not at all. Nothing in the product updates or deletes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from .access import Actor


@dataclass(frozen=True)
class Entry:
    """One recorded change."""

    at: datetime
    actor: str
    source: str
    kind: str  # 规则 / 说明 / 导入 …
    target: str  # what was changed, in words
    before: object  # decoded JSON, None when created
    after: object  # decoded JSON, None when removed


def record(con: duckdb.DuckDBPyConnection, actor: Actor, kind: str, target: str, before: object, after: object,
           at: datetime | None = None) -> None:
    """Record a change on the writing connection (call inside the change's transaction)."""
    con.execute(
        "INSERT INTO audit (changed_at, actor, source, kind, target, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at or datetime.now().replace(microsecond=0), actor.name, actor.source, kind, target,
         None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
         None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True)],
    )


def entries(con: duckdb.DuckDBPyConnection, kind: str | None = None, limit: int = 100) -> list[Entry]:
    """The latest changes first, of one kind or all."""
    rows = con.execute(
        "SELECT changed_at, actor, source, kind, target, old_value, new_value FROM audit WHERE (? IS NULL OR kind = ?) "
        "ORDER BY id DESC LIMIT ?", [kind, kind, limit]).fetchall()
    return [Entry(r[0], r[1], r[2], r[3], r[4], None if r[5] is None else json.loads(r[5]),
                  None if r[6] is None else json.loads(r[6])) for r in rows]
