"""One monitoring round between many people: the task, each project's 填报 → 审核 → 退回, deadlines, 整改.

The bureau (or a department, for its own units) opens a task for a month with a deadline; every
project in it gets a submission whose state moves

    未填报 → 已暂存 → 已送审 → 部门已审 → 财政已审
                          ↘ 被退回 (with a reason the unit sees) → 已暂存/已送审 again

A unit fills in the month (spend, arrivals, each indicator's actual and its evidence, a note on every
red and yellow item) and saves a draft (暂存) or submits (送审); what must be written before 送审 is a
rule (`missing_before_submit`). The department reviews its units, the bureau the departments. Every
state change names the version it was read at, so two reviewers never both act on one submission
(`StateConflict`), and every change is in the audit trail. A closed month (see `snapshots`) takes
no more changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from . import audit
from .access import Actor, require, scope_sql
from .errors import Forbidden, MonitorError, StateConflict
from .store import Store

NOT_FILLED, DRAFT, SUBMITTED, RETURNED, DEPT_APPROVED, BUREAU_APPROVED = "未填报", "已暂存", "已送审", "被退回", "部门已审", "财政已审"
STATES = (NOT_FILLED, DRAFT, SUBMITTED, RETURNED, DEPT_APPROVED, BUREAU_APPROVED)
LOCKED_FOR_UNITS = (SUBMITTED, DEPT_APPROVED, BUREAU_APPROVED)  # a unit waits for the review (or a return)
OVERDUE = "已超时"


@dataclass(frozen=True)
class Submission:
    """One project's place in a month's round."""

    year: int
    month: int
    project_code: str
    state: str = NOT_FILLED
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str = ""
    return_reason: str = ""
    returned_by: str = ""
    needs_fix: bool = False
    fix_request: str = ""
    fix_result: str = ""
    submitted: dict[str, object] = field(default_factory=dict)
    previously_submitted: dict[str, object] = field(default_factory=dict)
    due_date: date | None = None

    def days_left(self, today: date | None = None) -> int | None:
        if self.due_date is None:
            return None
        return (self.due_date - (today or date.today())).days

    def overdue(self, today: date | None = None) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0 and self.state in (NOT_FILLED, DRAFT, RETURNED)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# -- what may be changed ------------------------------------------------------------------------
def is_closed(con: duckdb.DuckDBPyConnection, year: int, month: int) -> bool:
    return con.execute("SELECT 1 FROM snapshots WHERE year = ? AND month = ?", [year, month]).fetchone() is not None


def check_in_scope(con: duckdb.DuckDBPyConnection, actor: Actor, year: int, project_code: str) -> None:
    scope, params = scope_sql(actor)
    row = con.execute(f"SELECT 1 FROM projects p WHERE p.year = ? AND p.project_code = ? AND {scope}",
                      [year, project_code, *params]).fetchone()
    if row is None:
        raise Forbidden(f"{actor.role_name}「{actor.name}」无权查看或修改项目「{project_code}」（不在本账户的范围内）。")


def check_editable(con: duckdb.DuckDBPyConnection, actor: Actor, year: int, month: int, project_code: str) -> None:
    """Refuse a change to a project's month that the actor may not make: out of his scope, a closed
    month, or (for a unit) a submission waiting for its review."""
    check_in_scope(con, actor, year, project_code)
    if is_closed(con, year, month) and actor.role not in ("admin", "bureau"):
        raise Forbidden(f"{year}年1-{month}月已关账，不能再修改；如需更正，请联系财政局绩效科（更正将记为关账后调整）。")
    if actor.role == "unit":
        state = _submission(con, year, month, project_code).state
        if state in LOCKED_FOR_UNITS:
            raise Forbidden(f"项目「{project_code}」{year}年{month}月的填报{state}，审核人退回后才能修改。")


# -- reading -------------------------------------------------------------------------------------
def _submission(con: duckdb.DuckDBPyConnection, year: int, month: int, code: str) -> Submission:
    row = con.execute(
        "SELECT s.state, s.version, s.updated_at, s.updated_by, s.return_reason, s.returned_by, s.needs_fix, s.fix_request, "
        "s.fix_result, s.submitted, s.previously_submitted FROM submissions s WHERE s.year = ? AND s.month = ? AND s.project_code = ?",
        [year, month, code]).fetchone()
    due = con.execute("SELECT due_date FROM task_projects WHERE year = ? AND month = ? AND project_code = ?",
                      [year, month, code]).fetchone()
    due_date = due[0] if due else None
    if row is None:
        return Submission(year, month, code, due_date=due_date)
    return Submission(year, month, code, row[0], int(row[1]), row[2], row[3] or "", row[4] or "", row[5] or "", bool(row[6]),
                      row[7] or "", row[8] or "", json.loads(row[9]) if row[9] else {}, json.loads(row[10]) if row[10] else {},
                      due_date)


def submission(store: Store, actor: Actor, year: int, month: int, project_code: str) -> Submission:
    with store.connect() as con:
        check_in_scope(con, actor, year, project_code)
        return _submission(con, year, month, project_code)


def submissions(store: Store, actor: Actor, year: int, month: int) -> pd.DataFrame:
    """Every project of the actor's scope in the month's round, with its state and deadline."""
    scope, params = scope_sql(actor)
    return store.df(
        f"""SELECT p.department_name, p.unit_name, p.project_code, p.project_name, t.due_date, t.owner,
              coalesce(s.state, '{NOT_FILLED}') AS state, coalesce(s.version, 0) AS version, s.updated_at, s.updated_by,
              s.return_reason, coalesce(s.needs_fix, false) AS needs_fix, s.fix_request, s.fix_result,
              k.project_code IS NOT NULL AS key_project
            FROM task_projects t JOIN projects p ON p.year = t.year AND p.project_code = t.project_code
            LEFT JOIN submissions s ON s.year = t.year AND s.month = t.month AND s.project_code = t.project_code
            LEFT JOIN key_projects k ON k.year = t.year AND k.project_code = t.project_code
            WHERE t.year = ? AND t.month = ? AND {scope}
            ORDER BY p.department_name, p.unit_name, p.project_code""", [year, month, *params])


def unit_state(states: Sequence[str]) -> str:
    """A unit's state from its projects': the least advanced, a return first (it needs the unit)."""
    if not states:
        return NOT_FILLED
    if RETURNED in states:
        return RETURNED
    order = {s: i for i, s in enumerate((NOT_FILLED, DRAFT, SUBMITTED, DEPT_APPROVED, BUREAU_APPROVED))}
    least = min(states, key=lambda s: order[s])
    if least == NOT_FILLED and any(s != NOT_FILLED for s in states):
        return DRAFT  # begun, not finished
    return least


def task_status(store: Store, actor: Actor, year: int, month: int, today: date | None = None) -> pd.DataFrame:
    """Per unit of the round: its state, projects by state, the deadline and the days left (已超时 past it)."""
    subs = submissions(store, actor, year, month)
    today = today or date.today()
    rows = []
    for (dep, unit), g in subs.groupby(["department_name", "unit_name"], sort=True):
        due = min(g["due_date"])
        left = (pd.Timestamp(due).date() - today).days
        state = unit_state(list(g["state"]))
        rows.append({
            "department_name": dep, "unit_name": unit, "projects": len(g), "state": state,
            "submitted": int(g["state"].isin([SUBMITTED, DEPT_APPROVED, BUREAU_APPROVED]).sum()),
            "returned": int((g["state"] == RETURNED).sum()), "due_date": pd.Timestamp(due).date(), "days_left": left,
            "overdue": left < 0 and state in (NOT_FILLED, DRAFT, RETURNED),
            "open_fixes": int((g["needs_fix"] & g["fix_result"].isna()).sum()),
        })
    return pd.DataFrame(rows, columns=["department_name", "unit_name", "projects", "state", "submitted", "returned",
                                       "due_date", "days_left", "overdue", "open_fixes"])


# -- the task ---------------------------------------------------------------------------------
def open_task(store: Store, actor: Actor, year: int, month: int, due: date, *, projects: Sequence[str] | None = None,
              key_only: bool = False) -> int:
    """Open (or extend) the round of `month`: every project of the actor's scope, the 重点监控 ones,
    or the listed ones, due on `due`. Returns how many projects the round covers now."""
    require(actor, "task.open")
    if not 1 <= month <= 12:
        raise MonitorError(f"监控月份应为1到12，而不是{month}")
    owner = "" if actor.role in ("admin", "bureau") else (actor.department or "")
    scope, params = scope_sql(actor)
    with store.transaction() as con:
        store.touched(con, year)
        if is_closed(con, year, month):
            raise MonitorError(f"{year}年1-{month}月已关账，不能再布置任务")
        pool = con.execute(
            f"SELECT p.project_code FROM projects p LEFT JOIN key_projects k ON k.year = p.year AND k.project_code = p.project_code "
            f"WHERE p.year = ? AND {scope} AND (NOT ? OR k.project_code IS NOT NULL) ORDER BY p.project_code",
            [year, *params, key_only]).fetchall()
        codes = [r[0] for r in pool]
        if projects is not None:
            wanted = list(dict.fromkeys(projects))
            unknown = [c for c in wanted if c not in set(codes)]
            if unknown:
                raise MonitorError(f"以下项目不在{year}年的项目中或不在本账户范围内：{'、'.join(unknown[:20])}")
            codes = wanted
        if not codes:
            raise MonitorError(f"{year}年没有可布置的项目" + ("（尚未选择重点监控项目）" if key_only else ""))
        now = _now()
        con.execute("INSERT OR REPLACE INTO tasks (year, month, owner, due_date, key_only, opened_by, opened_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", [year, month, owner, due, key_only, actor.name, now])
        con.register("_codes", pd.DataFrame({"project_code": codes}))
        try:
            # a project already in the round keeps its place; a department may not move the bureau's deadline
            con.execute("INSERT INTO task_projects SELECT ?, ?, project_code, ?, ? FROM _codes "
                        "WHERE project_code NOT IN (SELECT project_code FROM task_projects WHERE year = ? AND month = ?)",
                        [year, month, owner, due, year, month])
            if owner == "":
                con.execute("UPDATE task_projects SET due_date = ? WHERE year = ? AND month = ? AND owner = '' "
                            "AND project_code IN (SELECT project_code FROM _codes)", [due, year, month])
        finally:
            con.unregister("_codes")
        audit.record(con, actor, "任务", f"布置{year}年1-{month}月监控任务", None,
                     {"截止日期": due.isoformat(), "项目数": len(codes), "仅重点监控": key_only}, year=year)
        return int(con.execute("SELECT count(*) FROM task_projects WHERE year = ? AND month = ?", [year, month]).fetchone()[0])  # type: ignore[index]


def choose_key_projects(store: Store, actor: Actor, year: int, project_codes: Sequence[str]) -> int:
    """The 重点监控 projects of a year (replacing the earlier choice)."""
    require(actor, "key.choose")
    with store.transaction() as con:
        store.touched(con, year)
        known = {r[0] for r in con.execute("SELECT project_code FROM projects WHERE year = ?", [year]).fetchall()}
        unknown = [c for c in project_codes if c not in known]
        if unknown:
            raise MonitorError(f"{year}年没有这些项目：{'、'.join(unknown[:20])}")
        con.execute("DELETE FROM key_projects WHERE year = ?", [year])
        for code in dict.fromkeys(project_codes):
            con.execute("INSERT INTO key_projects VALUES (?, ?)", [year, code])
        audit.record(con, actor, "任务", f"选择{year}年重点监控项目", None, {"项目": list(dict.fromkeys(project_codes))}, year=year)
    return len(set(project_codes))


# -- moving a submission ------------------------------------------------------------------------
def _move(store: Store, actor: Actor, year: int, month: int, code: str, expected_version: int, allowed_from: tuple[str, ...],
          to: str, what: str, *, changes: dict[str, object] | None = None, snapshot: dict[str, object] | None = None) -> Submission:
    with store.transaction() as con:
        store.touched(con, year)  # a state changes no figure
        check_in_scope(con, actor, year, code)
        if is_closed(con, year, month):
            raise Forbidden(f"{year}年1-{month}月已关账，不能再{what}。")
        current = _submission(con, year, month, code)
        if current.due_date is None:
            raise MonitorError(f"项目「{code}」不在{year}年1-{month}月的监控任务中，请先由财政局绩效科或主管部门布置任务。")
        if current.version != expected_version:
            raise StateConflict(f"项目「{code}」的填报在您打开后已被「{current.updated_by}」改为「{current.state}」，"
                                f"您的{what}未执行。请刷新后查看最新状态。")
        if current.state not in allowed_from:
            raise StateConflict(f"项目「{code}」当前为「{current.state}」，不能{what}。")
        now = _now()
        values = {"state": to, "version": current.version + 1, "updated_at": now, "updated_by": actor.name, **(changes or {})}
        if snapshot is not None:
            values["previously_submitted"] = json.dumps(current.submitted, ensure_ascii=False) if current.submitted else None
            values["submitted"] = json.dumps(snapshot, ensure_ascii=False, default=str)
        if current.version == 0:
            con.execute("INSERT INTO submissions (year, month, project_code, state, version, updated_at, updated_by) "
                        "VALUES (?, ?, ?, ?, 0, ?, ?)", [year, month, code, NOT_FILLED, now, actor.name])
        sets = ", ".join(f"{k} = ?" for k in values)
        con.execute(f"UPDATE submissions SET {sets} WHERE year = ? AND month = ? AND project_code = ?",  # noqa: S608 - fixed keys
                    [*values.values(), year, month, code])
        audit.record(con, actor, "状态", f"{year}年{month}月 {what}", {"状态": current.state},
                     {"状态": to, **{k: v for k, v in (changes or {}).items() if v not in (None, "", False)}},
                     at=now, year=year, project_code=code)
        return _submission(con, year, month, code)


def mark_draft(store: Store, actor: Actor, year: int, month: int, code: str, expected_version: int) -> Submission:
    """暂存: the unit has begun (or changed) the month's filling."""
    require(actor, "data.fill")
    return _move(store, actor, year, month, code, expected_version, (NOT_FILLED, DRAFT, RETURNED), DRAFT, "暂存")


def submit(store: Store, actor: Actor, year: int, month: int, code: str, expected_version: int,
           missing: Sequence[str] = (), content: dict[str, object] | None = None) -> Submission:
    """送审. `missing` is what `missing_before_submit` found unwritten: anything there refuses it."""
    require(actor, "submit")
    if missing:
        raise MonitorError("送审前还须填写：\n" + "\n".join(f"- {m}" for m in missing))
    return _move(store, actor, year, month, code, expected_version, (NOT_FILLED, DRAFT, RETURNED), SUBMITTED, "送审",
                 changes={"return_reason": None, "returned_by": None}, snapshot=content or {})


def approve(store: Store, actor: Actor, year: int, month: int, code: str, expected_version: int,
            needs_fix: bool = False, fix_request: str = "") -> Submission:
    """The department approves its unit's submission (送财政); the bureau approves the department's."""
    if needs_fix and not fix_request.strip():
        raise MonitorError("需要整改时须写明整改要求")
    fix = {"needs_fix": True, "fix_request": fix_request.strip(), "fix_result": None} if needs_fix else {}
    if actor.role == "department":
        require(actor, "review.department")
        return _move(store, actor, year, month, code, expected_version, (SUBMITTED,), DEPT_APPROVED, "部门审核通过", changes=fix)
    require(actor, "review.bureau")
    # the bureau may approve a submission its department has passed, or one submitted straight to it
    return _move(store, actor, year, month, code, expected_version, (DEPT_APPROVED, SUBMITTED), BUREAU_APPROVED,
                 "财政审核通过", changes=fix)


def send_back(store: Store, actor: Actor, year: int, month: int, code: str, expected_version: int, reason: str) -> Submission:
    """退回 with a reason the unit sees at the top of its page."""
    if not reason.strip():
        raise MonitorError("退回须写明原因，单位将在填报页顶部看到")
    require(actor, "review.department" if actor.role == "department" else "review.bureau")
    return _move(store, actor, year, month, code, expected_version, (SUBMITTED, DEPT_APPROVED), RETURNED, "退回",
                 changes={"return_reason": reason.strip(), "returned_by": actor.name, "returned_at": _now()})


def answer_fix(store: Store, actor: Actor, year: int, month: int, code: str, result: str) -> None:
    """整改结果: the unit's answer to the reviewer's 整改要求 (the submission's state stays)."""
    require(actor, "data.fill")
    if not result.strip():
        raise MonitorError("请填写整改结果")
    with store.transaction() as con:
        store.touched(con, year)
        check_in_scope(con, actor, year, code)
        current = _submission(con, year, month, code)
        if not current.needs_fix:
            raise MonitorError("该项目没有整改要求")
        con.execute("UPDATE submissions SET fix_result = ?, version = version + 1, updated_at = ?, updated_by = ? "
                    "WHERE year = ? AND month = ? AND project_code = ?", [result.strip(), _now(), actor.name, year, month, code])
        audit.record(con, actor, "整改", f"{year}年{month}月 整改结果", {"整改结果": current.fix_result or None},
                     {"整改结果": result.strip()}, year=year, project_code=code)


def changes_between_submissions(sub: Submission) -> list[str]:
    """What changed since the previous 送审, in words (the reviewer of a resubmission reads this first)."""
    before, after = sub.previously_submitted, sub.submitted
    if not before:
        return []
    out = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            out.append(f"{key}：{_short(before.get(key))} → {_short(after.get(key))}")
    return out


def _short(v: object) -> str:
    if v in (None, "", [], {}):
        return "（空）"
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 80 else text[:78] + "……"


# -- imports go through the same round -----------------------------------------------------------
def check_import(con: duckdb.DuckDBPyConnection, actor: Actor, touched: pd.DataFrame) -> None:
    """Refuse an import that writes a project outside the actor's scope, a month a unit has sent for
    review, or (unless the bureau corrects it) a closed month. `touched`: year, project_code, month."""
    if touched.empty:
        return
    scope, params = scope_sql(actor)
    con.register("_touched", touched)
    try:
        foreign = [r[0] for r in con.execute(
            f"SELECT DISTINCT t.project_code FROM _touched t JOIN projects p ON p.year = t.year AND p.project_code = t.project_code "
            f"WHERE NOT ({scope}) ORDER BY 1 LIMIT 10", params).fetchall()]
        if foreign:
            raise Forbidden(f"{actor.role_name}「{actor.name}」无权导入不属于本账户范围的项目：{'、'.join(foreign)}。整个文件未导入。")
        if actor.role not in ("admin", "bureau"):
            closed = con.execute(
                "SELECT DISTINCT t.year, s.month FROM _touched t JOIN snapshots s ON s.year = t.year AND s.month >= t.month "
                "WHERE t.month > 0 ORDER BY 1, 2 LIMIT 5").fetchall()
            if closed:
                months = "、".join(f"{y}年1-{m}月" for y, m in closed)
                raise Forbidden(f"{months}已关账，文件中有属于已关账月份的数据；如需更正，请联系财政局绩效科。整个文件未导入。")
        if actor.role == "unit":
            locked = con.execute(
                "SELECT DISTINCT t.project_code, t.month, s.state FROM _touched t JOIN submissions s "
                "ON s.year = t.year AND s.month = t.month AND s.project_code = t.project_code "
                "WHERE list_contains(?, s.state) ORDER BY 1, 2 LIMIT 5", [list(LOCKED_FOR_UNITS)]).fetchall()
            if locked:
                which = "、".join(f"{c}（{m}月，{st}）" for c, m, st in locked)
                raise Forbidden(f"以下项目的月份已送审，审核人退回后才能修改：{which}。整个文件未导入。")
    finally:
        con.unregister("_touched")


def record_import(con: duckdb.DuckDBPyConnection, actor: Actor, touched: pd.DataFrame, counts: dict[str, int]) -> None:
    """The import in the audit trail (one line for the file, one per project it wrote), a correction
    to a closed month as its adjustment, and a project's first data of a round's month as 已暂存."""
    now = _now()
    audit.record(con, actor, "导入", actor.source, None, counts, at=now)
    if touched.empty:
        return
    con.register("_touched", touched)
    try:
        con.execute(
            "INSERT INTO audit (changed_at, actor, source, kind, target, old_value, new_value, year, project_code) "
            "SELECT ?, ?, ?, '导入', ?, NULL, to_json(list(DISTINCT kind ORDER BY kind)), year, project_code FROM _touched "
            "GROUP BY year, project_code", [now, actor.name, actor.source, f"导入数据（{actor.source}）"])
        for year, month, n in con.execute(
                "SELECT t.year, s.month, count(DISTINCT t.project_code) FROM _touched t JOIN snapshots s "
                "ON s.year = t.year AND s.month >= t.month WHERE t.month > 0 GROUP BY 1, 2 ORDER BY 1, 2").fetchall():
            audit.record(con, actor, "调整", f"{year}年1-{month}月关账后调整", None, {"涉及项目数": int(n), "来源": actor.source},
                         at=now, year=int(year))
        con.execute(
            "INSERT INTO submissions (year, month, project_code, state, version, updated_at, updated_by) "
            "SELECT DISTINCT t.year, t.month, t.project_code, ?, 1, ?, ? FROM _touched t "
            "JOIN task_projects k ON k.year = t.year AND k.month = t.month AND k.project_code = t.project_code "
            "WHERE t.month > 0 AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.year = t.year AND s.month = t.month "
            "AND s.project_code = t.project_code)", [DRAFT, now, actor.name])
    finally:
        con.unregister("_touched")
