"""The year-end self-evaluation score, previewed in-year from the projections.

Self-evaluations (seed 000) give every indicator a weight (分值) and score it by its completion, add
10 points for 预算执行率 (min(执行率, 100%) × 10) and grade the total: 优 ≥ 90, 良 80–90, 中 60–80,
差 < 60. This module scores a whole province at once: pandas/numpy column code over one row per
indicator and one row per project, in exact integers — weights and scores in hundredths of a point
(分 × 100), completion rates in hundredths of a percent (bp) — every division rounded half up to two
decimals. The scalar `score_project` (the CLI's and the card's) runs the same column code on one
project, so each rule is written once.

How the methods differ is data (`METHODS`): the indicator rule, the caps of the total by execution,
and the deduction for a target beaten by far. Seed 000's three partial scores follow the rule
"完成率低于60%不得分，60%–100%按比例得分", score = 分值 × (完成率 − 60%) ÷ 40%:
215/300 = 71.67% of 3 分 → 0.875 → 0.88; 1656/2000 = 82.80% of 4 分 → 2.28; 861/1000 = 86.10% of 8 分 →
5.22. The band is read off the completion as shown (two decimals), the points are the exact fraction
rounded once: the seed's 90% satisfaction against ≥95% gives its 8.68 of 10 (from the shown 94.74%: 8.69).

Inputs of the preview: the year-end projection the status already has — the projected execution rate
(projected_bp) for money, and for an indicator its projected annual value (projected_micro: a
cumulative quantity not yet at its target goes on at its pace so far, actual ÷ 序时进度; a rate, or
a quantity already at its target, stays as it stands) divided by its annual target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import MonitorError

HUNDRED_BP = 10_000  # 100% in hundredths of a percent
EXECUTION_POINTS = 1_000  # 预算执行率: 10 分, in hundredths
INDICATOR_POINTS = 9_000  # all indicators together: 90 分, in hundredths
# Default weights where the data gives none: 产出 50, 效益 30, 满意度 10 (成本 counts with 产出), shared
# equally among a project's indicators of that 一级; a 一级 the project lacks passes its points on to
# the others in proportion, so the indicators always carry 90 分.
LEVEL1_POINTS = {"output": 50, "benefit": 30, "satisfaction": 10}
# A qualitative indicator as the unit reported it: the share of its weight it earns (percent).
QUALITATIVE_SHARE = {"达成": 100, "部分达成": 70, "未达成": 0}
GRADES = ((9_000, "优"), (8_000, "良"), (6_000, "中"), (0, "差"))  # total ≥ (hundredths of 分) → grade
NO_GRADE = "无法预估"

# What a rule code means, in the words a user reads beside the score.
RULE_WORDS = {
    "full": "达到目标，得满分",
    "below_60": "完成率低于60%，不得分",
    "linear_60": "完成率60%–100%，按比例得分：分值 ×（完成率 − 60%）÷ 40%",
    "proportional": "未达到目标，按完成比例得分：分值 × 完成率",
    "lower_full": "越低越好：不超过目标，得满分",
    "lower_linear": "越低越好：超出目标，按超出比例扣减，达到目标2倍不得分",
    "lower_zero": "越低越好：达到目标2倍及以上，不得分",
    "zero_target": "目标为0：实际为0得满分，否则不得分",
    "qualitative": "定性指标：达成得满分，部分达成得70%，未达成不得分",
    "unreported": "未填报或尚不能衡量：不计分，指标部分按其余指标的得分率折算",
}

RULES = tuple(RULE_WORDS)
R = {k: i for i, k in enumerate(RULES)}  # rule key → its code in the `rule` column


@dataclass(frozen=True)
class Method:
    """One way of scoring, as a self-evaluation manual writes it."""

    key: str
    name: str
    below_60_zero: bool  # "完成率低于60%不得分，60%–100%按比例得分" rather than plain proportion
    # (projected execution below bp, total at most hundredths of 分), loosest first: the last that applies wins
    caps: tuple[tuple[int, int], ...] = ()
    over_bp: int | None = None  # an indicator at or above this completion (bp) of a higher-is-better target …
    over_deduction: int = 0  # … takes this many hundredths of 分 off the total
    source: str = ""

    def describe(self) -> str:
        """The method in one Chinese sentence (rules text, report annex, card caption)."""
        rule = "完成率低于60%不得分，60%–100%按比例得分" if self.below_60_zero else "达到目标得满分，未达到的按完成比例得分"
        parts = [f"年终自评得分预估（{self.name}）：预算执行率10分（预计年底执行率 × 10，最高10分），绩效指标90分（{rule}）"]
        if self.caps:
            parts.append("预计执行率" + "、".join(f"低于{below // 100}%的总分不超过{cap // 100}分" for below, cap in self.caps))
        if self.over_bp is not None:
            parts.append(f"指标完成值超过目标{(self.over_bp - HUNDRED_BP) // 100}%及以上的每项扣{self.over_deduction // 100}分")
        return "；".join(parts) + "；优 ≥ 90分，良 80–90分，中 60–80分，差 < 60分"


METHODS: dict[str, Method] = {m.key: m for m in (
    Method("threshold_60", "比例得分（完成率低于60%不得分）", below_60_zero=True,
           source="单位整体支出绩效自评报告（种子000）：完成率低于60%不得分，60%–100%按比例得分"),
    Method("proportional", "按完成比例得分", below_60_zero=False,
           source="完成指标值的记全部分值，未完成的按完成比例记分"),
    Method("national_manual", "全国自评手册（按执行率封顶，超额30%扣2分）", below_60_zero=False,
           caps=((8_000, 8_900), (7_000, 7_900), (6_000, 6_900), (5_000, 5_900)),
           over_bp=13_000, over_deduction=200,
           source="全国自评手册：执行率70%–80%的总分不超过89分，60%–70%不超过79分，低于60%不超过69分，低于50%不超过59分；"
                  "指标完成值超过目标30%及以上扣2分"),
)}


def method_of(key: str) -> Method:
    """The method named by a rules setting; refused in Chinese when unknown."""
    try:
        return METHODS[key]
    except KeyError:
        raise MonitorError(f"未知的年终得分预估方法「{key}」；可选：{'、'.join(f'{k}（{m.name}）' for k, m in METHODS.items())}") from None


# -- the column code: every rule, once ---------------------------------------------------------------
_SAFE = 10**13  # targets and projections (millionths) below this keep every product inside int64


def _rhu(num: np.ndarray, den: np.ndarray | int) -> np.ndarray:
    """num ÷ den rounded half away from zero, elementwise (den > 0): money.round_div in numpy, on int64
    or, for figures beyond _SAFE, on Python integers (object arrays)."""
    num = np.asarray(num)
    q = (np.abs(num) * 2 + den) // (2 * np.asarray(den))
    return np.where(num >= 0, q, -q)


def _ints(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A nullable integer column as (values with 0 for missing, present mask)."""
    v = pd.to_numeric(s, errors="coerce").astype("Float64") if not pd.api.types.is_integer_dtype(s) else s
    present = v.notna().to_numpy(dtype=bool)
    return v.fillna(0).to_numpy(dtype=np.int64), present


def _arrow(col: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow strings, without a copy when it is Arrow-backed already."""
    arr = col.array
    if hasattr(arr, "_pa_array"):
        return pc.cast(arr._pa_array, pa.string())
    return pa.array(col.astype(object).to_numpy(), type=pa.string(), from_pandas=True)


def _map(col: pd.Series, fn: Callable[[str], object], dtype: type) -> np.ndarray:
    """fn applied to each distinct text of `col` (missing read as ""), spread back to the rows: a
    province's million rows carry a handful of distinct 一级, comparisons and words."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    values = np.array([fn(str(u)) for u in uniques] + [fn("")], dtype=dtype)
    return values[codes]  # the sentinel -1 picks the last entry, fn("")


_GROUP_POINTS = np.array(list(LEVEL1_POINTS.values()), dtype=np.int64)


def _group_of(level1: str) -> int:
    """The index into LEVEL1_POINTS: 满意度, 效益 (效果), or 产出 (成本 and anything else)."""
    return 2 if "满意" in level1 else 1 if ("效益" in level1 or "效果" in level1) else 0


def _weights(f: pd.DataFrame, project: np.ndarray, n_projects: int) -> np.ndarray:
    """Each indicator's weight in hundredths of 分: the data's 权重 when every indicator of the project has
    one, else the default split of 90 分 by 一级 (LEVEL1_POINTS). `project`: each row's project index."""
    given = pd.to_numeric(f["weight"], errors="coerce") if "weight" in f.columns else pd.Series(np.nan, index=f.index)
    has = given.notna().to_numpy(dtype=bool)
    given_h = np.rint(np.where(has, given.fillna(0).to_numpy(dtype=float), 0) * 100).astype(np.int64)
    all_given = np.bincount(project, weights=~has, minlength=n_projects)[project] == 0
    group = _map(f["level1"], _group_of, np.int64)
    k = len(_GROUP_POINTS)
    count = np.bincount(project * k + group, minlength=n_projects * k)
    in_group = count[project * k + group]
    # the points of the 一级 present in the project, each counted once
    present_points = ((count.reshape(n_projects, k) > 0) * _GROUP_POINTS).sum(axis=1)[project]
    points = _GROUP_POINTS[group]
    default_h = _rhu(points * INDICATOR_POINTS, np.maximum(present_points * in_group, 1))
    return np.where(all_given, given_h, default_h)


def indicator_scores(f: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Score every indicator row of `f`.

    `f` has one row per indicator: project_code, level1, op (>=, >, =, <=, <), nature (cumulative,
    rate, qualitative, …), weight (分, missing when not given), actual_status (the qualitative word),
    target_micro and projected_micro (the annual target and the projected year-end value, millionths of
    the target's unit). Added: weight_h and score_h (hundredths of 分; score missing when not scorable),
    completion_bp (projected ÷ target, hundredths of a percent), rule (a RULE_WORDS key) and over
    (beaten by the method's margin: a deduction).
    """
    out = f.copy()
    n = len(out)
    project, uniques = pd.factorize(out["project_code"])
    w = _weights(out, project, len(uniques))
    target, has_target = _ints(out["target_micro"])
    proj, has_proj = _ints(out["projected_micro"])
    proj = np.maximum(proj, 0)
    if n and max(int(target.max()), int(proj.max())) >= _SAFE:
        # figures this large would overflow 64 bits in the products below: exact Python integers instead
        target, proj = target.astype(object), proj.astype(object)
    op = _map(out["op"], lambda o: ("<=", "<", "=", ">=", ">").index(o) if o in ("<=", "<", "=", ">=", ">") else 5, np.int64)
    qualitative = _map(out["nature"], lambda v: v == "qualitative", bool)
    status = out["actual_status"] if "actual_status" in out.columns else pd.Series(pd.NA, index=out.index, dtype="string")
    share = _map(status, lambda v: QUALITATIVE_SHARE.get(v, -1), np.int64)

    comp_ok = has_target & has_proj & (target > 0)
    t = np.where(comp_ok, target, 1)
    comp = np.minimum(np.where(comp_ok, _rhu(proj * HUNDRED_BP, t), 0), 10**12).astype(np.int64)
    # The band (below 60%, 60–100%, reached) is read off the completion as the user reads it, rounded
    # to two decimals like every light; the points within a band are the exact fraction, rounded once:
    # seed 000's 90% satisfaction against a 95% target scores 10 × (90/95 − 60%) ÷ 40% = 8.68, where the
    # rounded 94.74% would give 8.69. Beyond twice the target nothing changes, so p is cut there.
    p = np.minimum(proj, 2 * t)

    lower = (op <= 1) & ~qualitative  # <= <
    zero_target = has_target & (target == 0) & (op <= 2) & ~qualitative  # = <= <
    numeric = ~qualitative & has_target & has_proj
    higher = numeric & ~lower & ~zero_target & (target > 0)

    rule = np.full(n, R["unreported"], dtype=np.int8)
    score: np.ndarray = np.zeros(n, dtype=np.int64)
    scored = np.zeros(n, dtype=bool)

    # higher is better (≥ > =): the method's rule
    if method.below_60_zero:
        linear = np.clip(_rhu(w * (10 * p - 6 * t), 4 * t), 0, w)
        s_high = np.where(comp >= HUNDRED_BP, w, np.where(comp >= 6_000, linear, 0))
        r_high = np.where(comp >= HUNDRED_BP, R["full"], np.where(comp >= 6_000, R["linear_60"], R["below_60"]))
    else:
        s_high = np.where(comp >= HUNDRED_BP, w, np.minimum(_rhu(w * p, t), w))
        r_high = np.where(comp >= HUNDRED_BP, R["full"], R["proportional"])
    score = np.where(higher, s_high, score)
    rule = np.where(higher, r_high, rule)
    scored |= higher

    # lower is better (≤ <): full up to the target, falling linearly to nothing at twice the target
    low = numeric & lower & ~zero_target & (target > 0)
    s_low = np.where(p <= t, w, np.where(p >= 2 * t, 0, _rhu(w * (2 * t - p), t)))
    r_low = np.where(p <= t, R["lower_full"], np.where(p >= 2 * t, R["lower_zero"], R["lower_linear"]))
    score = np.where(low, s_low, score)
    rule = np.where(low, r_low, rule)
    scored |= low

    zt = zero_target & has_proj
    score = np.where(zt, np.where(proj == 0, w, 0), score)
    rule = np.where(zt, R["zero_target"], rule)
    scored |= zt

    qual = qualitative & (share >= 0)
    score = np.where(qual, _rhu(w * np.maximum(share, 0), 100), score)
    rule = np.where(qual, R["qualitative"], rule)
    scored |= qual

    over = higher & (method.over_bp is not None) & (comp >= (method.over_bp or 0))
    out["weight_h"] = w
    out["completion_bp"] = pd.arrays.IntegerArray(np.where(comp_ok, comp, 0).astype(np.int64), ~comp_ok)
    out["score_h"] = pd.arrays.IntegerArray(np.asarray(score).astype(np.int64), ~scored)
    out["rule"] = pd.Categorical.from_codes(np.asarray(rule, dtype=np.int8), categories=RULES)
    out["over"] = over
    return out


def project_scores(scored: pd.DataFrame, projects: pd.DataFrame, method: Method) -> pd.DataFrame:
    """One row per row of `projects` (project_code, projected_bp: the projected year-end execution rate):

    exec_h (预算执行率得分), ind_h (绩效指标得分, the scored indicators' points ÷ their weights × 90;
    missing when no indicator can be scored yet), over_n and deduction_h, cap_h (the cap in force at the
    projected execution, else missing) and capped (it lowered the total), total_h (hundredths of 分) and
    grade; indicators_n and unscored_n count the rows.
    """
    codes = projects["project_code"].astype("string").to_numpy()
    rate, has_rate = _ints(projects["projected_bp"])
    exec_h = np.where(has_rate, _rhu(np.clip(rate, 0, HUNDRED_BP) * EXECUTION_POINTS, HUNDRED_BP), 0)

    s = scored
    ok = s["score_h"].notna().to_numpy(dtype=bool)
    # each indicator's project as a position in `projects` (an Arrow hash lookup, as execution.tally does),
    # then plain counts: a group-by over a million rows costs several times more
    pos = pc.index_in(_arrow(s["project_code"]), value_set=_arrow(projects["project_code"]))
    keep = pos.is_valid().to_numpy(zero_copy_only=False) if pos.null_count else np.ones(len(s), dtype=bool)
    where = pos.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)[keep]

    def total(values: np.ndarray) -> np.ndarray:  # float sums of integers below 2^53 are exact
        return np.rint(np.bincount(where, weights=values[keep], minlength=len(codes))).astype(np.int64)

    points = total(np.where(ok, s["score_h"].fillna(0).to_numpy(dtype=np.int64), 0))
    weights = total(np.where(ok, s["weight_h"].to_numpy(dtype=np.int64), 0))
    n_inds = total(np.ones(len(s), dtype=np.int64))
    unscored = total((~ok).astype(np.int64))
    over_n = total(s["over"].to_numpy(dtype=np.int64))
    has_ind = weights > 0
    ind_h = np.where(has_ind, _rhu(points * INDICATOR_POINTS, np.maximum(weights, 1)), 0)
    deduction = over_n * method.over_deduction
    raw = np.maximum(exec_h + ind_h - deduction, 0)

    cap = np.full(len(codes), -1, dtype=np.int64)
    for below, points_cap in method.caps:  # loosest first: a stricter band overrides
        cap = np.where(has_rate & (rate < below), points_cap, cap)
    total = np.where(cap >= 0, np.minimum(raw, cap), raw)
    grade = np.full(len(codes), GRADES[-1][1], dtype=object)
    for floor, word in reversed(GRADES):
        grade = np.where(total >= floor, word, grade)
    grade = np.where(has_ind, grade, NO_GRADE)

    def nullable(values: np.ndarray, mask: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.arrays.IntegerArray(np.where(mask, values, 0).astype(np.int64), ~np.asarray(mask, dtype=bool))

    return pd.DataFrame({
        "project_code": pd.array(codes, dtype="string"),
        "projected_bp": nullable(rate, has_rate),
        "exec_h": exec_h.astype(np.int64),
        "ind_h": nullable(ind_h, has_ind),
        "over_n": over_n, "deduction_h": deduction.astype(np.int64),
        "cap_h": nullable(cap, (cap >= 0) & has_ind), "capped": (cap >= 0) & (raw > cap) & has_ind,
        "total_h": nullable(total, has_ind),
        "grade": pd.array(grade, dtype="string"),
        "indicators_n": n_inds, "unscored_n": unscored,
    })


# -- one project, as frozen figures -------------------------------------------------------------------
def _d(hundredths: object) -> Decimal | None:
    if hundredths is None or hundredths is pd.NA or (isinstance(hundredths, float) and np.isnan(hundredths)):
        return None
    return Decimal(int(hundredths)).scaleb(-2)  # type: ignore[call-overload]


@dataclass(frozen=True)
class IndicatorInput:
    """One indicator as the scorer needs it; target and projected value in the target's unit."""

    name: str
    target: Decimal | None
    projected: Decimal | None
    weight: Decimal | None = None  # 分; None: the default split by 一级
    level1: str = "产出指标"
    op: str = ">="
    nature: str = "cumulative"
    status: str | None = None  # 达成 / 部分达成 / 未达成 for a qualitative indicator


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's part of the preview: weight and score in 分, completion in %."""

    name: str
    level1: str
    weight: Decimal  # 分
    completion: Decimal | None  # % (projected year-end value ÷ annual target)
    score: Decimal | None  # 分; None: not scorable yet
    rule: str  # the rule applied, in words
    deducted: bool  # beaten by the method's margin (a deduction from the total)


@dataclass(frozen=True)
class ProjectScore:
    """A project's previewed year-end score (分) and grade under `method`."""

    project_code: str
    method: str  # the method's name
    execution_rate: Decimal | None  # % projected at year end
    execution_score: Decimal  # 分, of EXECUTION_POINTS
    indicator_score: Decimal | None  # 分, of INDICATOR_POINTS
    deductions: Decimal  # 分
    deducted: int  # indicators beaten by the method's margin
    cap: Decimal | None  # 分, the cap in force at the projected execution (None: none)
    capped: bool  # the cap lowered the total
    total: Decimal | None  # 分
    grade: str  # 优 / 良 / 中 / 差, or 无法预估
    unscored: int  # indicators not scorable yet
    indicators: tuple[IndicatorScore, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: points in 分 and rates in %, as numbers with two decimals."""
        def f(d: Decimal | None) -> float | None:
            return None if d is None else float(d)

        return {
            "project_code": self.project_code, "method": self.method, "unit_points": "分", "unit_rate": "%",
            "execution_rate": f(self.execution_rate), "execution_score": f(self.execution_score),
            "execution_points": EXECUTION_POINTS / 100, "indicator_score": f(self.indicator_score),
            "indicator_points": INDICATOR_POINTS / 100, "deductions": f(self.deductions), "deducted": self.deducted,
            "cap": f(self.cap), "capped": self.capped, "total": f(self.total), "grade": self.grade, "unscored": self.unscored,
            "indicators": [{"name": i.name, "level1": i.level1, "weight": f(i.weight), "completion": f(i.completion),
                            "score": f(i.score), "rule": i.rule, "deducted": i.deducted} for i in self.indicators],
        }


def project_score(scored: pd.DataFrame, totals: pd.DataFrame, code: str, method: Method) -> ProjectScore:
    """The frozen figures of project `code` from the frames of `indicator_scores` and `project_scores`."""
    rows = totals[totals["project_code"] == code]
    if rows.empty:
        raise MonitorError(f"没有项目编码为「{code}」的得分预估")
    p = rows.iloc[0]
    mine = scored[(scored["project_code"] == code).to_numpy(dtype=bool)]
    if "seq" in mine.columns:
        mine = mine.sort_values("seq", kind="stable")
    inds = tuple(IndicatorScore(
        name=str(r.name), level1=str(r.level1), weight=_d(r.weight_h) or Decimal("0.00"),
        completion=_d(r.completion_bp), score=_d(r.score_h), rule=RULE_WORDS[str(r.rule)], deducted=bool(r.over))
        for r in mine.itertuples(index=False))
    return ProjectScore(
        project_code=code, method=method.name, execution_rate=_d(p["projected_bp"]),
        execution_score=_d(p["exec_h"]) or Decimal("0.00"), indicator_score=_d(p["ind_h"]),
        deductions=_d(p["deduction_h"]) or Decimal("0.00"), deducted=int(p["over_n"]), cap=_d(p["cap_h"]), capped=bool(p["capped"]),
        total=_d(p["total_h"]), grade=str(p["grade"]), unscored=int(p["unscored_n"]), indicators=inds)


def score_project(indicators: Sequence[IndicatorInput], projected_rate: Decimal | None, method: Method | str,
                  project_code: str = "") -> ProjectScore:
    """One project's preview from plain figures (the projected execution rate in %): the column code on one row."""
    m = method_of(method) if isinstance(method, str) else method

    def micro(d: Decimal | None) -> int | None:
        return None if d is None else int((d * 1_000_000).to_integral_value())

    f = pd.DataFrame({
        "project_code": pd.array([project_code] * len(indicators), dtype="string"),
        "seq": list(range(len(indicators))),
        "name": [i.name for i in indicators], "level1": [i.level1 for i in indicators],
        "op": [i.op for i in indicators], "nature": [i.nature for i in indicators],
        "weight": [None if i.weight is None else float(i.weight) for i in indicators],
        "actual_status": pd.array([i.status for i in indicators], dtype="string"),
        "target_micro": pd.array([micro(i.target) for i in indicators], dtype="Int64"),
        "projected_micro": pd.array([micro(i.projected) for i in indicators], dtype="Int64"),
    })
    bp = None if projected_rate is None else int((projected_rate * 100).to_integral_value())
    totals = project_scores(indicator_scores(f, m), pd.DataFrame({
        "project_code": pd.array([project_code], dtype="string"), "projected_bp": pd.array([bp], dtype="Int64")}), m)
    return project_score(indicator_scores(f, m), totals, project_code, m)


def grade_counts(totals: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    """How many projects of each grade per group (`by`: a label per row of `totals`, e.g. the department)."""
    words = [w for _, w in GRADES] + [NO_GRADE]
    c = pd.crosstab(by.to_numpy(), totals["grade"].astype("string").to_numpy())
    return c.reindex(columns=words, fill_value=0)
