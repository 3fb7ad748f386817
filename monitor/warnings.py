"""Warnings (every red and yellow item of a month) and the suggested corrective notes.

The suggestions are rules as data: `SUGGESTIONS` maps a situation to a cause, a sentence and a
corrective measure in the language of seed 004 §五. A department officer edits them rather than
writing from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .money import fmt_bp, fmt_wan
from .notes import Note
from .status import Status


@dataclass(frozen=True)
class Suggestion:
    code: str
    cause: str  # one of store.CAUSES
    explanation: str  # may use {month}, {rate}, {schedule}, {gap}, {idle}, {required}, {actual}, {target}
    measure_type: str  # one of store.MEASURE_TYPES
    measure: str


SUGGESTIONS: dict[str, Suggestion] = {s.code: s for s in (
    Suggestion("over_budget", "其他", "截至{month}月末累计支出已超过预算，执行率{rate}。", "调整实施计划",
               "核实超预算支出原因，按规定程序办理预算调整，未经批准不得继续超预算支出。"),
    Suggestion("not_started", "其他", "截至{month}月末项目尚未发生支出，序时进度已达{schedule}。", "加快执行",
               "尽快启动项目实施，明确实施计划和时间节点，按进度及时申请资金支付；确实无法实施的，及时调减预算并同步调整绩效目标。"),
    Suggestion("low_execution", "其他", "截至{month}月末预算执行率{rate}，低于序时进度{gap}个百分点，沉淀资金{idle}；今后须月均支出{required}方可在年底达到目标。", "加快执行",
               "做好项目资金使用计划，加快已完成项目的结算申请工作，及时支付项目资金，减少资金沉淀。"),
    Suggestion("slightly_behind", "其他", "截至{month}月末预算执行率{rate}，低于序时进度{gap}个百分点，进度偏慢。", "加快执行",
               "按用款计划加快支付进度，跟踪合同履约和验收，及时办理结算。"),
    Suggestion("forecast_miss", "其他", "目前执行进度正常，但按{basis}预计年底执行率仅{projected}。", "加快执行",
               "提前安排四季度支付计划，避免资金集中于年底支出。"),
    Suggestion("indicator_zero", "其他", "截至{month}月末该项工作尚未开展（实际完成值为0）。", "加快执行",
               "加快推进该项工作，明确责任人和完成时限，确保年底前完成目标。"),
    Suggestion("indicator_behind", "人员保障", "截至{month}月末实际完成{actual}，本阶段目标{stage}，完成率{completion}。", "调整实施计划",
               "分析进度滞后原因，调整实施计划，加大工作力度，确保年度目标如期完成。"),
    Suggestion("indicator_qualitative", "其他", "定性指标填报为「{actual}」，尚未完全达成。", "调整实施计划",
               "对照指标解释补充措施，年底前形成可佐证的工作成果。"),
    Suggestion("indicator_over_cap", "经费保障", "实际{actual}已超过成本上限{target}。", "调减预算并同步调整绩效目标",
               "严格控制成本，核实超支原因，必要时按程序调整预算和绩效目标。"),
    Suggestion("indicator_over_target", "其他", "实际{actual}已达到年度目标{target}的{annual}，目标设置可能偏保守。", "其他",
               "下年度申报时结合实际工作量合理调高目标值。"),
)}


def suggest_likelihood(projected_bp: int | None, year_end_green_bp: int) -> str:
    """完成目标可能性 from the year-end projection; the user may override it."""
    if projected_bp is None:
        return "有可能"
    if projected_bp >= year_end_green_bp:
        return "确定能"
    return "有可能" if projected_bp >= 5000 else "完全不可能"


def money_suggestion_code(level: str, forecast_miss: bool, cause: str) -> str | None:
    """cause: the rule that set the light (execution.CAUSE_SQL)."""
    if level in ("red", "yellow"):
        if cause in ("over_budget", "not_started"):
            return cause
        return "low_execution" if level == "red" else "slightly_behind"
    if forecast_miss:
        return "forecast_miss"
    return None


def indicator_suggestion_code(level: str, nature: str, op: str | None, actual_micro: object) -> str | None:
    if level == "blue":
        return "indicator_over_target"
    if level not in ("red", "yellow"):
        return None
    if nature == "qualitative":
        return "indicator_qualitative"
    if op in ("<=", "<") and nature != "rate":
        return "indicator_over_cap"
    if actual_micro is not None and not pd.isna(actual_micro) and int(actual_micro) == 0:  # type: ignore[call-overload]
        return "indicator_zero"
    return "indicator_behind"


@dataclass(frozen=True)
class SuggestedNote:
    code: str
    cause: str
    explanation: str
    measure_type: str
    measure: str
    likelihood: str


def _fill(code: str, values: dict[str, str], likelihood: str) -> SuggestedNote:
    s = SUGGESTIONS[code]
    return SuggestedNote(code, s.cause, s.explanation.format(**values), s.measure_type, s.measure.format(**values), likelihood)


def suggest_for_project(st: Status, project_code: str) -> SuggestedNote | None:
    p = st.project(project_code)
    code = money_suggestion_code(p["level"], bool(p["forecast_miss"]), str(p["level_cause"]))
    if code is None:
        return None
    from .execution import params

    green = int(params(st.year, st.schedule, st.rules)["year_end_green_bp"])  # type: ignore[call-overload]
    projected = None if pd.isna(p["projected_bp"]) else int(p["projected_bp"])
    values = {
        "month": str(st.month), "rate": fmt_bp(p["rate_bp"]), "schedule": fmt_bp(p["schedule_bp"]),
        "gap": fmt_bp(p["gap_bp"], ""), "idle": fmt_wan(None if pd.isna(p["idle_fen"]) else int(p["idle_fen"])),
        "required": fmt_wan(None if pd.isna(p["required_monthly_fen"]) else int(p["required_monthly_fen"])),
        "basis": str(p["projected_basis"]), "projected": fmt_bp(projected),
    }
    return _fill(code, values, suggest_likelihood(projected, green))


def suggest_for_indicator(st: Status, project_code: str, indicator_name: str) -> SuggestedNote | None:
    rows = st.project_indicators(project_code)
    rows = rows[(rows["name"] == indicator_name).to_numpy(dtype=bool)]
    if rows.empty:
        return None
    r = rows.iloc[0]
    code = indicator_suggestion_code(r["level"], r["nature"], r["op"], r["actual_micro"])
    if code is None:
        return None
    values = {
        "month": str(st.month), "actual": str(r["actual_text"]), "target": str(r["target_text"]),
        "stage": str(r["stage_text"]), "completion": fmt_bp(None if pd.isna(r["completion_bp"]) else int(r["completion_bp"])),
        "annual": fmt_bp(None if pd.isna(r["annual_bp"]) else int(r["annual_bp"])),
    }
    likelihood = "确定能" if r["level"] == "blue" else ("完全不可能" if code == "indicator_over_cap" else "有可能")
    return _fill(code, values, likelihood)


def noted_items(notes: list[Note], month: int) -> frozenset[tuple[str, str]]:
    """(project, indicator) pairs that have a written cause or explanation for this month."""
    return frozenset((n.project_code, n.indicator_name) for n in notes if n.month == month and (n.explanation or n.causes))


def mark_noted(items: pd.DataFrame, notes: list[Note], month: int) -> pd.DataFrame:
    """Set has_note on warning items (lets a caller cache the items and re-mark them after a note)."""
    noted = noted_items(notes, month)
    out = items.copy()
    out["has_note"] = [(c, i) in noted for c, i in zip(out["project_code"], out["indicator_name"], strict=True)]
    return out


def warning_items(st: Status, notes: list[Note]) -> pd.DataFrame:
    """Every red and yellow item of the month (money and indicators), with its suggestion and note state."""
    p = st.projects[st.projects["level"].isin(["red", "yellow"])]
    money = pd.DataFrame({
        "kind": "资金", "department_name": p["department_name"], "unit_name": p["unit_name"],
        "project_code": p["project_code"], "project_name": p["project_name"], "indicator_name": "",
        "level": p["level"], "reason": p["level_reason"], "idle_fen": p["idle_fen"], "gap_bp": p["gap_bp"],
        "projection_level": p["money_projection_level"],
    })
    f = st.indicator_figures
    i = st.describe(st.labelled(f[f["level"].isin(["red", "yellow"]).to_numpy(dtype=bool)])).merge(
        st.projects[["project_code", "project_name", "department_name", "unit_name"]], on="project_code")
    inds = pd.DataFrame({
        "kind": "指标", "department_name": i["department_name"], "unit_name": i["unit_name"],
        "project_code": i["project_code"], "project_name": i["project_name"], "indicator_name": i["name"],
        "level": i["level"], "reason": i["level_reason"], "idle_fen": pd.NA, "gap_bp": pd.NA,
        "projection_level": i["projection_level"],
    })
    items = pd.concat([money, inds], ignore_index=True)
    if items.empty:
        return items.assign(suggested_cause=[], suggested_measure=[], has_note=[], projection_level=[])
    m_codes = [money_suggestion_code(lv, False, str(c)) for lv, c in zip(p["level"], p["level_cause"], strict=False)]
    i_codes = [indicator_suggestion_code(lv, n, o, a) for lv, n, o, a in zip(i["level"], i["nature"], i["op"], i["actual_micro"], strict=False)]
    codes = m_codes + i_codes
    items["suggestion"] = codes
    items["suggested_cause"] = [SUGGESTIONS[c].cause if c else "" for c in codes]
    items["suggested_measure_type"] = [SUGGESTIONS[c].measure_type if c else "" for c in codes]
    items["suggested_measure"] = [SUGGESTIONS[c].measure if c else "" for c in codes]
    items = mark_noted(items, notes, st.month)
    items["_rank"] = items["level"].map({"red": 0, "yellow": 1})
    return items.sort_values(["department_name", "_rank"], kind="stable").drop(columns="_rank").reset_index(drop=True)
