"""Who is acting, and what he may see and do: the one seam every read and write of `monitor` goes through.

An `Actor` is a person (an account, or the administrator at the command line) acting through one
channel. What he may see is one SQL predicate over the projects table (`scope_sql`), used by every
query that reads projects or anything hanging off them; what he may do is a table of permissions
(`PERMISSIONS`), checked by `require`. Pages never decide either: a page that shows a button a role
may not press would still be refused here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import Forbidden

PAGE, CLI = "页面", "命令行"

# role → its Chinese name, in the order accounts are listed
ROLES: dict[str, str] = {
    "admin": "管理员",
    "bureau": "财政局绩效科",
    "department": "主管部门",
    "unit": "预算单位",
    "evaluator": "第三方评价机构",
    "viewer": "只读",
}

# action → the roles that may take it (rules as data; `test_access` checks every action is named once)
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "rules.change": frozenset({"admin", "bureau"}),
    "data.import": frozenset({"admin", "bureau", "department", "unit"}),
    "data.fill": frozenset({"admin", "bureau", "department", "unit"}),  # spend, arrivals, actuals, notes
    "opinion.write": frozenset({"admin", "bureau", "evaluator"}),  # 监控方意见 and report text
    "task.open": frozenset({"admin", "bureau", "department"}),
    "task.close": frozenset({"admin", "bureau"}),
    "key.choose": frozenset({"admin", "bureau"}),  # 重点监控
    "submit": frozenset({"admin", "unit", "department"}),
    "review.department": frozenset({"admin", "department"}),
    "review.bureau": frozenset({"admin", "bureau"}),
    "remind": frozenset({"admin", "bureau", "department"}),
    "accounts.manage": frozenset({"admin"}),
    "backup": frozenset({"admin"}),
    "audit.read": frozenset({"admin", "bureau", "department", "unit", "evaluator"}),
    "assign": frozenset({"admin", "bureau"}),  # which projects an evaluator sees
}

ACTION_WORDS: dict[str, str] = {
    "read": "查看", "rules.change": "修改预警规则", "data.import": "导入数据", "data.fill": "填报数据和说明",
    "opinion.write": "填写监控方意见", "task.open": "布置监控任务", "task.close": "关闭监控任务（关账）",
    "key.choose": "选择重点监控项目", "submit": "送审", "review.department": "部门审核", "review.bureau": "财政审核",
    "remind": "催报", "accounts.manage": "管理账户", "backup": "备份和恢复", "audit.read": "查看修改记录",
    "assign": "分配评价项目",
}


@dataclass(frozen=True)
class Actor:
    """A person acting through one channel, with the role and place that decide what he sees."""

    name: str
    source: str = CLI
    role: str = "admin"
    department: str | None = None  # a department user's, or a unit user's department
    unit: str | None = None  # a unit user's unit

    def via(self, source: str) -> Actor:
        """The same person acting through another channel (an import names its file)."""
        return replace(self, source=source)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.source}）"

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def sees_everything(self) -> bool:
        return self.role in ("admin", "bureau") or (self.role == "viewer" and not self.department)

    @property
    def scope_key(self) -> str:
        """Equal for two actors exactly when they see the same projects (a cache key)."""
        if self.sees_everything:
            return "*"
        if self.role == "evaluator":
            return f"evaluator:{self.name}"
        return f"{self.department or ''}/{self.unit or ''}"

    def viewpoint(self) -> Actor:
        """The actor stripped to what decides what he sees: two users of one unit share it (a cache key
        for what a page shows), an evaluator keeps his name (his projects are his own)."""
        if self.sees_everything:
            return Actor("", "", "bureau")
        if self.role == "evaluator":
            return Actor(self.name, "", "evaluator")
        return Actor("", "", self.role, self.department, self.unit)

    def may(self, action: str) -> bool:
        return self.role in PERMISSIONS[action]


# The command line acts as the administrator unless told otherwise (`monitor --as USER`).
ADMIN = Actor("管理员", CLI)


def require(actor: Actor, action: str, what: str = "") -> None:
    """Refuse, in Chinese, an action the actor's role may not take."""
    if not actor.may(action):
        raise Forbidden(f"{actor.role_name}「{actor.name}」无权{ACTION_WORDS[action]}{what}。")


def scope_sql(actor: Actor, alias: str = "p") -> tuple[str, list[object]]:
    """The projects `actor` may see, as a predicate over the projects table `alias`, and its parameters.

    The one place scope is decided: every query of projects, and of what hangs off a project
    (spend, indicators, notes, submissions, attachments), joins through it.
    """
    if actor.sees_everything:
        return "TRUE", []
    if actor.role == "evaluator":
        return (f"EXISTS (SELECT 1 FROM assignments a WHERE a.user_name = ? AND a.year = {alias}.year "
                f"AND a.project_code = {alias}.project_code)"), [actor.name]
    if actor.unit:
        return f"({alias}.department_name = ? AND {alias}.unit_name = ?)", [actor.department, actor.unit]
    if actor.department:
        return f"{alias}.department_name = ?", [actor.department]
    return "FALSE", []  # a department or unit account without its place sees nothing


def scope_sql_named(actor: Actor, alias: str = "p") -> tuple[str, dict[str, object]]:
    """`scope_sql` for statements with named parameters ($name): the same predicate, its markers named."""
    sql, params = scope_sql(actor, alias)
    names = [f"scope_{i}" for i in range(len(params))]
    for name in names:
        sql = sql.replace("?", f"${name}", 1)
    return sql, dict(zip(names, params, strict=True))

