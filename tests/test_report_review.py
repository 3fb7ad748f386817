"""The 目标合理性 parts of the reports, read back from the .docx: §五 of seed 004's project report and
the count by department (unit) in the 通报."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from docx import Document
from test_core_review import well_set_store

from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT
from monitor.report import department_report, docx_lines, project_report
from monitor.status import compute_status

WHEN = date(2023, 12, 10)


def _between(lines: list[str], start: str, stop: str) -> list[str]:
    i = next(k for k, x in enumerate(lines) if x.endswith(start) and "\t" not in x and k > 40)
    j = next(k for k, x in enumerate(lines[i + 1:], i + 1) if stop in x)
    return lines[i + 1:j]


def test_section5_lists_the_target_problems_and_their_fixes(demo):
    store, st = demo
    lines = docx_lines(project_report(store, st, SEED_PROJECT, report_date=WHEN, chart=False))
    problems = _between(lines, "部分指标设置不合理", "（二）改进措施")
    assert problems[0].startswith("对照绩效目标设置要求，对项目申报和核对后的绩效指标逐项审核，发现目标设置方面的问题16项，其中2项")
    items = problems[1:]
    assert len(items) == 16 and items[0].startswith("①资金作为数量指标：数量指标“上解上级工会经费(万)”（=73.5万）")
    assert "⑦目标值明显偏低：“开展送温暖人数”截至10月末实际完成1000人，为年度目标值（≥200人）的500.00%" in "\n".join(items)
    # a quotation inside a quoted name takes single marks, as reviewers write
    assert any(x.startswith("⑥目标值明显偏低：“‘携手小康’就业重点群体技能培训(人)”") for x in items)
    assert items[-1].startswith("⑯年度绩效目标无明确工作内容：年度绩效目标“提升工会服务群众的能力和水平")
    assert not any("÷" in x or "×" in x for x in items)  # sentences, not formulas
    fixes = _between(lines, "调整绩效指标设置", "（三）绩效跟踪结论")
    text = "\n".join(fixes)
    assert "①“上解上级工会经费工作完成率”：建议将“上解上级工会经费”调整为成本指标（经济成本），指标值为≤73.5万元" in text
    assert "“开展送温暖人数”：建议按实际完成水平将目标值调高至≥1000人" in text
    # three deleted percentages share one piece of advice, named together
    assert "“加强制度建设,提升服务水平”“项目完成时间”“促进民营经济发展”：目标核对中已删除该指标" in text


def test_a_well_set_project_report_has_no_target_section(tmp_path: Path):
    s = well_set_store(tmp_path)
    st = compute_status(s, 2023, 10, actor=ADMIN)
    text = "\n".join(docx_lines(project_report(s, st, "G-1", report_date=WHEN, chart=False)))
    assert "部分指标设置不合理" not in text and "调整绩效指标设置" not in text
    region = docx_lines(department_report(s, st, report_date=WHEN, chart=False))
    assert "对全区1个项目的绩效目标逐项审核，未发现目标设置问题。" in region


def _review_table(docx: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(docx))
    t = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][1:4] == ["项目数", "有问题的项目数", "目标设置问题数"])
    return [[c.text for c in r.cells] for r in t.rows]


def test_region_bulletin_counts_findings_by_department(demo):
    store, st = demo
    rows = _review_table(department_report(store, st, report_date=WHEN, chart=False))
    assert rows[0][0] == "部门"
    by = {r[0]: r[1:] for r in rows[1:]}
    assert by["青云谱区总工会"][:3] == ["1", "1", "16"]
    assert "资金作为数量指标2项" in by["青云谱区总工会"][3] and "目标值明显偏低4项" in by["青云谱区总工会"][3]
    assert by["南昌市总工会"][:3] == ["5", "4", "7"] and "缺少成本指标4项" in by["南昌市总工会"][3]
    assert by["合计"][:3] == ["6", "5", "23"]


def test_department_bulletin_counts_by_unit_within_its_scope(demo):
    store, st = demo
    rows = _review_table(department_report(store, st, "南昌市总工会", report_date=WHEN, chart=False))
    assert rows[0][0] == "单位"
    units = [r[0] for r in rows[1:]]
    assert "青云谱区总工会" not in units and units[-1] == "合计"
    assert rows[-1][1:4] == ["5", "4", "7"]
