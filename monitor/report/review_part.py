"""The 目标合理性 parts of the reports: §五's "目标设置方面" problems and "调整绩效指标设置" measures in
the project report, and the count of findings by department (or unit) in the 通报.

Wording only: the findings come from monitor.review as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ..review import CHECK, REVIEW_RULES, Finding
from . import docx_base as D

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _n(i: int) -> str:
    return _CIRCLED[i] if i < len(_CIRCLED) else f"({i + 1})"


_NAMED = re.compile(r"「([^」]*)」")


def _quoted(name: str) -> str:
    """“name” as seed 004 quotes, a quotation inside it in single marks (“‘携手小康’就业…”)."""
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def _quotes(text: str) -> str:
    """The review writes 「」 around names; a report quotes with “ ” as seed 004 does."""
    return _NAMED.sub(lambda m: _quoted(m.group(1)), text)


def _where(f: Finding) -> str:
    return _quoted(f.indicator_name) if f.indicator_name else "年度绩效目标" if f.rule == "goal_without_content" else "项目整体"


def write_problems(w: D.DocWriter, findings: Sequence[Finding]) -> None:
    """§五（一）主要问题: one heading, then one paragraph per finding, grouped by rule."""
    if not findings:
        return
    w.heading(3, "部分指标设置不合理")  # seed 004 §五（一）1
    checks = sum(1 for f in findings if f.severity == CHECK)
    tail = f"，其中{checks}项为需项目单位核实的情况" if checks else ""
    w.para(f"对照绩效目标设置要求，对项目申报和核对后的绩效指标逐项审核，发现目标设置方面的问题{len(findings)}项{tail}"
           "（目标核对中已删除或调整的指标，按申报时的内容审核）。")
    order = {r.code: k for k, r in enumerate(REVIEW_RULES)}
    for i, f in enumerate(sorted(findings, key=lambda f: order.get(f.rule, len(order)))):
        check = "请项目单位核实。" if f.severity == CHECK else ""
        w.para(f"{_n(i)}{f.title}：{_quotes(f.evidence)}{check}")


def write_measures(w: D.DocWriter, findings: Sequence[Finding]) -> bool:
    """§五（二）改进措施: the suggestions, one per distinct text (three deleted indicators with the same
    advice are named together). Returns whether anything was written."""
    if not findings:
        return False
    by_text: dict[str, list[str]] = {}
    for f in findings:
        by_text.setdefault(f.suggestion, [])
        where = _where(f)
        if where not in by_text[f.suggestion]:
            by_text[f.suggestion].append(where)
    w.heading(3, "调整绩效指标设置")
    w.para("建议项目单位对照以下意见调整绩效指标，通过清晰、细化、可衡量的指标值体现绩效目标：")
    for i, (text, where) in enumerate(by_text.items()):
        w.para(f"{_n(i)}{''.join(where)}：{_quotes(text)}")
    return True


def counts_table(findings: Sequence[Finding], groups: pd.DataFrame, key: str, noun: str) -> tuple[list[D.Col], list[list[object]]]:
    """The 通报's table: per department (or unit) its projects, projects with findings, findings, and
    findings by rule. `groups`: the projects of the report with their `key` column (department or unit)."""
    by_project: dict[str, list[Finding]] = {}
    for f in findings:
        by_project.setdefault(f.project_code, []).append(f)
    rows: list[list[object]] = []
    totals = [0, 0, 0]
    for name, g in groups.groupby(key, sort=True):
        codes = list(g["project_code"])
        mine = [f for c in codes for f in by_project.get(c, [])]
        kinds = {r.title: sum(1 for f in mine if f.rule == r.code) for r in REVIEW_RULES}
        kinds_text = "、".join(f"{t}{n}项" for t, n in kinds.items() if n) or "—"
        with_findings = sum(1 for c in codes if by_project.get(c))
        rows.append([name, len(codes), with_findings, len(mine), kinds_text])
        totals = [totals[0] + len(codes), totals[1] + with_findings, totals[2] + len(mine)]
    if len(rows) > 1:
        all_kinds = {r.title: sum(1 for f in findings if f.rule == r.code and f.project_code in set(groups["project_code"]))
                     for r in REVIEW_RULES}
        rows.append(["合计", *totals, "、".join(f"{t}{n}项" for t, n in all_kinds.items() if n) or "—"])
    cols = [D.Col(noun, 3.6, left=True), D.Col("项目数", 1.4), D.Col("有问题的项目数", 1.8), D.Col("目标设置问题数", 1.8),
            D.Col("其中各类", 7.4, left=True)]
    return cols, rows


def write_department_section(w: D.DocWriter, findings: Sequence[Finding], projects: pd.DataFrame, by_department: bool,
                             name: str) -> None:
    """The 通报's 绩效目标设置问题 chapter: a sentence and the table by department (or by unit)."""
    findings = [f for f in findings if f.project_code in set(projects["project_code"])]
    w.heading(1, "绩效目标设置问题")
    key, noun = ("department_name", "部门") if by_department else ("unit_name", "单位")
    with_findings = len({f.project_code for f in findings})
    if not findings:
        w.para(f"对{name}{len(projects)}个项目的绩效目标逐项审核，未发现目标设置问题。")
        return
    checks = sum(1 for f in findings if f.severity == CHECK)
    settled = sum(1 for f in findings if f.settled)
    among = "、".join(x for x in (f"{checks}项需项目单位核实" if checks else "",
                                  f"{settled}项在目标核对中已删除或调整" if settled else "") if x)
    w.para(f"对{name}{len(projects)}个项目的绩效目标逐项审核（资金作为数量指标、目标值明显偏低、指标值无法衡量等"
           f"{len(REVIEW_RULES)}条规则），{with_findings}个项目存在目标设置问题{len(findings)}项"
           + (f"（其中{among}）" if among else "") + f"，按{noun}统计如下；各项目的问题和建议见项目监控报告。")
    w.caption(f"绩效目标设置问题（按{noun}）")
    cols, rows = counts_table(findings, projects, key, noun)
    w.table(cols, rows, font_pt=D.WIDE_TABLE_PT)
