"""设置 in AppTest: the form always shows the rules in force, and a save changes only what a person changed."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from dashboard_support import demo_db, make_app  # noqa: F401

from monitor import rulebook
from monitor.access import Actor
from monitor.rules import Rules
from monitor.store import Store

pytestmark = pytest.mark.usefixtures("demo_db")
SAVE = "FormSubmitter:rules_form-保存并应用"


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def _rk(at, field: str) -> str:  # type: ignore[no-untyped-def]
    return f"rules:{field}@{at.session_state['rules:gen']}"


def _settings(at):  # type: ignore[no-untyped-def]
    at.switch_page("pages/settings.py").run()
    _ok(at)
    return at


def _shown(at) -> dict[str, object]:  # type: ignore[no-untyped-def]
    shown: dict[str, object] = {f: at.number_input(_rk(at, f)).value for f in ("ratio_green", "ratio_yellow", "gap_green", "ind_blue")}
    shown["custom"] = at.text_input(_rk(at, "custom_schedule")).value
    return shown


def test_a_second_visit_to_settings_shows_the_rules_in_force_not_zeros() -> None:
    at = _settings(make_app().run())
    first = _shown(at)
    assert first == {"ratio_green": 80.0, "ratio_yellow": 60.0, "gap_green": 10.0, "ind_blue": 120.0, "custom": ""}
    at.switch_page("pages/overview.py").run()
    _settings(at)
    assert _shown(at) == first


def test_saving_an_untouched_form_after_leaving_and_coming_back_changes_nothing(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _settings(make_app().run())
    at.switch_page("pages/overview.py").run()
    _settings(at)
    at.button(SAVE).click().run()
    _ok(at)
    assert rulebook.load(Store(demo_db), 2023) == Rules()
    assert any("规则没有变化" in i.value for i in at.info)
    assert rulebook.history(Store(demo_db)) == []


def test_a_save_writes_only_the_field_the_person_changed(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _settings(make_app(user="jixiaoke").run())
    at.number_input(_rk(at, "gap_yellow")).set_value(30.0)
    at.button(SAVE).click().run()
    _ok(at)
    assert rulebook.load(Store(demo_db), 2023) == replace(Rules(), gap_yellow=Decimal(30))
    assert any("规则已保存：差距法：黄灯上限" in s.value for s in at.success)
    change = rulebook.history(Store(demo_db))[0]
    assert (change.actor, change.source, change.fields) == ("jixiaoke", "页面", (("差距法：黄灯上限（个百分点 ≤）", "20", "30"),))
    # the form is rebuilt on the saved rules
    assert at.number_input(_rk(at, "gap_yellow")).value == 30.0


def test_another_persons_change_to_another_field_is_kept(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _settings(make_app().run())
    rulebook.update(Store(demo_db), {"ind_blue": "130"}, Actor("李四"))  # while our form is open
    at.number_input(_rk(at, "ratio_green")).set_value(75.0)
    at.button(SAVE).click().run()
    _ok(at)
    rules = rulebook.load(Store(demo_db), 2023)
    assert (rules.ratio_green, rules.ind_blue) == (Decimal(75), Decimal(130))


def test_a_change_to_the_same_field_by_someone_else_is_refused_not_overwritten(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _settings(make_app().run())
    rulebook.update(Store(demo_db), {"ratio_green": "85"}, Actor("李四"))
    at.number_input(_rk(at, "ratio_green")).set_value(75.0)
    at.button(SAVE).click().run()
    _ok(at)
    assert rulebook.load(Store(demo_db), 2023).ratio_green == Decimal(85)
    assert any("已被他人修改" in e.value and "比值法：绿灯下限" in e.value for e in at.error)
    # the refused form is rebuilt on the stored rules, so the person sees 李四's value
    assert at.number_input(_rk(at, "ratio_green")).value == 85.0


def test_restore_defaults_puts_back_every_field(demo_db) -> None:  # type: ignore[no-untyped-def]
    store = Store(demo_db)
    rulebook.save(store, Rules(schedule_mode="custom", custom_schedule=tuple(Decimal(m * 8) for m in range(1, 13)),
                               light_mode="gap", gap_yellow=Decimal(30), ind_blue=Decimal(150), materiality_wan=Decimal(50)),
                  Actor("李四"))
    at = _settings(make_app().run())
    at.button("rules:reset").click().run()
    _ok(at)
    assert rulebook.load(store, 2023) == Rules()
    assert any("已恢复默认规则" in s.value for s in at.success)
    assert rulebook.history(store)[0].what == "恢复默认规则（2023年）"
    assert _shown(at)["gap_green"] == 10.0 and at.selectbox(_rk(at, "light_mode")).value == "ratio"


def test_milestone_floors_and_an_over_achievement_line_are_set_on_the_form(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _settings(make_app().run())
    at.selectbox(_rk(at, "light_mode")).set_value("milestone")
    at.text_input(_rk(at, "milestone_floors")).set_value("4:25，6:40，8:60，10:80")
    at.checkbox(_rk(at, "over_explain_pct_on")).check()
    at.number_input(_rk(at, "over_explain_pct")).set_value(130.0)
    at.button(SAVE).click().run()
    _ok(at)
    rules = rulebook.load(Store(demo_db), 2023)
    assert rules.light_mode == "milestone" and rules.over_explain_pct == Decimal(130)
    assert rules.milestone_floors == ((4, Decimal(25)), (6, Decimal(40)), (8, Decimal(60)), (10, Decimal(80)))
    assert rules.preset == "比值法 80/60（默认）（已修改）"
    assert any("现行预设：**比值法 80/60（默认）（已修改）**" in c.value for c in at.caption)


def test_a_preset_is_applied_to_the_chosen_year_only(demo_db) -> None:  # type: ignore[no-untyped-def]
    store = Store(demo_db)
    at = _settings(make_app(user="jixiaoke").run())
    assert at.selectbox("rules:year").value == 2023
    at.selectbox("rules:preset").set_value("四川 里程碑").run()
    assert any("来源：四川省2025年预算执行进度要求" in c.value for c in at.caption)
    at.button("rules:apply_preset").click().run()
    _ok(at)
    assert rulebook.load(store, 2023).preset == "四川 里程碑" and rulebook.load(store, 2022).preset == "比值法 80/60（默认）"
    assert any("已应用预设「四川 里程碑」" in s.value for s in at.success)
    assert at.selectbox(_rk(at, "light_mode")).value == "milestone"  # the form is rebuilt on 2023's new rules
    assert rulebook.history(store)[0].what == "应用预设「四川 里程碑」（2023年）"


def test_the_education_ministry_schedule_is_typed_as_9_7497_previewed_and_saved(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _settings(make_app().run())
    at.text_input(_rk(at, "custom_schedule")).set_value("9:74.97").run()
    _ok(at)
    at.selectbox(_rk(at, "schedule_mode")).set_value("custom")
    preview = next(d.value for d in at.dataframe if "月末序时进度（%）" in d.value.columns)
    september = preview[preview["月份"] == "1-9月"].iloc[0]
    assert september["月末序时进度（%）"] == "74.97" and september["说明"] == "已填写，不同于m/12"
    assert preview[preview["月份"] == "1-8月"].iloc[0]["说明"] == "按m/12"
    at.button(SAVE).click().run()
    _ok(at)
    rules = rulebook.load(Store(demo_db), 2023)
    assert rules.schedule_mode == "custom" and rules.custom_schedule[8] == Decimal("74.97")
    assert rules.custom_schedule[7] == Decimal("66.67")
    assert at.text_input(_rk(at, "custom_schedule")).value == "9:74.97"  # the form reopens on the stored schedule


def test_a_decreasing_schedule_is_refused_in_chinese_before_saving() -> None:
    at = _settings(make_app().run())
    at.text_input(_rk(at, "custom_schedule")).set_value("7:80,9:74.97").run()
    _ok(at)
    assert any("无法保存" in e.value and "逐月不减" in e.value for e in at.error)
    at.text_input(_rk(at, "custom_schedule")).set_value("9:74.97123").run()
    assert any("最多保留4位小数" in e.value for e in at.error)


def test_next_years_rules_are_set_before_its_projects_arrive(demo_db) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    at = _settings(make_app(user="jixiaoke").run())
    options = at.selectbox("rules:year").options
    assert "2024年" in options and f"{dt.date.today().year}年" in options
    at.selectbox("rules:year").set_value(2024).run()
    _ok(at)
    at.number_input(_rk(at, "ratio_green")).set_value(85.0)
    at.button(SAVE).click().run()
    _ok(at)
    store = Store(demo_db)
    assert rulebook.load(store, 2024).ratio_green == Decimal(85) and rulebook.load(store, 2023).ratio_green == Decimal(80)
