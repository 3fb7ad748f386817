"""Money lights, schedules, roll-ups and projections, on small regions imported from CSV."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from monitor import rulebook
from monitor.access import ADMIN
from monitor.errors import ImportRejected
from monitor.money import round_div
from monitor.rules import PRESETS, Rules
from monitor.status import compute_status
from tests.builders import region, spent_by

GAP = Rules(light_mode="gap")
DEFAULT = Rules()


def one(tmp_path: Path, budget: str, spent: str, month: int, rules: Rules = DEFAULT, **kw: object):  # type: ignore[no-untyped-def]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", budget]], spent_by("P1", spent, month))
    rulebook.save(store, rules, ADMIN)
    return compute_status(store, 2023, month, actor=ADMIN).project("P1")


def test_a_project_exactly_at_ratio_80_is_green(tmp_path: Path) -> None:
    p = one(tmp_path, "1200", "800", 10)  # E = 66.67%, T = 83.33%, ratio = 80 exactly
    assert (p["ratio_bp"], p["level"]) == (8000, "green")


def test_an_execution_of_59_995_is_60_00_and_yellow_where_floats_would_say_red(tmp_path: Path) -> None:
    p = one(tmp_path, "12", "7.1994", 12)  # 7.1994 ÷ 12 = 59.995% exactly
    assert round(7.1994 / 12 * 100, 2) == 59.99  # the float trap the product must not fall into
    assert (p["rate_bp"], p["ratio_bp"], p["level"]) == (6000, 6000, "yellow")


def test_ratio_just_below_60_is_red_and_just_at_60_is_yellow(tmp_path: Path) -> None:
    assert one(tmp_path / "a", "1000", "599.9", 12)["level"] == "red"
    assert one(tmp_path / "b", "1000", "600", 12)["level"] == "yellow"


@pytest.mark.parametrize(("spent", "gap_bp", "level"), [
    ("733.3334", 1000, "green"),  # 83.33% − 73.33% = 10.00 个百分点
    ("733.2", 1001, "yellow"),
    ("633.3334", 2000, "yellow"),
    ("633.2", 2001, "red"),
])
def test_gap_mode_boundaries(tmp_path: Path, spent: str, gap_bp: int, level: str) -> None:
    p = one(tmp_path, "1000", spent, 10, GAP)
    assert (p["gap_bp"], p["level"]) == (gap_bp, level)


def test_overspending_is_always_red(tmp_path: Path) -> None:
    p = one(tmp_path, "100", "100.01", 10)
    assert p["level"] == "red" and p["level_reason"].startswith("超预算")


def test_no_spend_at_half_year_is_red_as_not_started(tmp_path: Path) -> None:
    p = one(tmp_path, "100", "0", 6, GAP)
    assert p["level"] == "red" and p["level_reason"].startswith("未启动")


def test_a_small_project_below_the_materiality_line_is_at_most_yellow(tmp_path: Path) -> None:
    p = one(tmp_path, "5", "0.5", 10, Rules(materiality_wan=Decimal("10")))
    assert p["level"] == "yellow" and "重要性" in p["level_reason"]


def test_day_schedule_at_31_october_2023_is_304_of_365(tmp_path: Path) -> None:
    p = one(tmp_path, "100", "50", 10, Rules(schedule_mode="day"))
    assert p["schedule_bp"] == 8329


def test_custom_schedule_uses_the_regions_month_end_percentage(tmp_path: Path) -> None:
    custom = tuple(Decimal(x) for x in ("5", "10", "18", "26", "34", "45", "58", "66", "75", "83", "91", "100"))
    p = one(tmp_path, "100", "29", 7, Rules(schedule_mode="custom", custom_schedule=custom))
    assert (p["schedule_bp"], p["ratio_bp"]) == (5800, 5000)


def test_plan_schedule_follows_the_projects_own_plan(tmp_path: Path) -> None:
    monthly = [["P1", m, "10" if m <= 10 else "0", "", "10" if m <= 10 else "50"] for m in range(1, 13)]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "200"]], monthly)
    rulebook.save(store, Rules(schedule_mode="plan"), ADMIN)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("P1")
    assert (p["schedule_bp"], p["rate_bp"], p["level"]) == (5000, 5000, "green")  # 100 of 200 planned by October


def test_the_denominator_can_be_the_initial_budget_or_the_funds_arrived(tmp_path: Path) -> None:
    monthly = [["P1", m, "10", "20"] for m in range(1, 11)]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "100", "200"]], monthly)
    assert compute_status(store, 2023, 10, actor=ADMIN).project("P1")["rate_bp"] == 5000
    rulebook.save(store, Rules(denominator="initial"), ADMIN)
    assert compute_status(store, 2023, 10, actor=ADMIN).project("P1")["rate_bp"] == 10000
    rulebook.save(store, Rules(denominator="arrived"), ADMIN)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("P1")
    assert (p["rate_bp"], p["arrival_bp"], p["idle_fen"]) == (5000, 10000, 100 * 1_000_000)


def test_a_department_rate_weights_by_money_not_by_project(tmp_path: Path) -> None:
    store = region(tmp_path, [["BIG", "部门甲", "单位甲", "2000"], ["SMALL", "部门甲", "单位乙", "2"]],
                   spent_by("BIG", "800", 10) + spent_by("SMALL", "2", 10))
    st = compute_status(store, 2023, 10, actor=ADMIN)
    dep = st.departments.iloc[0]
    assert dep["rate_bp"] == 4006  # 802 ÷ 2002, not the mean of 40% and 100% (70%)
    assert dep["spent_fen"] == st.projects["spent_fen"].sum()
    assert (dep["red"], dep["yellow"], dep["green"]) == (1, 0, 1)


def test_every_project_of_the_year_appears_spent_or_not(tmp_path: Path) -> None:
    store = region(tmp_path, [["A", "部门甲", "单位甲", "10"], ["B", "部门甲", "单位甲", "10"]], spent_by("A", "5", 10))
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert sorted(st.projects["project_code"]) == ["A", "B"]
    assert st.project("B")["spent_fen"] == 0 and st.project("B")["level"] == "red"


def test_projections_and_the_required_monthly_pace(tmp_path: Path) -> None:
    p = one(tmp_path, "1200", "500", 10)
    assert p["proj_run_fen"] == 600 * 1_000_000  # 500 ÷ 10 × 12
    assert p["projected_basis"] == "目前月均支出"
    assert p["required_monthly_fen"] == 350 * 1_000_000  # (1200 − 500) ÷ 2 months


def test_last_years_shape_projects_a_back_loaded_year(tmp_path: Path) -> None:
    from monitor.importer import import_path
    from tests.builders import MONTHLY_HEADER, PROJECT_HEADER, write

    store = region(tmp_path, [["P1", "部门甲", "单位甲", "100"]], spent_by("P1", "40", 10))
    last = tmp_path / "ly"
    last.mkdir()
    write(last, "项目", PROJECT_HEADER, [[2022, "部门甲", "单位甲", "P1", "项目P1", "100", ""]])
    write(last, "月度支出", MONTHLY_HEADER, [[2022, "P1", m, "5" if m <= 10 else "25", "", ""] for m in range(1, 13)])
    import_path(store, last, actor=ADMIN)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("P1")
    assert p["projected_basis"] == "上年同期进度" and p["proj_lastyear_fen"] == 80 * 1_000_000  # 40 ÷ (50/100)


def test_green_today_but_projected_to_miss_is_flagged(tmp_path: Path) -> None:
    # the plan says nothing more will be spent in November and December
    monthly = [["P1", m, "8.5" if m <= 10 else "0", "", "8.5" if m <= 10 else "0"] for m in range(1, 13)]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "100"]], monthly)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("P1")
    assert p["level"] == "green" and p["projected_bp"] == 8500
    rulebook.save(store, GAP, ADMIN)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("P1")
    assert p["level"] == "green" and p["forecast_miss"]  # gap mode needs 90% at year end


def test_presets_are_valid_and_rules_round_trip_through_the_store(tmp_path: Path) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "10"]], spent_by("P1", "1", 1))
    for preset in PRESETS:
        rules = preset.apply(Rules())
        rulebook.save(store, rules, ADMIN)
        assert rulebook.load(store) == rules
    custom = replace(Rules(), schedule_mode="custom", custom_schedule=tuple(Decimal(i * 8) for i in range(1, 13)), materiality_wan=Decimal("10.5"))
    rulebook.save(store, custom, ADMIN)
    assert rulebook.load(store) == custom
    assert any("10.5万元" in line for line in custom.describe())


def test_bad_rules_are_refused_in_chinese() -> None:
    from monitor.errors import MonitorError

    with pytest.raises(MonitorError, match="12个月末百分比"):
        Rules(schedule_mode="custom").validate()
    with pytest.raises(MonitorError, match="黄灯下限"):
        Rules(ratio_green=Decimal("50")).validate()


@pytest.mark.parametrize("denominator", ["adjusted", "initial", "arrived"])
def test_the_monthly_curve_ends_at_the_rate_the_status_states(tmp_path: Path, denominator: str) -> None:
    from monitor.status import monthly_curve

    monthly = [["P1", m, "10", "15"] for m in range(1, 11)]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "100", "200"]], monthly)
    rules = Rules(denominator=denominator)
    rulebook.save(store, rules, ADMIN)
    curve = monthly_curve(store, 2023, rules, project="P1", actor=ADMIN)
    assert curve.loc[curve["month"] == 10, "cum_rate_bp"].item() == compute_status(store, 2023, 10, actor=ADMIN).project("P1")["rate_bp"]


def test_figures_beyond_64_bits_are_computed_exactly_all_the_same(tmp_path: Path) -> None:
    # 10^14 分 (the largest budget an import takes, monitor.limits.MAX_AMOUNT_WAN) × 序时进度 × 10000 no
    # longer fits BIGINT, so the status is computed again in HUGEINT rather than wrapping or going through floats
    inds = [["P1", "产出指标", "数量指标", "甲", "≥900000000000人"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "99999999"], ["P2", "部门甲", "单位乙", "100"]],
                   spent_by("P1", "49999999.500001", 10) + spent_by("P2", "83.33", 10), inds,
                   [["P1", "甲", 10, "", "450000000000"]])
    st = compute_status(store, 2023, 10, actor=ADMIN)
    p = st.project("P1")
    assert (p["spent_fen"], p["rate_bp"], p["gap_bp"], p["ratio_bp"], p["level"]) == (49_999_999_500_001, 5000, 3333, 6000, "yellow")
    assert (st.project("P2")["rate_bp"], st.project("P2")["level"]) == (8333, "green")
    spent, budget = 49_999_999_500_001 + 83_330_000, 99_999_999_000_000 + 100_000_000  # 分
    d = st.departments.iloc[0]
    assert (d["spent_fen"], d["rate_bp"], d["gap_bp"]) == (spent, round_div(spent * 10000, budget),
                                                        round_div((budget * 10 - spent * 12) * 10000, budget * 12))
    row = st.project_indicators("P1").iloc[0]
    assert (row["stage_micro"], row["completion_bp"]) == (750_000_000_000_000_000, 6000)


def test_an_indicator_value_beyond_what_the_store_holds_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as e:
        region(tmp_path, [["P1", "部门甲", "单位甲", "100"]], spent_by("P1", "1", 10),
               [["P1", "产出指标", "数量指标", "甲", "≥1000000000000人"]])
    [problem] = e.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("绩效指标", 2, "年度指标值") and "过大" in problem.message


def test_the_seed_project_behind_its_own_plan_is_forecast_at_its_pace_not_its_plan() -> None:
    from monitor.demo import load_demo
    from monitor.store import Store

    store = Store(":memory:")
    load_demo(store)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("360104-ZGH-2023-001")
    # planned 170万元 by October, spent 134.5368万元 (79.14% of plan): the plan (92.76%) is not believed
    assert (p["plan_cum_fen"], p["behind_plan"]) == (170_000_000, True)
    assert (p["projected_basis"], p["projected_bp"], p["proj_plan_fen"]) == ("目前月均支出", 3295, 454_536_800)


def test_a_plan_that_stops_in_march_does_not_forecast_the_year(tmp_path: Path) -> None:
    monthly = [["P1", m, "10", "", "10" if m <= 3 else ""] for m in range(1, 7)]
    p = compute_status(region(tmp_path, [["P1", "部门甲", "单位甲", "200"]], monthly), 2023, 6, actor=ADMIN).project("P1")
    assert p["proj_plan_fen"] == 60_000_000 and p["plan_months_left"] == 0  # 60 spent + nothing planned after June
    assert (p["projected_basis"], p["projected_bp"], p["behind_plan"]) == ("目前月均支出", 6000, False)


def test_a_project_keeping_to_a_full_plan_is_forecast_by_it_and_90_percent_is_keeping(tmp_path: Path) -> None:
    plan = ["10"] * 6 + ["30"] * 6
    monthly = [["P1", m, "9" if m <= 6 else "0", "", plan[m - 1]] for m in range(1, 13)]
    p = compute_status(region(tmp_path, [["P1", "部门甲", "单位甲", "240"]], monthly), 2023, 6, actor=ADMIN).project("P1")
    # 54 of 60 planned = exactly 90%: keeping to it; the rest of the plan (180) comes on top
    assert (p["behind_plan"], p["projected_basis"], p["projected_fen"]) == (False, "用款计划", 234_000_000)
