"""The import template a unit fills by hand (issue 15 item 11): read back with openpyxl, filled in
the way a unit fills it, and imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT
from monitor.errors import NotFound
from monitor.importer import EXAMPLE_MARK, SHEETS, import_path
from monitor.notes import CAUSES, LIKELIHOODS, MEASURE_STATUSES, MEASURE_TYPES
from monitor.status import compute_status
from monitor.store import Store
from monitor.template import write_template

DEPARTMENT = "南昌市总工会"


def validations(ws) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """header → (list formula, error style, cell range) of every drop-down on the sheet."""
    headers = {c.column_letter: str(c.value) for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        ref = str(dv.sqref)
        out[headers[ref[0]].split("(")[0]] = (dv.formula1, dv.errorStyle, ref)
    return out


def test_every_sheet_has_a_frozen_header_and_a_grey_example_row(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "模板.xlsx"))
    assert wb.sheetnames == ["填写说明", *[s.name for s in SHEETS]]
    for spec in SHEETS:
        ws = wb[spec.name]
        assert ws.freeze_panes == "A2"
        example = ws[2]
        assert example[0].value == EXAMPLE_MARK and example[0].font.i and example[0].font.color.rgb.endswith("808080")
        assert len([c for c in example if c.value not in (None, "")]) >= len([c for c in spec.columns if c.required])
    assert any(EXAMPLE_MARK in str(c.value) for row in wb["填写说明"].iter_rows() for c in row)


@pytest.mark.parametrize(("sheet", "column", "options", "strict"), [
    ("绩效指标", "一级指标", ("产出指标", "效益指标", "满意度指标", "成本指标"), False),
    ("绩效指标", "二级指标", ("数量指标", "质量指标", "时效指标", "服务对象满意度"), False),
    ("绩效指标", "调整类型", ("原指标", "新增指标", "调整", "删除"), True),
    ("月度支出", "月份", tuple(str(m) for m in range(1, 13)), True),
    ("指标进度", "月份", tuple(str(m) for m in range(1, 13)), True),
    ("监控说明", "偏差原因", CAUSES, False),
    ("监控说明", "完成目标可能性", LIKELIHOODS, True),
    ("监控说明", "措施类型", MEASURE_TYPES, True),
    ("监控说明", "措施状态", MEASURE_STATUSES, True),
])
def test_drop_downs_offer_the_words_the_importer_accepts(tmp_path: Path, sheet: str, column: str, options: tuple[str, ...], strict: bool) -> None:
    ws = load_workbook(write_template(tmp_path / "模板.xlsx"))[sheet]
    formula, style, ref = validations(ws)[column]
    listed = formula.strip('"').split(",")
    assert set(options) <= set(listed)
    assert style == ("stop" if strict else "warning")
    assert ref.endswith(":" + ref.split(":")[0][0] + "200000") and ref.split(":")[0][1:] == "2"


def test_the_empty_template_imports_nothing_and_names_the_example_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "e.duckdb")
    rep = import_path(store, write_template(tmp_path / "模板.xlsx"), actor=ADMIN)
    assert sum(rep.counts.values()) == 0 and store.is_empty()
    assert {w.sheet for w in rep.warnings if "示例行" in w.message} == {s.name for s in SHEETS}


def test_a_prefilled_template_filled_for_november_imports(tmp_path: Path, demo_store: Store) -> None:
    path = write_template(tmp_path / "预填.xlsx", demo_store, DEPARTMENT, 2023, 11)
    wb = load_workbook(path)
    codes = {r[3].value for r in wb["项目"].iter_rows(min_row=3)}
    assert codes == set(demo_store.df("SELECT project_code FROM projects WHERE department_name = ?", [DEPARTMENT])["project_code"])
    assert SEED_PROJECT not in codes  # another department's project
    spend = wb["月度支出"]
    assert {r[2].value for r in spend.iter_rows(min_row=3)} == {11}
    assert all(r[3].fill.fgColor.rgb.endswith("FFF2CC") for r in spend.iter_rows(min_row=3))  # the cells to fill
    before = compute_status(demo_store, 2023, 10, actor=ADMIN).departments.set_index("department_name").loc[DEPARTMENT, "spent_fen"]
    for r in spend.iter_rows(min_row=3):  # the unit fills in this month's spend
        r[3].value = 1.25
    targets = {(r[1].value, r[4].value): str(r[5].value) for r in wb["绩效指标"].iter_rows(min_row=3)}
    counted = next(r for r in wb["指标进度"].iter_rows(min_row=3) if targets[(r[1].value, r[2].value)].startswith("≥"))
    counted[5].value = 3  # and one indicator's actual
    wb.save(path)
    rep = import_path(demo_store, path, actor=ADMIN)
    assert rep.counts["月度支出"] == len(codes) and rep.counts["指标进度"] > 0 and "2023年11月" in rep.summary()
    assert not [w for w in rep.warnings if "预算" in w.message]  # budgets written back exactly as stored
    november = demo_store.df("SELECT spent FROM monthly WHERE month = 11 AND project_code IN (SELECT unnest(?::VARCHAR[]))", [list(codes)])
    assert list(november["spent"]) == [12_500] * len(codes)  # 元: the unit's November figures replace the old ones
    st = compute_status(demo_store, 2023, 11, actor=ADMIN).departments.set_index("department_name")
    assert st.loc[DEPARTMENT, "spent_fen"] == before + len(codes) * 1_250_000


def test_a_prefilled_template_keeps_stored_values_exact(tmp_path: Path, demo_store: Store) -> None:
    wb = load_workbook(write_template(tmp_path / "预填.xlsx", demo_store, DEPARTMENT, 2023, 11))
    row = next(r for r in wb["项目"].iter_rows(min_row=3) if r[3].value == "360100-SZGH-XM")
    assert (row[7].value, row[8].value) == (130, 509.45)
    targets = {r[4].value: r[5].value for r in wb["绩效指标"].iter_rows(min_row=3)}
    stored = demo_store.df("SELECT name, target_text FROM indicators WHERE project_code = '360100-SZGH-XM'")
    assert all(targets[n] == t for n, t in zip(stored["name"], stored["target_text"], strict=True))


def test_an_unknown_department_is_named(tmp_path: Path, demo_store: Store) -> None:
    with pytest.raises(NotFound, match="没有部门「不存在的局」"):
        write_template(tmp_path / "x.xlsx", demo_store, "不存在的局", 2023, 11)


def test_the_cli_writes_the_prefilled_template(tmp_path: Path, demo_store: Store) -> None:
    out = tmp_path / "预填.xlsx"
    cmd = [sys.executable, "-m", "monitor.cli", "--db", demo_store.path, "template", str(out)]
    proc = subprocess.run([*cmd, "--department", DEPARTMENT, "--year", "2023", "--month", "11"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "南昌市总工会」2023年11月的预填模板" in proc.stdout
    assert load_workbook(out)["月度支出"].max_row > 2
    proc = subprocess.run([*cmd, "--department", DEPARTMENT], capture_output=True, text=True)
    assert proc.returncode == 1 and "须同时给出 --year 和 --month" in proc.stderr
