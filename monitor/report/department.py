"""The monthly 通报 for a department or the whole region (Word).

What the finance bureau sends out at 1-7月 and 1-10月: execution against the schedule, the ranking
of departments and units, the red list with reasons, indicator lights by 一级/二级, the projects
projected to miss year end, and the corrective measures still open. Long lists are cut at
`max_rows` with a pointer to the Excel monitoring table, which always lists everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from ..errors import NotFound
from ..notes import Note, load_notes
from ..review import Finding, review
from ..status import Status, monthly_curve
from ..store import Store
from . import docx_base as D
from .chart import Curve, render_curve
from .data import default_report_date, notes_in_force
from .phrases import gap_cell, light, light_counts, missing, pct, plain, schedule_gap, wan, whole_pct
from .project import _GROUPS, _LIGHT_FILLS, _group_of  # the project report's order and shading
from .review_part import write_department_section
from .score_table import write_scores

LEVEL_ORDER = {"red": 0, "yellow": 1, "green": 2, "blue": 3, "none": 4}


def department_report(store: Store, status: Status, department: str | None = None, *, region_name: str = "全区",
                      report_date: date | None = None, max_rows: int = 200, chart: bool = True,
                      issuer: str | None = None, basis: Sequence[str] = ()) -> bytes:
    """The 通报 .docx of one department, or of the region when `department` is None.

    issuer: who sends it out (under the title and as the file's author); basis: the documents it
    relies on, each with its 文号, named in the opening sentence.
    """
    scope = _Scope.of(status, department, region_name)
    notes = [n for n in notes_in_force(load_notes(store, status.year, month=status.month, actor=status.actor), status.month)
             if n.project_code in scope.codes]
    curve = _curve(store, status, department) if chart else None
    fixes = _open_fixes(store, status, scope)
    findings = review(store, status.actor, status.year, status.month)  # 目标合理性审核 (review_part)
    w = D.DocWriter()
    when = report_date or default_report_date(status.year, status.month)
    _write(w, scope, notes, curve, when, max_rows, fixes, findings, issuer=(issuer or "").strip(), basis=basis)
    w.flush()
    D.add_page_numbers(w.doc.sections[0])
    D.set_properties(w.doc, title=report_title(status, department, region_name), author=(issuer or "").strip(), when=when,
                     subject=scope.name, keywords="预算执行与绩效运行监控通报")
    return D.to_bytes(w.doc)


def report_title(status: Status, department: str | None, region_name: str = "全区") -> str:
    who = department or region_name
    return f"{status.year}年{who}1-{status.month}月预算执行与绩效运行监控通报"


class _Scope:
    def __init__(self, status: Status, department: str | None, region_name: str):
        self.status = status
        self.department = department
        self.name = department or region_name
        p = status.projects
        if department is not None:
            p = p[p["department_name"] == department]
            if p.empty:
                raise NotFound(f"{status.year}年没有部门「{department}」的项目")
            self.total = status.departments[status.departments["department_name"] == department].iloc[0]
            self.units = status.units[status.units["department_name"] == department]
        else:
            self.total = status.region
            self.units = status.units
        self.projects = p
        self.codes = set(p["project_code"])
        self.indicators = status.labelled_projects(self.codes)  # counting lights needs labels, no wording

    @classmethod
    def of(cls, status: Status, department: str | None, region_name: str) -> _Scope:
        return cls(status, department, region_name)


def _curve(store: Store, status: Status, department: str | None) -> Curve | None:
    c = monthly_curve(store, status.year, status.rules, department=department, actor=status.actor)
    if c.empty or all(missing(v) for v in c["cum_rate_bp"]):
        return None
    spent = [None if missing(v) or int(m) > status.month else int(v) / 100 for m, v in zip(c["month"], c["cum_rate_bp"], strict=False)]
    plan = [None if missing(v) else int(v) / 100 for v in c.get("cum_plan_bp", pd.Series([None] * 12))]
    has_plan = any(v for v in plan if v)
    return Curve(spent, [int(v) / 100 for v in c["schedule_bp"]], plan if has_plan else None, status.month)


def _open_fixes(store: Store, status: Status, scope: _Scope) -> pd.DataFrame:
    """The round's 整改 requests of the scope not answered yet (empty when no round was held)."""
    from ..rounds import submissions

    subs = submissions(store, status.actor, status.year, status.month)
    return subs[subs["needs_fix"] & subs["fix_result"].isna() & subs["project_code"].isin(scope.codes)].reset_index(drop=True)


def _write(w: D.DocWriter, s: _Scope, notes: list[Note], curve: Curve | None, report_date: date, max_rows: int,
           fixes: pd.DataFrame | None = None, findings: Sequence[Finding] | None = None, *, issuer: str = "",
           basis: Sequence[str] = ()) -> None:
    st, t = s.status, s.total
    cutoff = D.ymd(st.schedule.cutoff)
    w.add(style="Title", lines=[f"{st.year}年{s.name}", f"1-{st.month}月预算执行与绩效运行监控通报"])
    if issuer:
        w.add(issuer, D.STYLE_COVER_LINE)
    w.add(D.ymd(report_date), D.STYLE_COVER_LINE)
    if D.split_basis(list(basis)):
        w.para(f"根据{D.basis_phrase(D.split_basis(list(basis)))}，现将{s.name}{st.year}年1-{st.month}月预算执行与绩效运行监控情况通报如下。")

    w.heading(1, "总体情况")
    n = len(s.projects)
    counts = f"红灯项目{int(t['red'])}个、黄灯项目{int(t['yellow'])}个、绿灯项目{int(t['green'])}个"
    arrived = "" if missing(t["arrived_fen"]) else (
        f"资金到位{wan(t['arrived_fen'])}，资金到位率{whole_pct(t['arrival_bp'])}，已到位尚未支出的资金{wan(t['idle_fen'])}。")
    w.para(f"截至{cutoff}，{s.name}纳入监控的项目{n}个，调整后预算{wan(t['budget_fen'])}，累计支出{wan(t['spent_fen'])}，"
           f"{schedule_gap(t['rate_bp'], t['schedule_bp'], t['gap_bp'])}，整体{light(t['level'])}。其中{counts}。{arrived}")
    if curve is not None:
        w.picture(render_curve(curve), width_cm=14.5)
        w.figure_caption(f"图1 {s.name}累计预算执行率与序时进度（截至{st.month}月末）")

    if s.department is None and len(st.departments) > 1:
        w.heading(1, "各部门预算执行进度排名")
        _ranking(w, st.departments, "部门", "department_name", max_rows)
    w.heading(1, "各单位预算执行进度排名")
    units = s.units
    if s.department is None and units["department_name"].nunique() > 1:
        # across departments a unit name alone can be ambiguous (每个部门都有“本级”)
        units = units.assign(unit_name=units["unit_name"] + "（" + units["department_name"] + "）")
    _ranking(w, units, "单位", "unit_name", max_rows)
    w.heading(1, "红灯项目清单")
    _red_list(w, s, notes, max_rows)
    w.heading(1, "绩效指标完成情况")
    _indicator_lights(w, s)
    w.heading(1, "预计年底难以完成的项目")
    _forecast(w, s, max_rows)
    # -- year-end score preview (issue 13 part 3) --
    w.heading(1, "年终自评得分预估")
    write_scores(w, st, s.codes, s.indicators, s.name, s.department is None and len(st.departments) > 1, max_rows)
    w.heading(1, "尚未完成的纠偏措施")
    _open_measures(w, s, notes, max_rows)
    if fixes is not None and len(fixes):
        w.heading(1, "尚未反馈的整改")
        w.para(f"审核中提出整改要求、单位尚未反馈整改结果的项目共{len(fixes)}个。")
        w.caption("尚未反馈的整改")
        w.table([D.Col("序号", 1.1), D.Col("单位", 3.6, left=True), D.Col("项目", 4.6, left=True), D.Col("整改要求", 6.4, left=True)],
                [[i + 1, r.unit_name, r.project_name, r.fix_request] for i, r in enumerate(fixes.itertuples(index=False))])
    # -- 目标合理性审核: the count of target-setting findings by department (unit) ------------------
    if findings is not None:
        write_department_section(w, findings, s.projects, s.department is None, s.name)
    # -- end of 目标合理性审核 --------------------------------------------------------------------------
    w.heading(1, "工作要求")
    w.para("请各单位对照红灯项目清单和尚未完成的纠偏措施，逐项分析原因，填写偏差原因、完成目标可能性和纠偏措施，"
           "明确责任人和完成时限；预计年底难以完成的项目，应提前安排支付计划，避免资金集中于年底支出。")
    w.page_break()
    w.add("附件：本通报采用的监控规则", "Heading 1")
    w.para(f"监控时间节点{cutoff}，序时进度{pct(st.schedule.bp)}；金额单位为万元，比率按四舍五入保留两位小数；"
           "部门和单位的执行率按金额加权（Σ累计支出 ÷ Σ执行率分母），不是项目执行率的平均数。")
    for i, line in enumerate(st.rules.describe(), 1):
        w.para(f"{i}. {plain(line)}")


def _cut(w: D.DocWriter, total: int, shown: int, what: str) -> None:
    if total > shown:
        w.note(f"注：共{total}{what}，本表列出前{shown}{what}，完整名单见《绩效目标执行监控表》（Excel）。")


def _ranking(w: D.DocWriter, groups: pd.DataFrame, noun: str, key: str, max_rows: int) -> None:
    if groups.empty:
        w.para(f"无{noun}数据。")
        return
    g = groups.sort_values(["rate_bp", key], ascending=[False, True], na_position="last", kind="stable")
    top, bottom = g.iloc[0], g.iloc[-1]
    w.para(f"按预算执行率由高到低排列，共{len(g)}个{noun}；执行率最高的是{top[key]}（{pct(top['rate_bp'])}），"
           f"最低的是{bottom[key]}（{pct(bottom['rate_bp'])}）。")
    w.caption(f"{noun}预算执行进度排名")
    rows, fills = [], {}
    for i, r in enumerate(g.head(max_rows).itertuples(index=False)):
        rows.append([i + 1, getattr(r, key), int(r.projects), wan(r.budget_fen).removesuffix("万元"),
                     wan(r.spent_fen).removesuffix("万元"), pct(r.rate_bp), gap_cell(r.gap_bp),
                     f"{int(r.red)}/{int(r.yellow)}/{int(r.green)}", light(r.level)])
        fills[(i, 8)] = _LIGHT_FILLS.get(r.level, "")
    w.table([D.Col("排名", 1.0), D.Col(noun, 3.8, left=True), D.Col("项目数", 1.2), D.Col("调整后预算（万元）", 2.1),
             D.Col("累计支出（万元）", 2.1), D.Col("执行率", 1.5), D.Col("落后序时进度（个百分点）", 1.7),
             D.Col("红/黄/绿", 1.4), D.Col("预警", 1.2)], rows, fills=fills, font_pt=D.WIDE_TABLE_PT)
    _cut(w, len(g), min(len(g), max_rows), f"个{noun}")


def _reason(r, notes: dict[tuple[str, str], Note]) -> str:  # type: ignore[no-untyped-def]
    note = notes.get((r.project_code, ""))
    why = plain(r.level_reason)
    if note and note.explanation:
        return f"{why}。单位说明：{note.explanation}"
    return f"{why}。单位尚未填写原因说明"


def _red_list(w: D.DocWriter, s: _Scope, notes: list[Note], max_rows: int) -> None:
    red = s.projects[s.projects["level"] == "red"]
    if red.empty:
        w.para("本期无红灯项目。")
        return
    # sorted by idle money, not by rate: a 2万元 project at 10% matters less than a 2,000万元 one at 40%
    red = red.assign(unspent_fen=red["idle_fen"].fillna(red["budget_fen"] - red["spent_fen"]))
    red = red.sort_values(["unspent_fen", "project_code"], ascending=[False, True], kind="stable")
    unexplained = sum(1 for c in red["project_code"] if not any(n.project_code == c and n.indicator_name == "" and n.explanation for n in notes))
    w.para(f"共有红灯项目{len(red)}个，调整后预算合计{wan(int(red['budget_fen'].sum()))}，累计支出{wan(int(red['spent_fen'].sum()))}；"
           f"其中{unexplained}个项目尚未填写原因说明。按尚未支出的资金由多到少排列如下。")
    w.caption("红灯项目清单")
    by_key = {(n.project_code, n.indicator_name): n for n in notes}
    rows = []
    for i, r in enumerate(red.head(max_rows).itertuples(index=False)):
        rows.append([i + 1, r.unit_name, r.project_name, wan(r.budget_fen).removesuffix("万元"), pct(r.rate_bp),
                     gap_cell(r.gap_bp), wan(r.unspent_fen).removesuffix("万元"), _reason(r, by_key)])
    w.table([D.Col("序号", 0.9), D.Col("单位", 2.2, left=True), D.Col("项目名称", 2.6, left=True),
             D.Col("调整后预算（万元）", 1.8), D.Col("执行率", 1.4), D.Col("落后（个百分点）", 1.4),
             D.Col("未支出（万元）", 1.7), D.Col("原因", 4.0, left=True)], rows, font_pt=D.WIDE_TABLE_PT)
    _cut(w, len(red), min(len(red), max_rows), "个红灯项目")


def _indicator_lights(w: D.DocWriter, s: _Scope) -> None:
    inds = s.indicators
    if inds.empty:
        w.para("本期无纳入跟踪的绩效指标。")
        return
    # first appearance in declared order (the Status's row order varies between runs)
    inds = inds.sort_values(["project_code", "seq"], kind="stable")
    c = inds.groupby(["level1", "level2", "level"], sort=False).size().unstack("level", fill_value=0)
    rank = {t: i for i, (_, t) in enumerate(_GROUPS)}
    c = c.iloc[sorted(range(len(c)), key=lambda i: (rank.get(_group_of(c.index[i][0]), len(rank)), i))]
    for lv in LEVEL_ORDER:
        if lv not in c.columns:
            c[lv] = 0
    total = {lv: int((inds["level"] == lv).sum()) for lv in LEVEL_ORDER}
    w.para(f"{s.name}纳入跟踪的绩效指标共{len(inds)}项，其中"
           f"{light_counts(total['red'], total['yellow'], total['green'], total['blue'], total['none'])}。"
           "按一级、二级指标分类统计如下。")
    w.caption("绩效指标预警情况（按一级、二级指标）")
    rows = [[l1, l2, int(r.sum()), int(r["green"]), int(r["blue"]), int(r["yellow"]), int(r["red"]), int(r["none"])]
            for (l1, l2), r in c.iterrows()]
    rows.append(["合计", "", len(inds), total["green"], total["blue"], total["yellow"], total["red"], total["none"]])
    w.table([D.Col("一级指标", 2.4), D.Col("二级指标", 3.2), D.Col("指标数", 1.6), D.Col("绿灯", 1.5), D.Col("超额", 1.5),
             D.Col("黄灯", 1.5), D.Col("红灯", 1.5), D.Col("未评判", 1.6)], rows, merge_cols=(0,))


def _forecast(w: D.DocWriter, s: _Scope, max_rows: int) -> None:
    f = s.projects[s.projects["forecast_miss"].fillna(False).astype(bool)]
    if f.empty:
        w.para("目前执行进度正常的项目中，未发现预计年底难以完成的项目。")
        return
    f = f.sort_values(["projected_bp", "project_code"], kind="stable")
    w.para(f"以下{len(f)}个项目目前执行进度正常（绿灯），但按现有进度测算，年底执行率难以达到预警要求，需提前安排支付计划。")
    w.caption("预计年底难以完成的项目")
    rows = []
    for i, r in enumerate(f.head(max_rows).itertuples(index=False)):
        rows.append([i + 1, r.unit_name, r.project_name, pct(r.rate_bp), pct(r.projected_bp), r.projected_basis,
                     wan(r.required_monthly_fen).removesuffix("万元")])
    w.table([D.Col("序号", 0.9), D.Col("单位", 2.8, left=True), D.Col("项目名称", 3.6, left=True), D.Col("当前执行率", 1.7),
             D.Col("预计年底执行率", 1.9), D.Col("测算依据", 2.2), D.Col("须月均支出（万元）", 2.2)], rows,
            font_pt=D.WIDE_TABLE_PT)
    _cut(w, len(f), min(len(f), max_rows), "个项目")


def _open_measures(w: D.DocWriter, s: _Scope, notes: list[Note], max_rows: int) -> None:
    names = dict(zip(s.projects["project_code"], s.projects["project_name"], strict=False))
    units = dict(zip(s.projects["project_code"], s.projects["unit_name"], strict=False))
    open_ = sorted((n for n in notes if n.is_open), key=lambda n: (n.due_month or 13, units.get(n.project_code, ""), n.project_code))
    if not open_:
        w.para("本期无尚未完成的纠偏措施。")
        return
    overdue = sum(1 for n in open_ if n.due_month is not None and n.due_month < s.status.month)
    late = f"，其中{overdue}项已超过完成时限" if overdue else ""
    w.para(f"截至{D.ymd(s.status.schedule.cutoff)}，尚未完成的纠偏措施共{len(open_)}项{late}，按完成时限排列如下。")
    w.caption("尚未完成的纠偏措施")
    rows = []
    for i, n in enumerate(open_[:max_rows]):
        rows.append([i + 1, f"{units.get(n.project_code, '')}\n{names.get(n.project_code, n.project_code)}",
                     n.indicator_name or "预算执行", n.measure_type or "—", n.measure or "—", n.owner or "—",
                     f"{n.due_month}月" if n.due_month else "—", n.status or "未开始"])
    w.table([D.Col("序号", 0.9), D.Col("单位/项目", 2.8, left=True), D.Col("事项", 2.2, left=True), D.Col("措施类型", 1.6),
             D.Col("纠偏措施", 4.4, left=True), D.Col("责任人", 1.6), D.Col("时限", 1.0), D.Col("状态", 1.3)], rows,
            font_pt=D.WIDE_TABLE_PT)
    _cut(w, len(open_), min(len(open_), max_rows), "项措施")
