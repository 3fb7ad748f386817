"""The lists on screen exported to Excel: title with period and filters, units in headers, real numbers."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from monitor import views
from monitor.access import ADMIN
from monitor.notes import load_notes
from monitor.report.lists import projects_workbook, warnings_workbook
from monitor.warnings import warning_items


def test_the_filtered_low_execution_list_exports_with_its_filters_units_and_formats(demo) -> None:  # type: ignore[no-untyped-def]
    store, st = demo
    f = views.ProjectFilter(levels=("red",))
    rows = views.sort_projects(views.filter_projects(st.projects, f))
    data = projects_workbook(rows, "2023年1-10月低执行项目清单", [f"筛选条件：{views.describe_filter(f)}", "金额单位：万元"])
    ws = load_workbook(io.BytesIO(data))["低执行项目"]
    assert ws["A1"].value == "2023年1-10月低执行项目清单" and ws["A2"].value == "筛选条件：资金灯：红灯"
    header = [c.value for c in ws[5]]  # title, two notes, a blank row
    assert header[:3] == ["资金灯", "项目编码", "项目名称"] and "沉淀资金（万元）" in header and "执行率" in header
    seed = next(r for r in ws.iter_rows(min_row=6) if r[1].value == "360104-ZGH-2023-001")
    by = dict(zip(header, seed, strict=True))
    assert by["资金灯"].value == "红灯" and by["资金灯"].fill.fgColor.rgb.endswith("D62728")
    assert by["累计支出（万元）"].value == 134.5368 and by["累计支出（万元）"].number_format == "#,##0.0000"
    assert by["执行率"].value == 0.2746 and by["执行率"].number_format == "0.00%"
    assert by["落后序时进度（个百分点）"].value == 55.88
    assert ws.max_row == 5 + len(rows) and ws.freeze_panes == "A6"


def test_the_warning_list_exports_blank_idle_money_for_indicator_rows_and_text_never_formulas(demo) -> None:  # type: ignore[no-untyped-def]
    store, st = demo
    items = warning_items(st, load_notes(store, 2023, month=10, actor=ADMIN))
    items.loc[items.index[0], "suggested_measure"] = "=HYPERLINK(\"http://x\")"
    ws = load_workbook(io.BytesIO(warnings_workbook(items, "预警清单", ["筛选条件：无（全部预警）"])))["预警清单"]
    header = [c.value for c in ws[4]]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert len(rows) == len(items) == 8
    idle = header.index("沉淀资金（万元）")
    assert all(r[idle] is None for r in rows if r[header.index("事项")] != "项目资金")
    assert rows[0][header.index("建议措施")] == "=HYPERLINK(\"http://x\")"  # text, not a formula
    assert ws.cell(row=5, column=header.index("建议措施") + 1).data_type == "s"
