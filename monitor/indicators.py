"""Indicator progress against stage and annual targets, and the light of every indicator.

The latest actual at or before the monitoring month counts (actuals are cumulative). The stage
target of the month is the one given in the data; otherwise a cumulative target is prorated by the
project's 序时进度 and a rate is not prorated. Completion = actual ÷ stage target, rounded half up
to hundredths of a percent, then compared — the same rule as money.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa

from .errors import StaleStatus
from .rules import RANGE_KINDS, Rules
from .store import Store
from .targets import is_countable

# The figures and light of every indicator, numbers only: the words (names, target text, units) are
# joined by LABELS_SQL for the rows a view or report shows. Integer arithmetic in {int} (BIGINT, or
# HUGEINT where the figures are too large for it; DuckDB raises rather than overflow).
_INDICATORS_SQL = """
WITH i AS (
  SELECT indicator_id, project_code, seq, target_op AS op, nature, CAST(target_value{wide} * 1000000 AS {int}) AS v,
    -- indicator_mode "kind" (rules.INDICATOR_MODES): 质量/时效/成本 and every lower-is-better indicator
    -- are judged in range or out of range against the annual target; the other numeric ones prorated
    CASE WHEN NOT $ind_kind OR nature = 'qualitative' THEN NULL
         WHEN target_op IN ('<=', '<') OR regexp_matches(level2 || '|' || level1, $range_kinds) THEN 'range'
         ELSE 'prorate' END AS kind
  FROM indicators WHERE year = $year AND adjust_type <> '删除' {in_scope}
), a AS (
  -- the latest report at or before the month (actuals are cumulative); see store.REKEY_SQL
  SELECT indicator_id, CAST(actual_value{wide} * 1000000 AS {int}) AS act, actual_status AS status, month AS reported_month
  FROM progress WHERE year = $year AND month <= $month AND reported_until > $month
), g AS (
  SELECT indicator_id, CAST(stage_value{wide} * 1000000 AS {int}) AS st_given
  FROM progress WHERE year = $year AND month = $month AND stage_value IS NOT NULL
), j AS (
  SELECT i.*, a.act, a.status, a.reported_month, g.st_given, {t_num} AS t_num
  FROM i LEFT JOIN a USING (indicator_id) LEFT JOIN g USING (indicator_id)
  {plan_join}
), s AS (
  -- a cumulative target without a given stage value is prorated by 序时进度, to a millionth of its unit
  SELECT *,
    CASE WHEN kind = 'range' THEN v
         WHEN st_given IS NOT NULL THEN st_given
         WHEN (nature = 'cumulative' OR kind = 'prorate') AND op IN ('>=', '>', '=') THEN rhu(v * t_num, $t_den)
         ELSE v END AS st
  FROM j
), c AS (
  SELECT *,
    CASE WHEN act IS NOT NULL AND st > 0 THEN rhu(act * 10000, st) END AS completion_bp,
    CASE WHEN act IS NOT NULL AND v > 0 THEN rhu(act * 10000, v) END AS annual_bp,
    -- 全年预计完成情况: a cumulative quantity not yet at its target goes on at its pace so far
    -- (actual ÷ 序时进度); one already there, a rate or a word stays as it stands
    CASE WHEN act IS NOT NULL AND nature = 'cumulative' AND t_num > 0 AND NOT (op IN ('>=', '>', '=') AND act >= v)
         THEN rhu(act * $t_den, t_num) ELSE act END AS projected_micro
  FROM s
), pc AS (
  SELECT *, CASE WHEN projected_micro IS NOT NULL AND v > 0 THEN rhu(projected_micro * 10000, v) END AS projected_bp FROM c
)
SELECT indicator_id, project_code, CAST(seq AS INTEGER) AS seq,
  CAST(v AS BIGINT) AS target_micro, CAST(st AS BIGINT) AS stage_micro, CAST(act AS BIGINT) AS actual_micro,
  CAST(reported_month AS TINYINT) AS reported_month, CAST(completion_bp AS BIGINT) AS completion_bp,
  CAST(annual_bp AS BIGINT) AS annual_bp, CAST(projected_micro AS BIGINT) AS projected_micro,
  CAST(projected_bp AS BIGINT) AS projected_bp, kind,
  CASE
    WHEN nature = 'qualitative' THEN
      CASE status WHEN '达成' THEN 'green' WHEN '部分达成' THEN 'yellow' WHEN '未达成' THEN 'red' ELSE 'none' END
    WHEN act IS NULL THEN 'none'
    WHEN v = 0 AND op IN ('=', '<=', '<') THEN CASE WHEN act = 0 THEN 'green' ELSE 'red' END
    WHEN kind = 'range' THEN
      CASE WHEN (op = '>=' AND act >= v) OR (op = '>' AND act > v) OR (op = '=' AND act = v)
                OR (op = '<=' AND act <= v) OR (op = '<' AND act < v) THEN 'green' ELSE 'red' END
    WHEN op IN ('<=', '<') AND nature = 'rate' THEN
      CASE WHEN (op = '<=' AND act <= st) OR (op = '<' AND act < st) THEN 'green'
           WHEN completion_bp <= $ind_lower_yellow_bp THEN 'yellow' ELSE 'red' END
    WHEN op IN ('<=', '<') THEN
      CASE WHEN (op = '<=' AND act > v) OR (op = '<' AND act >= v) THEN 'red' ELSE 'green' END
    WHEN act = 0 THEN 'red'
    WHEN st IS NULL OR st <= 0 THEN 'green'
    WHEN nature = 'rate' AND kind IS NULL THEN
      CASE WHEN completion_bp >= 10000 THEN 'green' WHEN completion_bp >= $ind_rate_yellow_bp THEN 'yellow' ELSE 'red' END
    WHEN annual_bp >= $ind_blue_bp THEN 'blue'
    WHEN completion_bp >= $ind_green_bp THEN 'green'
    WHEN completion_bp >= $ind_yellow_bp THEN 'yellow'
    ELSE 'red'
  END AS level,
  -- 全年预计完成情况: the projection against the annual target, by the bands in force
  CASE
    WHEN nature = 'qualitative' THEN
      CASE status WHEN '达成' THEN 'green' WHEN '部分达成' THEN 'yellow' WHEN '未达成' THEN 'red' ELSE 'none' END
    WHEN projected_micro IS NULL THEN 'none'
    WHEN v = 0 AND op IN ('=', '<=', '<') THEN CASE WHEN projected_micro = 0 THEN 'green' ELSE 'red' END
    WHEN op IN ('<=', '<') THEN
      CASE WHEN (op = '<=' AND projected_micro <= v) OR (op = '<' AND projected_micro < v) THEN 'green' ELSE 'red' END
    WHEN v <= 0 THEN 'green'
    WHEN projected_bp >= $proj_green_bp THEN 'green'
    WHEN projected_bp >= $proj_yellow_bp THEN 'yellow'
    ELSE 'red'
  END AS projection_level
FROM pc
"""

# The words of indicators at a month: names, target text, unit, and the stage and actual as written.
# {which} narrows all three scans alike (one project, a set of ids, or the whole year).
LABELS_SQL = """
WITH i AS (
  SELECT indicator_id, level1, level2, name, target_text, target_op AS op, target_unit AS unit, nature,
    adjust_type, explanation, CAST(weight AS DOUBLE) AS weight
  FROM indicators WHERE year = $year AND {which}
), a AS (
  SELECT indicator_id, actual_text AS actual_raw, actual_status
  FROM progress WHERE year = $year AND {which} AND month <= $month AND reported_until > $month
), g AS (
  SELECT indicator_id, stage_text AS stage_given_text FROM progress WHERE year = $year AND {which} AND month = $month
)
SELECT * FROM i LEFT JOIN a USING (indicator_id) LEFT JOIN g USING (indicator_id)
"""


def labels(store: Store, year: int, month: int, version: int | None, ids: pd.Series | None = None,
           project: str | None = None) -> pd.DataFrame:
    """The labels of one project's indicators, of the indicators `ids`, or (neither) of the whole year,
    as of the store's keys version `version`.

    Ids are renumbered when indicators or progress are written again, so labels are read only while
    the store's ids are those the figures were computed with (`version`, its keys version); a note
    or a setting written meanwhile does not matter. Otherwise StaleStatus.
    """
    from .execution import frame

    with store.connect() as con:
        if version is not None and store.keys_version_on(con) != version:
            raise StaleStatus("数据已被更新（导入或修改），这份监控状态已过期，请刷新后重新查看。")
        p: dict[str, object] = {"year": year, "month": month}
        if project is not None:
            return frame(con, LABELS_SQL.replace("{which}", "project_code = $project"), p | {"project": project})
        if ids is None:
            return frame(con, LABELS_SQL.replace("{which}", "true"), p)
        con.register("_ids", pa.table({"indicator_id": pa.array(ids.to_numpy(dtype="int64"))}))
        try:
            return frame(con, LABELS_SQL.replace("{which}", "indicator_id IN (SELECT indicator_id FROM _ids)"), p)
        finally:
            con.unregister("_ids")


def params(rules: Rules) -> dict[str, object]:
    def bp(d: Decimal) -> int:
        return int(d * 100)

    return {
        "ind_green_bp": bp(rules.ind_green), "ind_yellow_bp": bp(rules.ind_yellow),
        "ind_rate_yellow_bp": bp(rules.ind_rate_yellow), "ind_lower_yellow_bp": bp(rules.ind_lower_yellow),
        "ind_blue_bp": bp(rules.ind_blue),
        "ind_kind": rules.indicator_mode == "kind", "range_kinds": "|".join(RANGE_KINDS),
        "proj_green_bp": bp(rules.proj_green), "proj_yellow_bp": bp(rules.proj_yellow),
    }


def indicators_sql(plan_mode: bool, int_type: str = "BIGINT", scope: str = "TRUE") -> str:
    """Only the `plan` mode gives each project its own schedule; otherwise it is one constant.
    `scope`: the acting user's projects (access.scope_sql over alias p); TRUE adds no filter at all."""
    # DuckDB multiplies a DECIMAL(18,6) in 64 bits and raises past them: widen it for HUGEINT
    sql = _INDICATORS_SQL.replace("{int}", int_type).replace("{wide}", "" if int_type == "BIGINT" else "::DECIMAL(38,6)")
    sql = sql.replace("{in_scope}", "" if scope == "TRUE" else
                      f"AND project_code IN (SELECT p.project_code FROM projects p WHERE p.year = $year AND {scope})")
    if plan_mode:
        return sql.replace("{t_num}", f"coalesce(b.t_num, CAST($t_num AS {int_type}))").replace(
            "{plan_join}", "LEFT JOIN _money b ON b.project_code = i.project_code")
    return sql.replace("{t_num}", f"CAST($t_num AS {int_type})").replace("{plan_join}", "")


def _micro_text(x: pd.Series) -> pd.Series:
    """Millionths → shortest decimal text (183, 134.5368), NA stays NA."""
    v = x.astype("Int64")
    a = v.abs()
    whole = (a // 1_000_000).astype("string")
    frac = (a % 1_000_000).astype("string").str.zfill(6).str.rstrip("0")
    text = whole.where(frac == "", whole + "." + frac)
    return text.where(v >= 0, "-" + text)


def _bp_text(x: pd.Series) -> pd.Series:
    v = x.astype("Int64")
    a = v.abs()
    text = (a // 100).astype("string") + "." + (a % 100).astype("string").str.zfill(2)
    return text.where(v >= 0, "-" + text)


def describe(f: pd.DataFrame, month: int) -> pd.DataFrame:
    """Add the Chinese words to indicator rows: stage_text, actual_text and level_reason.

    Separate from the SQL because wording a million rows costs more than judging them; a view
    describes only the rows it shows. Vectorised pandas string columns, no loop per row.
    """
    out = f.copy()
    if out.empty:
        for c in ("stage_text", "actual_text", "projected_text", "level_reason"):
            out[c] = pd.Series(dtype="string")
        out["stage_given"] = pd.Series(dtype=bool)
        return out
    u = out["unit"].astype("string").fillna("")
    st_shown = out["stage_micro"].astype("Int64")
    st_shown = ((st_shown.abs() * 2 + 10000) // 20000 * 10000).where(st_shown >= 0, -((-st_shown * 2 + 10000) // 20000 * 10000))
    act_s, st_s, v_s = _micro_text(out["actual_micro"]), _micro_text(st_shown), _micro_text(out["target_micro"])
    comp_s, ann_s = _bp_text(out["completion_bp"]), _bp_text(out["annual_bp"])
    given = out["stage_given_text"].astype("string")
    out["stage_given"] = given.notna().to_numpy()
    out["stage_text"] = given.fillna(st_s + u)
    raw = out["actual_raw"].astype("string")
    act = out["actual_micro"].astype("Int64")
    plain_number = raw.str.strip().str.fullmatch(r"[-+]?[0-9.,]+").fillna(False).astype(bool)
    out["actual_text"] = (act_s + u).where(act.notna() & plain_number, raw.fillna(out["actual_status"].astype("string")))
    nature, op, level = out["nature"].astype("string"), out["op"].astype("string"), out["level"].astype("string")
    # a forecast is a round figure: whole things for countable units (floored: 4.8家 done means 4),
    # two decimals (half up) for anything else, such as 万元
    pm = out["projected_micro"].astype("Int64")
    countable = u.map(is_countable).astype(bool)
    whole = (pm // 1_000_000) * 1_000_000
    hundredths = ((pm.abs() * 2 + 10_000) // 20_000 * 10_000).where(pm >= 0, -((-pm * 2 + 10_000) // 20_000 * 10_000))
    projected = _micro_text(whole.where(countable, hundredths)) + u
    out["projected_text"] = projected.where(nature != "qualitative", out["actual_status"].astype("string"))
    status = out["actual_status"].astype("string")
    target = out["target_micro"].astype("Int64")
    lower = op.isin(["<=", "<"]).fillna(False).astype(bool)
    qual = (nature == "qualitative").fillna(False).astype(bool)
    no_act = act.isna().to_numpy(dtype=bool, na_value=True)
    zero_target = ((target == 0).fillna(False) & (op.isin(["=", "<=", "<"]).fillna(False))).astype(bool)
    in_range = (out["kind"].astype("string") == "range").fillna(False).astype(bool) if "kind" in out else pd.Series(False, index=out.index)
    signs = op.map({">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}).astype("string").fillna("")
    conds = [
        qual & status.isna(), qual, pd.Series(no_act, index=out.index), zero_target,
        in_range,
        lower & (nature != "rate").fillna(False), (act == 0).fillna(False).astype(bool), (level == "blue").fillna(False),
    ]
    over = (level == "red").fillna(False)
    choices = [
        pd.Series(f"未填报：截至{month}月末没有报告完成情况", index=out.index, dtype="string"),
        "定性指标，填报为「" + status.fillna("") + "」",
        pd.Series(f"未填报：截至{month}月末没有报告实际完成值", index=out.index, dtype="string"),
        "目标为0，实际" + act_s.fillna("") + u,
        "实际" + act_s.fillna("") + u + (level == "green").fillna(False).map({True: "，达到", False: "，未达到"}).astype("string")
        + "年度目标" + signs + v_s.fillna("") + u + "（按是否达标判定，不折算）",
        "成本上限" + v_s.fillna("") + u + "，实际" + act_s.fillna("") + u + over.map({True: "，已超出", False: "，未超出"}).astype("string"),
        pd.Series("实际完成值为0", index=out.index, dtype="string"),
        "实际" + act_s.fillna("") + u + "，达到年度目标的" + ann_s.fillna("") + "%，超额完成（目标可能偏保守）",
    ]
    default = "完成率" + comp_s.fillna("—") + "%（实际" + act_s.fillna("") + u + " ÷ 本阶段目标" + st_s.fillna("—") + u + "）"
    reason = default.copy()
    # np.select, applied last-to-first so the first matching condition wins
    for cond, choice in reversed(list(zip(conds, choices, strict=False))):
        reason = choice.where(cond.to_numpy(dtype=bool), reason) if isinstance(choice, pd.Series) else reason
    out["level_reason"] = reason
    return out
