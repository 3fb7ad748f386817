"""The rules in force, as stored, and every change to them (kept in the audit trail).

A change names only the fields a person changed: `update` applies those fields to the rules stored
at the moment of saving, so a form that somehow showed a wrong value in a field nobody touched can
never write it. If somebody else changed one of the same fields after the form was opened, the save
is refused (`RulesConflict`) rather than silently overwriting that person's choice.

Rules are kept per year (`rules.year_key`): every read and write takes the year; `year=None` is the
rules of every year that has none of its own (the one rule set of databases from before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb

from . import audit
from .access import Actor, require
from .errors import RulesConflict
from .rules import FIELDS, MODIFIED, RULES_KEY, Preset, Rules, stored_for, year_key
from .store import Store

KIND = "规则"


def on(con: duckdb.DuckDBPyConnection, year: int | None = None) -> Rules:
    """The rules in force for `year` as stored, read on an open connection (a computation reads them
    with its data)."""
    rows = con.execute("SELECT key, value FROM settings WHERE key = $k OR starts_with(key, $k || ':')",
                       {"k": RULES_KEY}).fetchall()
    text = stored_for({str(k): str(v) for k, v in rows}, year)
    return Rules.from_json(text) if text else Rules()


def load(store: Store, year: int | None = None) -> Rules:
    with store.connect() as con:
        return on(con, year)


def _named(what: str, year: int | None) -> str:
    return what if year is None else f"{what}（{year}年）"


def save(store: Store, rules: Rules, actor: Actor, what: str = "修改规则", year: int | None = None) -> Rules:
    """Store `rules` whole (every field), recorded with who and when."""
    return _write(store, lambda current: rules, actor, _named(what, year), year)


def update(store: Store, changes: Mapping[str, object], actor: Actor, expected: Rules | None = None,
           what: str = "修改规则", year: int | None = None) -> Rules:
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

    return _write(store, apply, actor, _named(what, year), year)


def apply_preset(store: Store, preset: Preset, actor: Actor, year: int | None = None) -> Rules:
    """The preset's rule set in place of the one in force (the region's schedule kept, see Preset)."""
    return _write(store, preset.apply, actor, _named(f"应用预设「{preset.name}」", year), year)


def reset(store: Store, actor: Actor, year: int | None = None) -> Rules:
    """Every field back to the shipped defaults."""
    return save(store, Rules(), actor, what="恢复默认规则", year=year)


def _write(store: Store, change, actor: Actor, what: str, year: int | None) -> Rules:  # type: ignore[no-untyped-def]
    require(actor, "rules.change")
    with store.transaction() as con:
        current = on(con, year)
        new = change(current).validate()
        diff = new.changes_from(current)
        # a preset applied (a name other than the one in force, or the same one unmarked again) is in
        # the record; the mark "modified" a change adds to the name is not
        applied = new.preset != current.preset and not new.preset.endswith(MODIFIED)
        if applied:
            diff["preset"] = (current.preset, new.preset)
        if diff or new.preset != current.preset:
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [year_key(year), new.to_json()])
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
