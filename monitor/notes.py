"""Monitoring notes: the cause of a deviation, the likelihood of reaching the target, and the
corrective measure with who and by when — one per item (the project's money or one indicator) per month.

Every note carries a version: a save names the version it was read at, and is refused
(`NoteConflict`) if somebody saved the same note since, so nobody overwrites another person's text.
Reads and writes take the acting user; a user sees and writes the notes of his own projects only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from . import audit
from .access import Actor, require, scope_sql
from .errors import MonitorError, NoteConflict
from .store import Store

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
    year_end: str = ""  # 全年预计完成情况, in the unit's words

    def contents(self) -> dict[str, object]:
        """What a person wrote, JSON-ready (the audit trail keeps it before and after each save)."""
        return {"问题": self.problem, "偏差原因": list(self.causes), "原因说明": self.explanation,
                "完成目标可能性": self.likelihood, "全年预计完成情况": self.year_end, "措施类型": self.measure_type,
                "纠偏措施": self.measure, "责任人": self.owner, "完成时限": self.due_month, "措施状态": self.status}

    @property
    def is_open(self) -> bool:
        return bool(self.measure or self.measure_type) and self.status != "已完成"

    @property
    def item(self) -> str:
        return self.indicator_name or "项目资金"


NOTE_CONFLICT_HEAD = "这条说明已被他人修改"
NOTE_CONFLICT_TAIL = "，您的修改未保存，以免覆盖对方的内容。您填写的内容仍保留在表单中；请载入对方的最新内容后重新修改。"
COLUMNS = ("year, project_code, indicator_name, month, problem, causes, explanation, likelihood, measure_type, measure, "
           "owner, due_month, status, version, updated_at, updated_by, year_end")


def load_notes(store: Store, year: int, project_code: str | None = None, month: int | None = None, *,
               actor: Actor) -> list[Note]:
    """The notes of `year` the actor may see: of one project, and/or up to `month`."""
    with store.connect() as con:
        return notes_on(con, year, project_code, month, actor=actor)


def notes_on(con: duckdb.DuckDBPyConnection, year: int, project_code: str | None = None, month: int | None = None, *,
             actor: Actor) -> list[Note]:
    scope, params = scope_sql(actor)
    frame = con.execute(
        f"SELECT n.* FROM notes n JOIN projects p ON p.year = n.year AND p.project_code = n.project_code "
        f"WHERE n.year = ? AND (? IS NULL OR n.project_code = ?) AND (? IS NULL OR n.month <= ?) AND {scope} "
        "ORDER BY n.project_code, n.month, n.indicator_name",
        [year, project_code, project_code, month, month, *params]).df()
    return [_note_from_row(r) for r in frame.to_dict("records")]


def save_note(store: Store, note: Note, actor: Actor) -> Note:
    """Save a note if nobody changed it since it was read (note.version); else NoteConflict.

    Two saves of one note at the same instant collide inside DuckDB ("Conflict on tuple
    deletion"); the loser gets the same NoteConflict as a stale form, and nothing is overwritten.
    """
    from . import rounds

    require(actor, "data.fill", "（监控说明）")
    check_note(note)
    key = [note.year, note.project_code, note.indicator_name, note.month]
    try:
        with store.transaction() as con:
            rounds.check_editable(con, actor, note.year, note.month, note.project_code)
            store.touched(con, note.year)  # a note changes no figure
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
                f"INSERT INTO notes ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [saved.year, saved.project_code, saved.indicator_name, saved.month, saved.problem, "、".join(saved.causes),
                 saved.explanation, saved.likelihood, saved.measure_type, saved.measure, saved.owner,
                 saved.due_month, saved.status, saved.version, saved.updated_at, saved.updated_by, saved.year_end],
            )
            audit.record(con, actor, "说明", f"{note.year}年{note.month}月 {note.item}",
                         None if before is None else before.contents(), saved.contents(), at=now,
                         year=note.year, project_code=note.project_code)
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        # two first saves of one new note, or two saves of one note, in the same instant from two
        # processes (one process's writers take turns, see Store.transaction): the later one lost
        if "conflict" not in str(exc).lower() and "duplicate key" not in str(exc).lower():
            raise
        raise NoteConflict(f"{NOTE_CONFLICT_HEAD}（刚刚同时保存）{NOTE_CONFLICT_TAIL}") from exc
    return saved


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def _note_from_row(r: dict[str, object]) -> Note:
    due = r.get("due_month")
    return Note(
        year=int(r["year"]), project_code=str(r["project_code"]), indicator_name=_text(r["indicator_name"]),  # type: ignore[call-overload]
        month=int(r["month"]), problem=_text(r.get("problem")), causes=tuple(c for c in _text(r["causes"]).split("、") if c),  # type: ignore[call-overload]
        explanation=_text(r["explanation"]), likelihood=_text(r["likelihood"]), measure_type=_text(r["measure_type"]),
        measure=_text(r["measure"]), owner=_text(r["owner"]),
        due_month=None if due is None or pd.isna(due) else int(due), status=_text(r["status"]),  # type: ignore[call-overload]
        version=int(r["version"]), updated_at=None if pd.isna(r["updated_at"]) else r["updated_at"],  # type: ignore[arg-type,call-overload]
        updated_by=_text(r.get("updated_by")), year_end=_text(r.get("year_end")),
    )


def check_note(note: Note) -> None:
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

