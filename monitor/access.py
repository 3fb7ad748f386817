"""Who is acting: the one value every write (and, with accounts, every read) takes.

An `Actor` names a person and where the action came from (the page, the command line, an import
file). It is what the audit trail records beside every change, so nobody's edit is anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PAGE, CLI = "页面", "命令行"


@dataclass(frozen=True)
class Actor:
    """A person acting through one channel, e.g. Actor("张三", PAGE)."""

    name: str
    source: str = CLI

    def via(self, source: str) -> Actor:
        """The same person acting through another channel (an import names its file)."""
        return replace(self, source=source)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.source}）"


# The command line acts as the administrator unless told otherwise.
ADMIN = Actor("管理员", CLI)
