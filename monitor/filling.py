"""What a unit fills in for a project's month in the browser, and what must be written before 送审.

The month's spend and arrivals (万元), each indicator's actual (the same reader as the import: 183,
"90%", 达成 …) with its evidence (完成情况说明). Saving writes the same tables an import writes, in
one transaction with the audit trail, and moves the submission to 已暂存 under its version, so two
people filling one project never overwrite each other (`StateConflict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import duckdb
import pandas as pd

from . import audit, rounds
from .access import Actor, require
from .errors import MonitorError, StateConflict
from .money import FEN_PER_WAN, fmt_wan
from .notes import Note
from .rules import Rules
from .status import Status
from .store import Store
from .targets import parse_actual, parse_target

MAX_WAN = Decimal(10) ** 8  # 1 万亿元: far above any project, far below what the status arithmetic holds


@dataclass(frozen=True)
class Actual:
    indicator_name: str
    target_text: str
    actual: str  # as typed: 183, 90%, 达成 …; "" = not reported this month
    evidence: str = ""  # 完成情况说明: what was done, when, where the figure comes from


@dataclass(frozen=True)
class MonthEntry:
    """A project's month as a unit enters it."""

    year: int
    month: int
    project_code: str
    spent_wan: str = ""  # the month's spend, 万元, as typed
    arrived_wan: str = ""
    actuals: tuple[Actual, ...] = ()
    version: int = 0  # the submission's version the entry was read at
    submission_state: str = rounds.NOT_FILLED
    extras: dict[str, object] = field(default_factory=dict)


def month_entry(store: Store, actor: Actor, year: int, month: int, code: str) -> MonthEntry:
    """What is stored now for the project's month: the form opens on it."""
    with store.connect() as con:
        rounds.check_in_scope(con, actor, year, code)
        sub = rounds._submission(con, year, month, code)
        money = con.execute("SELECT CAST(spent * 100 AS BIGINT), CAST(arrived * 100 AS BIGINT) FROM monthly "
                            "WHERE year = ? AND project_code = ? AND month = ?", [year, code, month]).fetchone()
        inds = con.execute(
            "SELECT i.name, i.target_text, g.actual_text, g.evidence FROM indicators i LEFT JOIN progress g "
            "ON g.year = i.year AND g.project_code = i.project_code AND g.indicator_name = i.name AND g.month = ? "
            "WHERE i.year = ? AND i.project_code = ? AND i.adjust_type <> '删除' ORDER BY i.seq", [month, year, code]).fetchall()
    spent = "" if money is None or money[0] is None else fmt_wan(int(money[0]), 6, unit=False).replace(",", "")
    arrived = "" if money is None or money[1] is None else fmt_wan(int(money[1]), 6, unit=False).replace(",", "")
    return MonthEntry(year, month, code, spent, arrived,
                      tuple(Actual(n, t, a or "", e or "") for n, t, a, e in inds), sub.version, sub.state)


def _wan_to_fen(text: str, what: str) -> int | None:
    t = text.strip().replace(",", "")
    if not t:
        return None
    try:
        d = Decimal(t)
    except InvalidOperation as exc:
        raise MonitorError(f"{what}应为数字（单位万元），而不是「{text}」") from exc
    if not d.is_finite() or d < 0 or d > MAX_WAN:
        raise MonitorError(f"{what}应在0到{MAX_WAN:,}万元之间，而不是「{text}」")
    fen = d * FEN_PER_WAN
    if fen != fen.to_integral_value():
        raise MonitorError(f"{what}「{text}」万元精确到分以下，最多6位小数")
    return int(fen)


def save_month(store: Store, actor: Actor, entry: MonthEntry) -> rounds.Submission:
    """暂存: write the month's money and actuals, then move the submission to 已暂存 (version-checked)."""
    require(actor, "data.fill")
    y, m, code = entry.year, entry.month, entry.project_code
    spent = _wan_to_fen(entry.spent_wan, f"{m}月支出")
    arrived = _wan_to_fen(entry.arrived_wan, f"{m}月到位资金")
    parsed = []
    for a in entry.actuals:
        if not a.actual.strip():
            parsed.append((a, None))
            continue
        try:
            value = parse_actual(a.actual, parse_target(a.target_text))
        except (MonitorError, InvalidOperation, ValueError) as exc:
            raise MonitorError(f"指标「{a.indicator_name}」：{exc}") from exc
        parsed.append((a, value))
    now = datetime.now().replace(microsecond=0)
    try:
        _write_month(store, actor, entry, spent, arrived, parsed, now)
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        # the same month written from another process at the same instant: refused, nothing written
        raise StateConflict(f"项目「{code}」{y}年{m}月的填报刚刚被他人同时保存，您的修改未保存；您填写的内容仍在表单中，"
                            "请刷新后重新填写。") from exc
    current = rounds.submission(store, actor, y, m, code)
    if current.state in (rounds.NOT_FILLED, rounds.DRAFT, rounds.RETURNED) and current.due_date is not None:
        return rounds.mark_draft(store, actor, y, m, code, current.version)
    return current


def _write_month(store: Store, actor: Actor, entry: MonthEntry, spent: int | None, arrived: int | None,
                 parsed: list, now: datetime) -> None:  # type: ignore[type-arg]
    y, m, code = entry.year, entry.month, entry.project_code
    with store.transaction() as con:
        store.touched(con, y, [code])
        rounds.check_editable(con, actor, y, m, code)
        current = rounds._submission(con, y, m, code)
        if current.version != entry.version:
            raise StateConflict(f"项目「{code}」{y}年{m}月的填报在您打开后已被「{current.updated_by}」修改（{current.state}），"
                                "您的修改未保存，以免覆盖对方的内容；您填写的内容仍在表单中，请刷新后重新填写。")
        before = month_entry_on(con, y, m, code)
        if spent is not None or arrived is not None:
            store.put_row(con, "monthly", {"year": y, "project_code": code, "month": m, "spent": Decimal(spent or 0) / 100,
                                           "arrived": None if arrived is None else Decimal(arrived) / 100})
        for a, value in parsed:
            if value is None and not a.evidence.strip():
                con.execute("UPDATE progress SET actual_text = NULL, actual_value = NULL, actual_status = NULL, evidence = NULL "
                            "WHERE year = ? AND project_code = ? AND indicator_name = ? AND month = ?", [y, code, a.indicator_name, m])
                continue
            micro = None if value is None or value.value is None else Decimal(
                int((value.value * 1_000_000).to_integral_value(rounding=ROUND_HALF_UP))) / 1_000_000
            store.put_row(con, "progress", {
                "year": y, "project_code": code, "indicator_name": a.indicator_name, "month": m,
                "actual_text": None if value is None else value.text, "actual_value": micro,
                "actual_status": None if value is None else value.status, "evidence": a.evidence.strip() or None})
        store.rekey(con, pd.DataFrame({"year": [y], "project_code": [code]}))
        after = month_entry_on(con, y, m, code)
        audit.record(con, actor, "填报", f"{y}年{m}月 支出、到位资金和指标完成情况", before, after, at=now, year=y, project_code=code)


def month_entry_on(con, y: int, m: int, code: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The month's stored money and actuals, JSON-ready (audit trail, the submission's content)."""
    money = con.execute("SELECT CAST(spent AS VARCHAR), CAST(arrived AS VARCHAR) FROM monthly WHERE year = ? AND project_code = ? "
                        "AND month = ?", [y, code, m]).fetchone()
    acts = con.execute("SELECT indicator_name, actual_text, evidence FROM progress WHERE year = ? AND project_code = ? AND month = ? "
                       "ORDER BY indicator_name", [y, code, m]).fetchall()
    return {"支出(元)": money[0] if money else None, "到位资金(元)": money[1] if money else None,
            **{f"指标「{n}」": {"实际完成值": t, "完成情况说明": e} for n, t, e in acts if t or e}}


# -- what must be written before 送审 ------------------------------------------------------------
def missing_before_submit(status: Status, code: str, notes: list[Note], rules: Rules) -> list[str]:
    """What the rules in force require and the project's month does not have yet, in words."""
    levels = ("red",) if rules.note_required == "red" else ("red", "yellow")
    p = status.project(code)
    items = [("", "项目资金", str(p["level"]))] if p["level"] in levels else []
    items += [(str(r.name), str(r.name), str(r.level)) for r in status.project_indicators(code).itertuples(index=False)
              if r.level in levels]
    mine = {n.indicator_name: n for n in notes if n.project_code == code and n.month == status.month}
    out = []
    for key, label, level in items:
        n = mine.get(key)
        lacks = []
        if n is None or not n.causes:
            lacks.append("偏差原因")
        if n is None or not (n.measure or n.measure_type):
            lacks.append("纠偏措施")
        if n is not None and rules.note_required == "red_yellow_likelihood" and n.likelihood in ("有可能", "完全不可能"):
            if not n.year_end:
                lacks.append("全年预计完成情况")
            if not n.explanation:
                lacks.append("原因说明")
        if lacks:
            out.append(f"{label}（{'红灯' if level == 'red' else '黄灯'}）：{'、'.join(lacks)}")
    if rules.over_explain_pct is not None:  # far above the annual target: say why (was the target too low?)
        line = int(rules.over_explain_pct * 100)
        for r in status.project_indicators(code).itertuples(index=False):
            n = mine.get(str(r.name))
            if not pd.isna(r.annual_bp) and int(r.annual_bp) >= line and (n is None or not n.explanation):
                out.append(f"{r.name}（超额，达到年度目标的{int(r.annual_bp) / 100:.2f}%）：原因说明")
    return out


def submission_content(entry: MonthEntry, notes: list[Note]) -> dict[str, object]:
    """What is sent for review, JSON-ready: the reviewer of a resubmission sees what changed."""
    out: dict[str, object] = {"支出(万元)": entry.spent_wan, "到位资金(万元)": entry.arrived_wan}
    for a in entry.actuals:
        if a.actual or a.evidence:
            out[f"指标「{a.indicator_name}」"] = {"实际完成值": a.actual, "完成情况说明": a.evidence}
    for n in notes:
        if n.project_code == entry.project_code and n.month == entry.month:
            out[f"说明「{n.item}」"] = n.contents()
    return out
