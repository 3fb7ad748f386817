"""The department / region 通报 (Word)."""

from __future__ import annotations

from datetime import date

import pytest
from _report_golden import check_golden

from monitor.errors import NotFound
from monitor.report import department_report, department_report_title, docx_lines

WHEN = date(2023, 11, 5)


def test_region_golden(demo):
    store, st = demo
    check_golden("report_region_2023_10.txt", docx_lines(department_report(store, st, report_date=WHEN)))


def test_department_golden(demo):
    store, st = demo
    lines = docx_lines(department_report(store, st, "南昌市总工会", report_date=WHEN))
    check_golden("report_department_nczgh_2023_10.txt", lines)
    text = "\n".join(lines)
    assert "各部门预算执行进度排名" not in text  # one department: units only
    assert "南昌市总工会（本级）" in text and "本期无红灯项目" in text


def test_region_ranks_departments_and_lists_the_red_project(demo):
    store, st = demo
    text = "\n".join(docx_lines(department_report(store, st, report_date=WHEN, chart=False)))
    assert department_report_title(st, None) == "2023年全区1-10月预算执行与绩效运行监控通报"
    ranks = [ln for ln in text.splitlines() if ln.startswith(("1\t", "2\t"))]
    assert ranks[0].startswith("1\t南昌市总工会\t") and ranks[1].startswith("2\t青云谱区总工会\t")
    assert "1\t青云谱区总工会\t工会经费项目\t490\t27.46%\t55.88\t355.4632\t" in text
    assert "主要是因为部分项目完成但未结算" in text  # the unit's reason next to the light's reason
    assert "尚未完成的纠偏措施共3项" in text


def test_unknown_department(demo):
    store, st = demo
    with pytest.raises(NotFound):
        department_report(store, st, "不存在的部门")
