"""Small pure rules the dashboard needs on top of `status`: filters, sort orders, note drafts.

The pages only render; anything that decides (which projects match a filter, which items need a
note, what a draft note says, how the quadrant chart is sampled) lives here so it can be tested
without Streamlit. Everything takes the frames `compute_status` returns and never mutates them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import pandas as pd

from .access import Actor, scope_sql
from .money import FEN_PER_WAN, fmt_bp, fmt_wan, round_div
from .notes import Note
from .rules import Rules
from .status import QUADRANTS, Status
from .store import Store
from .warnings import mark_noted, noted_items, suggest_for_indicator, suggest_for_project  # noqa: F401 - pages use views.mark_noted

# Budget bands for the project list, in 万元: (label, lower bound inclusive, upper bound exclusive).
MONEY_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("不足10万元", 0, 10),
    ("10–50万元", 10, 50),
    ("50–100万元", 50, 100),
    ("100–500万元", 100, 500),
    ("500–1000万元", 500, 1000),
    ("1000万元及以上", 1000, None),
)

LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标", "成本指标")

# The short title (问题) a draft note gets, by suggestion code; §五 of the report groups by it.
PROBLEM_TITLES = {
    "over_budget": "超预算支出",
    "not_started": "项目尚未启动",
    "low_execution": "资金执行率偏低",
    "slightly_behind": "资金执行略慢于序时进度",
    "forecast_miss": "预计年底执行率不达标",
    "indicator_zero": "指标工作尚未开展",
    "indicator_behind": "指标完成进度滞后",
    "indicator_qualitative": "定性指标未完全达成",
    "indicator_over_cap": "成本超出上限",
    "indicator_over_target": "指标目标设置偏保守",
}
DEFAULT_DUE_MONTH = 12
DEFAULT_MEASURE_STATUS = "未开始"


# -- headline figures ---------------------------------------------------------------------------
def gap_text(gap_bp: int | None) -> str:
    """落后序时进度55.88个百分点 / 超前序时进度3.00个百分点 / 与序时进度持平."""
    if gap_bp is None or pd.isna(gap_bp):
        return "—"
    gap = int(gap_bp)
    if gap > 0:
        return f"落后序时进度{fmt_bp(gap, '个百分点')}"
    if gap < 0:
        return f"超前序时进度{fmt_bp(-gap, '个百分点')}"
    return "与序时进度持平"


def light_text(row: pd.Series, rules: Rules) -> str:
    """The gap with the rule's own figure and the light, so a green badge reading "落后序时进度11.20个
    百分点" is not taken for a contradiction: 落后序时进度11.20个百分点（比值86.56，绿灯）."""
    from .status import LEVEL_LABELS

    word = LEVEL_LABELS.get(str(row["level"]), "")
    ratio = row.get("ratio_bp")
    if rules.light_mode == "ratio" and ratio is not None and not pd.isna(ratio):
        return f"{gap_text(row['gap_bp'])}（比值{fmt_bp(int(ratio), '')}，{word}）"
    return f"{gap_text(row['gap_bp'])}（{word}）"


def required_pace_text(project: pd.Series, rules: Rules) -> str | None:
    """须月均支出X万元方可在年底达到100% — None in December, when no month is left."""
    fen = project.get("required_monthly_fen")
    if fen is None or pd.isna(fen):
        return None
    target = format(rules.year_end_target.normalize(), "f")
    if int(fen) == 0:
        return f"已达到年底{target}%的执行目标，无须再加快支出"
    return f"须月均支出{fmt_wan(int(fen))}方可在年底达到{target}%"


PROJECTIONS = (
    ("proj_run_fen", "目前月均支出"),
    ("proj_plan_fen", "用款计划"),
    ("proj_lastyear_fen", "上年同期进度"),
    ("proj_dept_fen", "本部门上年进度"),
)


def projections(project: pd.Series) -> pd.DataFrame:
    """The year-end projections side by side: basis, amount, rate on the denominator, used or not."""
    denom = int(project["denom_fen"])
    rows = []
    for col, label in PROJECTIONS:
        v = project.get(col)
        fen = None if v is None or pd.isna(v) else int(v)
        rows.append({
            "basis": label, "fen": fen,
            "rate_bp": None if fen is None or not denom else round_div(fen * 10000, denom),
            "used": label == project["projected_basis"],
        })
    return pd.DataFrame({
        "basis": [r["basis"] for r in rows],
        "fen": pd.array([r["fen"] for r in rows], dtype="Int64"),
        "rate_bp": pd.array([r["rate_bp"] for r in rows], dtype="Int64"),
        "used": [r["used"] for r in rows],
    })


def forecast_notes(project: pd.Series) -> list[str]:
    """What a reader must know beside the forecast: the project is behind its own plan, and the
    bases disagree (the plan would say one thing, the pace another)."""
    notes: list[str] = []
    plan_cum = project.get("plan_cum_fen")
    if bool(project.get("behind_plan")) and plan_cum is not None and not pd.isna(plan_cum) and int(plan_cum) > 0:
        spent = int(project["spent_fen"])
        notes.append(f"实际落后于用款计划：截至本月计划累计支出{fmt_wan(int(plan_cum))}，实际支出{fmt_wan(spent)}"
                     f"（为计划的{fmt_bp(round_div(spent * 10000, int(plan_cum)))}），年底预测不采用用款计划")
    table = projections(project)
    known = table[table["rate_bp"].notna()]
    if known["rate_bp"].nunique() > 1:
        notes.append("各口径预计年底执行率：" + "，".join(
            f"{b}{fmt_bp(int(r))}" + ("（采用）" if u else "") for b, r, u in zip(known["basis"], known["rate_bp"], known["used"], strict=True)))
    return notes


# -- the project list ---------------------------------------------------------------------------
def money_band(budget_fen: pd.Series) -> pd.Series:
    """Each budget's band label (MONEY_BANDS), compared in exact 分."""
    edges = [lo * FEN_PER_WAN for _, lo, _ in MONEY_BANDS[1:]]
    idx = np.searchsorted(np.asarray(edges, dtype="int64"), budget_fen.to_numpy(dtype="int64"), side="right")
    labels = np.asarray([b[0] for b in MONEY_BANDS], dtype=object)
    return pd.Series(labels[idx], index=budget_fen.index)


@dataclass(frozen=True)
class ProjectFilter:
    """What the 低执行项目 page filters on; empty tuples mean "all"."""

    departments: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    indicator_levels: tuple[str, ...] = ()
    quadrants: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    text: str = ""
    zero_spend: bool = False
    forecast_miss: bool = False
    without_note: bool = False


LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "超额", "none": "未评判"}


def describe_filter(f: ProjectFilter) -> str:
    """The filters in words, for the title of an export: 主管部门：甲、乙；资金灯：红灯；…"""
    parts = [f"{label}：{'、'.join(LIGHT_WORDS.get(v, v) for v in values)}" for label, values in (
        ("主管部门", f.departments), ("预算单位", f.units), ("资金灯", f.levels), ("指标灯", f.indicator_levels),
        ("象限", f.quadrants), ("预算规模", f.bands)) if values]
    if f.text.strip():
        parts.append(f"名称或编码含「{f.text.strip()}」")
    parts += [w for on, w in ((f.zero_spend, "零支出"), (f.forecast_miss, "当前绿灯、预计年底不达标"),
                              (f.without_note, "未填写资金说明")) if on]
    return "；".join(parts) or "无（全部项目）"


def filter_projects(projects: pd.DataFrame, f: ProjectFilter, noted: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The rows matching every set criterion; `noted` = codes whose money item has a note this month."""
    mask = np.ones(len(projects), dtype=bool)
    for col, wanted in (("department_name", f.departments), ("unit_name", f.units), ("level", f.levels),
                        ("indicator_level", f.indicator_levels), ("quadrant", f.quadrants)):
        if wanted:
            mask &= projects[col].isin(wanted).to_numpy()
    if f.bands:
        mask &= money_band(projects["budget_fen"]).isin(f.bands).to_numpy()
    if f.zero_spend:
        mask &= (projects["spent_fen"] == 0).to_numpy()
    if f.forecast_miss:
        mask &= projects["forecast_miss"].to_numpy(dtype=bool)
    if f.without_note:
        mask &= ~projects["project_code"].isin(noted).to_numpy()
    text = f.text.strip()
    if text:
        hit = projects["project_name"].str.contains(text, regex=False, case=False) | \
            projects["project_code"].str.contains(text, regex=False, case=False)
        mask &= hit.fillna(False).to_numpy(dtype=bool)
    return projects[mask]


# label → (columns, ascending); ties broken by the following columns, then the code for stability.
SORTS: dict[str, tuple[tuple[str, ...], tuple[bool, ...]]] = {
    "沉淀资金（从高到低）": (("idle_fen", "gap_bp"), (False, False)),
    "落后序时进度（从多到少）": (("gap_bp", "idle_fen"), (False, False)),
    "执行率（从低到高）": (("rate_bp", "idle_fen"), (True, False)),
    "预算（从高到低）": (("budget_fen", "idle_fen"), (False, False)),
    "今后须月均支出（从高到低）": (("required_monthly_fen", "idle_fen"), (False, False)),
    "项目编码": (("project_code",), (True,)),
}
DEFAULT_SORT = "沉淀资金（从高到低）"


def sort_projects(frame: pd.DataFrame, sort: str = DEFAULT_SORT) -> pd.DataFrame:
    cols, asc = SORTS[sort]
    if "project_code" not in cols:
        cols, asc = (*cols, "project_code"), (*asc, True)
    return frame.sort_values(list(cols), ascending=list(asc), na_position="last", kind="stable")


def search_projects(projects: pd.DataFrame, text: str, limit: int = 500) -> pd.DataFrame:
    """Projects whose name or code contains `text`, most idle money first (the project chooser)."""
    hits = filter_projects(projects, ProjectFilter(text=text))
    return sort_projects(hits).head(limit)


def noted_projects(notes: list[Note], month: int) -> frozenset[str]:
    """Projects whose money item has a written cause this month."""
    return frozenset(code for code, ind in noted_items(notes, month) if ind == "")


# -- the quadrant chart -------------------------------------------------------------------------
def on_track_share_bp(projects: pd.DataFrame) -> pd.Series:
    """Share of judged indicators on track (🟢 and 🔵) in hundredths of a percent; NA if none judged.

    A project is "targets behind" exactly when this is below 100%, so the 100% line of the chart is
    the quadrant boundary.
    """
    good = (projects["ind_green"] + projects["ind_blue"]).to_numpy(dtype="int64")
    judged = good + (projects["ind_red"] + projects["ind_yellow"]).to_numpy(dtype="int64")
    # round half up in integers, like money.round_div
    share = (good * 20000 + judged) // np.maximum(2 * judged, 1)
    return pd.Series(pd.array(share, dtype="Int64"), index=projects.index).mask(judged == 0)


def money_axis(rules: Rules) -> tuple[str, str, int]:
    """The x axis of the quadrant chart under the light mode in force: (column, label, green line bp)."""
    if rules.light_mode == "gap":
        return "gap_bp", "落后序时进度（个百分点，越小越好）", int(rules.gap_green * 100)
    if rules.light_mode == "gated":  # red only past the gap gate (and the budget gate)
        return "gap_bp", "落后序时进度（个百分点，越小越好）", int(rules.gate_gap * 100)
    if rules.light_mode == "binary":  # on schedule: a ratio of 100
        return "ratio_bp", "执行率 ÷ 序时进度 × 100（越大越好）", 10000
    return "ratio_bp", "执行率 ÷ 序时进度 × 100（越大越好）", int(rules.ratio_green * 100)


def money_line_label(rules: Rules) -> str:
    """What the quadrant chart's vertical line means: under milestone floors the ratio decides no light."""
    if rules.light_mode == "milestone":
        return f"比值{_plain(rules.ratio_green)}（参考线，本地区按里程碑底线判定）"
    return "资金绿灯线"


def _plain(value: object) -> str:
    return format(value, "f")


def quadrant_points(projects: pd.DataFrame, limit: int = 3000, seed: int = 0) -> pd.DataFrame:
    """The projects to plot: all of them up to `limit`, else the most idle money plus a sample.

    A browser draws a few thousand points instantly but not 100,000; the largest idle amounts are
    always kept (they are what the finance bureau looks for) and every quadrant keeps its share.
    """
    cols = ["project_code", "project_name", "department_name", "level", "indicator_level", "quadrant",
            "rate_bp", "ratio_bp", "gap_bp", "idle_fen"]
    frame = projects[cols].assign(share_bp=on_track_share_bp(projects))
    if len(frame) <= limit:
        return frame.sort_values("project_code", kind="stable").reset_index(drop=True)
    top = frame.nlargest(limit // 4, "idle_fen")
    # in code order: the sample is the same whatever order the status's rows come in
    rest = frame.drop(top.index).sort_values("project_code", kind="stable")
    n_rest = limit - len(top)
    rng = np.random.default_rng(seed)
    picked = []
    for _, group in rest.groupby("quadrant", sort=False):
        k = max(1, round(n_rest * len(group) / len(rest)))
        picked.append(group.iloc[np.sort(rng.choice(len(group), size=min(k, len(group)), replace=False))])
    return pd.concat([top, *picked]).reset_index(drop=True)


def quadrant_counts(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects, budget and idle money per quadrant, in QUADRANTS order."""
    g = projects.groupby("quadrant").agg(projects=("project_code", "size"), budget_fen=("budget_fen", "sum"),
                                          idle_fen=("idle_fen", "sum"))
    return g.reindex(list(QUADRANTS), fill_value=0).rename_axis("quadrant").reset_index()


# -- data quality -------------------------------------------------------------------------------
def missing_months(projects: pd.DataFrame, month: int) -> pd.DataFrame:
    """Projects that reported fewer monthly rows than months elapsed (a missing month is not a zero)."""
    rows = projects[projects["months_reported"] < month]
    return rows.assign(months_missing=month - rows["months_reported"])


UNITS_WITHOUT_MONTH_SQL = """
SELECT p.department_name, p.unit_name, count(*) AS projects
FROM projects p
LEFT JOIN monthly m ON m.year = p.year AND m.project_code = p.project_code AND m.month = ?
WHERE p.year = ? AND {scope}
GROUP BY p.department_name, p.unit_name
HAVING count(m.project_code) = 0
ORDER BY p.department_name, p.unit_name
"""


def units_without_month(store: Store, year: int, month: int, *, actor: Actor) -> pd.DataFrame:
    """Units none of whose projects has a spend row for `month` (the unit has not reported)."""
    scope, params = scope_sql(actor)
    return store.df(UNITS_WITHOUT_MONTH_SQL.replace("{scope}", scope), [month, year, *params])


# -- notes --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoteItem:
    indicator_name: str  # "" = the project's money
    label: str
    level: str
    reason: str


def note_items(status: Status, code: str, notes: list[Note]) -> list[NoteItem]:
    """What a note can be written on: the money item always, each 🔴/🟡 indicator, and any indicator
    that already has a note this month (so a note never disappears when its light turns green)."""
    p = status.project(code)
    items = [NoteItem("", "项目资金", str(p["level"]), str(p["level_reason"]))]
    with_note = {n.indicator_name for n in notes if n.month == status.month and n.project_code == code}
    for r in status.project_indicators(code).itertuples(index=False):
        if r.level in ("red", "yellow") or r.name in with_note:
            items.append(NoteItem(str(r.name), str(r.name), str(r.level), str(r.level_reason)))
    return items


def _latest(notes: list[Note], code: str, indicator: str, before: int) -> Note | None:
    same = [n for n in notes if n.project_code == code and n.indicator_name == indicator and n.month < before]
    return max(same, key=lambda n: n.month) if same else None


DRAFT_SAVED, DRAFT_CARRIED, DRAFT_SUGGESTED, DRAFT_BLANK = "已填写", "未填写（已沿用上月未完成的措施）", "未填写（已按建议预填）", "未填写"


def draft_note(status: Status, code: str, indicator: str, notes: list[Note]) -> tuple[Note, str]:
    """The note the form opens with, and where it came from (DRAFT_*).

    This month's note if there is one (with its version, for the conflict check); else the latest
    earlier note if its measure is still open (notes carry into the next month until closed); else
    the suggestion; else an empty note. Drafts have version 0: nothing is stored until saved.
    """
    for n in notes:
        if n.project_code == code and n.indicator_name == indicator and n.month == status.month:
            return n, DRAFT_SAVED
    base = Note(status.year, code, indicator, status.month)
    earlier = _latest(notes, code, indicator, status.month)
    if earlier is not None and earlier.is_open:
        return replace(earlier, month=status.month, version=0, updated_at=None, updated_by=""), DRAFT_CARRIED
    s = suggest_for_indicator(status, code, indicator) if indicator else suggest_for_project(status, code)
    if s is None:
        return replace(base, due_month=DEFAULT_DUE_MONTH, status=DEFAULT_MEASURE_STATUS), DRAFT_BLANK
    # Suggested wording only: the judgements (偏差原因, 完成目标可能性, 措施类型) are the unit's to make,
    # so they start empty and a draft is never counted as written until a person saves it.
    return replace(base, problem=PROBLEM_TITLES.get(s.code, ""), explanation=s.explanation, measure=s.measure,
                   due_month=DEFAULT_DUE_MONTH, status=DEFAULT_MEASURE_STATUS), DRAFT_SUGGESTED


def open_earlier_notes(notes: list[Note], month: int) -> list[Note]:
    """Measures from earlier months still open and not superseded by a later note on the same item."""
    latest: dict[tuple[str, str], Note] = {}
    for n in notes:
        if n.month <= month:
            key = (n.project_code, n.indicator_name)
            if key not in latest or n.month > latest[key].month:
                latest[key] = n
    return sorted((n for n in latest.values() if n.month < month and n.is_open),
                  key=lambda n: (n.project_code, n.month, n.indicator_name))


def indicator_order(inds: pd.DataFrame) -> pd.DataFrame:
    """Indicators grouped by 一级 (产出, 效益, 满意度, 成本, then others) and 二级, in entry order."""
    rank = {name: i for i, name in enumerate(LEVEL1_ORDER)}
    key = inds["level1"].map(lambda v: rank.get(v, len(rank)))
    first_seq = inds.groupby("level2")["seq"].transform("min")
    return inds.assign(_r=key, _l2=first_seq).sort_values(["_r", "_l2", "seq"], kind="stable").drop(columns=["_r", "_l2"])


# -- settings -----------------------------------------------------------------------------------
DECIMAL_RULES = ("ratio_green", "ratio_yellow", "gap_green", "gap_yellow", "not_started_from", "ind_green",
                 "ind_yellow", "ind_rate_yellow", "ind_lower_yellow", "ind_blue", "year_end_target")


def _dec(value: object) -> Decimal:
    # form numbers arrive as floats: keep the two decimals the user can type, exactly
    return Decimal(f"{float(value):.2f}").normalize() if not isinstance(value, Decimal) else value  # type: ignore[arg-type]


def default_custom_schedule() -> tuple[Decimal, ...]:
    """m/12 per month to two decimals: the starting point when a region switches to custom."""
    return tuple((Decimal(m * 100) / 12).quantize(Decimal("0.01")) for m in range(1, 13))


def rules_from_form(rules: Rules, values: dict[str, object]) -> Rules:
    """The rules with the form's values (floats → Decimals), validated (MonitorError in Chinese)."""
    changes: dict[str, object] = {}
    for k, v in values.items():
        if k in DECIMAL_RULES:
            changes[k] = _dec(v)
        elif k == "materiality_wan":
            changes[k] = None if v is None else _dec(v)
        elif k == "custom_schedule":
            changes[k] = tuple(_dec(x) for x in v) if v else ()  # type: ignore[union-attr]
        else:
            changes[k] = v
    return replace(rules, **changes).validate()  # type: ignore[arg-type]
