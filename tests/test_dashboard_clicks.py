"""dashboard.clicks: which department, month or project a click on an overview chart means.

The selections are built from the overview's real figures (dashboard.charts on the demo status) the
way Streamlit's frontend reports a click, so a change of a figure's customdata breaks these tests.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from dashboard_support import DEMO_MONTH, DEMO_YEAR, SEED_PROJECT

from dashboard import charts, clicks
from dashboard.clicks import Click
from monitor import views
from monitor.access import ADMIN
from monitor.status import Status, monthly_curve
from monitor.store import Store


def _selection(fig: go.Figure, trace: int, point: int) -> dict[str, object]:
    """What st.plotly_chart(on_select=...) reports for a click on one point: its JSON, read back."""
    t = fig.data[trace]
    custom = t.customdata[point]
    event = {"points": [{"curve_number": trace, "point_number": point, "point_index": point, "x": t.x[point],
                         "y": t.y[point], "customdata": list(custom)}],
             "point_indices": [point], "box": [], "lasso": []}
    return json.loads(json.dumps(event, default=str))


@pytest.fixture(scope="module")
def figures(demo: tuple[Store, Status]) -> dict[str, go.Figure]:
    store, s = demo
    deps, _ = charts.departments(s.departments, s.schedule.bp)
    x_col, x_label, x_line = views.money_axis(s.rules)
    return {"departments": deps,
            "curve": charts.cumulative(monthly_curve(store, DEMO_YEAR, s.rules, actor=ADMIN), DEMO_MONTH, clickable=True),
            "quadrants": charts.quadrants(views.quadrant_points(s.projects), x_col, x_label, x_line)}


def test_a_bar_is_the_department_it_is_drawn_for(figures: dict[str, go.Figure], demo: tuple[Store, Status]) -> None:
    bars = figures["departments"].data[0]
    assert sorted(bars.y) == sorted(demo[1].departments["department_name"])
    for i, name in enumerate(bars.y):
        assert clicks.read("departments", _selection(figures["departments"], 0, i)) == Click("department", name)


def test_a_quadrant_point_is_the_project_named_in_its_hover(figures: dict[str, go.Figure], demo: tuple[Store, Status]) -> None:
    fig = figures["quadrants"]
    seen = set()
    for trace, t in enumerate(fig.data):
        for i, hover in enumerate(t.hovertext):
            click = clicks.read("quadrants", _selection(fig, trace, i))
            assert click is not None and click.kind == "project" and f"<br>{click.value} · " in hover
            seen.add(click.value)
    assert seen == set(demo[1].projects["project_code"]) and SEED_PROJECT in seen


def test_every_point_of_every_curve_is_its_month(figures: dict[str, go.Figure]) -> None:
    fig = figures["curve"]
    assert [t.name for t in fig.data] == ["累计执行率", "序时进度", "用款计划"]
    for trace, t in enumerate(fig.data):
        for i, label in enumerate(t.x):
            assert clicks.read("curve", _selection(fig, trace, i)) == Click("month", int(label.removesuffix("月")))
    # a month after the monitoring point has no point on the actual curve; the schedule line's
    # markers make it clickable (Plotly selects markers, not a bare line)
    assert len(fig.data[0].x) == DEMO_MONTH and "markers" in fig.data[1].mode


def test_only_the_overview_curve_is_clickable(demo: tuple[Store, Status]) -> None:
    store, s = demo
    curve = monthly_curve(store, DEMO_YEAR, s.rules, actor=ADMIN)
    plain, clickable = charts.cumulative(curve, DEMO_MONTH), charts.cumulative(curve, DEMO_MONTH, clickable=True)
    assert plain.layout.clickmode is None and "点击" not in plain.data[0].hovertemplate
    assert clickable.layout.clickmode == "event+select" and "点击切换到1-%{customdata[0]}月" in clickable.data[0].hovertemplate


def test_the_clickable_figures_answer_a_click_and_do_not_move(figures: dict[str, go.Figure]) -> None:
    for fig in figures.values():
        assert {k: fig.layout[k] for k in charts.CLICKABLE} == charts.CLICKABLE
        assert fig.layout.xaxis.fixedrange and fig.layout.yaxis.fixedrange


@pytest.mark.parametrize("selection", [
    None,
    {"points": [], "point_indices": [], "box": [], "lasso": []},  # a click beside the points, or a second click
    {"points": [{"curve_number": 0, "point_number": 0}], "point_indices": [0], "box": [], "lasso": []},
    {"points": [{"customdata": []}], "point_indices": [0], "box": [], "lasso": []},
])
def test_no_point_is_no_click(selection: dict[str, object] | None) -> None:
    for chart in clicks.CHARTS:
        assert clicks.read(chart, selection) is None


@pytest.mark.parametrize("key, expected", [
    (6, 6), (6.0, 6), (12, 12), (0, None), (13, None), (6.5, None), ("6", None), (True, None), (None, None),
])
def test_a_month_is_a_whole_number_from_1_to_12(key: object, expected: int | None) -> None:
    selection = {"points": [{"customdata": [key, "41.69%"]}], "point_indices": [5], "box": [], "lasso": []}
    assert clicks.read("curve", selection) == (Click("month", expected) if expected else None)


def test_a_department_or_project_is_a_non_empty_text() -> None:
    for chart in ("departments", "quadrants"):
        for key in ("", 7, None):
            assert clicks.read(chart, {"points": [{"customdata": [key]}], "point_indices": [0]}) is None


def test_a_department_click_filters_the_list_to_it_and_clears_the_units() -> None:
    assert clicks.low_execution_filters("青云谱区总工会") == {"le_departments": ["青云谱区总工会"], "le_units": []}
