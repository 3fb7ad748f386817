"""A person's wording of one generated paragraph of a project's report, kept with (year, month, project, key).

The report generates every paragraph from the figures (monitor/report/project.py gives each a stable
key such as "§四.数量指标" or "§五.结论"); before export, the unit for its project, or the bureau and
the evaluator for theirs, may reword one. The edit keeps the generated text it replaced
(`base_text`), so when the figures change afterwards the page can say that the edit rests on older
figures. Saves are compare-and-set on `version` (an edit never silently overwrites another's),
audited, and refused once the month is closed: a closed month's report is the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import audit, rounds
from .access import PERMISSIONS, Actor
from .errors import Forbidden, NoteConflict
from .store import Store

# who may reword a report: whoever writes its substance — the unit's side (data.fill) or the evaluator (opinion.write)
EDIT_ROLES = PERMISSIONS["data.fill"] | PERMISSIONS["opinion.write"]


@dataclass(frozen=True)
class ParagraphEdit:
    year: int
    month: int
    project_code: str
    key: str
    text: str
    base_text: str  # the generated text when the edit was saved
    version: int = 0  # 0: not saved
    updated_at: datetime | None = None
    updated_by: str = ""

    def stale(self, generated: str) -> bool:
        """The figures moved since the edit: the generated paragraph is no longer the one edited."""
        return self.base_text.strip() != generated.strip()


def can_edit(actor: Actor) -> bool:
    return actor.role in EDIT_ROLES


def load_edits(store: Store, actor: Actor, year: int, month: int, code: str) -> dict[str, ParagraphEdit]:
    with store.connect() as con:
        rounds.check_in_scope(con, actor, year, code)
        rows = con.execute("SELECT key, text, base_text, version, updated_at, updated_by FROM report_edits "
                           "WHERE year = ? AND month = ? AND project_code = ?", [year, month, code]).fetchall()
    return {r[0]: ParagraphEdit(year, month, code, r[0], r[1], r[2], int(r[3]), r[4], r[5] or "") for r in rows}


def _check(con, actor: Actor, year: int, month: int, code: str) -> None:  # type: ignore[no-untyped-def]
    if not can_edit(actor):
        raise Forbidden(f"{actor.role_name}「{actor.name}」无权修改报告内容。")
    rounds.check_editable(con, actor, year, month, code)
    if rounds.is_closed(con, year, month):
        raise Forbidden(f"{year}年1-{month}月已关账，报告内容不能再修改。")


def _current(con, e: ParagraphEdit):  # type: ignore[no-untyped-def]
    return con.execute("SELECT text, version FROM report_edits WHERE year = ? AND month = ? AND project_code = ? AND key = ?",
                       [e.year, e.month, e.project_code, e.key]).fetchone()


def save_edit(store: Store, actor: Actor, edit: ParagraphEdit) -> ParagraphEdit:
    """Save the wording if nobody changed this paragraph since it was read (`edit.version`)."""
    text = edit.text.strip()
    if not text:
        raise Forbidden("段落内容不能为空；如需恢复系统生成的文字，请点“恢复生成文字”。")
    now = datetime.now().replace(microsecond=0)
    with store.transaction() as con:
        store.touched(con, edit.year)
        _check(con, actor, edit.year, edit.month, edit.project_code)
        row = _current(con, edit)
        if (int(row[1]) if row else 0) != edit.version:
            raise NoteConflict("该段落已被他人修改，您的修改未保存；您填写的内容仍在表单中，请刷新后重新修改。")
        key = [edit.year, edit.month, edit.project_code, edit.key]
        con.execute("DELETE FROM report_edits WHERE year = ? AND month = ? AND project_code = ? AND key = ?", key)
        con.execute("INSERT INTO report_edits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [*key, text, edit.base_text, edit.version + 1, now, actor.name])
        audit.record(con, actor, "报告", f"{edit.year}年1-{edit.month}月 报告段落「{edit.key}」",
                     None if row is None else {"段落": row[0]}, {"段落": text}, at=now, year=edit.year, project_code=edit.project_code)
    return ParagraphEdit(edit.year, edit.month, edit.project_code, edit.key, text, edit.base_text, edit.version + 1, now, actor.name)


def revert_edit(store: Store, actor: Actor, edit: ParagraphEdit) -> None:
    """Back to the generated text (the edit is removed), if nobody changed it since it was read."""
    with store.transaction() as con:
        store.touched(con, edit.year)
        _check(con, actor, edit.year, edit.month, edit.project_code)
        row = _current(con, edit)
        if row is None:
            return
        if int(row[1]) != edit.version:
            raise NoteConflict("该段落已被他人修改，未恢复；请刷新后再操作。")
        con.execute("DELETE FROM report_edits WHERE year = ? AND month = ? AND project_code = ? AND key = ?",
                    [edit.year, edit.month, edit.project_code, edit.key])
        audit.record(con, actor, "报告", f"{edit.year}年1-{edit.month}月 报告段落「{edit.key}」", {"段落": row[0]}, None,
                     year=edit.year, project_code=edit.project_code)
