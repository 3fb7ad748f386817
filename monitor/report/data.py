"""What a report needs besides the `Status`: master data, declared indicators, notes, curves.

Loaded in a handful of queries for any number of projects, so a zip of a thousand reports costs
the same few round trips as one report.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pandas as pd

from ..money import round_div
from ..notes import Note, load_notes
from ..opinions import Attachment, attachment_list
from ..project_facts import FundSource, ProjectFacts, facts_on, sources_on
from ..review import Finding, review
from ..rules import Rules
from ..schedule import schedule_for
from ..status import Status
from ..store import Store
from .chart import Curve

MASTER_SQL = """SELECT project_code, start_date, end_date, annual_goal, content
FROM projects WHERE year = ? AND list_contains(?, project_code)"""
DECLARED_SQL = """SELECT project_code, seq, level1, level2, name, target_text, adjust_type, explanation,
  original_name, original_target
FROM indicators WHERE year = ? AND list_contains(?, project_code) ORDER BY project_code, seq, name"""
EVIDENCE_SQL = """SELECT project_code, indicator_name, evidence FROM progress
WHERE year = ? AND month <= ? AND list_contains(?, project_code) AND trim(coalesce(evidence, '')) <> ''
QUALIFY row_number() OVER (PARTITION BY project_code, indicator_name ORDER BY month DESC) = 1"""
EDITS_SQL = """SELECT project_code, key, text FROM report_edits WHERE year = ? AND month = ? AND list_contains(?, project_code)"""
OPINIONS_SQL = """SELECT project_code, text FROM opinions
WHERE year = ? AND month = ? AND list_contains(?, project_code) AND trim(coalesce(text, '')) <> ''"""
MONTHLY_SQL = """SELECT project_code, month, CAST(spent * 100 AS BIGINT) AS spent_fen,
  CAST(planned * 100 AS BIGINT) AS planned_fen
FROM monthly WHERE year = ? AND list_contains(?, project_code) ORDER BY project_code, month"""


def default_report_date(year: int, month: int, today: date | None = None) -> date:
    """The date a report of 1-`month`月 carries unless one is chosen: the end of the month after the
    monitoring point (a 1-10月 report is written in November), never later than today and never before
    the monitoring point itself — so a 2023 report regenerated in 2026 is not dated 2026."""
    today = today or date.today()
    cutoff = date(year, month, calendar.monthrange(year, month)[1])
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    written = date(ny, nm, calendar.monthrange(ny, nm)[1])
    return max(cutoff, min(written, today))


@dataclass
class ReportData:
    status: Status
    master: dict[str, dict[str, object]]
    declared: dict[str, pd.DataFrame]  # every indicator as declared and adjusted, deleted ones too
    notes: dict[str, list[Note]]  # the notes in force at the monitoring month, per project
    indicators: dict[str, pd.DataFrame]  # tracked indicators with their words, per project
    monthly: dict[str, pd.DataFrame] = field(default_factory=dict)
    attachments: dict[str, list[Attachment]] = field(default_factory=dict)  # evidence uploaded up to the month
    facts: dict[str, ProjectFacts] = field(default_factory=dict)  # 项目背景, 表2, activities … (monitor/project_facts.py)
    sources: dict[str, list[FundSource]] = field(default_factory=dict)  # sources of funds as known at the month
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # 目标合理性审核, per project
    evidence: dict[str, dict[str, str]] = field(default_factory=dict)  # code → indicator → 完成情况说明 (latest up to the month)
    opinions: dict[str, str] = field(default_factory=dict)  # code → 监控方意见 of the month
    edits: dict[str, dict[str, str]] = field(default_factory=dict)  # code → paragraph key → a person's wording

    def curve(self, code: str) -> Curve:
        return project_curve(self.status, code, self.monthly.get(code))

    def project_indicators(self, code: str) -> pd.DataFrame:
        got = self.indicators.get(code)
        return got if got is not None else self._empty

    @property
    def _empty(self) -> pd.DataFrame:
        return self.status.project_indicators("\0")

    @property
    def view(self) -> StatusView:
        """The status as the suggestion functions see it, reading the indicators worded here."""
        return StatusView(self.status, self)


class StatusView:
    """A Status whose `project_indicators` reads the rows already worded for the report.

    `warnings.suggest_for_indicator` asks the status for a project's indicators on every call,
    and wording them costs a fixed ~50 ms each time; a zip asks thousands of times.
    """

    def __init__(self, status: Status, data: ReportData):
        self._status = status
        self._data = data

    def project_indicators(self, code: str) -> pd.DataFrame:
        return self._data.project_indicators(code)

    def __getattr__(self, name: str) -> object:
        return getattr(self._status, name)


def load(store: Store, status: Status, codes: Sequence[str] | None = None) -> ReportData:
    """Report data for `codes` (default: every project of the status)."""
    codes = list(status.projects["project_code"] if codes is None else codes)
    y = status.year
    master, declared, monthly, evidence, opinions, edits = store.dfs([
        (MASTER_SQL, [y, codes]), (DECLARED_SQL, [y, codes]), (MONTHLY_SQL, [y, codes]),
        (EVIDENCE_SQL, [y, status.month, codes]), (OPINIONS_SQL, [y, status.month, codes]),
        (EDITS_SQL, [y, status.month, codes])])
    worded: dict[str, dict[str, str]] = {}
    for r in edits.itertuples(index=False):
        worded.setdefault(str(r.project_code), {})[str(r.key)] = str(r.text)
    said: dict[str, dict[str, str]] = {}
    for r in evidence.itertuples(index=False):
        said.setdefault(str(r.project_code), {})[str(r.indicator_name)] = str(r.evidence).strip()
    wanted = set(codes)
    inds = _worded_indicators(status, wanted)
    # Arrow-backed string columns make every row access of a small frame slow; reports read row by row
    inds = inds.astype({c: object for c, t in inds.dtypes.items() if str(t) in ("string", "str") or "pyarrow" in str(t)})
    notes: dict[str, list[Note]] = {}
    only = codes[0] if len(codes) == 1 else None  # one project: read only its notes
    for n in notes_in_force(load_notes(store, y, only, month=status.month, actor=status.actor), status.month):
        if n.project_code in wanted:
            notes.setdefault(n.project_code, []).append(n)
    return ReportData(
        status=status,
        master={r["project_code"]: r for r in master.to_dict("records")},
        declared={c: g.reset_index(drop=True) for c, g in declared.groupby("project_code", sort=False)},
        notes=notes,
        # the Status's row order is not guaranteed between runs; reports list indicators as declared
        indicators={c: grouped(g) for c, g in inds.groupby("project_code", sort=False)},
        monthly={c: g for c, g in monthly.groupby("project_code", sort=False)},
        attachments=_attachments(store, status, only),
        findings=_findings(store, status, only, wanted),
        evidence=said,
        edits=worded,
        opinions={str(r.project_code): str(r.text).strip() for r in opinions.itertuples(index=False)},
        **_facts(store, status, codes),
    )


def _facts(store: Store, status: Status, codes: list[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    with store.connect() as con:
        return {"facts": facts_on(con, status.year, codes), "sources": sources_on(con, status.year, status.month, codes)}


def _findings(store: Store, status: Status, only: str | None, wanted: set[str]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in review(store, status.actor, status.year, status.month, only):
        if f.project_code in wanted:
            out.setdefault(f.project_code, []).append(f)
    return out


def _attachments(store: Store, status: Status, only: str | None) -> dict[str, list[Attachment]]:
    out: dict[str, list[Attachment]] = {}
    for code, a in attachment_list(store, status.actor, status.year, status.month, only):
        out.setdefault(code, []).append(a)
    return out


def grouped(frame: pd.DataFrame) -> pd.DataFrame:
    """Indicators grouped by 一级 then 二级 in order of first appearance, seq order within."""
    if frame.empty:
        return frame.reset_index(drop=True)
    f = frame.sort_values(["seq", "name"], kind="stable").reset_index(drop=True)
    a, b = f["level1"].tolist(), f["level2"].tolist()
    l1 = {v: i for i, v in enumerate(dict.fromkeys(a))}
    l2 = {v: i for i, v in enumerate(dict.fromkeys(zip(a, b, strict=False)))}
    order = sorted(range(len(f)), key=lambda i: (l1[a[i]], l2[(a[i], b[i])], i))
    return f.iloc[order].reset_index(drop=True)


def _worded_indicators(status: Status, codes: set[str]) -> pd.DataFrame:
    """One wording pass over the indicators of `codes` (the Status words lazily, per call)."""
    return status.describe(status.labelled_projects(codes))


def notes_in_force(notes: Sequence[Note], month: int) -> list[Note]:
    """The latest note per item; an earlier month's note counts only while its measure is open.

    Notes carry into the next month until closed, so a measure written in August and still under
    way shows in the October report; a bare explanation of an old deviation does not.
    """
    latest: dict[tuple[str, str], Note] = {}
    for n in sorted(notes, key=lambda n: n.month):
        if n.month <= month:
            latest[(n.project_code, n.indicator_name)] = n
    return [n for n in latest.values() if n.month == month or n.is_open]


def project_curve(status: Status, code: str, monthly: pd.DataFrame | None) -> Curve:
    """Cumulative spend and plan as % of the adjusted budget, as `status.monthly_curve` computes them."""
    p = status.project(code)
    budget = int(p["budget_fen"])
    spent_by = {int(m): int(s) for m, s in zip(monthly["month"], monthly["spent_fen"], strict=False)} if monthly is not None else {}
    plan_by = ({int(m): int(v) for m, v in zip(monthly["month"], monthly["planned_fen"], strict=False) if not pd.isna(v)}
               if monthly is not None else {})
    rules = status.rules if status.rules.schedule_mode != "plan" else Rules()
    spent, plan, cum_s, cum_p = [], [], 0, 0
    for m in range(1, 13):
        cum_s += spent_by.get(m, 0)
        cum_p += plan_by.get(m, 0)
        spent.append(round_div(cum_s * 10000, budget) / 100 if budget and m <= status.month else None)
        plan.append(round_div(cum_p * 10000, budget) / 100 if budget and plan_by else None)
    return Curve(spent, _schedule_pcts(status.year, rules), plan if plan_by else None, status.month)


@lru_cache(maxsize=8)
def _schedule_pcts(year: int, rules: Rules) -> list[float]:
    return [schedule_for(year, m, rules).bp / 100 for m in range(1, 13)]
