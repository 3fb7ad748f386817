"""报告 in AppTest: the date a 2023 report carries, the per-project table, and the scope said aloud."""

from __future__ import annotations

import io

import pytest
from dashboard_support import SEED_PROJECT, demo_db, make_app  # noqa: F401
from openpyxl import load_workbook

pytestmark = pytest.mark.usefixtures("demo_db")


def _report(project: str | None = SEED_PROJECT):  # type: ignore[no-untyped-def]
    at = make_app(**({"project": project} if project else {})).run()
    if project:
        at.switch_page("pages/project.py").run()
    at.switch_page("pages/report.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_2023_report_is_dated_after_its_monitoring_point_not_today() -> None:
    at = _report()
    assert at.text_input("report-date").value == "2023-11-30"
    at.text_input("report-date").input("2023年12月10日").run()
    assert any("报告日期应写成 年-月-日" in e.value for e in at.error)
    at.text_input("report-date").input("2023-12-10").run()
    assert not at.error


def test_the_project_monitoring_table_is_offered_beside_its_report() -> None:
    at = _report()
    at.button(f"make-project-table-{SEED_PROJECT}").click().run()
    assert not at.exception
    data = at.session_state[f"file-project-table-{SEED_PROJECT}"][0]
    wb = load_workbook(io.BytesIO(data))
    assert any("工会经费项目" in str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


def test_the_scope_of_the_tables_and_the_zip_is_named() -> None:
    at = _report(None)
    at.selectbox("report-department").set_value("青云谱区总工会").run()
    assert any("范围：青云谱区总工会，共1个项目" in c.value for c in at.caption)
    labels = [b.label for b in at.button]
    assert "生成青云谱区总工会监控通报（Word）" in labels and "生成青云谱区总工会全部项目报告（zip）" in labels


def test_commissioner_and_basis_open_the_generated_report() -> None:
    from monitor.report import docx_lines

    at = _report()
    at.text_input("report-issuer").input("江西正效咨询管理有限公司").run()
    at.text_input("report-commissioner").input("南昌市青云谱区财政局").run()
    at.text_area("report-basis").input("《甲通知》（甲〔2023〕1号）\n《乙通知》（乙〔2022〕4号）").run()
    if at.checkbox("report-toc").value:
        at.checkbox("report-toc").uncheck().run()  # LibreOffice's page numbers are tested with the CLI and the PDF
    at.button(f"make-project-{SEED_PROJECT}").click().run()
    assert not at.exception
    lines = docx_lines(at.session_state[f"file-project-{SEED_PROJECT}"][0])
    assert any(x.startswith("受南昌市青云谱区财政局委托，江西正效咨询管理有限公司根据《甲通知》（甲〔2023〕1号）、《乙通知》（乙〔2022〕4号）等文件要求")
               for x in lines)


def test_a_paragraph_reworded_on_the_page_is_in_the_exported_report() -> None:
    from monitor.report import docx_lines

    at = _report()
    at.selectbox(f"edit-key-{SEED_PROJECT}").set_value("§四.分析").run()
    assert any("系统生成的文字" in m.value for m in at.markdown)
    at.text_area(f"edit-text-{SEED_PROJECT}-§四.分析").input("截至10月底，项目总体进展顺利（人工修改）。")
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    if at.checkbox("report-toc").value:
        at.checkbox("report-toc").uncheck().run()
    at.button(f"make-project-{SEED_PROJECT}").click().run()
    lines = docx_lines(at.session_state[f"file-project-{SEED_PROJECT}"][0])
    assert "截至10月底，项目总体进展顺利（人工修改）。" in lines
    # the list of paragraphs says which ones carry a person's wording
    assert "§四.分析（已修改）" in at.selectbox(f"edit-key-{SEED_PROJECT}").options
