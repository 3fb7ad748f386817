"""A status brought up to date by recomputing only the projects a write changed equals a full computation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from monitor import filling, rounds
from monitor.access import ADMIN, PAGE, Actor
from monitor.importer import import_path
from monitor.notes import Note, save_note
from monitor.rules import Rules
from monitor.status import Status, compute_status, refresh_status
from monitor.store import Store
from monitor.synthetic import build_database


def _same(a: Status, b: Status) -> None:
    def rows(f: pd.DataFrame, key: str) -> pd.DataFrame:
        return f.sort_values(key).reset_index(drop=True)[sorted(f.columns)]

    pd.testing.assert_frame_equal(rows(a.project_figures, "project_code"), rows(b.project_figures, "project_code"), check_dtype=False)
    pd.testing.assert_frame_equal(rows(a.indicator_figures, "indicator_id"), rows(b.indicator_figures, "indicator_id"),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(a.departments, b.departments, check_dtype=False)
    pd.testing.assert_frame_equal(a.units, b.units, check_dtype=False)
    pd.testing.assert_series_equal(a.region, b.region, check_dtype=False, check_names=False)


@pytest.fixture
def province(tmp_path: Path) -> Store:
    return build_database(tmp_path / "p.duckdb", 400, seed=3)


@pytest.mark.parametrize("rules", [Rules(), Rules(light_mode="gap", materiality_wan=None), Rules(schedule_mode="plan"),
                                   Rules(light_mode="gated", indicator_mode="kind")])
@pytest.mark.parametrize("what", ["spend", "actuals", "indicators"])
def test_a_units_save_refreshed_on_the_old_status_equals_a_full_computation(province: Store, rules: Rules, what: str,
                                                                              tmp_path: Path) -> None:
    old = compute_status(province, 2023, 10, rules, actor=ADMIN)
    code = str(old.project_figures.sort_values("project_code")["project_code"].iloc[7])
    row = old.project_figures[old.project_figures["project_code"] == code].iloc[0]
    unit = Actor("u", PAGE, "unit", str(row["department_name"]), str(row["unit_name"]))
    before = province.data_version()
    entry = filling.month_entry(province, unit, 2023, 10, code)
    if what == "actuals":  # the same indicators, new figures: written into the frame's rows
        entry = replace(entry, actuals=tuple(replace(a, actual="0") if a.target_text[:1] in "≥>" else a
                                             for a in entry.actuals[:2]) + entry.actuals[2:])
    filling.save_month(province, unit, replace(entry, spent_wan="987.654321"))
    if what == "indicators":  # one indicator more: the rows are filtered and appended instead
        folder = tmp_path / "ind"
        folder.mkdir()
        (folder / "绩效指标.csv").write_text(f"年度,项目编码,一级指标,二级指标,三级指标,年度指标值\n2023,{code},产出指标,数量指标,新增的指标,≥10人\n",
                                          encoding="utf-8")
        (folder / "指标进度.csv").write_text(f"年度,项目编码,三级指标,月份,实际完成值\n2023,{code},新增的指标,10,4\n", encoding="utf-8")
        import_path(province, folder, actor=ADMIN)
    save_note(province, Note(2023, code, "", 10, causes=("其他",), explanation="x"), unit)  # no figure: logged as such
    changed = province.changed_projects(2023, before, province.data_version())
    assert changed == {code}
    full = compute_status(province, 2023, 10, rules, actor=ADMIN)
    assert full.region["spent_fen"] != old.region["spent_fen"]  # the save moved the province's figures
    refreshed = refresh_status(province, old, changed)
    _same(refreshed, full)
    assert (refreshed.indicator_figures is old.indicator_figures) == (what == "spend")  # spend alone leaves them
    assert list(refreshed.indicator_figures.dtypes) == list(old.indicator_figures.dtypes)


def test_what_cannot_be_told_asks_for_a_full_computation(province: Store, tmp_path: Path) -> None:
    from monitor import rulebook

    v = province.data_version()
    rulebook.update(province, {"ratio_green": "75"}, ADMIN)  # a write that names no project: anything may have changed
    assert province.changed_projects(2023, v, province.data_version()) is None
    v = province.data_version()
    folder = tmp_path / "ly"
    folder.mkdir()
    code = str(province.scalar("SELECT project_code FROM projects WHERE year = 2023 LIMIT 1"))
    (folder / "项目.csv").write_text(f"年度,部门名称,单位名称,项目编码,项目名称,年初预算(万元)\n2022,甲,乙,{code},上年,10\n", encoding="utf-8")
    import_path(province, folder, actor=ADMIN)  # last year's figures feed this year's projections
    assert province.changed_projects(2023, v, province.data_version()) is None
    v = province.data_version()
    rounds.open_task(province, ADMIN, 2023, 10, __import__("datetime").date(2023, 11, 10))
    assert province.changed_projects(2023, v, province.data_version()) == set()  # a task changes no figure
