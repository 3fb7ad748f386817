"""Closing a month (关账): its data frozen, its reports regenerated identically ever after, and what
changed since shown against it.

Closing copies the year's inputs — projects (and last year's, which the projections use), spend,
indicators, progress, notes, the rules, the round's assignments — into one snapshot (Parquet files in a
zip, stored in the database itself, so a backup or a second server has it too). A closed month is
then computed from the snapshot by the same code as any other (`frozen_store`), so its figures,
lights and report text cannot move when later imports correct the data or the rules change; those
corrections show as the difference between the snapshot and the data now (`diff`).
"""

from __future__ import annotations

import io
import tempfile
import threading
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import audit
from .access import Actor, require
from .errors import MonitorError, NotFound
from .rounds import is_closed
from .store import Store

# table → which of its rows belong to a year's snapshot ($1 = the year)
FROZEN: dict[str, str] = {
    "projects": "year IN ($1, $1 - 1)",
    "monthly": "year IN ($1, $1 - 1)",
    "indicators": "year = $1",
    "progress": "year = $1",
    "notes": "year = $1",
    "assignments": "year = $1",
    "key_projects": "year = $1",
    "settings": "key = 'rules' OR starts_with(key, 'rules:')",
    "meta": "key = 'keys_version'",
    "attachments": "year = $1",
}
# what of a table is frozen, where not every column: an attachment's name and size for the report's list, not its bytes
COLUMNS: dict[str, str] = {
    "attachments": "id, year, month, project_code, indicator_name, file_name, mime, size, ''::BLOB AS content, uploaded_at, uploaded_by",
}


def _freeze(con: duckdb.DuckDBPyConnection, year: int) -> bytes:
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for table, where in FROZEN.items():
            path = Path(tmp) / f"{table}.parquet"
            # COPY takes no parameters: the year is an int and the file name ours, so nothing from a user is spliced in
            cols = COLUMNS.get(table, "*")
            con.execute(f"COPY (SELECT {cols} FROM {table} WHERE {where.replace('$1', str(int(year)))}) TO '{path}' (FORMAT parquet)")  # noqa: S608
            z.write(path, f"{table}.parquet")
    return buf.getvalue()


def close_month(store: Store, actor: Actor, year: int, month: int) -> None:
    """关账: freeze the month; later changes to it are recorded as adjustments."""
    require(actor, "task.close")
    with store.transaction() as con:
        store.touched(con, year)  # the live figures stay as they are
        if is_closed(con, year, month):
            raise MonitorError(f"{year}年1-{month}月已经关账")
        if not con.execute("SELECT 1 FROM projects WHERE year = ?", [year]).fetchone():
            raise NotFound(f"数据库中没有{year}年的项目")
        now = datetime.now().replace(microsecond=0)
        con.execute("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?)", [year, month, now, actor.name, _freeze(con, year)])
        con.execute("UPDATE tasks SET closed_by = ?, closed_at = ? WHERE year = ? AND month = ?", [actor.name, now, year, month])
        audit.record(con, actor, "关账", f"{year}年1-{month}月关账", None, {"关账时间": str(now)}, at=now, year=year)


def closed_months(store: Store, year: int) -> dict[int, tuple[datetime, str]]:
    """The closed months of a year: month → (when, by whom)."""
    rows = store.df("SELECT month, closed_at, closed_by FROM snapshots WHERE year = ? ORDER BY month", [year])
    return {int(r.month): (r.closed_at, str(r.closed_by)) for r in rows.itertuples(index=False)}


def frozen_store(store: Store, year: int, month: int) -> Store | None:
    """The month as it was closed, as a store of its own (in memory); None if the month is open."""
    row = store.scalar("SELECT closed_at FROM snapshots WHERE year = ? AND month = ?", [year, month])
    if row is None:
        return None
    key = (store.path, year, month, str(row))  # when it was closed: a snapshot never changes
    with _THAWED_GUARD:
        frozen = _THAWED.get(key)
    if frozen is None:
        frozen = _thaw(store.scalar("SELECT content FROM snapshots WHERE year = ? AND month = ?", [year, month]), year, month)
        with _THAWED_GUARD:
            _THAWED[key] = frozen
            while len(_THAWED) > 4:
                _THAWED.pop(next(iter(_THAWED)))
    return frozen


# The last few snapshots loaded, by store, year, month and closing time (a few MB each in memory).
_THAWED: dict[tuple[str, int, int, str], Store] = {}
_THAWED_GUARD = threading.Lock()


def _thaw(content: object, year: int, month: int) -> Store:
    frozen = Store(":memory:")
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(io.BytesIO(content)) as z:  # type: ignore[arg-type]
        z.extractall(tmp)
        with frozen.transaction() as con:
            for table in FROZEN:
                con.execute(f"DELETE FROM {table} WHERE {FROZEN[table].replace('$1', str(int(year)))}")  # noqa: S608
                # BY NAME: a snapshot taken before a later migration added a column still loads
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet('{Path(tmp) / (table + '.parquet')}')")  # noqa: S608
    frozen.set_monitoring_point(year, month)
    return frozen


def diff(store: Store, actor: Actor, year: int, month: int) -> pd.DataFrame:
    """Per project of the actor's scope: the closed month's figures against the data now, the projects
    whose rate, light or indicator light differ (a correction after closing, or a rule change)."""
    from .status import compute_status

    frozen = frozen_store(store, year, month)
    if frozen is None:
        raise MonitorError(f"{year}年1-{month}月尚未关账，没有可对比的关账数据")
    cols = ["project_code", "project_name", "department_name", "unit_name", "spent_fen", "rate_bp", "level", "indicator_level"]
    before = compute_status(frozen, year, month, actor=actor).project_figures[cols]
    after = compute_status(store, year, month, actor=actor).project_figures[cols]
    both = before.merge(after, on=["project_code"], how="outer", suffixes=("_closed", "_now"), indicator=True)
    both["project_name"] = both["project_name_now"].fillna(both["project_name_closed"])
    both["department_name"] = both["department_name_now"].fillna(both["department_name_closed"])
    both["unit_name"] = both["unit_name_now"].fillna(both["unit_name_closed"])
    changed = (both["_merge"] != "both")
    for c in ("spent_fen", "rate_bp", "level", "indicator_level"):
        changed |= (both[f"{c}_closed"].astype("string") != both[f"{c}_now"].astype("string")).fillna(True)
    out = both[changed.to_numpy(dtype=bool)]
    return out[["department_name", "unit_name", "project_code", "project_name", "spent_fen_closed", "spent_fen_now",
                "rate_bp_closed", "rate_bp_now", "level_closed", "level_now", "indicator_level_closed", "indicator_level_now"]
               ].sort_values(["department_name", "unit_name", "project_code"]).reset_index(drop=True)


def compare_months(store: Store, actor: Actor, year: int, earlier: int, later: int) -> dict[str, pd.DataFrame]:
    """The staples of a 月度通报: new reds, reds turned green, and each department's rank then and now.
    A closed month is read as it was closed."""
    from .status import compute_status

    def at(month: int):  # type: ignore[no-untyped-def]
        return compute_status(frozen_store(store, year, month) or store, year, month, actor=actor)

    a, b = at(earlier), at(later)
    pa_ = a.project_figures[["project_code", "level"]].rename(columns={"level": "before"})
    pb = b.project_figures[["project_code", "project_name", "department_name", "unit_name", "level", "rate_bp"]]
    m = pb.merge(pa_, on="project_code", how="left")
    new_reds = m[(m["level"] == "red") & (m["before"] != "red")]
    cleared = m[(m["before"] == "red") & (m["level"] == "green")]

    def ranks(s):  # type: ignore[no-untyped-def]
        d = s.departments[["department_name", "rate_bp"]].copy()
        d["rank"] = d["rate_bp"].rank(ascending=False, method="min").astype("Int64")
        return d

    r = ranks(b).merge(ranks(a), on="department_name", how="left", suffixes=("", "_before"))
    r["moved"] = r["rank_before"] - r["rank"]  # positive: moved up
    return {"new_reds": new_reds.reset_index(drop=True), "reds_turned_green": cleared.reset_index(drop=True),
            "ranking": r.sort_values("rank").reset_index(drop=True)}
