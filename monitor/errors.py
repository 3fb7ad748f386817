"""One exception tree for the product. Every message is Chinese and meant for the user."""

from __future__ import annotations

from dataclasses import dataclass


class MonitorError(Exception):
    """Base of every error the product raises on purpose; its message is shown to the user."""


@dataclass(frozen=True)
class Problem:
    """One bad value in an import: where it is and what is wrong, in Chinese."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    message: str
    severity: str = "错误"  # 错误 rejects the import; 警告 is imported and reported

    def location(self) -> str:
        parts = [f"文件「{self.file}」", f"工作表「{self.sheet}」"]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列「{self.column}」")
        return "，".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}：{self.message}"


class ImportRejected(MonitorError):
    """The workbook had errors; nothing was imported."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        head = f"导入被拒绝，数据库未作任何修改：共发现{self.total}处错误。"
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n……另有{self.total - 20}处错误未列出" if self.total > 20 else ""
        super().__init__(f"{head}\n{shown}{more}")


class TargetParseError(MonitorError):
    """A target text such as "≥100人" could not be understood."""


class NoteConflict(MonitorError):
    """Somebody else saved the same note after it was opened; nothing was overwritten."""


class RulesConflict(MonitorError):
    """Somebody else changed the same rule after the form was opened; nothing was overwritten."""


class StoreBusy(MonitorError):
    """Another process holds the database for writing."""


class Forbidden(MonitorError):
    """The acting user's role or scope does not allow this; nothing was read or changed."""


class LoginFailed(MonitorError):
    """A wrong name or password, a disabled or locked account, or an expired session."""


class StateConflict(MonitorError):
    """A submission moved on (submitted, returned, approved) after it was read; nothing was changed."""


class DiskFull(MonitorError):
    """The server's disk is full: a write did not complete."""


class NotFound(MonitorError):
    """A project, department or year the user asked for is not in the database."""


class StaleStatus(MonitorError):
    """The data changed after a status was computed; its words would no longer match its figures."""
