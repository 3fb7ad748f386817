"""Rule variants of real deployments, at their boundaries: 四川's milestone floors, a published
schedule (教育部 74.97% at 1-9月), 合肥's pass/fail light and its money × targets light, a treasury
screen gated by size, indicators judged by kind, the year-end projection light, over-achievement
explanations, and rules kept per year."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from monitor import execution, rulebook
from monitor.access import ADMIN
from monitor.errors import MonitorError
from monitor.filling import missing_before_submit
from monitor.rules import DEFAULT_PRESET, FIELDS, LIGHT_MODES, PRESETS, Rules, preset_named
from monitor.status import compute_status
from monitor.store import Store
from tests.builders import region, spent_by

SICHUAN = preset_named("四川 里程碑").apply(Rules())
HEFEI = preset_named("合肥 达标判定").apply(Rules())
GATED = preset_named("金额门槛 1000万/20个百分点").apply(Rules())
BY_KIND = preset_named("指标分类判定（比值法 80/60）").apply(Rules())
# 教育部's published schedule: 74.97% at the end of September, m/12 otherwise
MOE = replace(Rules(), schedule_mode="custom", custom_schedule=tuple(
    Decimal("74.97") if m == 9 else (Decimal(m * 100) / 12).quantize(Decimal("0.01")) for m in range(1, 13)))


def project(tmp_path: Path, budget: str, spent: str, month: int, rules: Rules, **kw: object):  # type: ignore[no-untyped-def]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", budget]], spent_by("P1", spent, month), **kw)  # type: ignore[arg-type]
    rulebook.save(store, rules, ADMIN)
    return compute_status(store, 2023, month, actor=ADMIN).project("P1")


# -- the presets --------------------------------------------------------------------------------
def test_the_presets_are_named_by_where_they_come_from_exactly_as_the_issue_lists_them() -> None:
    names = [p.name for p in PRESETS]
    for name in ("比值法 80/60（默认）", "四川 里程碑", "合肥 达标判定", "金额门槛 1000万/20个百分点"):
        assert name in names
        assert preset_named(name).apply(Rules()).preset == name
    assert names[0] == DEFAULT_PRESET == Rules().preset
    assert all(p.source and p.description for p in PRESETS)
    with pytest.raises(MonitorError, match="没有名为「四川」的预设"):
        preset_named("四川")


def test_every_light_mode_is_a_branch_of_the_one_sql_rule_and_has_a_preset() -> None:
    for mode in LIGHT_MODES:
        assert f"'{mode}'" in execution.LEVEL_SQL or mode == "gap"  # gap is the ELSE branch
        assert f"'{mode}'" in execution.REASON_SQL or mode == "gap"
        assert any(p.apply(Rules()).light_mode == mode for p in PRESETS), mode
        assert len(replace(SICHUAN, light_mode=mode).describe()) > 5


def test_the_default_preset_gives_todays_rules_and_a_changed_field_marks_the_name() -> None:
    assert preset_named(DEFAULT_PRESET).apply(SICHUAN) == Rules()
    changed = SICHUAN.with_changes({"ratio_green": "75"})
    assert changed.preset == "四川 里程碑（已修改）" and changed.describe()[0] == "规则预设：四川 里程碑（已修改）"
    assert changed.with_changes({"ratio_green": "70"}).preset == "四川 里程碑（已修改）"  # marked once
    with pytest.raises(MonitorError, match="随应用预设自动记录"):
        Rules().with_changes({"preset": "合肥 达标判定"})


def test_a_preset_keeps_the_regions_published_schedule() -> None:
    rules = preset_named("合肥 达标判定").apply(MOE)
    assert rules.custom_schedule[8] == Decimal("74.97") and rules.light_mode == "binary"


# -- 四川: milestone floors ----------------------------------------------------------------------
@pytest.mark.parametrize(("month", "spent", "level", "words"), [
    (6, "400", "green", "≥ 1-6月底线40.00%"),  # exactly at the floor: not warned
    (6, "399.99", "green", "≥ 1-6月底线40.00%"),  # 39.999% is shown, and judged, as 40.00%
    (6, "399.9", "red", "< 1-6月底线40.00%"),
    (7, "400", "green", "1-6月底线40.00%"),  # months between nodes carry the last floor
    (10, "800", "green", "≥ 1-10月底线80.00%"),
    (10, "799.9", "red", "< 1-10月底线80.00%"),
    (12, "800", "green", "1-10月底线80.00%"),
    (3, "1", "green", "未到考核节点（首个考核节点为1-4月）"),  # before the first node: nothing is judged
])
def test_sichuan_milestone_floors(tmp_path: Path, month: int, spent: str, level: str, words: str) -> None:
    p = project(tmp_path, "1000", spent, month, SICHUAN)
    assert p["level"] == level and words in p["level_reason"], p["level_reason"]


def test_floors_are_typed_as_month_floor_pairs_and_checked() -> None:
    assert Rules().with_changes({"milestone_floors": "6:50，9:75，12:100"}).milestone_floors == (
        (6, Decimal(50)), (9, Decimal(75)), (12, Decimal(100)))
    assert FIELDS["milestone_floors"].coerce("4月25%、6月40%") == ((4, Decimal(25)), (6, Decimal(40)))
    with pytest.raises(MonitorError, match="逐个递增"):
        Rules().with_changes({"milestone_floors": "6:40,4:25"})
    with pytest.raises(MonitorError, match="逐个不减"):
        Rules().with_changes({"milestone_floors": "4:40,6:25"})
    with pytest.raises(MonitorError, match="至少设置一个考核节点"):
        Rules().with_changes({"light_mode": "milestone"})
    assert Rules.from_json(SICHUAN.to_json()) == SICHUAN


# -- a published schedule that is not m/12 --------------------------------------------------------
def test_an_execution_of_74_97_at_1_9_under_the_published_74_97_is_ratio_100_and_green(tmp_path: Path) -> None:
    p = project(tmp_path, "1000", "749.7", 9, MOE)
    assert (p["schedule_bp"], p["rate_bp"], p["ratio_bp"], p["level"]) == (7497, 7497, 10000, "green")
    assert "自定义序时进度74.97%" in p["level_reason"]  # the published schedule named beside the light
    assert any("1-9月74.97%" in line for line in MOE.describe())


def test_a_published_schedule_is_entered_by_its_published_months_only() -> None:
    moe = Rules().with_changes({"schedule_mode": "custom", "custom_schedule": "9:74.97"})
    assert moe == MOE and moe.custom_schedule[7] == Decimal("66.67")
    cas = Rules().with_changes({"schedule_mode": "custom", "custom_schedule": "7：58"})  # 中科院, full-width colon
    assert cas.custom_schedule[6] == Decimal(58) and any("1-7月58%" in line for line in cas.describe())
    with pytest.raises(MonitorError, match="逐月不减"):  # a slip of the finger is caught: 8月 66.67% < 7月 70%
        Rules().with_changes({"schedule_mode": "custom", "custom_schedule": "7:70"})
    with pytest.raises(MonitorError, match="月份应在1到12之间"):
        Rules().with_changes({"schedule_mode": "custom", "custom_schedule": "13:100"})


@pytest.mark.parametrize(("spent", "level"), [("749.7", "green"), ("749.6", "red")])
def test_hefei_at_the_published_74_97_schedule(tmp_path: Path, spent: str, level: str) -> None:
    p = project(tmp_path, "1000", spent, 9, preset_named("合肥 达标判定").apply(MOE))
    assert p["level"] == level, p["level_reason"]


# -- 合肥: pass/fail, and money × targets ----------------------------------------------------------
IND = [["P1", "产出指标", "数量指标", "培训人次", "≥100人"]]


@pytest.mark.parametrize(("spent", "actual", "money", "combined"), [
    ("833.4", "90", "green", "green"),  # 83.34% ≥ 83.33%, target on track
    ("833.3", "90", "green", "green"),  # 83.33% = 83.33%: on schedule
    ("833.4", "55", "green", "yellow"),  # money on schedule, target behind (66.00% of the stage target)
    ("833.2", "90", "red", "red"),  # money behind whatever the targets
])
def test_hefei_binary_light_and_combined_light(tmp_path: Path, spent: str, actual: str, money: str, combined: str) -> None:
    p = project(tmp_path, "1000", spent, 10, HEFEI, indicators=IND, progress=[["P1", "培训人次", 10, "", actual]])
    assert (p["level"], p["combined_level"]) == (money, combined), p["level_reason"]


# -- a treasury screen gated by size ---------------------------------------------------------------
@pytest.mark.parametrize(("budget", "spent", "level"), [
    ("1000", "633.3", "red"),  # exactly 1000万元 and exactly 20.00 个百分点 behind: red
    ("999.99", "633.2937", "yellow"),  # 20.00 个百分点 behind on 999.99万元: behind, but below the gate
    ("1000", "633.44", "green"),  # 19.99 个百分点
    ("1000", "633.34", "red"),  # 19.9993 个百分点 is shown, and judged, as 20.00
    ("5000", "3166.5", "red"),  # 20.00 个百分点 on a large budget
])
def test_gap_gated_by_size(tmp_path: Path, budget: str, spent: str, level: str) -> None:
    p = project(tmp_path, budget, spent, 10, GATED)
    assert p["level"] == level, p["level_reason"]
    assert p["gap_bp"] == (1999 if level == "green" else 2000)


def test_the_gates_are_settable(tmp_path: Path) -> None:
    rules = GATED.with_changes({"gate_budget_wan": "500", "gate_gap": "30"})
    assert project(tmp_path / "a", "600", "320", 10, rules)["level"] == "red"  # 30.00 behind on 600万元
    assert project(tmp_path / "b", "600", "320.5", 10, rules)["level"] == "green"  # 29.92 behind
    assert project(tmp_path / "c", "499.99", "266.66", 10, rules)["level"] == "yellow"  # 30.00 behind, below the gate


def test_the_demo_project_at_27_46_percent_is_red_by_ratio_and_yellow_behind_the_gate(tmp_path: Path) -> None:
    from monitor.demo import load_demo

    store = Store(tmp_path / "demo.duckdb")
    load_demo(store)
    code = "360104-ZGH-2023-001"
    assert compute_status(store, 2023, 10, actor=ADMIN).project(code)["level"] == "red"
    rulebook.apply_preset(store, preset_named("金额门槛 1000万/20个百分点"), ADMIN, 2023)
    p = compute_status(store, 2023, 10, actor=ADMIN).project(code)
    assert p["level"] == "yellow" and "预算490万元不足1000万元" in p["level_reason"]


# -- indicators by kind -----------------------------------------------------------------------------
KINDS = [
    # name, level1, level2, target, actual at 1-10月, light by kind, light by unit (today's rules)
    ("合格率", "产出指标", "质量指标", "≥95%", "94%", "red", "yellow"),  # in range or not: no yellow band
    ("合格率2", "产出指标", "质量指标", "≥95%", "95%", "green", "green"),
    ("培训人次", "产出指标", "数量指标", "≥100人", "70", "green", "green"),  # prorated: 70 ÷ 83.33 = 84.00%
    ("培训人次2", "产出指标", "数量指标", "≥100人", "49.99", "red", "red"),
    ("满意度", "满意度指标", "服务对象满意度", "≥90%", "75%", "green", "red"),  # prorated: 75 ÷ 75.00
    ("办结时限", "产出指标", "时效指标", "≤15天", "15", "green", "green"),
    ("办结时限2", "产出指标", "时效指标", "≤15天", "15.5", "red", "yellow"),  # by unit: within 110% of the target
    ("控制率", "成本指标", "经济成本", "≤100%", "105%", "red", "yellow"),  # 反向: in range or not
    ("事故", "效益指标", "社会效益", "=0次", "0", "green", "green"),
    ("事故2", "效益指标", "社会效益", "=0次", "1", "red", "red"),
    ("获得感", "效益指标", "社会效益", "提升", "部分达成", "yellow", "yellow"),
]


@pytest.fixture(scope="module")
def by_kind(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], dict[str, dict]]:
    store = region(tmp_path_factory.mktemp("kind"), [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10),
                   [["P1", l1, l2, n, t] for n, l1, l2, t, *_ in KINDS], [["P1", n, 10, "", a] for n, _, _, _, a, *_ in KINDS])
    out = []
    for rules in (BY_KIND, Rules()):
        rows = compute_status(store, 2023, 10, rules, actor=ADMIN).project_indicators("P1")
        out.append({r["name"]: r for r in rows.to_dict("records")})
    return out[0], out[1]


@pytest.mark.parametrize(("name", "kind", "unit"), [(c[0], c[5], c[6]) for c in KINDS], ids=[c[0] for c in KINDS])
def test_indicator_light_by_kind_and_by_unit(by_kind: tuple[dict[str, dict], dict[str, dict]], name: str, kind: str, unit: str) -> None:
    assert by_kind[0][name]["level"] == kind, by_kind[0][name]["level_reason"]
    assert by_kind[1][name]["level"] == unit, by_kind[1][name]["level_reason"]


def test_a_quality_indicator_is_not_prorated_by_kind(by_kind: tuple[dict[str, dict], dict[str, dict]]) -> None:
    assert by_kind[0]["合格率"]["stage_micro"] == 95_000_000  # the annual target, not 95 × 83.33%
    assert by_kind[0]["满意度"]["stage_micro"] == 75_000_000  # 90 × 10/12
    assert by_kind[0]["合格率"]["level_reason"] == "实际94%，未达到年度目标≥95%（按是否达标判定，不折算）"
    assert by_kind[0]["办结时限"]["level_reason"] == "实际15天，达到年度目标≤15天（按是否达标判定，不折算）"


# -- 全年预计完成情况预警 ----------------------------------------------------------------------------
@pytest.mark.parametrize(("spent", "level"), [("250", "green"), ("249.99", "green"), ("249.9", "yellow"),
                                               ("225", "yellow"), ("224.9", "red")])
def test_the_money_projection_light_by_bands(tmp_path: Path, spent: str, level: str) -> None:
    # run rate at 1-3月: 250万元 of 1000万元 projects 100.00% at year end, 225 projects 90.00%; 249.99
    # projects 99.996%, shown and judged as 100.00%
    p = project(tmp_path, "1000", spent, 3, Rules())
    assert (p["money_projection_level"], p["projection_level"]) == (level, level)


def test_the_projection_light_is_the_worst_of_money_and_indicators(tmp_path: Path) -> None:
    # money projects 100%; 40 of ≥100人 at 1-6月 projects 80人 = 80.00% of the target: red
    p = project(tmp_path, "1200", "600", 6, Rules(), indicators=IND, progress=[["P1", "培训人次", 6, "", "40"]])
    assert (p["money_projection_level"], p["projection_level"]) == ("green", "red")
    rules = Rules().with_changes({"proj_yellow": "80"})
    p = project(tmp_path / "b", "1200", "600", 6, rules, indicators=IND, progress=[["P1", "培训人次", 6, "", "40"]])
    assert p["projection_level"] == "yellow"


def test_the_status_json_carries_the_three_lights_and_the_preset(tmp_path: Path) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), IND, [["P1", "培训人次", 10, "", "90"]])
    rulebook.apply_preset(store, preset_named("合肥 达标判定"), ADMIN)
    d = compute_status(store, 2023, 10, actor=ADMIN).to_dict()
    p = d["projects"][0]  # type: ignore[index]
    assert {k: p[k] for k in ("level", "indicator_level", "projection_level", "combined_level")} == {
        "level": "red", "indicator_level": "green", "projection_level": "yellow", "combined_level": "red"}  # 96.00% projected
    assert p["indicators"][0]["projection_level"] == "green"  # 90 at 10/12 projects 108人
    assert d["rules_preset"] == "合肥 达标判定" and d["rules_text"][0] == "规则预设：合肥 达标判定"  # type: ignore[index]


# -- which items need a written cause ----------------------------------------------------------------
def test_over_achievement_above_the_setting_needs_an_explanation(tmp_path: Path) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10),
                   [*IND, ["P1", "产出指标", "数量指标", "场次", "≥10场"]],
                   [["P1", "培训人次", 10, "", "130"], ["P1", "场次", 10, "", "12.99"]])
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert missing_before_submit(st, "P1", [], Rules()) == []  # off by default
    rules = Rules().with_changes({"over_explain_pct": "130"})
    assert missing_before_submit(st, "P1", [], rules) == ["培训人次（超额，达到年度目标的130.00%）：原因说明"]  # 129.90% is not


def test_red_only_asks_nothing_for_a_yellow_project(tmp_path: Path) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "600", 10))  # ratio 72.00: yellow
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert missing_before_submit(st, "P1", [], Rules()) == ["项目资金（黄灯）：偏差原因、纠偏措施"]
    assert missing_before_submit(st, "P1", [], Rules(note_required="red")) == []


# -- rules kept per year -----------------------------------------------------------------------------
def test_rules_are_kept_per_year_and_a_later_year_inherits_the_latest_earlier_ones(tmp_path: Path) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "600", 10))
    rulebook.save(store, Rules(light_mode="gap"), ADMIN)  # the one rule set of a database from before
    assert rulebook.load(store, 2023).light_mode == "gap"  # … still in force for every year
    rulebook.apply_preset(store, preset_named("四川 里程碑"), ADMIN, 2023)
    assert rulebook.load(store, 2023).preset == "四川 里程碑"
    assert rulebook.load(store, 2024).preset == "四川 里程碑"  # no rules of its own: the latest earlier year's
    assert rulebook.load(store, 2022).light_mode == "gap"  # an earlier year keeps the general rules
    assert compute_status(store, 2023, 10, actor=ADMIN).rules.preset == "四川 里程碑"
    assert store.facts().rules_for(2024) == store.facts().rules_for(2023) != store.facts().rules_for(2022)
    change = rulebook.history(store)[0]
    assert change.what == "应用预设「四川 里程碑」（2023年）"
    assert ("规则预设", "比值法 80/60（默认）", "四川 里程碑") in change.fields


def test_a_change_to_another_field_by_someone_else_is_kept_in_the_years_rules(tmp_path: Path) -> None:
    from monitor.access import Actor
    from monitor.errors import RulesConflict

    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "600", 10))
    seen = rulebook.load(store, 2023)
    rulebook.update(store, {"gate_gap": "25"}, Actor("李四"), year=2023)
    rules = rulebook.update(store, {"ratio_green": "75"}, ADMIN, expected=seen, year=2023)
    assert (rules.gate_gap, rules.ratio_green, rules.preset) == (Decimal(25), Decimal(75), "比值法 80/60（默认）（已修改）")
    with pytest.raises(RulesConflict, match="金额门槛：落后差距"):
        rulebook.update(store, {"gate_gap": "30"}, ADMIN, expected=seen, year=2023)
