"""What a monitoring report says about a project besides its figures (seed 004 §一–§三):

- `ProjectFacts`: 项目背景, 立项依据, 总目标是否调整 and 调整后总目标 (表2), the monitoring body
  (单位自行监控, or a commissioned 第三方 with its name) and its 合规性 finding;
- `FundSource`: the budget by source of funds (一般公共预算拨款, 其他资金, 专项债券 …), each with
  年初/追加/调减/调整后 and the spend to the end of a month — one set per month it was reported for,
  so a 1-7月 table and a 1-10月 table each read their own (the latest at or before their month);
- `Activity`: the dated 工作进展 of the period (what was done, when).

They come from the workbook (optional columns of 项目, optional sheets 资金来源 and 工作进展) or from
the 「项目基本情况」 form on the project page. A browser save is compare-and-set on `version`: an edit
never overwrites another person's change silently.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import duckdb
import pandas as pd

from . import audit
from .access import Actor, require, scope_sql
from .errors import MonitorError, NotFound
from .money import fmt_wan
from .store import Store

SELF = "单位自行监控"
THIRD_PARTY = "第三方"
MONITOR_BODIES = (SELF, THIRD_PARTY)
# Sources as the budget system names them; the workbook takes any other wording too.
SOURCE_NAMES = ("财政拨款", "一般公共预算拨款", "政府性基金预算拨款", "国有资本经营预算拨款", "专项债券", "财政专户管理资金", "单位资金", "其他资金")

FACT_CONFLICT = ("「项目基本情况」已被他人修改{who}，您的修改未保存，以免覆盖对方的内容。"
                 "您填写的内容仍保留在表单中；请载入对方的最新内容后重新修改。")


class FactsConflict(MonitorError):
    """Somebody saved the project's facts after this form read them."""


@dataclass(frozen=True)
class Activity:
    """One dated piece of work: 5月29日—6月1日 职工疗休养 (第一批50名)."""

    start: date
    title: str
    text: str = ""
    end: date | None = None
    month_only: bool = False  # the source gave only the month (“5月份开展…”)

    @property
    def when(self) -> str:
        """5月 / 6月30日 / 7月3日—8月11日 / 5月—9月."""
        def one(d: date) -> str:
            return f"{d.month}月" if self.month_only else f"{d.month}月{d.day}日"

        if self.end is None or self.end == self.start:
            return one(self.start)
        return f"{one(self.start)}—{one(self.end)}"


@dataclass(frozen=True)
class FundSource:
    """One source of a project's money, as known at the end of `month` (amounts in 分)."""

    source: str
    month: int
    adjusted_fen: int
    initial_fen: int | None = None
    added_fen: int | None = None
    cut_fen: int | None = None
    spent_fen: int | None = None


@dataclass(frozen=True)
class ProjectFacts:
    year: int
    project_code: str
    background: str = ""
    basis: str = ""
    goal_adjusted: bool | None = None  # None: not stated
    adjusted_goal: str = ""
    monitor_body: str = ""  # 单位自行监控 / 第三方 / "" (not stated)
    third_party: str = ""
    compliance: str = ""
    activities: tuple[Activity, ...] = ()
    version: int = 0  # 0: never saved
    updated_at: datetime | None = None
    updated_by: str = ""
    # §四（四）项目绩效情况分析 as the monitoring body judges it (seed 004: 效率性、效益性、公平性)
    efficiency: str = ""
    effectiveness: str = ""
    fairness: str = ""

    def contents(self) -> dict[str, object]:
        """What the audit trail keeps of a save, in the form's words."""
        return {"项目背景": self.background, "立项依据": self.basis,
                "总目标是否调整": {True: "是", False: "否", None: ""}[self.goal_adjusted],
                "调整后总目标": self.adjusted_goal, "监控主体": self.monitor_body, "第三方名称": self.third_party,
                "合规性结论": self.compliance, "效率性分析": self.efficiency, "效益性分析": self.effectiveness,
                "公平性分析": self.fairness,
                "工作进展": [f"{a.when} {a.title}：{a.text}" if a.text else f"{a.when} {a.title}" for a in self.activities]}


def check_facts(f: ProjectFacts) -> None:
    """What a save refuses, in Chinese: an adjusted goal without saying it was adjusted, a third party without a name."""
    problems = []
    if f.goal_adjusted and not f.adjusted_goal.strip():
        problems.append("总目标是否调整为“是”时，须填写调整后总目标")
    if f.goal_adjusted is False and f.adjusted_goal.strip():
        problems.append("总目标未调整（“否”）时，调整后总目标应留空")
    if f.monitor_body and f.monitor_body not in MONITOR_BODIES:
        problems.append(f"监控主体应为 {'、'.join(MONITOR_BODIES)} 之一，而不是「{f.monitor_body}」")
    if f.monitor_body == THIRD_PARTY and not f.third_party.strip():
        problems.append("监控主体为第三方时，须填写第三方名称")
    for i, a in enumerate(f.activities, 1):
        if not a.title.strip():
            problems.append(f"第{i}项工作进展缺少事项名称")
        if a.end is not None and a.end < a.start:
            problems.append(f"第{i}项工作进展的结束日期早于开始日期")
    if problems:
        raise MonitorError("；".join(problems) + "。")


# -- reading ---------------------------------------------------------------------------------------
def _text(v: object) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _day(v: object) -> date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def facts_on(con: duckdb.DuckDBPyConnection, year: int, codes: Sequence[str]) -> dict[str, ProjectFacts]:
    """The facts of `codes` (no scope: the caller has checked it), with their activities in date order."""
    rows = con.execute("SELECT * FROM project_facts WHERE year = ? AND list_contains(?, project_code)", [year, list(codes)]).df()
    acts = con.execute("SELECT * FROM activities WHERE year = ? AND list_contains(?, project_code) ORDER BY project_code, seq",
                       [year, list(codes)]).df()
    by_code: dict[str, list[Activity]] = {}
    for a in acts.to_dict("records"):
        by_code.setdefault(a["project_code"], []).append(Activity(_day(a["start_date"]), _text(a["title"]), _text(a["text"]),  # type: ignore[arg-type]
                                                                  _day(a["end_date"]), bool(a["month_only"])))
    out = {c: ProjectFacts(year, c, activities=tuple(v)) for c, v in by_code.items()}
    for r in rows.to_dict("records"):
        code = r["project_code"]
        adjusted = None if r["goal_adjusted"] is None or pd.isna(r["goal_adjusted"]) else bool(r["goal_adjusted"])
        out[code] = ProjectFacts(year, code, _text(r["background"]), _text(r["basis"]), adjusted, _text(r["adjusted_goal"]),
                                 _text(r["monitor_body"]), _text(r["third_party"]), _text(r["compliance"]),
                                 tuple(by_code.get(code, ())), int(r["version"]),
                                 None if pd.isna(r["updated_at"]) else pd.Timestamp(r["updated_at"]).to_pydatetime(),
                                 _text(r["updated_by"]), _text(r["efficiency"]), _text(r["effectiveness"]), _text(r["fairness"]))
    return out


def sources_on(con: duckdb.DuckDBPyConnection, year: int, month: int, codes: Sequence[str]) -> dict[str, list[FundSource]]:
    """Each project's sources as last reported at or before `month`, in the order they were listed."""
    f = con.execute(
        """SELECT project_code, month, source, CAST(initial * 100 AS BIGINT) AS i, CAST(added * 100 AS BIGINT) AS a,
                  CAST(cut * 100 AS BIGINT) AS c, CAST(adjusted * 100 AS BIGINT) AS j, CAST(spent * 100 AS BIGINT) AS s
           FROM fund_sources f WHERE year = ? AND list_contains(?, project_code) AND month = (
             SELECT max(month) FROM fund_sources g WHERE g.year = f.year AND g.project_code = f.project_code AND g.month <= ?)
           ORDER BY project_code, seq""", [year, list(codes), month]).fetchall()

    def fen(v: object) -> int | None:
        return None if v is None else int(v)

    out: dict[str, list[FundSource]] = {}
    for code, m, src, i, a, c, j, s in f:
        out.setdefault(code, []).append(FundSource(src, int(m), int(j), fen(i), fen(a), fen(c), fen(s)))
    return out


def load_facts(store: Store, actor: Actor, year: int, code: str) -> ProjectFacts:
    """One project's facts as the actor may see them (empty ones if nothing was written yet)."""
    scope, params = scope_sql(actor)
    with store.connect() as con:
        if not con.execute(f"SELECT 1 FROM projects p WHERE p.year = ? AND p.project_code = ? AND {scope}",
                           [year, code, *params]).fetchone():
            raise NotFound(f"{year}年没有您可以查看的项目「{code}」")
        return facts_on(con, year, [code]).get(code, ProjectFacts(year, code))


def load_sources(store: Store, actor: Actor, year: int, month: int, code: str) -> list[FundSource]:
    load_facts(store, actor, year, code)  # the scope check
    with store.connect() as con:
        return sources_on(con, year, month, [code]).get(code, [])


# -- writing from the browser ----------------------------------------------------------------------
def save_facts(store: Store, facts: ProjectFacts, actor: Actor, month: int) -> ProjectFacts:
    """Save a project's facts and its 工作进展 list if nobody saved them since `facts.version` was read.

    `month`: the monitoring month the form belongs to — a closed month, or a unit's project waiting
    for review, refuses the save as any other edit of that month (rounds.check_editable)."""
    from . import rounds

    require(actor, "data.fill", "（项目基本情况）")
    check_facts(facts)
    y, code = facts.year, facts.project_code
    try:
        with store.transaction() as con:
            rounds.check_editable(con, actor, y, month, code)
            store.touched(con, y)  # words, not figures
            before = facts_on(con, y, [code]).get(code)
            current = before.version if before else 0
            if current != facts.version:
                who = f"（{before.updated_by}，{before.updated_at:%Y-%m-%d %H:%M}）" if before and before.updated_by and before.updated_at else ""
                raise FactsConflict(FACT_CONFLICT.format(who=who))
            now = datetime.now().replace(microsecond=0)
            saved = replace(facts, version=current + 1, updated_at=now, updated_by=actor.name)
            _write_facts(con, [saved])
            _write_activities(con, y, code, saved.activities)
            audit.record(con, actor, "项目基本情况", f"{y}年 项目「{code}」", None if before is None else before.contents(),
                         saved.contents(), at=now, year=y, project_code=code)
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        if "conflict" not in str(exc).lower() and "duplicate key" not in str(exc).lower():
            raise
        raise FactsConflict(FACT_CONFLICT.format(who="")) from exc
    return saved


SOURCES_CONFLICT = ("本月的资金来源已被他人修改{who}，您的修改未保存，以免覆盖对方的内容。"
                    "您填写的内容仍保留在表格中；请载入对方的最新内容后重新修改。")


class SourcesConflict(MonitorError):
    """Somebody saved the month's sources of funds after this form read them."""


def source_problems(rows: Sequence[FundSource], budget_fen: int | None) -> list[str]:
    """What a set of sources entered in the browser must satisfy, in Chinese: the import's rules for
    the 资金来源 sheet (importer._fund_sources), which words them with their cells — each row adds
    up (调整后 = 年初 + 追加 − 调减), names are given and unique, amounts are not negative, and the
    sources add up to the project's 调整后预算."""
    problems = []
    seen: set[str] = set()
    for i, r in enumerate(rows, 1):
        name = r.source.strip()
        if not name:
            problems.append(f"第{i}行缺少资金来源名称")
        elif name in seen:
            problems.append(f"资金来源「{name}」重复")
        seen.add(name)
        for label, v in (("年初预算", r.initial_fen), ("追加", r.added_fen), ("调减", r.cut_fen), ("调整后预算", r.adjusted_fen)):
            if v is not None and v < 0:
                problems.append(f"「{name or i}」的{label}不能为负数")
        if r.initial_fen is not None:
            computed = r.initial_fen + (r.added_fen or 0) - (r.cut_fen or 0)
            if computed != r.adjusted_fen:
                problems.append(f"「{name or i}」调整后预算{fmt_wan(r.adjusted_fen)}与年初预算{fmt_wan(r.initial_fen)} + 追加"
                                f"{fmt_wan(r.added_fen or 0)} − 调减{fmt_wan(r.cut_fen or 0)} = {fmt_wan(computed)}不符")
    total = sum(r.adjusted_fen for r in rows)
    if rows and budget_fen is not None and total != budget_fen:
        problems.append(f"各资金来源的调整后预算合计{fmt_wan(total)}，与项目的调整后预算{fmt_wan(budget_fen)}不一致"
                        f"（相差{fmt_wan(abs(total - budget_fen))}）")
    return problems


def save_sources(store: Store, actor: Actor, year: int, month: int, code: str, rows: Sequence[FundSource],
                 expected: Sequence[FundSource]) -> list[FundSource]:
    """Replace the project's sources as known at the end of `month` with `rows`, if the stored ones
    are still `expected` (what the form showed for that month): a save never overwrites somebody
    else's change silently. Refused like any edit of the month (closed, under review, out of scope)."""
    from . import rounds

    require(actor, "data.fill", "（资金来源）")
    rows = [replace(r, source=r.source.strip(), month=month) for r in rows]
    try:
        with store.transaction() as con:
            rounds.check_editable(con, actor, year, month, code)
            budget = con.execute("SELECT CAST(budget_adjusted * 100 AS BIGINT) FROM projects WHERE year = ? AND project_code = ?",
                                 [year, code]).fetchone()
            # a stale table is told so first: its content is judged against figures it never saw
            current = [s for s in sources_on(con, year, month, [code]).get(code, []) if s.month == month]
            if current != [replace(s, month=month) for s in expected if s.month == month]:
                raise SourcesConflict(SOURCES_CONFLICT.format(who=""))
            problems = source_problems(rows, None if budget is None else int(budget[0]))
            if problems:
                raise MonitorError("资金来源有误：" + "；".join(problems) + "。")
            store.touched(con, year)  # words of the report and the 136号 table; no status figure
            con.execute("DELETE FROM fund_sources WHERE year = ? AND project_code = ? AND month = ?", [year, code, month])
            if rows:
                # fen as exact integers → DECIMAL(18,2) 元 (never through a float)
                con.executemany(
                    "INSERT INTO fund_sources (year, project_code, month, source, seq, initial, added, cut, adjusted, spent) "
                    "VALUES (?, ?, ?, ?, ?, CAST(? AS DECIMAL(18,0)) * 0.01, CAST(? AS DECIMAL(18,0)) * 0.01, "
                    "CAST(? AS DECIMAL(18,0)) * 0.01, CAST(? AS DECIMAL(18,0)) * 0.01, CAST(? AS DECIMAL(18,0)) * 0.01)",
                    [[year, code, month, r.source, i, r.initial_fen, r.added_fen, r.cut_fen, r.adjusted_fen, r.spent_fen]
                     for i, r in enumerate(rows)])

            def words(xs: Sequence[FundSource]) -> list[str]:
                return [f"{x.source} 调整后{fmt_wan(x.adjusted_fen)} 执行{fmt_wan(x.spent_fen)}" for x in xs]

            audit.record(con, actor, "资金来源", f"{year}年1-{month}月 项目「{code}」", words(current) or None, words(rows),
                         year=year, project_code=code)
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        if "conflict" not in str(exc).lower() and "duplicate key" not in str(exc).lower():
            raise
        raise SourcesConflict(SOURCES_CONFLICT.format(who="")) from exc
    return rows


def _write_facts(con: duckdb.DuckDBPyConnection, rows: Sequence[ProjectFacts]) -> None:
    for f in rows:
        con.execute("DELETE FROM project_facts WHERE year = ? AND project_code = ?", [f.year, f.project_code])
        con.execute(
            "INSERT INTO project_facts (year, project_code, background, basis, goal_adjusted, adjusted_goal, monitor_body, "
            "third_party, compliance, version, updated_at, updated_by, efficiency, effectiveness, fairness) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [f.year, f.project_code, f.background or None, f.basis or None, f.goal_adjusted, f.adjusted_goal or None,
             f.monitor_body or None, f.third_party or None, f.compliance or None, f.version, f.updated_at, f.updated_by or None,
             f.efficiency or None, f.effectiveness or None, f.fairness or None])


def _write_activities(con: duckdb.DuckDBPyConnection, year: int, code: str, acts: Sequence[Activity]) -> None:
    con.execute("DELETE FROM activities WHERE year = ? AND project_code = ?", [year, code])
    if acts:
        con.executemany("INSERT INTO activities VALUES (?,?,?,?,?,?,?,?)",
                        [[year, code, i, a.start, a.end, a.month_only, a.title, a.text or None] for i, a in enumerate(acts)])


# -- writing from an import ------------------------------------------------------------------------
def write_imported(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], actor: Actor) -> dict[str, int]:
    """The import's facts, sources and activities (inside its transaction). A project's facts row
    replaces the stored one and moves its version on (an open form notices); sources replace those of
    the same project and month; activities replace the project's whole list."""
    counts: dict[str, int] = {}
    facts = frames.get("project_facts")
    if facts is not None and not facts.empty:
        now = datetime.now().replace(microsecond=0)
        stored = con.execute("SELECT year, project_code, version FROM project_facts").fetchall()
        versions = {(int(y), c): int(v) for y, c, v in stored}
        rows = []
        for r in facts.to_dict("records"):
            key = (int(r["year"]), str(r["project_code"]))
            adjusted = r["goal_adjusted"]
            rows.append(ProjectFacts(key[0], key[1], _text(r["background"]), _text(r["basis"]),
                                     None if adjusted is None or pd.isna(adjusted) else bool(adjusted), _text(r["adjusted_goal"]),
                                     _text(r["monitor_body"]), _text(r["third_party"]), _text(r["compliance"]),
                                     version=versions.get(key, 0) + 1, updated_at=now, updated_by=actor.name,
                                     efficiency=_text(r.get("efficiency")), effectiveness=_text(r.get("effectiveness")),
                                     fairness=_text(r.get("fairness"))))
        _write_facts(con, rows)
        counts["项目基本情况"] = len(rows)
    sources = frames.get("fund_sources")
    if sources is not None and not sources.empty:
        con.register("_src", sources[["year", "project_code", "month"]].drop_duplicates())
        try:
            con.execute("DELETE FROM fund_sources f WHERE EXISTS (SELECT 1 FROM _src s WHERE s.year = f.year "
                        "AND s.project_code = f.project_code AND s.month = f.month)")
        finally:
            con.unregister("_src")
        s = sources.copy()
        for col in ("initial", "added", "cut", "adjusted", "spent"):
            s[col] = pd.array(s[col], dtype="Int64")
        s = s.astype({"year": "int64", "month": "int64", "seq": "int64"})
        con.register("_src", s)
        try:
            con.execute("""INSERT INTO fund_sources (year, project_code, month, source, seq, initial, added, cut, adjusted, spent)
                           SELECT year, project_code, month, source, seq, CAST(initial AS DECIMAL(18,0)) * 0.01,
                             CAST(added AS DECIMAL(18,0)) * 0.01, CAST(cut AS DECIMAL(18,0)) * 0.01,
                             CAST(adjusted AS DECIMAL(18,0)) * 0.01, CAST(spent AS DECIMAL(18,0)) * 0.01 FROM _src""")
        finally:
            con.unregister("_src")
        counts["资金来源"] = len(s)
    acts = frames.get("activities")
    if acts is not None and not acts.empty:
        for (y, code), g in acts.groupby(["year", "project_code"], sort=False):
            _write_activities(con, int(y), str(code), [
                Activity(r["start"], str(r["title"]), _text(r["text"]), r["end"] if not pd.isna(r["end"]) else None, bool(r["month_only"]))
                for r in g.to_dict("records")])
        counts["工作进展"] = len(acts)
    return counts


# -- wording ---------------------------------------------------------------------------------------
def sources_sentence(sources: Sequence[FundSource]) -> str:
    """其中一般公共预算拨款450万元、其他资金40万元 — or 均为一般公共预算拨款 for a single source."""
    if not sources:
        return ""
    if len(sources) == 1:
        return f"均为{sources[0].source}"
    return "其中" + "、".join(f"{s.source}{fmt_wan(s.adjusted_fen)}" for s in sources)


def period_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def activities_until(acts: Sequence[Activity], cutoff: date) -> list[Activity]:
    """The work begun by the cut-off, in the order the unit listed it (seed 004 lists by kind of work,
    each item with its own dates)."""
    return [a for a in acts if a.start <= cutoff]



# -- the 工作进展 list as lines of text (the browser form) -------------------------------------------
_RANGE = ("—", "～", "~", "至")


def activity_lines(acts: Sequence[Activity]) -> str:
    """One line per activity: `2023-07-03—2023-08-11 事项：内容` (a month alone as 2023-07)."""
    def d(x: date) -> str:
        return x.strftime("%Y-%m") if a.month_only else x.isoformat()

    out = []
    for a in acts:
        when = d(a.start) + (f"—{d(a.end)}" if a.end and a.end != a.start else "")
        out.append(f"{when} {a.title}" + (f"：{a.text}" if a.text else ""))
    return "\n".join(out)


def parse_activity_lines(text: str, year: int) -> tuple[Activity, ...]:
    """The inverse of `activity_lines`; a line that cannot be read is refused with its number."""
    acts, problems = [], []
    for i, line in enumerate(str(text).splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        when, _, rest = line.partition(" ")
        title, sep, body = rest.replace(":", "：", 1).partition("：")
        try:
            parts = [when]
            for mark in _RANGE:
                if mark in when:
                    parts = when.split(mark, 1)
                    break
            start, month_only = _read_day(parts[0])
            end = None
            if len(parts) > 1:
                end, end_month = _read_day(parts[1])
                if end_month:
                    end = period_end(end.year, end.month)
            if start.year != year:
                raise ValueError(f"日期不在{year}年内")
            if end is not None and end < start:
                raise ValueError("结束日期早于开始日期")
            if not title.strip():
                raise ValueError("缺少事项名称")
        except ValueError as exc:
            problems.append(f"第{i}行「{line[:30]}」：{exc}")
            continue
        acts.append(Activity(start, title.strip(), body.strip() if sep else "", end, month_only))
    if problems:
        raise MonitorError("工作进展有误（每行写“日期 事项：内容”，如“2023-07-03—2023-08-11 开设职工子女暑期托管班：83名职工子女参加”，"
                           "只知道月份写2023-07）：" + "；".join(problems))
    return tuple(acts)


def _read_day(text: str) -> tuple[date, bool]:
    t = text.strip()
    try:
        if len(t) <= 7:
            y, m = t.split("-")
            return date(int(y), int(m), 1), True
        return date.fromisoformat(t), False
    except ValueError as exc:
        raise ValueError(f"日期「{t}」应写成2023-07-03或2023-07") from exc
