"""Indicator lights: cumulative, rate, lower-is-better, cost caps, zero targets, qualitative, ⚪ and 🔵."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import rulebook
from monitor.access import ADMIN
from monitor.errors import StaleStatus
from monitor.importer import import_path
from monitor.status import compute_status
from tests.builders import INDICATOR_HEADER, PROGRESS_HEADER, region, spent_by, write

# name, level1, level2, target, stage given at month 10 ("" = prorated), actual, expected light
CASES = [
    ("培训人次", "产出指标", "数量指标", "≥100人", "", "50", "yellow"),  # prorated stage 83.33 → 60.00%
    ("培训人次2", "产出指标", "数量指标", "≥100人", "", "49.99", "red"),
    ("培训人次3", "产出指标", "数量指标", "≥100人", "", "66.67", "green"),  # 80.00% of 83.33
    ("超额人次", "产出指标", "数量指标", "≥100人", "", "120", "blue"),  # 120.00% of the annual target
    ("未开展", "产出指标", "数量指标", "≥5次", "4次", "0", "red"),
    ("合格率", "产出指标", "质量指标", "≥95%", "", "95%", "green"),
    ("合格率2", "产出指标", "质量指标", "≥95%", "", "85.5%", "yellow"),  # 90.00% of 95
    ("合格率3", "产出指标", "质量指标", "≥95%", "", "85.4%", "red"),
    ("控制率", "成本指标", "经济成本", "≤100%", "", "110%", "yellow"),  # lower is better, rate (by %)
    ("控制率2", "成本指标", "经济成本", "≤100%", "", "110.01%", "red"),
    ("经费", "成本指标", "经济成本", "≤490万", "400万", "491万", "red"),  # cost cap exceeded
    ("事故", "效益指标", "社会效益", "0次", "", "1", "red"),
    ("事故2", "效益指标", "社会效益", "0次", "", "0", "green"),
    ("获得感", "效益指标", "社会效益", "提升", "", "部分达成", "yellow"),
    ("获得感2", "效益指标", "社会效益", "提升", "", "未达成", "red"),
    ("满意度", "满意度指标", "服务对象满意度", "≥95%", "", "", "none"),  # surveyed at year end
]


@pytest.fixture(scope="module")
def lights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("ind")
    inds = [["P1", l1, l2, name, target] for name, l1, l2, target, *_ in CASES]
    progress = [["P1", name, 10, stage, actual] for name, _, _, _, stage, actual, _ in CASES if actual]
    store = region(tmp, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds, progress)
    rows = compute_status(store, 2023, 10, actor=ADMIN).project_indicators("P1")
    return {r["name"]: r for r in rows.to_dict("records")}


@pytest.mark.parametrize(("name", "expected"), [(c[0], c[6]) for c in CASES], ids=[c[0] for c in CASES])
def test_indicator_light(lights: dict[str, dict], name: str, expected: str) -> None:
    assert lights[name]["level"] == expected, lights[name]["level_reason"]


def test_a_prorated_stage_target_is_shown_with_two_decimals(lights: dict[str, dict]) -> None:
    assert lights["培训人次"]["stage_text"] == "83.33人"
    assert lights["培训人次"]["completion_bp"] == 6000


def test_a_missing_report_is_listed_as_missing_not_judged(lights: dict[str, dict]) -> None:
    assert lights["满意度"]["level_reason"].startswith("未填报")


def test_the_project_light_is_its_worst_indicator_ignoring_blue_and_white(tmp_path: Path) -> None:
    inds = [["P1", "产出指标", "数量指标", "甲", "≥100人"], ["P1", "产出指标", "数量指标", "乙", "≥100人"],
            ["P1", "满意度指标", "服务对象满意度", "丙", "≥95%"]]
    progress = [["P1", "甲", 10, "", "200"], ["P1", "乙", 10, "", "70"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds, progress)
    p = compute_status(store, 2023, 10, actor=ADMIN).project("P1")
    assert (p["ind_blue"], p["ind_green"], p["ind_none"], p["indicator_level"]) == (1, 1, 1, "green")


def test_the_latest_actual_at_or_before_the_month_counts(tmp_path: Path) -> None:
    inds = [["P1", "产出指标", "数量指标", "甲", "≥100人"]]
    progress = [["P1", "甲", 7, "", "40"], ["P1", "甲", 9, "", "70"], ["P1", "甲", 11, "", "100"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds, progress)
    row = compute_status(store, 2023, 10, actor=ADMIN).project_indicators("P1").iloc[0]
    assert (row["actual_micro"], row["reported_month"]) == (70_000_000, 9)


def test_year_end_projection_of_an_indicator(lights: dict[str, dict]) -> None:
    assert lights["培训人次"]["projected_text"] == "60人"  # 50 by October at this pace: 50 ÷ 10 × 12
    assert lights["超额人次"]["projected_text"] == "120人"  # already past the target: stays as it stands
    assert lights["合格率"]["projected_text"] == "95%"  # a rate is not extrapolated
    assert lights["获得感"]["projected_text"] == "部分达成"


def test_progress_imported_later_for_an_earlier_month_takes_its_place(tmp_path: Path) -> None:
    inds = [["P1", "产出指标", "数量指标", "甲", "≥100人"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds,
                   [["P1", "甲", 7, "", "40"], ["P1", "甲", 11, "", "100"]])
    assert compute_status(store, 2023, 10, actor=ADMIN).project_indicators("P1").iloc[0]["reported_month"] == 7
    more = tmp_path / "more"
    more.mkdir()
    write(more, "指标进度", PROGRESS_HEADER, [[2023, "P1", "甲", 9, "", "70"]])
    import_path(store, more, actor=ADMIN)
    row = compute_status(store, 2023, 10, actor=ADMIN).project_indicators("P1").iloc[0]
    assert (row["actual_micro"], row["reported_month"]) == (70_000_000, 9)
    assert compute_status(store, 2023, 12, actor=ADMIN).project_indicators("P1").iloc[0]["actual_micro"] == 100_000_000


def test_indicators_imported_again_keep_their_progress(tmp_path: Path) -> None:
    inds = [["P1", "产出指标", "数量指标", "甲", "≥100人"], ["P1", "产出指标", "数量指标", "乙", "≥10次"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds,
                   [["P1", "甲", 10, "", "70"], ["P1", "乙", 10, "", "9"]])
    again = tmp_path / "again"
    again.mkdir()
    write(again, "绩效指标", INDICATOR_HEADER, [[2023, "P1", "产出指标", "数量指标", "甲", "≥80人", ""]])
    import_path(store, again, actor=ADMIN)
    rows = compute_status(store, 2023, 10, actor=ADMIN).project_indicators("P1").set_index("name")
    assert rows.loc["甲", "target_text"] == "≥80人" and rows.loc["甲", "actual_micro"] == 70_000_000
    assert rows.loc["甲", "completion_bp"] == 10500  # 70 ÷ (80 × 10/12)
    assert rows.loc["乙", "actual_micro"] == 9_000_000


def test_a_status_does_not_label_its_figures_with_data_written_after_it(tmp_path: Path) -> None:
    inds = [["P1", "产出指标", "数量指标", "甲", "≥100人"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds,
                   [["P1", "甲", 10, "", "70"]])
    st = compute_status(store, 2023, 10, actor=ADMIN)
    again = tmp_path / "again"
    again.mkdir()
    write(again, "绩效指标", INDICATOR_HEADER, [[2023, "P1", "产出指标", "数量指标", "甲", "≥80人", ""]])
    import_path(store, again, actor=ADMIN)
    with pytest.raises(StaleStatus, match="已过期"):
        st.project_indicators("P1")


def test_a_note_written_after_the_status_leaves_its_labels_readable(tmp_path: Path) -> None:
    from monitor.notes import Note, save_note

    inds = [["P1", "产出指标", "数量指标", "甲", "≥100人"]]
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "1000"]], spent_by("P1", "800", 10), inds,
                   [["P1", "甲", 10, "", "70"]])
    st = compute_status(store, 2023, 10, actor=ADMIN)
    save_note(store, Note(2023, "P1", "甲", 10, causes=("其他",), explanation="培训推迟到11月"), ADMIN)
    rulebook.save(store, rulebook.load(store), ADMIN)
    assert st.project_indicators("P1").iloc[0]["name"] == "甲"
