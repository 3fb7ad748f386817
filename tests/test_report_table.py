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


def _header_row(ws, first: str = "一级指标") -> int:  # type: ignore[no-untyped-def]
    return next(r[0].row for r in ws.iter_rows() if r[0].value == first)


def _grid(ws):  # type: ignore[no-untyped-def]
    """Each indicator row by its 三级指标, with the headers of the 136号 layout (two header rows)."""
    top = _header_row(ws)
    head = [c.value for c in ws[top]]
    sub = [c.value for c in ws[top + 1]]
    names = [s or h for h, s in zip(head, sub, strict=True)]
    rows = {r[2].value or r[0].value: dict(zip(names, (c.value for c in r), strict=False))
            for r in ws.iter_rows(min_row=top + 2) if r[2].value or r[0].value}
    return head, sub, rows


def test_project_sheet_has_the_136_columns_and_ticks_causes_and_likelihood_from_notes(book):
    ws = load_workbook(io.BytesIO(book))["工会经费项目"]
    assert ws["A1"].value == "项目支出绩效目标执行监控表"
    head, sub, rows = _grid(ws)
    assert head[:6] == ["一级指标", "二级指标", "三级指标", "年度指标值", "1-10月执行情况", "全年预计完成情况"]
    assert head[6] == "偏差原因分析" and head[11] == "完成目标可能性" and head[14] == "原因说明"
    assert sub[6:14] == ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "确定能", "有可能", "完全不可能"]
    r = rows["上解上级工会经费工作完成率"]
    assert [r[c] for c in ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")] == [None, "√", None, None, None]
    assert [r[c] for c in ("确定能", "有可能", "完全不可能")] == [None, "√", None]  # the unit's 有可能, not the derived 完全不可能
    assert r["原因说明"] == "截止2023年10月31日，上解上级工会经费工作尚未开展。" and r["预警"] == "红灯"
    money = rows["预算资金执行（累计支出）"]
    assert money["其他"] == "√" and money["有可能"] == "√" and money["1-10月执行情况"] == "134.5368万元"


def test_a_likelihood_nobody_wrote_is_derived_from_the_projection_and_ticked_in_grey(book):
    ws = load_workbook(io.BytesIO(book))["工会经费项目"]
    top = _header_row(ws)
    cells = {r[2].value: r for r in ws.iter_rows(min_row=top + 2) if r[2].value}
    # 4家 of ≥5家 at 1-10月 projects to 4家 (80% of the target): 有可能; 183人 of ≥100人: 确定能
    home = cells["工会阵地建设(职工之家、爱心驿站)"]
    assert [c.value for c in home[11:14]] == [None, "√", None] and home[12].font.color.rgb.endswith("808080")
    assert [c.value for c in cells["“携手小康”就业重点群体技能培训(人)"][11:14]] == ["√", None, None]
    noted = cells["上解上级工会经费工作完成率"][12]
    assert noted.font.color is None or not str(noted.font.color.rgb).endswith("808080")
    assert any("灰色“√”为项目单位未填写时系统按全年预计完成情况推算" in str(c.value) for r in ws.iter_rows() for c in r)


def test_money_by_source_and_one_forecast_basis(book, demo):
    _, st = demo
    p = st.project(SEED_PROJECT)
    ws = load_workbook(io.BytesIO(book))["工会经费项目"]
    top = next(r[0].row for r in ws.iter_rows() if r[0].value == "项目资金（万元）")
    head = [c.value for c in ws[top]]
    assert head[1:7] == ["资金来源", "年初预算数", "调整后预算数", "1-10月执行数", "1-10月执行率", "全年预计执行数"]
    total, source = ws[top + 1], ws[top + 2]
    assert total[1].value == "年度资金总额" and source[1].value == "其中：财政拨款"
    projected_wan = int(p["projected_fen"]) / 1_000_000
    assert total[6].value == pytest.approx(projected_wan) and source[6].value == pytest.approx(projected_wan)
    assert source[4].value == pytest.approx(134.5368) and source[5].value == pytest.approx(0.2746)
    _, _, rows = _grid(ws)
    # the cost indicator in 万 forecasts the same money as 全年预计执行数, never a second basis
    assert rows["工会经费金额"]["全年预计完成情况"] == f"{projected_wan:.4f}".rstrip("0").rstrip(".") + "万"


def test_countable_units_forecast_whole_things(book):
    import re as _re

    from monitor.targets import is_countable

    ws = load_workbook(io.BytesIO(book))["工会经费项目"]
    _, _, rows = _grid(ws)
    checked = 0
    for r in rows.values():
        m = _re.fullmatch(r"([0-9.]+)(\D+)", str(r["全年预计完成情况"]))
        if m and is_countable(m.group(2)):
            assert "." not in m.group(1), r
            checked += 1
    assert checked >= 9


def test_the_signature_block_and_a_1_to_7_table(demo):
    from datetime import date

    from monitor.report.table import Signature

    store, _ = demo
    st7 = compute_status(store, 2023, 7, actor=ADMIN)
    data = monitoring_table(store, st7, [SEED_PROJECT], signature=Signature("张三", "李四", "0791-88888888", date(2023, 8, 10)))
    ws = load_workbook(io.BytesIO(data))["工会经费项目"]
    values = [c.value for r in ws.iter_rows() for c in r]
    assert "（2023年度 1-7月）" in values and "1-7月执行数" in values and "1-7月执行率" in values and "1-7月执行情况" in values
    assert not any(isinstance(v, str) and "1-10月" in v for v in values)
    source = next(r for r in ws.iter_rows() if r[1].value == "其中：财政拨款")
    assert source[4].value == pytest.approx(80.3204)  # the source's spend as reported at 1-7月
    foot = next(r for r in ws.iter_rows() if r[0].value == "填表人")
    assert [c.value for c in foot if c.value] == ["填表人", "张三", "联系电话", "0791-88888888", "审核人", "李四", "填报日期", "2023年8月10日"]


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


def test_the_table_command_fills_the_signature_block(tmp_path):
    from monitor.cli import main
    from monitor.demo import load_demo

    db = tmp_path / "m.duckdb"
    load_demo(Store(db))
    out = tmp_path / "t.xlsx"
    assert main(["--db", str(db), "table", "--project", SEED_PROJECT, "--year", "2023", "--month", "7", "--out", str(out),
                 "--filler", "王五", "--reviewer", "赵六", "--phone", "0791-86666666", "--date", "2023-08-12"]) == 0
    ws = load_workbook(out)["工会经费项目"]
    foot = next(r for r in ws.iter_rows() if r[0].value == "填表人")
    assert [c.value for c in foot if c.value] == ["填表人", "王五", "联系电话", "0791-86666666", "审核人", "赵六", "填报日期", "2023年8月12日"]
    assert "1-7月执行数" in [c.value for r in ws.iter_rows() for c in r]
