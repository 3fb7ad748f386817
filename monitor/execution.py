"""Budget execution against 序时进度: per project, then rolled up per unit, department and region.

One SQL pass over the whole year in DuckDB. Every rate is an exact integer fraction rounded half up
to hundredths of a percent (bp); lights are decided on those rounded figures. Roll-ups weight by
money: Σ支出 ÷ Σ分母, and the schedule of a group is Σ(分母 × T) ÷ Σ分母, never an average of rates.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .rules import Rules
from .schedule import Schedule

# Per project: money to the monitoring month, the schedule fraction, plan and last-year shapes.
BASE_SQL = """
WITH m AS (
  -- plain aggregates over the months so far, and the year's plan apart: FILTER clauses cost 3×
  SELECT project_code,
    -- summed as integers: a DECIMAL(18,2) sums to a 128-bit DECIMAL, slower to add and to cast
    CAST(sum(CAST(spent * 100 AS {int})) AS {int}) AS spent_fen,
    CAST(sum(CAST(arrived * 100 AS {int})) AS {int}) AS arrived_fen,
    CAST(sum(CAST(planned * 100 AS {int})) AS {int}) AS plan_cum_fen,
    max(CASE WHEN spent <> 0 THEN month END) AS last_spend_month,
    count(*) AS months_reported
  FROM monthly WHERE year = $year AND month <= $month GROUP BY project_code
), pt AS (
  SELECT project_code, CAST(sum(CAST(planned * 100 AS {int})) AS {int}) AS plan_total_fen,
    count(DISTINCT month) FILTER (WHERE month > $month) AS plan_months_left
  FROM monthly WHERE year = $year AND planned IS NOT NULL GROUP BY project_code
), ly AS (
  SELECT project_code,
    CAST(sum(spent) FILTER (WHERE month <= $month) * 100 AS {int}) AS ly_cum_fen,
    CAST(sum(spent) * 100 AS {int}) AS ly_total_fen
  FROM monthly WHERE year = $year - 1 GROUP BY project_code
), dly AS (
  SELECT p.department_name,
    CAST(sum(x.spent) FILTER (WHERE x.month <= $month) * 100 AS {int}) AS dly_cum_fen,
    CAST(sum(x.spent) * 100 AS {int}) AS dly_total_fen
  FROM monthly x JOIN projects p ON p.year = x.year AND p.project_code = x.project_code
  WHERE x.year = $year - 1 GROUP BY p.department_name
), j AS (
  SELECT p.project_code, p.project_name, p.department_name, p.unit_name,
    CAST(p.budget_initial * 100 AS {int}) AS initial_fen,
    CAST(p.budget_adjusted * 100 AS {int}) AS adjusted_fen,
    coalesce(m.spent_fen, 0) AS spent_fen, m.arrived_fen, m.plan_cum_fen, pt.plan_total_fen, pt.plan_months_left,
    m.last_spend_month, coalesce(m.months_reported, 0) AS months_reported,
    ly.ly_cum_fen, ly.ly_total_fen, dly.dly_cum_fen, dly.dly_total_fen
  FROM projects p
  LEFT JOIN m ON m.project_code = p.project_code
  LEFT JOIN pt ON pt.project_code = p.project_code
  LEFT JOIN ly ON ly.project_code = p.project_code
  LEFT JOIN dly ON dly.department_name = p.department_name
  WHERE p.year = $year AND {scope}
)
SELECT *,
  CASE $denominator WHEN 'initial' THEN initial_fen WHEN 'arrived' THEN coalesce(arrived_fen, 0)
       ELSE adjusted_fen END AS denom_fen,
  CASE WHEN $mode = 'plan' AND plan_total_fen > 0 THEN plan_cum_fen * CAST($t_den AS {int}) // plan_total_fen
       ELSE CAST($t_num AS {int}) END AS t_num
FROM j
"""


def rate_columns(s: str, b: str, w: str) -> str:
    """Execution rate, schedule, gap and ratio (bp) from spend s, denominator b and W = Σ b·t_num."""
    return f"""
  rhu({s} * 10000, {b}) AS rate_bp,
  rhu({w} * 10000, CAST($t_den AS {{int}}) * {b}) AS schedule_bp,
  rhu(({w} - CAST($t_den AS {{int}}) * {s}) * 10000, CAST($t_den AS {{int}}) * {b}) AS gap_bp,
  CASE WHEN {w} > 0 THEN rhu({s} * CAST($t_den AS {{int}}) * 10000, {w}) END AS ratio_bp"""


# The money light: one rule for projects and every roll-up, decided on the rounded figures. First
# which rule applies (level_cause), then the light it gives, then the same in words. Light modes
# (rules.LIGHT_MODES): ratio, gap, milestone (the floor of the last node at or before the month,
# $floor_bp; -1 before the first node: not judged yet, green), binary (rate ≥ schedule) and gated
# (red only when both the budget and the gap reach their gates; a gap that is ≥ its gate on a
# smaller budget is yellow).
CAUSE_SQL = """
  CASE WHEN denom_fen IS NULL OR denom_fen <= 0 THEN 'no_denominator'
       WHEN spent_fen > denom_fen THEN 'over_budget'
       WHEN spent_fen = 0 AND schedule_bp >= $not_started_bp THEN 'not_started'
       WHEN ratio_bp IS NULL THEN 'no_schedule'
       ELSE $light_mode END"""

LEVEL_SQL = """
  CASE level_cause WHEN 'no_denominator' THEN 'none' WHEN 'over_budget' THEN 'red' WHEN 'not_started' THEN 'red'
       WHEN 'no_schedule' THEN 'none'
       WHEN 'ratio' THEN
         CASE WHEN ratio_bp >= $ratio_green_bp THEN 'green' WHEN ratio_bp >= $ratio_yellow_bp THEN 'yellow'
              WHEN budget_fen < $materiality_fen THEN 'yellow' ELSE 'red' END
       WHEN 'milestone' THEN CASE WHEN $floor_bp < 0 OR rate_bp >= $floor_bp THEN 'green' ELSE 'red' END
       WHEN 'binary' THEN CASE WHEN rate_bp >= schedule_bp THEN 'green' ELSE 'red' END
       WHEN 'gated' THEN
         CASE WHEN gap_bp < $gate_gap_bp THEN 'green' WHEN budget_fen >= $gate_fen THEN 'red' ELSE 'yellow' END
       ELSE
         CASE WHEN gap_bp <= $gap_green_bp THEN 'green' WHEN gap_bp <= $gap_yellow_bp THEN 'yellow'
              WHEN budget_fen < $materiality_fen THEN 'yellow' ELSE 'red' END
  END"""

REASON_SQL = """
  CASE level_cause WHEN 'no_denominator' THEN '分母（' || $denominator_label || '）为0，无法计算执行率'
       WHEN 'over_budget' THEN '超预算：执行率' || fbp(rate_bp) || '%，超过100%，一律红灯'
       WHEN 'not_started' THEN '未启动：序时进度已达' || fbp(schedule_bp) || '%，仍无支出，一律红灯'
       WHEN 'no_schedule' THEN '序时进度为0，尚不评判'
       WHEN 'ratio' THEN
         '比值' || fbp(ratio_bp) || '（执行率' || fbp(rate_bp) || '% ÷ ' || $schedule_word || '序时进度' || fbp(schedule_bp) || '%）'
         || CASE WHEN ratio_bp >= $ratio_green_bp THEN ' ≥ ' || fbp($ratio_green_bp) || '，绿灯'
                 WHEN ratio_bp >= $ratio_yellow_bp THEN ' 在' || fbp($ratio_yellow_bp) || '–' || fbp($ratio_green_bp) || '之间，黄灯'
                 WHEN budget_fen < $materiality_fen THEN ' < ' || fbp($ratio_yellow_bp) || '，但预算低于重要性标准，黄灯'
                 ELSE ' < ' || fbp($ratio_yellow_bp) || '，红灯' END
       WHEN 'milestone' THEN
         '执行率' || fbp(rate_bp) || '%（' || $schedule_word || '序时进度' || fbp(schedule_bp) || '%）'
         || CASE WHEN $floor_bp < 0 THEN '，未到考核节点（' || $floor_text || '），不预警，绿灯'
                 WHEN rate_bp >= $floor_bp THEN ' ≥ ' || $floor_text || '，绿灯'
                 ELSE ' < ' || $floor_text || '，红灯' END
       WHEN 'binary' THEN
         '执行率' || fbp(rate_bp) || '%' || CASE WHEN rate_bp >= schedule_bp THEN ' ≥ ' ELSE ' < ' END
         || $schedule_word || '序时进度' || fbp(schedule_bp) || '%' || CASE WHEN rate_bp >= schedule_bp THEN '，达标，绿灯' ELSE '，未达标，红灯' END
       WHEN 'gated' THEN
         CASE WHEN gap_bp >= 0 THEN '落后序时进度' || fbp(gap_bp) || '个百分点' ELSE '快于序时进度' || fbp(-gap_bp) || '个百分点' END
         || '（执行率' || fbp(rate_bp) || '%，' || $schedule_word || '序时进度' || fbp(schedule_bp) || '%）'
         || CASE WHEN gap_bp < $gate_gap_bp THEN '，不足' || fbp($gate_gap_bp) || '个百分点，绿灯'
                 WHEN budget_fen >= $gate_fen THEN '，预算' || fwan(budget_fen) || '万元 ≥ ' || fwan($gate_fen) || '万元，红灯'
                 ELSE '，但预算' || fwan(budget_fen) || '万元不足' || fwan($gate_fen) || '万元，黄灯' END
       ELSE
         CASE WHEN gap_bp >= 0 THEN '落后序时进度' || fbp(gap_bp) || '个百分点' ELSE '快于序时进度' || fbp(-gap_bp) || '个百分点' END
         || '（执行率' || fbp(rate_bp) || '%，' || $schedule_word || '序时进度' || fbp(schedule_bp) || '%）'
         || CASE WHEN gap_bp <= $gap_green_bp THEN '，绿灯'
                 WHEN gap_bp <= $gap_yellow_bp THEN '，黄灯'
                 WHEN budget_fen < $materiality_fen THEN '，但预算低于重要性标准，黄灯'
                 ELSE '，红灯' END
  END"""

# The light's reason in words for rows that carry their figures and level_cause, in reading order (see `worded`).
WORDS_SQL = f"SELECT _row, {REASON_SQL} AS level_reason FROM _rows ORDER BY department_name, unit_name, project_code"

PROJECTS_SQL = f"""
WITH r AS (
  SELECT *, adjusted_fen AS budget_fen, {rate_columns('spent_fen', 'denom_fen', 'denom_fen * t_num')},
    rhu(coalesce(arrived_fen, 0) * 10000, adjusted_fen) AS arrival_bp
  FROM _base
), c AS (
  SELECT *, {CAUSE_SQL} AS level_cause FROM r
), l AS (
  SELECT *, {LEVEL_SQL} AS level FROM c
), pr AS (
  SELECT *,
    rhu(spent_fen * 12, $month) AS proj_run_fen,
    CASE WHEN plan_total_fen > 0 THEN spent_fen + plan_total_fen - coalesce(plan_cum_fen, 0) END AS proj_plan_fen,
    -- a product of two totals outgrows BIGINT: HUGEINT here, only on the rows that have last year's data
    CASE WHEN ly_cum_fen > 0 AND ly_total_fen > 0 THEN CAST(rhu(CAST(spent_fen AS HUGEINT) * ly_total_fen, ly_cum_fen) AS {{int}}) END AS proj_lastyear_fen,
    CASE WHEN dly_cum_fen > 0 AND dly_total_fen > 0 THEN CAST(rhu(CAST(spent_fen AS HUGEINT) * dly_total_fen, dly_cum_fen) AS {{int}}) END AS proj_dept_fen
  FROM l
), kp AS (
  SELECT *,
    -- behind its own plan: spend so far below the plan so far × the tolerance in force
    coalesce(plan_cum_fen > 0 AND spent_fen * 100 < plan_cum_fen * $plan_keep_pct, false) AS behind_plan,
    -- the plan forecasts the year only when it covers every month still to come and is being kept
    proj_plan_fen IS NOT NULL AND coalesce(plan_months_left, 0) >= 12 - $month
      AND NOT coalesce(plan_cum_fen > 0 AND spent_fen * 100 < plan_cum_fen * $plan_keep_pct, false) AS plan_usable
  FROM pr
), pj AS (
  SELECT *,
    CASE WHEN plan_usable THEN proj_plan_fen ELSE coalesce(proj_lastyear_fen, proj_dept_fen, proj_run_fen) END AS projected_fen,
    CASE WHEN plan_usable THEN '用款计划' WHEN proj_lastyear_fen IS NOT NULL THEN '上年同期进度'
         WHEN proj_dept_fen IS NOT NULL THEN '本部门上年进度' ELSE '目前月均支出' END AS projected_basis
  FROM kp
)
SELECT project_code, project_name, department_name, unit_name, CAST(t_num AS BIGINT) AS t_num,
  CAST(initial_fen AS BIGINT) AS initial_fen, CAST(adjusted_fen AS BIGINT) AS budget_fen,
  CAST(denom_fen AS BIGINT) AS denom_fen, CAST(spent_fen AS BIGINT) AS spent_fen,
  CAST(arrived_fen AS BIGINT) AS arrived_fen,
  CAST(CASE WHEN arrived_fen IS NOT NULL THEN arrived_fen - spent_fen END AS BIGINT) AS idle_fen,
  CAST(plan_cum_fen AS BIGINT) AS plan_cum_fen, CAST(plan_total_fen AS BIGINT) AS plan_total_fen,
  CAST(rate_bp AS BIGINT) AS rate_bp, CAST(schedule_bp AS BIGINT) AS schedule_bp,
  CAST(gap_bp AS BIGINT) AS gap_bp, CAST(ratio_bp AS BIGINT) AS ratio_bp,
  CAST(arrival_bp AS BIGINT) AS arrival_bp, level_cause, level,
  CAST(months_reported AS BIGINT) AS months_reported,
  CAST($month - coalesce(last_spend_month, 0) AS BIGINT) AS months_since_spend,
  CAST(proj_run_fen AS BIGINT) AS proj_run_fen, CAST(proj_plan_fen AS BIGINT) AS proj_plan_fen,
  CAST(proj_lastyear_fen AS BIGINT) AS proj_lastyear_fen, CAST(proj_dept_fen AS BIGINT) AS proj_dept_fen,
  CAST(projected_fen AS BIGINT) AS projected_fen, projected_basis, behind_plan,
  CAST(coalesce(plan_months_left, 0) AS BIGINT) AS plan_months_left,
  CAST(rhu(projected_fen * 10000, denom_fen) AS BIGINT) AS projected_bp,
  coalesce(rhu(projected_fen * 10000, denom_fen) < $year_end_green_bp, false) AS projected_miss,
  CAST(CASE WHEN $month < 12 THEN greatest(rhu(denom_fen * $year_end_bp, 10000) - spent_fen, 0) END AS BIGINT) AS remaining_fen,
  CAST(CASE WHEN $month < 12 THEN rhu(greatest(rhu(denom_fen * $year_end_bp, 10000) - spent_fen, 0), 12 - $month) END AS BIGINT) AS required_monthly_fen,
  ind_red, ind_yellow, ind_green, ind_blue, ind_none,
  -- the project's indicator light is the worst of its indicators; 🔵 counts as on track, ⚪ aside
  CASE WHEN ind_red > 0 THEN 'red' WHEN ind_yellow > 0 THEN 'yellow' WHEN ind_green + ind_blue > 0 THEN 'green'
       ELSE 'none' END AS indicator_level,
  CASE WHEN level IN ('red', 'yellow') AND ind_red + ind_yellow > 0 THEN '资金、目标双滞后'
       WHEN level IN ('red', 'yellow') THEN '资金滞后'
       WHEN ind_red + ind_yellow > 0 THEN '目标滞后' ELSE '资金、目标均正常' END AS quadrant,
  level = 'green' AND coalesce(rhu(projected_fen * 10000, denom_fen) < $year_end_green_bp, false) AS forecast_miss,
  -- 合肥's combined light: money on schedule and targets on track green, money on schedule and
  -- targets behind yellow, money behind red
  CASE WHEN level = 'none' THEN 'none' WHEN level <> 'green' THEN 'red' WHEN ind_red + ind_yellow > 0 THEN 'yellow'
       ELSE 'green' END AS combined_level,
  money_projection_level,
  -- 全年预计完成情况预警: the worst of the money's and the indicators' year-end projections
  CASE WHEN money_projection_level = 'red' OR pind_red > 0 THEN 'red'
       WHEN money_projection_level = 'yellow' OR pind_yellow > 0 THEN 'yellow'
       WHEN money_projection_level = 'green' OR pind_green + pind_blue > 0 THEN 'green' ELSE 'none' END AS projection_level
FROM (
  SELECT *,
    -- on the rounded 预计年底执行率 the user sees, against the year-end target × the band
    CASE WHEN denom_fen IS NULL OR denom_fen <= 0 OR projected_fen IS NULL THEN 'none'
         WHEN rhu(projected_fen * 10000, denom_fen) * 10000 >= $year_end_bp * $proj_green_bp THEN 'green'
         WHEN rhu(projected_fen * 10000, denom_fen) * 10000 >= $year_end_bp * $proj_yellow_bp THEN 'yellow'
         ELSE 'red' END AS money_projection_level
  FROM pj
)
"""

ROLLUP_SQL = f"""
WITH u AS (
  -- one pass over the projects per unit; departments and the region are summed from the units
  SELECT department_name, unit_name,
    count(*) AS projects,
    sum(budget_fen) AS budget_fen, sum(initial_fen) AS initial_fen, sum(denom_fen) AS denom_fen,
    sum(spent_fen) AS spent_fen, sum(arrived_fen) AS arrived_fen,
    sum(CAST(denom_fen AS HUGEINT) * t_num) AS w,
    count(*) FILTER (WHERE level = 'red') AS red, count(*) FILTER (WHERE level = 'yellow') AS yellow,
    count(*) FILTER (WHERE level = 'green') AS green,
    sum(ind_red) AS ind_red, sum(ind_yellow) AS ind_yellow, sum(ind_green) AS ind_green,
    sum(ind_blue) AS ind_blue, sum(ind_none) AS ind_none
  FROM _proj GROUP BY department_name, unit_name
), g AS (
  SELECT
    CASE WHEN grouping(department_name) = 1 THEN 'region' WHEN grouping(unit_name) = 1 THEN 'department' ELSE 'unit' END AS scope,
    department_name, unit_name,
    sum(projects) AS projects,
    sum(budget_fen) AS budget_fen, sum(initial_fen) AS initial_fen, sum(denom_fen) AS denom_fen,
    sum(spent_fen) AS spent_fen, sum(arrived_fen) AS arrived_fen, sum(w) AS w,
    sum(red) AS red, sum(yellow) AS yellow, sum(green) AS green,
    sum(ind_red) AS ind_red, sum(ind_yellow) AS ind_yellow, sum(ind_green) AS ind_green,
    sum(ind_blue) AS ind_blue, sum(ind_none) AS ind_none
  FROM u
  GROUP BY GROUPING SETS ((department_name, unit_name), (department_name), ())
), r AS (
  SELECT *, {rate_columns('spent_fen', 'denom_fen', 'w')},
    rhu(coalesce(arrived_fen, 0) * 10000, budget_fen) AS arrival_bp
  FROM g
), c AS (
  SELECT *, {CAUSE_SQL} AS level_cause FROM r
)
SELECT scope, department_name, unit_name, CAST(projects AS BIGINT) AS projects,
  CAST(budget_fen AS BIGINT) AS budget_fen, CAST(initial_fen AS BIGINT) AS initial_fen,
  CAST(denom_fen AS BIGINT) AS denom_fen, CAST(spent_fen AS BIGINT) AS spent_fen,
  CAST(arrived_fen AS BIGINT) AS arrived_fen,
  CAST(CASE WHEN arrived_fen IS NOT NULL THEN arrived_fen - spent_fen END AS BIGINT) AS idle_fen,
  CAST(rate_bp AS BIGINT) AS rate_bp, CAST(schedule_bp AS BIGINT) AS schedule_bp,
  CAST(gap_bp AS BIGINT) AS gap_bp, CAST(ratio_bp AS BIGINT) AS ratio_bp, CAST(arrival_bp AS BIGINT) AS arrival_bp,
  level_cause, {LEVEL_SQL} AS level, {REASON_SQL} AS level_reason,
  CAST(red AS BIGINT) AS red, CAST(yellow AS BIGINT) AS yellow, CAST(green AS BIGINT) AS green,
  CAST(ind_red AS BIGINT) AS ind_red, CAST(ind_yellow AS BIGINT) AS ind_yellow, CAST(ind_green AS BIGINT) AS ind_green,
  CAST(ind_blue AS BIGINT) AS ind_blue, CAST(ind_none AS BIGINT) AS ind_none
FROM c
ORDER BY scope, department_name, unit_name
""".replace("{int}", "HUGEINT")


def params(year: int, schedule: Schedule, rules: Rules) -> dict[str, object]:
    from .rules import DENOMINATORS

    def bp(d: object) -> int:
        from decimal import Decimal

        return int(Decimal(str(d)) * 100)

    floor = rules.floor_for(schedule.month)
    floor_month = max((m for m, _ in rules.milestone_floors if m <= schedule.month), default=0)
    return {
        "year": year, "month": schedule.month, "t_num": schedule.t_num, "t_den": schedule.t_den,
        "mode": rules.schedule_mode, "denominator": rules.denominator,
        "denominator_label": DENOMINATORS[rules.denominator], "light_mode": rules.light_mode,
        # a region's own published schedule is named beside each light (教育部 74.97% at 1-9月 is not 9/12)
        "schedule_word": "自定义" if rules.schedule_mode == "custom" else "",
        "ratio_green_bp": bp(rules.ratio_green), "ratio_yellow_bp": bp(rules.ratio_yellow),
        "gap_green_bp": bp(rules.gap_green), "gap_yellow_bp": bp(rules.gap_yellow),
        "not_started_bp": bp(rules.not_started_from),
        "materiality_fen": 0 if rules.materiality_wan is None else int(rules.materiality_wan * 1_000_000),
        "year_end_bp": bp(rules.year_end_target),
        "plan_keep_pct": int(rules.plan_keep_pct),
        "year_end_green_bp": _year_end_green_bp(rules, bp),
        "floor_bp": -1 if floor is None else bp(floor),
        "floor_text": (f"首个考核节点为1-{rules.milestone_floors[0][0]}月" if rules.milestone_floors else "未设置考核节点")
        if floor is None else f"1-{floor_month}月底线{floor:.2f}%",
        "gate_gap_bp": bp(rules.gate_gap), "gate_fen": int(rules.gate_budget_wan * 1_000_000),
        "proj_green_bp": bp(rules.proj_green), "proj_yellow_bp": bp(rules.proj_yellow),
    }


def _year_end_green_bp(rules: Rules, bp) -> int:  # type: ignore[no-untyped-def]
    """The execution at year end (序时进度 100%) that is still green under the light mode in force."""
    if rules.light_mode == "ratio":
        return bp(rules.ratio_green)
    if rules.light_mode == "gap":
        return 10000 - bp(rules.gap_green)
    if rules.light_mode == "milestone":
        return bp(rules.floor_for(12) or 0)
    if rules.light_mode == "gated":
        return 10000 - bp(rules.gate_gap) + 1
    return 10000


def used(sql: str, p: dict[str, object]) -> dict[str, object]:
    """Only the parameters a statement names (DuckDB rejects unused named parameters)."""
    import re

    named = set(re.findall(r"\$([a-z_][a-z_0-9]*)", sql))
    return {k: v for k, v in p.items() if k in named}


def run(con: duckdb.DuckDBPyConnection, p: dict[str, object], rollups: bool = True):  # type: ignore[no-untyped-def]
    """Projects, indicator figures and roll-ups as DataFrames, from temp tables on one connection.

    The arithmetic runs in BIGINT, several times faster than HUGEINT. DuckDB raises on a BIGINT
    overflow instead of wrapping, so a region with figures too large for 64 bits (or the `plan`
    schedule, whose fractions have 10^12 as denominator) is computed again in HUGEINT: exact either way.
    """
    con.execute("SET enable_progress_bar = false")
    if p["mode"] != "plan":
        try:
            return _run(con, p, "BIGINT", rollups)
        except duckdb.OutOfRangeException:
            pass
    return _run(con, p, "HUGEINT", rollups)


def _run(con: duckdb.DuckDBPyConnection, p: dict[str, object], int_type: str, with_rollups: bool = True):  # type: ignore[no-untyped-def]
    """Each result goes straight to Arrow and is read back by the next query from there: a DuckDB
    temp table would be compressed and written only to be read once (twice the time)."""
    from .indicators import indicators_sql

    # the acting user's projects only (access.scope_sql); TRUE for the bureau
    base_sql = BASE_SQL.replace("{int}", int_type).replace("{scope}", str(p.get("_scope", "TRUE")))
    views: list[str] = []

    def view(name: str, table: pa.Table) -> pa.Table:
        con.register(name, table)
        views.append(name)
        return table

    try:
        # _money: the base figures per project; _base: the same with the indicator tally (see `tally`)
        if int_type == "BIGINT":
            money = view("_money", con.sql(base_sql, params=used(base_sql, p)).to_arrow_table())
        else:  # Arrow has no 128-bit integer: HUGEINT would come back as DECIMAL, and DECIMAL // as DOUBLE
            con.execute("CREATE OR REPLACE TEMP TABLE _money AS " + base_sql, used(base_sql, p))
        ind_sql = indicators_sql(p["mode"] == "plan", int_type, str(p.get("_scope", "TRUE")))
        # unsorted: sorting a million rows costs more than the lights; views sort what they show
        indicators = con.sql(ind_sql, params=used(ind_sql, p)).to_arrow_table()
        if int_type == "BIGINT":
            counts = tallies(money.column("project_code"), indicators)
            view("_base", pa.Table.from_arrays(money.columns + counts.columns, money.column_names + counts.column_names))
        else:  # joined by code, as a temp table promises no row order
            codes = con.sql("SELECT project_code FROM _money").to_arrow_table().column(0)
            view("_tally", tallies(codes, indicators).append_column("project_code", codes))
            con.execute("CREATE OR REPLACE TEMP TABLE _base AS SELECT * FROM _money JOIN _tally USING (project_code)")
        proj_sql = PROJECTS_SQL.replace("{int}", int_type)
        projects = view("_proj", con.sql(proj_sql, params=used(proj_sql, p)).to_arrow_table())
        rollups = con.sql(ROLLUP_SQL, params=used(ROLLUP_SQL, p)).to_arrow_table() if with_rollups else None
    finally:  # an in-memory store keeps its connection: leave nothing behind for the next run
        for name in views:
            con.unregister(name)
        if int_type != "BIGINT":
            con.execute("DROP TABLE IF EXISTS _money")
            con.execute("DROP TABLE IF EXISTS _base")
    # t_num stays on the projects: a refreshed status sums its roll-ups again from them (`rollups`)
    return to_pandas(projects), to_pandas(indicators), None if rollups is None else to_pandas(rollups)


def rollups(projects: pd.DataFrame, p: dict[str, object]) -> pd.DataFrame:
    """Units, departments and the region summed from project rows (the same ROLLUP_SQL as `run`)."""
    from . import sqlfns

    cols = ["department_name", "unit_name", "budget_fen", "initial_fen", "denom_fen", "spent_fen", "arrived_fen", "t_num",
            "level", "ind_red", "ind_yellow", "ind_green", "ind_blue", "ind_none"]
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        sqlfns.install(con)
        con.register("_proj", pa.Table.from_pandas(projects[cols], preserve_index=False))
        return to_pandas(con.sql(ROLLUP_SQL, params=used(ROLLUP_SQL, p)).to_arrow_table())


LEVELS = ("red", "yellow", "green", "blue", "none")  # every light a figure can have: ind_red … ind_none


def tallies(codes: pa.ChunkedArray, indicators: pa.Table) -> pa.Table:
    """Per project of `codes`: its indicators' lights (ind_…) and year-end projection lights (pind_…)."""
    project = pc.index_in(indicators.column("project_code"), value_set=codes)  # looked up once for both
    now = tally(codes, indicators, project=project)
    ahead = tally(codes, indicators, "projection_level", "pind_", project=project)
    return pa.Table.from_arrays(now.columns + ahead.columns, now.column_names + ahead.column_names)


def tally(codes: pa.ChunkedArray, indicators: pa.Table, column: str = "level", prefix: str = "ind_",
          project: pa.Array | None = None) -> pa.Table:
    """How many indicators of each light every project has: one row per code of `codes`, in its order.

    Counted in numpy (a hash lookup of the codes, then bincount): a GROUP BY over the million
    indicator rows and a join back to the projects cost twice as much. A plain count; the rule
    made of it (the project's indicator light is the worst of its indicators) is in PROJECTS_SQL.
    `project`: the rows' positions in `codes`, when the caller has them already.
    """
    n = len(codes)
    if project is None:
        project = pc.index_in(indicators.column("project_code"), value_set=codes)
    light = pc.index_in(indicators.column(column), value_set=pa.array(LEVELS))
    if project.null_count or light.null_count:  # the import lets neither happen; count only what can be
        keep = pc.and_(pc.is_valid(project), pc.is_valid(light))
        project, light = pc.filter(project, keep), pc.filter(light, keep)
    slots = pc.add(pc.multiply(pc.cast(project, pa.int64()), len(LEVELS)), pc.cast(light, pa.int64()))
    counts = np.bincount(slots.to_numpy(), minlength=n * len(LEVELS)).reshape(n, len(LEVELS))
    return pa.table({f"{prefix}{name}": pa.array(counts[:, k]) for k, name in enumerate(LEVELS)})


def worded(projects: pd.DataFrame, p: dict[str, object]) -> pd.DataFrame:
    """`projects` in reading order (department, unit, code) with the money light's reason in words.

    Kept out of the status computation: wording 100,000 projects, and sorting them, costs more than
    judging them, and the figures are complete without either. Run on first use, by the same SQL
    rule, on an in-memory connection over the frame's keys and figures only.
    """
    from . import sqlfns

    rows = projects[["department_name", "unit_name", "project_code", "level_cause", "denom_fen", "spent_fen",
                     "budget_fen", "rate_bp", "schedule_bp", "gap_bp", "ratio_bp"]]
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        sqlfns.install(con)
        con.register("_rows", pa.Table.from_pandas(rows, preserve_index=False).append_column(
            "_row", pa.array(range(len(rows)), pa.int64())))
        words = con.sql(WORDS_SQL, params=used(WORDS_SQL, p)).to_arrow_table()
    out = projects.take(words.column("_row").to_numpy()).reset_index(drop=True)
    out["level_reason"] = words.column("level_reason").to_pandas(types_mapper=_arrow_strings)
    return out


def frame(con: duckdb.DuckDBPyConnection, sql: str, p: dict[str, object] | None = None) -> pd.DataFrame:
    """A query result as pandas through Arrow, strings kept as Arrow strings."""
    return to_pandas(con.sql(sql, params=p or None).to_arrow_table())


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with strings kept as Arrow strings.

    DuckDB's own .df() converts a million rows of text one Python object at a time (seconds);
    through Arrow the same frame takes a few hundredths of a second.
    """
    return table.to_pandas(types_mapper=_arrow_strings)


def _arrow_strings(t: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(t) if pa.types.is_string(t) or pa.types.is_large_string(t) else None


CURVE_SQL = """
WITH p AS (SELECT p.project_code, p.department_name, p.budget_adjusted, p.budget_initial FROM projects p
           WHERE p.year = $year AND ($department IS NULL OR p.department_name = $department)
             AND ($project IS NULL OR p.project_code = $project) AND {scope}),
months AS (SELECT range AS month FROM range(1, 13)),
s AS (SELECT x.month, sum(x.spent) AS spent, sum(x.planned) AS planned, sum(x.arrived) AS arrived
      FROM monthly x JOIN p USING (project_code) WHERE x.year = $year GROUP BY x.month)
SELECT months.month,
  CAST(coalesce(s.spent, 0) * 100 AS BIGINT) AS spent_fen,
  CAST(sum(coalesce(s.spent, 0)) OVER (ORDER BY months.month) * 100 AS BIGINT) AS cum_spent_fen,
  CAST(sum(coalesce(s.planned, 0)) OVER (ORDER BY months.month) * 100 AS BIGINT) AS cum_plan_fen,
  CAST(sum(coalesce(s.arrived, 0)) OVER (ORDER BY months.month) * 100 AS BIGINT) AS cum_arrived_fen,
  CAST((SELECT sum(budget_adjusted) FROM p) * 100 AS BIGINT) AS budget_fen,
  CAST((SELECT sum(budget_initial) FROM p) * 100 AS BIGINT) AS initial_fen,
  s.month IS NOT NULL AS has_data
FROM months LEFT JOIN s USING (month) ORDER BY months.month
"""
