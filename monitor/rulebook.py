"""The rules in force, as stored, and every change to them (kept in the audit trail).

A change names only the fields a person changed: `update` applies those fields to the rules stored
at the moment of saving, so a form that somehow showed a wrong value in a field nobody touched can
never write it. If somebody else changed one of the same fields after the form was opened, the save
is refused (`RulesConflict`) rather than silently overwriting that person's choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb

from . import audit
from .access import Actor, require
from .errors import RulesConflict
from .rules import FIELDS, Preset, Rules
from .store import Store

KIND = "规则"


def on(con: duckdb.DuckDBPyConnection) -> Rules:
    """The rules as stored, read on an open connection (a computation reads them with its data)."""
    rows = con.execute("SELECT value FROM settings WHERE key = 'rules'").fetchall()
    return Rules.from_json(str(rows[0][0])) if rows else Rules()


def load(store: Store) -> Rules:
    with store.connect() as con:
        return on(con)


def save(store: Store, rules: Rules, actor: Actor, what: str = "修改规则") -> Rules:
    """Store `rules` whole (every field), recorded with who and when."""
    return _write(store, lambda current: rules, actor, what)


def update(store: Store, changes: Mapping[str, object], actor: Actor, expected: Rules | None = None,
           what: str = "修改规则") -> Rules:
    """Apply only `changes` (field → value as typed) to the rules stored now.

    `expected`: the rules the person saw when he made the changes. A field he changed that somebody
    else has changed since is a conflict; other people's changes to other fields are kept.
    """
    def apply(current: Rules) -> Rules:
        if expected is not None:
            mine = expected.with_changes(changes).changes_from(expected)
            theirs = current.changes_from(expected)
            clash = sorted(set(mine) & set(theirs))
            if clash:
                raise RulesConflict("以下规则在您打开页面后已被他人修改，您的修改未保存，以免覆盖对方的设置："
                                    + "、".join(FIELDS[k].label for k in clash) + "。请刷新后在最新规则上重新修改。")
        return current.with_changes(changes)

    return _write(store, apply, actor, what)


def apply_preset(store: Store, preset: Preset, actor: Actor) -> Rules:
    return update(store, preset.changes, actor, what=f"应用预设「{preset.name}」")


def reset(store: Store, actor: Actor) -> Rules:
    """Every field back to the shipped defaults."""
    return save(store, Rules(), actor, what="恢复默认规则")


def _write(store: Store, change, actor: Actor, what: str) -> Rules:  # type: ignore[no-untyped-def]
    require(actor, "rules.change")
    with store.transaction() as con:
        current = on(con)
        new = change(current).validate()
        diff = new.changes_from(current)
        if diff:
            con.execute("INSERT OR REPLACE INTO settings VALUES ('rules', ?)", [new.to_json()])
            audit.record(con, actor, KIND, what, {k: v[0] for k, v in diff.items()}, {k: v[1] for k, v in diff.items()})
    return new


@dataclass(frozen=True)
class RuleChange:
    """One recorded change of the rules: who, when, what, and each field's old and new value."""

    at: datetime
    actor: str
    source: str
    what: str
    fields: tuple[tuple[str, object, object], ...]  # (label, before, after)


def history(store: Store, limit: int = 50) -> list[RuleChange]:
    """The latest rule changes first."""
    with store.connect() as con:
        rows = audit.entries(con, KIND, limit)
    out = []
    for e in rows:
        before, after = dict(e.before or {}), dict(e.after or {})  # type: ignore[call-overload]
        out.append(RuleChange(e.at, e.actor, e.source, e.target, tuple(
            (FIELDS[k].label if k in FIELDS else k, before.get(k), after.get(k)) for k in after)))
    return out
