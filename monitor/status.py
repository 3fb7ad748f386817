"""The monitoring status of a year at a month: money, indicators, lights, roll-ups, projections.

`compute_status` is the one call the CLI, the dashboard and the reports make. It opens the store
once and runs the execution and indicator SQL, which also give each project its indicator light
(the worst of its indicators) and quadrant.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import execution, indicators, rulebook, sqlfns
from .access import ADMIN, Actor, scope_sql_named
from .errors import MonitorError, NotFound
from .indicators import describe
from .money import bp_to_float, round_div
from .rules import Rules
from .schedule import Schedule, schedule_for
from .store import Store

LEVEL_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "超额", "none": "未评判"}
LEVEL_ICONS = {"red": "🔴", "yellow": "🟡", "green": "🟢", "blue": "🔵", "none": "⚪"}
LEVEL_COLORS = {"red": "#d62728", "yellow": "#f2b701", "green": "#2ca02c", "blue": "#1f77b4", "none": "#b0b0b0"}
QUADRANTS = ("资金、目标均正常", "资金滞后", "目标滞后", "资金、目标双滞后")


@dataclass
class Status:
    year: int
    month: int
    schedule: Schedule
    rules: Rules
    project_figures: pd.DataFrame  # one row per project of the year, spent or not, in no order; the light without words
    indicator_figures: pd.DataFrame  # one row per tracked indicator: ids, figures and light; no text
    units: pd.DataFrame
    departments: pd.DataFrame
    region: pd.Series
    store: Store | None = field(default=None, repr=False)
    keys_version: int | None = None  # the store's indicator ids as of this status (see labelled)
    actor: Actor = ADMIN  # whose view this is: every further read (labels, notes, curves) keeps to it
    _projects: pd.DataFrame | None = field(default=None, repr=False)
    _rows: pd.DataFrame | None = field(default=None, repr=False)
    _described: pd.DataFrame | None = field(default=None, repr=False)
    _by_project: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def projects(self) -> pd.DataFrame:
        """Every project in reading order (department, unit, code) with its light's reason in words
        (level_reason); ordered and worded on first use, `project_figures` being in no order."""
        if self._projects is None:
            self._projects = execution.worded(self.project_figures, execution.params(self.year, self.schedule, self.rules))
        return self._projects

    @property
    def indicator_rows(self) -> pd.DataFrame:
        """Every tracked indicator's figures with its labels (names, target text, unit), no wording.

        The labels of a province (a million rows of text) cost more than judging the lights, so
        they are read from the store on first use, or per subset through `labelled`.
        """
        if self._rows is None:
            self._rows = self.labelled(self.indicator_figures)
        return self._rows

    def labelled(self, figures: pd.DataFrame) -> pd.DataFrame:
        """Indicator figures (a subset of `indicator_figures`) with their labels."""
        if self._rows is not None:
            return self._rows[self._rows["indicator_id"].isin(figures["indicator_id"]).to_numpy(dtype=bool)]
        if self.store is None:
            raise MonitorError("这份监控状态没有关联数据库，无法读取指标名称")
        codes = figures["project_code"].unique()
        project = str(codes[0]) if len(codes) == 1 else None  # one project: its rows are found by code, not by id
        everything = project is None and len(figures) == len(self.indicator_figures)
        labels = indicators.labels(self.store, self.year, self.month, self.keys_version,
                                   None if everything or project is not None else figures["indicator_id"], project)
        return figures.merge(labels, on="indicator_id", how="left", validate="one_to_one")

    def labelled_projects(self, codes: Iterable[str]) -> pd.DataFrame:
        """The indicators of the projects `codes` (any collection of project codes), labelled."""
        f = self.indicator_figures
        return self.labelled(f[f["project_code"].isin(list(codes)).to_numpy(dtype=bool)])

    @property
    def indicators(self) -> pd.DataFrame:
        """Every tracked indicator with its words (stage_text, actual_text, level_reason).

        Wording is done on first use: a view that shows one project calls `project_indicators`
        and words only those rows.
        """
        if self._described is None:
            rows = self.indicator_rows.sort_values(["project_code", "seq"], kind="stable").reset_index(drop=True)
            self._described = describe(rows, self.month)
        return self._described

    def describe(self, rows: pd.DataFrame) -> pd.DataFrame:
        return describe(rows, self.month)

    def project(self, code: str) -> pd.Series:
        rows = self.projects[self.projects["project_code"] == code]
        if rows.empty:
            raise NotFound(f"{self.year}年没有项目编码为「{code}」的项目")
        return rows.iloc[0]

    def project_indicators(self, code: str) -> pd.DataFrame:
        """One project's indicators in declaration order, worded; kept once worded."""
        if code not in self._by_project:
            mine = self.labelled_projects([code]).sort_values("seq")
            self._by_project[code] = describe(mine.reset_index(drop=True), self.month)
        return self._by_project[code]

    def to_dict(self) -> dict[str, object]:
        return status_dict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def compute_status(store: Store, year: int, month: int, rules: Rules | None = None, *, actor: Actor) -> Status:
    """The status of the projects `actor` may see (all of them for the bureau), rolled up over those."""
    projects, figures, rollups, schedule, rules, version = _compute(store, year, month, rules, actor)
    if projects.empty:
        raise NotFound(f"数据库中没有{year}年的项目" if actor.sees_everything else f"{year}年没有本账户范围内的项目")
    return _assemble(store, year, month, schedule, rules, actor, version, projects, figures, rollups)


def _compute(store: Store, year: int, month: int, rules: Rules | None, actor: Actor, only: Collection[str] | None = None):  # type: ignore[no-untyped-def]
    scope, scope_params = scope_sql_named(actor)
    if only is not None:  # some projects of the scope: the ones a write changed (see refresh_status)
        scope = f"({scope}) AND list_contains($only, p.project_code)"
        scope_params = scope_params | {"only": sorted(only)}
    with store.connect() as con:
        # the rules read on the same connection as the data: opening the file again costs ~0.03 s
        rules = rules or rulebook.on(con, year)
        schedule = schedule_for(year, month, rules)
        p = execution.params(year, schedule, rules) | indicators.params(rules) | scope_params | {"_scope": scope}
        sqlfns.install(con)
        version = store.keys_version_on(con)
        projects, figures, rollups = execution.run(con, p, rollups=only is None)
    return projects, figures, rollups, schedule, rules, version


def _assemble(store: Store, year: int, month: int, schedule: Schedule, rules: Rules, actor: Actor, version: int,
              projects: pd.DataFrame, figures: pd.DataFrame, rollups: pd.DataFrame) -> Status:
    deps = rollups[rollups["scope"] == "department"].drop(columns=["scope", "unit_name"]).reset_index(drop=True)
    units = rollups[rollups["scope"] == "unit"].drop(columns=["scope"]).reset_index(drop=True)
    region = rollups[rollups["scope"] == "region"].iloc[0].copy()
    return Status(year, month, schedule, rules, projects, figures, units, deps, region, store, version, actor=actor)


def refresh_status(store: Store, old: Status, codes: Collection[str]) -> Status:
    """`old` brought up to the store's data now, when only the projects `codes` changed since it was
    computed (Store.changed_projects says which): those are computed again, their rows replace the
    old ones, and the roll-ups are summed afresh. The same figures as a full computation (a test
    compares them) for a small part of its time: a unit's save does not make the bureau's next page
    recompute the whole province."""
    if not codes:
        return old
    projects, figures, _, schedule, rules, version = _compute(store, old.year, old.month, old.rules, old.actor, codes)
    all_projects = _replace_rows(old.project_figures, projects, codes, "project_code")
    all_figures = _replace_rows(old.indicator_figures, figures, codes, "indicator_id")
    p = execution.params(old.year, schedule, rules)
    return _assemble(store, old.year, old.month, schedule, rules, old.actor, version, all_projects, all_figures,
                     execution.rollups(all_projects, p))


def _replace_rows(old: pd.DataFrame, new: pd.DataFrame, codes: Collection[str], key: str) -> pd.DataFrame:
    """`old` (project or indicator figures) with the rows of the projects `codes` replaced by `new`,
    rows matched by `key`.

    A province has a million indicator rows, and copying such a frame through a filter and a
    concatenation costs more than recomputing a project (0.5 s, bench/round_bench.py). So: rows found
    by an Arrow kernel; unchanged figures (a save of spend leaves the indicators) leave the frame as
    it is; the same rows with new figures are written into copies of the changed columns; only a
    changed set of rows (an indicator added or deleted, a new project) takes filter and concatenation.
    """
    column = old["project_code"].array
    values = column._pa_array if hasattr(column, "_pa_array") else pa.array(column)  # Arrow-backed strings
    pos = np.flatnonzero(pc.is_in(values, value_set=pa.array(sorted(codes))).to_numpy(zero_copy_only=False))
    before = old.iloc[pos].sort_values(key)
    after = new.sort_values(key)
    if len(before) != len(after) or not np.array_equal(before[key].to_numpy(), after[key].to_numpy()):
        return pd.concat([old.drop(old.index[pos]), new], ignore_index=True)
    cols = [c for c in old.columns if c not in (key, "project_code")]
    after = after[old.columns].set_axis(before.index)
    changed = [c for c in cols if not before[c].equals(after[c].astype(before[c].dtype))]
    if not changed:
        return old
    out = old.copy(deep=False)
    rows = before.index.to_numpy()  # positions: the status's frames carry a plain RangeIndex
    for c in changed:
        if isinstance(out[c].dtype, pd.ArrowDtype) or str(out[c].dtype).startswith("string"):
            arr = out[c].array._pa_array.combine_chunks()  # type: ignore[attr-defined]
            mask = np.zeros(len(out), dtype=bool)
            mask[rows] = True
            # in row order of the mask: replace_with_mask takes the replacements in mask order
            order = np.argsort(rows)
            fresh = pa.array(after[c].to_numpy(dtype=object)[order], type=arr.type)
            merged = pc.replace_with_mask(arr, pa.array(mask), fresh)
            kept = pd.arrays.ArrowStringArray(merged) if isinstance(out[c].dtype, pd.StringDtype) else pd.arrays.ArrowExtensionArray(merged)
            out[c] = pd.Series(kept, index=out.index)
            assert out[c].dtype == old[c].dtype
        else:
            v = out[c].to_numpy(copy=True)
            v[rows] = after[c].to_numpy(dtype=v.dtype)
            out[c] = v
    return out


def _wan(fen: object) -> float | None:
    if fen is None or (isinstance(fen, float) and np.isnan(fen)) or fen is pd.NA:
        return None
    return int(fen) / 1_000_000  # type: ignore[call-overload]


def _bp(v: object) -> float | None:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    return bp_to_float(int(v))  # type: ignore[call-overload]


def _num(micro: object) -> float | None:
    if micro is None or micro is pd.NA or (isinstance(micro, float) and np.isnan(micro)):
        return None
    return int(micro) / 1_000_000  # type: ignore[call-overload]


def status_dict(st: Status) -> dict[str, object]:
    """The `status --json` object: rates in percent (two decimals), money in 万元."""
    inds_by_project: dict[str, list[dict[str, object]]] = {}
    for r in st.indicators.itertuples(index=False):
        inds_by_project.setdefault(r.project_code, []).append({
            "level1": r.level1, "level2": r.level2, "name": r.name, "annual_target": r.target_text,
            "stage_target": None if pd.isna(r.stage_text) else r.stage_text,
            "stage_value": _num(r.stage_micro),
            "actual": None if pd.isna(r.actual_text) else r.actual_text,
            "actual_value": _num(r.actual_micro),
            "completion_rate": _bp(r.completion_bp), "level": r.level, "level_reason": r.level_reason,
            "projected_completion_rate": _bp(r.projected_bp), "projection_level": r.projection_level,
        })
    return {
        "year": st.year, "month": st.month, "schedule_rate": bp_to_float(st.schedule.bp),
        "unit_money": "万元", "unit_rate": "%",
        "rules": st.rules.as_dict(), "rules_text": st.rules.describe(), "rules_preset": st.rules.preset,
        "region": {
            "budget_wan": _wan(st.region["budget_fen"]), "spent_ytd_wan": _wan(st.region["spent_fen"]),
            "execution_rate": _bp(st.region["rate_bp"]), "gap_pp": _bp(st.region["gap_bp"]),
            "ratio": _bp(st.region["ratio_bp"]), "level": st.region["level"],
        },
        "departments": [
            {"department_name": r.department_name, "budget_wan": _wan(r.budget_fen), "spent_ytd_wan": _wan(r.spent_fen),
             "execution_rate": _bp(r.rate_bp), "gap_pp": _bp(r.gap_bp), "ratio": _bp(r.ratio_bp), "level": r.level,
             "red": int(r.red), "yellow": int(r.yellow), "green": int(r.green)}
            for r in st.departments.itertuples(index=False)
        ],
        "projects": [
            {"project_code": r.project_code, "project_name": r.project_name, "department_name": r.department_name,
             "unit_name": r.unit_name, "budget_wan": _wan(r.budget_fen), "spent_ytd_wan": _wan(r.spent_fen),
             "arrived_wan": _wan(r.arrived_fen), "idle_wan": _wan(r.idle_fen),
             "execution_rate": _bp(r.rate_bp), "arrival_rate": _bp(r.arrival_bp),
             "schedule_rate": _bp(r.schedule_bp), "gap_pp": _bp(r.gap_bp), "ratio": _bp(r.ratio_bp),
             "level": r.level, "level_reason": r.level_reason, "indicator_level": r.indicator_level,
             "quadrant": r.quadrant, "projected_rate": _bp(r.projected_bp), "projected_basis": r.projected_basis,
             "behind_plan": bool(r.behind_plan),
             "forecast_miss": bool(r.forecast_miss), "required_monthly_wan": _wan(r.required_monthly_fen),
             "combined_level": r.combined_level, "money_projection_level": r.money_projection_level,
             "projection_level": r.projection_level,
             "indicators": inds_by_project.get(r.project_code, [])}
            for r in st.projects.itertuples(index=False)
        ],
    }


def monthly_curve(store: Store, year: int, rules: Rules | None = None, department: str | None = None,
                  project: str | None = None, *, actor: Actor) -> pd.DataFrame:
    """Month by month: spend, cumulative spend, plan and arrivals (分) and the 序时进度 line (bp).

    For the region (default), one department, or one project. cum_rate_bp is cumulative spend ÷
    the denominator in force (adjusted or initial budget, or the funds arrived by that month), so
    the curve at the monitoring month shows the same rate as the status; cum_plan_bp is the plan
    over the adjusted budget; schedule_bp is the common schedule of each month-end.
    """
    rules = rules or rulebook.load(store, year)
    with store.connect() as con:
        sqlfns.install(con)
        scope, scope_params = scope_sql_named(actor)
        frame = con.execute(execution.CURVE_SQL.replace("{scope}", scope),
                            {"year": year, "department": department, "project": project, **scope_params}).df()

    def whole(col: str) -> int:
        return int(frame[col].iloc[0]) if len(frame) and not pd.isna(frame[col].iloc[0]) else 0

    budget = whole("budget_fen")
    if rules.denominator == "arrived":
        denoms = [int(a) for a in frame["cum_arrived_fen"]]
    else:
        denoms = [whole("initial_fen") if rules.denominator == "initial" else budget] * len(frame)
    frame["cum_rate_bp"] = [round_div(int(c) * 10000, d) if d else None for c, d in zip(frame["cum_spent_fen"], denoms, strict=True)]
    frame["cum_plan_bp"] = [round_div(int(c) * 10000, budget) if budget else None for c in frame["cum_plan_fen"]]
    frame["schedule_bp"] = [schedule_for(year, int(m), rules if rules.schedule_mode != "plan" else Rules()).bp for m in frame["month"]]
    return frame
