"""Indicator progress against stage and annual targets, and the light of every indicator.

The latest actual at or before the monitoring month counts (actuals are cumulative). The stage
target of the month is the one given in the data; otherwise a cumulative target is prorated by the
project's 序时进度 and a rate is not prorated. Completion = actual ÷ stage target, rounded half up
to hundredths of a percent, then compared — the same rule as money.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from .rules import Rules

_INDICATORS_SQL = """
WITH i AS (
  SELECT * FROM indicators WHERE year = $year AND adjust_type <> '删除'
), pr AS (
  SELECT project_code, indicator_name,
    arg_max(actual_value, month) FILTER (WHERE reported) AS a_v,
    arg_max(actual_status, month) FILTER (WHERE reported) AS a_s,
    arg_max(actual_text, month) FILTER (WHERE reported) AS a_t,
    max(month) FILTER (WHERE reported) AS a_m,
    any_value(stage_value) FILTER (WHERE month = $month) AS st_v,
    any_value(stage_text) FILTER (WHERE month = $month) AS st_t
  FROM (SELECT *, month <= $month AND (actual_value IS NOT NULL OR actual_status IS NOT NULL) AS reported
        FROM progress WHERE year = $year)
  GROUP BY project_code, indicator_name
), j AS (
  -- values in millionths of their unit, as BIGINT: exact, and fast enough for a province
  SELECT i.project_code, i.seq, i.level1, i.level2, i.name, i.target_text, i.target_op AS op,
    i.target_unit AS unit, i.nature, i.adjust_type, i.explanation, CAST(i.weight AS DOUBLE) AS weight,
    CAST(i.target_value * 1000000 AS BIGINT) AS v,
    CAST(pr.a_v * 1000000 AS BIGINT) AS act, pr.a_s AS status, pr.a_t AS actual_raw, pr.a_m AS reported_month,
    pr.st_t AS stage_given_text, CAST(pr.st_v * 1000000 AS BIGINT) AS st_given,
    {t_num} AS t_num
  FROM i LEFT JOIN pr ON pr.project_code = i.project_code AND pr.indicator_name = i.name
  {plan_join}
), s AS (
  -- a cumulative target without a given stage value is prorated by 序时进度, to a millionth of its unit
  SELECT *,
    CASE WHEN st_given IS NOT NULL THEN st_given
         WHEN nature = 'cumulative' AND op IN ('>=', '>', '=') THEN CAST(rhu(CAST(v AS HUGEINT) * t_num, $t_den) AS BIGINT)
         ELSE v END AS st
  FROM j
), c AS MATERIALIZED (
  SELECT *,
    CASE WHEN act IS NOT NULL AND st > 0 THEN rhub(act * 10000, st) END AS completion_bp,
    CASE WHEN act IS NOT NULL AND v > 0 THEN rhub(act * 10000, v) END AS annual_bp,
    -- 全年预计完成情况: a cumulative quantity not yet at its target goes on at its pace so far
    -- (actual ÷ 序时进度); one already there, a rate or a word stays as it stands
    CASE WHEN act IS NOT NULL AND nature = 'cumulative' AND t_num > 0 AND NOT (op IN ('>=', '>', '=') AND act >= v)
         THEN CAST(rhu(CAST(act AS HUGEINT) * CAST($t_den AS HUGEINT), t_num) AS BIGINT) ELSE act END AS projected_micro
  FROM s
), l AS (
  SELECT *,
    CASE
      WHEN nature = 'qualitative' THEN
        CASE status WHEN '达成' THEN 'green' WHEN '部分达成' THEN 'yellow' WHEN '未达成' THEN 'red' ELSE 'none' END
      WHEN act IS NULL THEN 'none'
      WHEN v = 0 AND op IN ('=', '<=', '<') THEN CASE WHEN act = 0 THEN 'green' ELSE 'red' END
      WHEN op IN ('<=', '<') AND nature = 'rate' THEN
        CASE WHEN (op = '<=' AND act <= st) OR (op = '<' AND act < st) THEN 'green'
             WHEN completion_bp <= $ind_lower_yellow_bp THEN 'yellow' ELSE 'red' END
      WHEN op IN ('<=', '<') THEN
        CASE WHEN (op = '<=' AND act > v) OR (op = '<' AND act >= v) THEN 'red' ELSE 'green' END
      WHEN act = 0 THEN 'red'
      WHEN st IS NULL OR st <= 0 THEN 'green'
      WHEN nature = 'rate' THEN
        CASE WHEN completion_bp >= 10000 THEN 'green' WHEN completion_bp >= $ind_rate_yellow_bp THEN 'yellow' ELSE 'red' END
      WHEN annual_bp >= $ind_blue_bp THEN 'blue'
      WHEN completion_bp >= $ind_green_bp THEN 'green'
      WHEN completion_bp >= $ind_yellow_bp THEN 'yellow'
      ELSE 'red'
    END AS level
  FROM c
)
SELECT project_code, CAST(seq AS BIGINT) AS seq, level1, level2, name, target_text, op, unit, nature,
  adjust_type, explanation, weight, v AS target_micro, st AS stage_micro, act AS actual_micro,
  stage_given_text, actual_raw, status AS actual_status, CAST(reported_month AS BIGINT) AS reported_month,
  completion_bp, annual_bp, projected_micro, level
FROM l
"""


def params(rules: Rules) -> dict[str, object]:
    def bp(d: Decimal) -> int:
        return int(d * 100)

    return {
        "ind_green_bp": bp(rules.ind_green), "ind_yellow_bp": bp(rules.ind_yellow),
        "ind_rate_yellow_bp": bp(rules.ind_rate_yellow), "ind_lower_yellow_bp": bp(rules.ind_lower_yellow),
        "ind_blue_bp": bp(rules.ind_blue),
    }


def indicators_sql(plan_mode: bool) -> str:
    """Only the `plan` mode gives each project its own schedule; otherwise it is one constant."""
    if plan_mode:
        return _INDICATORS_SQL.replace("{t_num}", "coalesce(b.t_num, CAST($t_num AS HUGEINT))").replace(
            "{plan_join}", "LEFT JOIN _base b ON b.project_code = i.project_code")
    return _INDICATORS_SQL.replace("{t_num}", "CAST($t_num AS HUGEINT)").replace("{plan_join}", "")


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
    projected = _micro_text(out["projected_micro"]) + u
    out["projected_text"] = projected.where(nature != "qualitative", out["actual_status"].astype("string"))
    status = out["actual_status"].astype("string")
    target = out["target_micro"].astype("Int64")
    lower = op.isin(["<=", "<"]).fillna(False).astype(bool)
    qual = (nature == "qualitative").fillna(False).astype(bool)
    no_act = act.isna().to_numpy(dtype=bool, na_value=True)
    zero_target = ((target == 0).fillna(False) & (op.isin(["=", "<=", "<"]).fillna(False))).astype(bool)
    conds = [
        qual & status.isna(), qual, pd.Series(no_act, index=out.index), zero_target,
        lower & (nature != "rate").fillna(False), (act == 0).fillna(False).astype(bool), (level == "blue").fillna(False),
    ]
    over = (level == "red").fillna(False)
    choices = [
        pd.Series(f"未填报：截至{month}月末没有报告完成情况", index=out.index, dtype="string"),
        "定性指标，填报为「" + status.fillna("") + "」",
        pd.Series(f"未填报：截至{month}月末没有报告实际完成值", index=out.index, dtype="string"),
        "目标为0，实际" + act_s.fillna("") + u,
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
