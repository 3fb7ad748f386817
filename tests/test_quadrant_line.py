"""The quadrant chart's vertical line says what it is: under milestone floors the ratio 80 decides no light."""

from decimal import Decimal

import pandas as pd

from dashboard import charts
from monitor import views
from monitor.rules import Rules


def test_under_milestone_floors_the_ratio_line_is_labelled_a_reference_not_the_green_line() -> None:
    assert views.money_line_label(Rules(light_mode="milestone")) == "比值80（参考线，本地区按里程碑底线判定）"
    assert views.money_line_label(Rules()) == "资金绿灯线"
    assert views.money_line_label(Rules(light_mode="gap", gap_green=Decimal(10))) == "资金绿灯线"


def test_the_chart_carries_the_label_it_is_given() -> None:
    points = pd.DataFrame({"project_code": ["P1"], "project_name": ["项目"], "department_name": ["部门"], "level": ["green"],
                           "indicator_level": ["green"], "quadrant": ["双正常"], "rate_bp": [5000], "ratio_bp": [9000],
                           "gap_bp": [0], "idle_fen": [0], "share_bp": [10000]})
    fig = charts.quadrants(points, "ratio_bp", "比值", 8000, "比值80（参考线，本地区按里程碑底线判定）")
    assert [a.text for a in fig.layout.annotations] == ["比值80（参考线，本地区按里程碑底线判定）"]
