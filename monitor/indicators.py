"""Indicator progress against stage and annual targets, and the light of every indicator.

The latest actual at or before the monitoring month counts (actuals are cumulative). The stage
target of the month is the one given in the data; otherwise a cumulative target is prorated by the
project's 序时进度 and a rate is not prorated. Completion = actual ÷ stage target, rounded half up
to hundredths of a percent, then compared — the same rule as money.
"""

from __future__ import annotations

from decimal import Decimal

from .rules import Rules

INDICATORS_SQL = """
WITH i AS (
  SELECT * FROM indicators WHERE year = $year AND adjust_type <> '删除'
), pr AS (
  SELECT project_code, indicator_name,
    arg_max({'v': actual_value, 's': actual_status, 't': actual_text, 'm': month}, month)
      FILTER (WHERE month <= $month AND (actual_value IS NOT NULL OR actual_status IS NOT NULL)) AS a,
    any_value({'v': stage_value, 't': stage_text}) FILTER (WHERE month = $month AND (stage_value IS NOT NULL OR stage_text IS NOT NULL)) AS st
  FROM progress WHERE year = $year GROUP BY project_code, indicator_name
), j AS (
  SELECT i.project_code, i.seq, i.level1, i.level2, i.name, i.target_text, i.target_op AS op,
    i.target_unit AS unit, i.nature, i.adjust_type, i.explanation, i.weight,
    CAST(i.target_value * 1000000 AS HUGEINT) AS v,
    CAST(pr.a.v * 1000000 AS HUGEINT) AS act, pr.a.s AS status, pr.a.t AS actual_text, pr.a.m AS reported_month,
    pr.st.t AS stage_given_text, CAST(pr.st.v * 1000000 AS HUGEINT) AS st_given,
    coalesce(b.t_num, CAST($t_num AS HUGEINT)) AS t_num
  FROM i LEFT JOIN pr ON pr.project_code = i.project_code AND pr.indicator_name = i.name
  LEFT JOIN _base b ON b.project_code = i.project_code
), s AS (
  SELECT *,
    CASE WHEN st_given IS NOT NULL THEN st_given
         WHEN nature = 'cumulative' AND op IN ('>=', '>', '=') THEN v * t_num ELSE v END AS st_num,
    CASE WHEN st_given IS NULL AND nature = 'cumulative' AND op IN ('>=', '>', '=') THEN CAST($t_den AS HUGEINT)
         ELSE CAST(1 AS HUGEINT) END AS st_den
  FROM j
), c AS (
  SELECT *, rhu(st_num, st_den) AS st,
    CASE WHEN act IS NOT NULL AND st_num > 0 THEN rhu(act * 10000 * st_den, st_num) END AS completion_bp,
    CASE WHEN act IS NOT NULL AND v > 0 THEN rhu(act * 10000, v) END AS annual_bp
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
      WHEN st_num IS NULL OR st_num <= 0 THEN 'green'
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
  adjust_type, explanation, CAST(weight AS DOUBLE) AS weight,
  CAST(v AS BIGINT) AS target_micro, CAST(st AS BIGINT) AS stage_micro, CAST(act AS BIGINT) AS actual_micro,
  coalesce(stage_given_text, CASE WHEN st IS NOT NULL THEN fmicro(rhu(st, 10000) * 10000) || coalesce(unit, '') END) AS stage_text,
  stage_given_text IS NOT NULL AS stage_given,
  CASE WHEN act IS NOT NULL AND regexp_full_match(trim(actual_text), '[-+]?[0-9.,]+') THEN fmicro(act) || coalesce(unit, '')
       ELSE coalesce(actual_text, status) END AS actual_text, status AS actual_status, CAST(reported_month AS BIGINT) AS reported_month,
  CAST(completion_bp AS BIGINT) AS completion_bp, CAST(annual_bp AS BIGINT) AS annual_bp, level,
  CASE
    WHEN nature = 'qualitative' AND status IS NULL THEN '未填报：截至' || $month || '月末没有报告完成情况'
    WHEN nature = 'qualitative' THEN '定性指标，填报为「' || status || '」'
    WHEN act IS NULL THEN '未填报：截至' || $month || '月末没有报告实际完成值'
    WHEN v = 0 AND op IN ('=', '<=', '<') THEN '目标为0，实际' || fmicro(act) || coalesce(unit, '')
    WHEN op IN ('<=', '<') AND nature <> 'rate' THEN
      '成本上限' || fmicro(v) || coalesce(unit, '') || '，实际' || fmicro(act) || coalesce(unit, '')
      || CASE WHEN level = 'red' THEN '，已超出' ELSE '，未超出' END
    WHEN act = 0 THEN '实际完成值为0'
    WHEN level = 'blue' THEN '实际' || fmicro(act) || coalesce(unit, '') || '，达到年度目标的' || fbp(annual_bp) || '%，超额完成（目标可能偏保守）'
    ELSE '完成率' || fbp(completion_bp) || '%（实际' || fmicro(act) || coalesce(unit, '') || ' ÷ 本阶段目标'
      || fmicro(rhu(st, 10000) * 10000) || coalesce(unit, '') || '）'
  END AS level_reason
FROM l
ORDER BY project_code, seq
"""


def params(rules: Rules) -> dict[str, object]:
    def bp(d: Decimal) -> int:
        return int(d * 100)

    return {
        "ind_green_bp": bp(rules.ind_green), "ind_yellow_bp": bp(rules.ind_yellow),
        "ind_rate_yellow_bp": bp(rules.ind_rate_yellow), "ind_lower_yellow_bp": bp(rules.ind_lower_yellow),
        "ind_blue_bp": bp(rules.ind_blue),
    }
