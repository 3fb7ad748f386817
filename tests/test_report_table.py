"""The monitoring table (Excel): golden cells for the demo, fills, number formats, no formulas."""

from __future__ import annotations

import io

import pytest
from _report_golden import check_golden
from openpyxl import load_workbook

from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT
from monitor.notes import Note, save_note
from monitor.report import monitoring_table, sheet_names, xlsx_lines
from monitor.report.data import load
from monitor.report.table import render_table
from monitor.status import LEVEL_COLORS, compute_status
from monitor.store import Store


@pytest.fixture(scope="module")
def book(demo) -> bytes:
    store, st = demo
    return monitoring_table(store, st)


def no_formulas(data: bytes) -> None:
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"


def test_golden_cells(book):
    check_golden("monitoring_table_demo_2023_10.txt", xlsx_lines(book))


def test_summary_lights_are_fills_and_amounts_are_numbers(book, demo):
    _, st = demo
    ws = load_workbook(io.BytesIO(book))["汇总"]
    header = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == SEED_PROJECT)
    cell = dict(zip(header, row, strict=False))
    assert cell["资金预警"].value == "红灯"
    assert cell["资金预警"].fill.fgColor.rgb.endswith(LEVEL_COLORS["red"].lstrip("#").upper())
    assert cell["累计支出（万元）"].value == pytest.approx(134.5368)
    assert cell["累计支出（万元）"].number_format == "#,##0.00##"
    assert cell["执行率"].value == pytest.approx(0.2746) and cell["执行率"].number_format == "0.00%"
    assert cell["落后序时进度（个百分点）"].value == pytest.approx(55.88)
    assert cell["项目名称"].hyperlink is not None
    assert len(list(ws.iter_rows(min_row=4, max_col=2))) >= len(st.projects)
    no_formulas(book)


def test_project_sheet_ticks_causes_from_notes(book):
    wb = load_workbook(io.BytesIO(book))
    ws = wb["工会经费项目"]
    rows = {r[2].value: r for r in ws.iter_rows(min_row=11) if r[2].value}
    r = rows["上解上级工会经费工作完成率"]
    assert [c.value for c in r[6:11]] == [None, "√", None, None, None]  # 制度保障
    assert r[11].value == "有可能" and r[12].value.startswith("将上解工会经费")
    assert r[13].value == "红灯"
    money = list(ws.iter_rows(min_row=6, max_row=6))[0]
    assert money[3].value == pytest.approx(134.5368) and money[10].value == "√"  # 其他
    assert ws["A1"].value == "项目支出绩效目标执行监控表"


def test_sheet_names_are_legal_and_unique():
    names = sheet_names(["a" * 40, "a" * 40, "x/y:z?", "汇总", "'引号'", "History"], reserved={"汇总"})
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names[2] == "x_y_z_" and names[3] != "汇总" and names[4] == "引号" and names[5].lower() != "history"


def test_text_that_looks_like_a_formula_stays_text():
    from monitor.importer import write_frames
    from monitor.synthetic import generate

    frames = generate(2, seed=1)
    p, i = frames["projects"], frames["indicators"]
    p.loc[0, "project_name"] = "=1+1"
    p.loc[0, "unit_name"] = "+SUM(A1:A9)"
    p.loc[0, "department_name"] = "@部门"
    p.loc[0, "annual_goal"] = "-2+3"
    first = i["project_code"] == p.loc[0, "project_code"]
    i.loc[first & (i["seq"] == 0), "level2"] = "=HYPERLINK(\"http://x\")"
    store = Store(":memory:")
    write_frames(store, frames, actor=ADMIN)
    code = str(p.loc[0, "project_code"])
    ind = str(i.loc[first & (i["seq"] == 0), "name"].iloc[0])
    save_note(store, Note(2023, code, ind, 10, problem="=问题", causes=("其他",), explanation="=cmd|' /C calc'!A0",
                         likelihood="有可能", measure="-加快", measure_type="加快执行"), ADMIN)
    st = compute_status(store, 2023, 10, actor=ADMIN)
    for data in (monitoring_table(store, st), render_table(load(store, st), max_project_sheets=0)):
        no_formulas(data)
        wb = load_workbook(io.BytesIO(data))
        values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
        for text in ("=1+1", "+SUM(A1:A9)", "@部门", "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0"):
            assert text in values, text
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == "=1+1"]
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert "=1+1" in load_workbook(io.BytesIO(monitoring_table(store, st))).sheetnames


def test_many_projects_go_to_one_detail_sheet(demo):
    store, st = demo
    wb = load_workbook(io.BytesIO(render_table(load(store, st), max_project_sheets=3)))
    assert wb.sheetnames == ["汇总", "指标明细"]
    ws = wb["指标明细"]
    assert ws.max_row - 1 == len(st.indicators)


def test_department_table(demo):
    store, st = demo
    wb = load_workbook(io.BytesIO(monitoring_table(store, st, department="青云谱区总工会")))
    assert wb.sheetnames == ["汇总", "工会经费项目"]
