"""The evaluator's opinion (监控方意见) on a project's month, and the files attached to it as evidence.

An opinion is the evaluator's own words, kept apart from the unit's notes so a report can say who
said what (单位说明 / 监控方意见). Attachments (PDF, images, spreadsheets) are stored in the database
itself, so a backup or a second server has them; their size and kind are limited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from . import audit, rounds
from .access import Actor, require, scope_sql
from .errors import MonitorError, NoteConflict
from .store import Store

MAX_ATTACHMENT_MB = 10
KINDS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# the first bytes each kind starts with: a file is what it says it is, not an executable renamed
MAGIC = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",), ".jpeg": (b"\xff\xd8",), ".xlsx": (b"PK",), ".docx": (b"PK",)}


@dataclass(frozen=True)
class Opinion:
    year: int
    month: int
    project_code: str
    text: str = ""
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str = ""


def load_opinion(store: Store, actor: Actor, year: int, month: int, code: str) -> Opinion:
    with store.connect() as con:
        rounds.check_in_scope(con, actor, year, code)
        row = con.execute("SELECT text, version, updated_at, updated_by FROM opinions WHERE year = ? AND month = ? "
                          "AND project_code = ? AND indicator_name = ''", [year, month, code]).fetchone()
    return Opinion(year, month, code) if row is None else Opinion(year, month, code, row[0], int(row[1]), row[2], row[3])


def save_opinion(store: Store, actor: Actor, opinion: Opinion) -> Opinion:
    """Save the evaluator's opinion if nobody changed it since it was read (its version)."""
    require(actor, "opinion.write")
    now = datetime.now().replace(microsecond=0)
    with store.transaction() as con:
        store.touched(con, opinion.year)
        rounds.check_in_scope(con, actor, opinion.year, opinion.project_code)
        key = [opinion.year, opinion.month, opinion.project_code]
        row = con.execute("SELECT text, version FROM opinions WHERE year = ? AND month = ? AND project_code = ? AND indicator_name = ''",
                          key).fetchone()
        if (int(row[1]) if row else 0) != opinion.version:
            raise NoteConflict("监控方意见已被他人修改，您的修改未保存；您填写的内容仍在表单中，请刷新后重新修改。")
        con.execute("DELETE FROM opinions WHERE year = ? AND month = ? AND project_code = ? AND indicator_name = ''", key)
        con.execute("INSERT INTO opinions VALUES (?, ?, ?, '', ?, ?, ?, ?)",
                    [*key, opinion.text.strip(), opinion.version + 1, now, actor.name])
        audit.record(con, actor, "意见", f"{opinion.year}年{opinion.month}月 监控方意见", None if row is None else {"意见": row[0]},
                     {"意见": opinion.text.strip()}, at=now, year=opinion.year, project_code=opinion.project_code)
    return Opinion(opinion.year, opinion.month, opinion.project_code, opinion.text.strip(), opinion.version + 1, now, actor.name)


@dataclass(frozen=True)
class Attachment:
    id: int
    file_name: str
    mime: str
    size: int
    indicator_name: str
    uploaded_at: datetime
    uploaded_by: str


def attach(store: Store, actor: Actor, year: int, month: int, code: str, file_name: str, content: bytes,
           indicator_name: str = "") -> Attachment:
    """Keep a file of evidence with a project's month (PDF, image, Excel or Word, at most 10 MB)."""
    require(actor, "data.fill")
    name = PurePath(file_name).name[:120]
    suffix = PurePath(name).suffix.lower()
    if suffix not in KINDS:
        raise MonitorError(f"附件「{name}」的类型不可上传；可上传 {'、'.join(KINDS)} 文件")
    if len(content) > MAX_ATTACHMENT_MB * 1024 * 1024:
        raise MonitorError(f"附件「{name}」超过{MAX_ATTACHMENT_MB}MB，请压缩后上传")
    if not content.startswith(MAGIC[suffix]):
        raise MonitorError(f"附件「{name}」的内容与扩展名{suffix}不符，请检查文件")
    now = datetime.now().replace(microsecond=0)
    with store.transaction() as con:
        store.touched(con, year)
        rounds.check_editable(con, actor, year, month, code)
        new_id = con.execute(
            "INSERT INTO attachments (year, month, project_code, indicator_name, file_name, mime, size, content, uploaded_at, uploaded_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [year, month, code, indicator_name, name, KINDS[suffix], len(content), content, now, actor.name]).fetchone()[0]  # type: ignore[index]
        audit.record(con, actor, "附件", f"{year}年{month}月 上传附件「{name}」", None, {"文件": name, "大小": len(content)},
                     at=now, year=year, project_code=code)
    return Attachment(int(new_id), name, KINDS[suffix], len(content), indicator_name, now, actor.name)


def attachments(store: Store, actor: Actor, year: int, month: int | None = None, code: str | None = None) -> list[Attachment]:
    """The attachments of the actor's projects (of one project and/or up to a month)."""
    return [a for _, a in attachment_list(store, actor, year, month, code)]


def attachment_list(store: Store, actor: Actor, year: int, month: int | None = None,
                    code: str | None = None) -> list[tuple[str, Attachment]]:
    """(project code, attachment) of the actor's projects, in upload order."""
    scope, params = scope_sql(actor)
    rows = store.df(
        f"SELECT a.project_code, a.id, a.file_name, a.mime, a.size, a.indicator_name, a.uploaded_at, a.uploaded_by FROM attachments a "
        f"JOIN projects p ON p.year = a.year AND p.project_code = a.project_code WHERE a.year = ? AND (? IS NULL OR a.month <= ?) "
        f"AND (? IS NULL OR a.project_code = ?) AND {scope} ORDER BY a.month, a.id", [year, month, month, code, code, *params])
    return [(str(r.project_code), Attachment(int(r.id), r.file_name, r.mime, int(r.size), r.indicator_name, r.uploaded_at, r.uploaded_by))
            for r in rows.itertuples(index=False)]


def attachment_content(store: Store, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, mime type, bytes) of one attachment the actor may see."""
    scope, params = scope_sql(actor)
    with store.connect() as con:
        row = con.execute(f"SELECT a.file_name, a.mime, a.content FROM attachments a JOIN projects p ON p.year = a.year "
                          f"AND p.project_code = a.project_code WHERE a.id = ? AND {scope}", [attachment_id, *params]).fetchone()
    if row is None:
        raise MonitorError("没有这个附件，或无权查看")
    return row[0], row[1], bytes(row[2])
