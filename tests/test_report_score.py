"""The 通报's 年终自评得分预估 section, read back from the .docx."""

from __future__ import annotations

from datetime import date

from monitor.report import department_report, docx_lines
from monitor.score_preview import preview

WHEN = date(2023, 11, 5)


def _section(lines: list[str]) -> list[str]:
    start = next(i for i, ln in enumerate(lines) if ln.endswith("年终自评得分预估"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("八、", "九、", "十、")))
    return lines[start:end]


def test_the_region_bulletin_counts_grades_per_department_and_lists_scores_lowest_first(demo) -> None:  # type: ignore[no-untyped-def]
    store, st = demo
    section = _section(docx_lines(department_report(store, st, report_date=WHEN, chart=False)))
    text = "\n".join(section)
    assert "全区纳入监控的6个项目中，预计年终自评等级为优的1个、良2个、中2个、差0个，无法预估的1个" in text
    assert "1\t南昌市总工会\t5\t1\t1\t2\t0\t1" in section
    assert "2\t青云谱区总工会\t1\t0\t1\t0\t0\t0" in section
    assert "合计\t\t6\t1\t2\t2\t0\t1" in section
    # the figures are the preview's own (the CLI and the card read the same), lowest total first
    seed = preview(st).project("360104-ZGH-2023-001")
    row = next(ln for ln in section if "\t工会经费项目\t" in ln)
    assert row.endswith(f"\t32.95%\t3.30\t{seed.indicator_score}\t—\t{seed.total}\t{seed.grade}")
    totals = [ln.split("\t")[7] for ln in section if ln[:1].isdigit() and ln.count("\t") == 8]
    scored = [float(t) for t in totals if t != "—"]
    assert scored == sorted(scored) and totals[-1] == "—"  # no indicators: last, 无法预估
    assert "计分方法：年终自评得分预估（比例得分（完成率低于60%不得分））" in text


def test_a_department_bulletin_counts_grades_per_unit(demo) -> None:  # type: ignore[no-untyped-def]
    store, st = demo
    section = _section(docx_lines(department_report(store, st, "南昌市总工会", report_date=WHEN, chart=False)))
    assert any(ln.startswith("表") and "各单位项目年终自评预计等级" in ln for ln in section)
    assert "合计\t\t5\t1\t1\t2\t0\t1" in section
    assert not any("工会经费项目" in ln for ln in section)  # another department's project
