"""monitor.views: the small pure rules behind the dashboard pages."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from dashboard_support import DEMO_MONTH, DEMO_YEAR, SEED_PROJECT

from monitor import views
from monitor.access import ADMIN
from monitor.demo import load_demo
from monitor.errors import MonitorError
from monitor.money import FEN_PER_WAN
from monitor.notes import Note, load_notes
from monitor.rules import Rules
from monitor.status import QUADRANTS, Status, compute_status
from monitor.store import Store
from monitor.warnings import warning_items


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(":memory:")
    load_demo(s)
    return s


@pytest.fixture(scope="module")
def status(store: Store) -> Status:
    return compute_status(store, DEMO_YEAR, DEMO_MONTH, actor=ADMIN)


def test_money_bands_include_their_lower_bound() -> None:
    fen = pd.Series([0, 10 * FEN_PER_WAN - 1, 10 * FEN_PER_WAN, 999 * FEN_PER_WAN, 1000 * FEN_PER_WAN])
    assert list(views.money_band(fen)) == ["不足10万元", "不足10万元", "10–50万元", "500–1000万元", "1000万元及以上"]


def test_gap_text_says_behind_or_ahead() -> None:
    assert views.gap_text(5588) == "落后序时进度55.88个百分点"
    assert views.gap_text(-300) == "超前序时进度3.00个百分点"
    assert views.gap_text(0) == "与序时进度持平"
    assert views.gap_text(None) == "—"


def test_a_green_light_behind_schedule_says_its_ratio_and_light() -> None:
    row = pd.Series({"gap_bp": 1120, "ratio_bp": 8656, "level": "green"})
    assert views.light_text(row, Rules()) == "落后序时进度11.20个百分点（比值86.56，绿灯）"
    assert views.light_text(row, Rules(light_mode="gap")) == "落后序时进度11.20个百分点（绿灯）"


def test_filter_by_light_band_text_and_flags(status: Status) -> None:
    p = status.projects
    red = views.filter_projects(p, views.ProjectFilter(levels=("red",)))
    assert list(red["project_code"]) == [SEED_PROJECT]
    band = views.filter_projects(p, views.ProjectFilter(bands=("100–500万元",)))["budget_fen"]
    assert len(band) == 3 and band.between(100 * FEN_PER_WAN, 500 * FEN_PER_WAN - 1).all()
    assert len(views.filter_projects(p, views.ProjectFilter(text="zgh-2023"))) == 1  # code, any case
    assert len(views.filter_projects(p, views.ProjectFilter(text="文化宫"))) == 1
    both = views.filter_projects(p, views.ProjectFilter(quadrants=(QUADRANTS[3],)))
    assert set(both["quadrant"]) == {QUADRANTS[3]}
    assert views.filter_projects(p, views.ProjectFilter(without_note=True), frozenset({SEED_PROJECT}))[
        "project_code"].tolist().count(SEED_PROJECT) == 0


def test_forecast_miss_filter_is_the_core_flag() -> None:
    frame = pd.DataFrame({"project_code": ["a", "b"], "project_name": ["x", "y"], "forecast_miss": [True, False],
                          "spent_fen": [1, 0], "budget_fen": [1, 1]})
    assert views.filter_projects(frame, views.ProjectFilter(forecast_miss=True))["project_code"].tolist() == ["a"]
    assert views.filter_projects(frame, views.ProjectFilter(zero_spend=True))["project_code"].tolist() == ["b"]


def test_default_sort_is_idle_money_then_gap_then_code() -> None:
    frame = pd.DataFrame({"project_code": ["c", "a", "b"], "idle_fen": [5, 5, 9], "gap_bp": [100, 100, 0]})
    assert views.sort_projects(frame)["project_code"].tolist() == ["b", "a", "c"]


def test_required_pace_and_projections(status: Status) -> None:
    seed = status.project(SEED_PROJECT)
    assert views.required_pace_text(seed, status.rules) == "须月均支出177.7316万元方可在年底达到100%"
    pro = views.projections(seed)
    used = pro[pro["used"]].iloc[0]
    assert used["basis"] == seed["projected_basis"] and int(used["rate_bp"]) == int(seed["projected_bp"])
    assert pd.isna(pro.set_index("basis").loc["上年同期进度", "fen"])
    december = replace_series(seed, required_monthly_fen=pd.NA)
    assert views.required_pace_text(december, status.rules) is None


def replace_series(s: pd.Series, **kw: object) -> pd.Series:
    out = s.copy()
    for k, v in kw.items():
        out[k] = v
    return out


def test_on_track_share_marks_the_quadrant_boundary(status: Status) -> None:
    share = views.on_track_share_bp(status.projects)
    behind = status.projects["indicator_level"].isin(["red", "yellow"])
    assert (share[behind] < 10000).all()
    assert ((share[~behind] == 10000) | share[~behind].isna()).all()
    frame = pd.DataFrame({"ind_green": [1, 0], "ind_blue": [1, 0], "ind_red": [1, 0], "ind_yellow": [0, 0]})
    assert views.on_track_share_bp(frame).tolist()[0] == 6667  # 2/3, half up
    assert pd.isna(views.on_track_share_bp(frame).tolist()[1])


def test_quadrant_points_keep_the_biggest_idle_money_and_every_quadrant() -> None:
    n = 20_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "project_code": [f"P{i}" for i in range(n)], "project_name": "x", "department_name": "d",
        "level": "green", "indicator_level": "green", "quadrant": rng.choice(QUADRANTS, n, p=[0.9, 0.05, 0.04, 0.01]),
        "rate_bp": 0, "ratio_bp": 0, "gap_bp": 0, "idle_fen": rng.integers(0, 10**9, n),
        "ind_green": 1, "ind_blue": 0, "ind_red": 0, "ind_yellow": 0,
    })
    pts = views.quadrant_points(frame, limit=2000)
    assert 1900 <= len(pts) <= 2100
    assert set(frame.nlargest(500, "idle_fen")["project_code"]) <= set(pts["project_code"])
    assert set(pts["quadrant"]) == set(QUADRANTS)
    assert pts["project_code"].is_unique


def test_mark_noted_agrees_with_warning_items(store: Store, status: Status) -> None:
    notes = load_notes(store, DEMO_YEAR, month=DEMO_MONTH, actor=ADMIN)
    expected = warning_items(status, notes)
    marked = views.mark_noted(warning_items(status, []), notes, DEMO_MONTH)
    assert marked["has_note"].tolist() == expected["has_note"].tolist()
    assert views.noted_projects(notes, DEMO_MONTH) == frozenset({SEED_PROJECT})


def test_note_items_are_money_plus_red_and_yellow_indicators(store: Store, status: Status) -> None:
    items = views.note_items(status, SEED_PROJECT, load_notes(store, DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN))
    assert [i.indicator_name for i in items] == ["", "上解上级工会经费工作完成率", "下拨基层工会经费工作完成率"]
    assert items[0].level == "red"


def test_draft_note_prefers_this_month_then_open_measures_then_the_suggestion(store: Store, status: Status) -> None:
    notes = load_notes(store, DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN)
    note, origin = views.draft_note(status, SEED_PROJECT, "", notes)
    assert origin == views.DRAFT_SAVED and note.version == 1
    earlier = [replace(n, month=9) for n in notes]
    note, origin = views.draft_note(status, SEED_PROJECT, "", earlier)
    assert origin == views.DRAFT_CARRIED and note.month == DEMO_MONTH and note.version == 0
    assert note.measure == notes[0].measure
    closed = [replace(n, month=9, status="已完成") for n in notes]
    note, origin = views.draft_note(status, SEED_PROJECT, "", closed)
    assert origin == views.DRAFT_SUGGESTED and note.problem == "资金执行率偏低"
    # the judgements are the unit's: no cause, likelihood or measure type is chosen for it
    assert (note.causes, note.likelihood, note.measure_type, note.version) == ((), "", "", 0)
    assert "27.46%" in note.explanation and note.due_month == 12 and note.status == "未开始"


def test_open_earlier_notes_skip_closed_and_superseded() -> None:
    def n(month: int, status: str = "进行中", ind: str = "") -> Note:
        return Note(2023, "P", ind, month, measure="m", status=status)

    notes = [n(8), n(9, ind="x"), n(10, ind="x"), n(7, ind="y", status="已完成"), n(11, ind="z")]
    assert [(o.indicator_name, o.month) for o in views.open_earlier_notes(notes, 10)] == [("", 8)]


def test_indicator_order_groups_level1_then_level2(status: Status) -> None:
    order = views.indicator_order(status.project_indicators(SEED_PROJECT))
    assert order["level1"].drop_duplicates().tolist() == ["产出指标", "效益指标", "满意度指标", "成本指标"]
    assert order["level2"].drop_duplicates().tolist()[:3] == ["数量指标", "质量指标", "时效指标"]


def test_rules_from_form_converts_floats_exactly_and_validates() -> None:
    rules = views.rules_from_form(Rules(), {"ratio_green": 75.0, "materiality_wan": 50.5, "light_mode": "ratio"})
    assert rules.ratio_green == Decimal("75") and rules.materiality_wan == Decimal("50.5")
    custom = views.rules_from_form(Rules(), {"schedule_mode": "custom", "custom_schedule": list(views.default_custom_schedule())})
    assert custom.custom_schedule[9] == Decimal("83.33")
    with pytest.raises(MonitorError, match="黄灯下限"):
        views.rules_from_form(Rules(), {"ratio_yellow": 90.0})


def test_data_quality_finds_missing_months_and_silent_units(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(tmp_path / "q.duckdb")
    load_demo(store)
    with store.transaction() as con:
        con.execute("DELETE FROM monthly WHERE project_code = ? AND month IN (3, 10)", [SEED_PROJECT])
    st = compute_status(store, DEMO_YEAR, DEMO_MONTH, actor=ADMIN)
    missing = views.missing_months(st.projects, DEMO_MONTH)
    assert missing["project_code"].tolist() == [SEED_PROJECT] and missing["months_missing"].tolist() == [2]
    silent = views.units_without_month(store, DEMO_YEAR, DEMO_MONTH, actor=ADMIN)
    assert silent.to_dict("records") == [{"department_name": "青云谱区总工会", "unit_name": "青云谱区总工会", "projects": 1}]
    assert views.units_without_month(store, DEMO_YEAR, 9, actor=ADMIN).empty
