"""The 1-m月 project monitoring report (Word), in the shape of seed 004.

Cover, contents, then 一、项目基本情况 … 五、问题、纠偏措施和建议 and an appendix with the rules in
force. Every figure, light and reason comes from the `Status`; the prose around them is fixed
wording, and the §五 problems and measures are the units' own notes (with the system's suggested
wording, marked as such, for red and yellow items nobody has explained yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..notes import Note
from ..project_facts import THIRD_PARTY, ProjectFacts, activities_until, sources_sentence
from ..rules import Rules
from ..status import Status
from ..store import Store
from ..warnings import SuggestedNote, suggest_for_indicator, suggest_for_project
from . import docx_base as D
from . import prose
from .chart import render_curve
from .data import ReportData, default_report_date, load
from .data import grouped as _grouped
from .phrases import light, missing, opt_int, pct, plain, schedule_gap, wan, whole_pct
from .review_part import write_measures, write_problems

DELETED = "删除"
ADDED = "新增指标"
ADJUSTED = "调整"
HALT_MEASURES = ("暂停项目实施", "停止拨款并收回统筹", "暂缓拨款")


# -- public ---------------------------------------------------------------------------------
def project_report(store: Store, status: Status, code: str, *, issuer: str | None = None,
                   report_date: date | None = None, chart: bool = True, basis: Sequence[str] = (),
                   commissioner: str | None = None) -> bytes:
    """The .docx bytes of one project's monitoring report.

    basis: the documents the monitoring relies on, each with its 文号; commissioner: who commissioned it.
    """
    return render_project_report(load(store, status, [code]), code, issuer=issuer, report_date=report_date, chart=chart,
                                 basis=basis, commissioner=commissioner)


def render_project_report(data: ReportData, code: str, *, issuer: str | None = None,
                          report_date: date | None = None, chart: bool = True, basis: Sequence[str] = (),
                          commissioner: str | None = None) -> bytes:
    """Like `project_report`, from data already loaded (a zip loads once for every project)."""
    ctx = _Context.of(data, code, issuer=issuer, report_date=report_date or default_report_date(data.status.year, data.status.month), chart=chart)
    ctx.basis, ctx.commissioner = tuple(b.strip() for b in basis if b.strip()), (commissioner or "").strip()
    return D.to_bytes(_build(ctx))


def report_paragraphs(data: ReportData, code: str, *, issuer: str | None = None) -> list[tuple[str, str]]:
    """(key, generated text) of every paragraph a person may reword, in document order (edits not applied)."""
    ctx = _Context.of(data, code, issuer=issuer, report_date=default_report_date(data.status.year, data.status.month), chart=False)
    _build(ctx)
    return list(ctx.generated.items())


def report_title(status: Status, code: str) -> str:
    """2023年青云谱区总工会工会经费项目1-10月份绩效运行监控报告."""
    p = status.project(code)
    return f"{status.year}年{_unit_and_name(p)}{_period(status.month)}绩效运行监控报告"


def tracking_conclusion(project: pd.Series, indicators: pd.DataFrame, notes: Sequence[Note]) -> str:
    """继续执行 / 继续执行，但需纠偏 / 调整 / 暂停, from the lights and the units' 完成目标可能性.

    Only the units' own likelihoods count: a suggested 完全不可能 is the system's guess and should
    not by itself put a project on hold.
    """
    hopeless = [n for n in notes if n.likelihood == "完全不可能"]
    if hopeless:
        return "暂停" if any(n.measure_type in HALT_MEASURES for n in hopeless) else "调整"
    if project["level"] == "red" or (indicators["level"] == "red").any():
        return "继续执行，但需纠偏"
    return "继续执行"


# -- context --------------------------------------------------------------------------------
@dataclass
class _Context:
    status: Status
    p: pd.Series
    master: dict[str, object]
    declared: pd.DataFrame
    inds: pd.DataFrame
    notes: list[Note]
    data: ReportData
    issuer: str
    report_date: date
    chart: bool
    basis: tuple[str, ...] = ()
    commissioner: str = ""
    generated: dict[str, str] = field(default_factory=dict)  # paragraph key → generated text, in order

    def _keyed(self, key: str, text: str) -> str:
        """Record the generated paragraph under a stable key; return the person's edit of it if any."""
        base, n = key, 2
        while key in self.generated:  # two paragraphs of one heading: 键, 键.2, …
            key, n = f"{base}.{n}", n + 1
        self.generated[key] = text
        return self.data.edits.get(str(self.p["project_code"]), {}).get(key, text)

    def para(self, w: D.DocWriter, key: str, text: str) -> None:
        w.paras(self._keyed(key, text))

    def add(self, w: D.DocWriter, key: str, text: str, style: str, **kw: object) -> None:
        w.add(self._keyed(key, text), style, **kw)

    @classmethod
    def of(cls, data: ReportData, code: str, *, issuer: str | None, report_date: date, chart: bool) -> _Context:
        st = data.status
        p = st.project(code)
        inds = _grouped(data.project_indicators(code))
        declared = data.declared.get(code)
        if declared is None:
            declared = pd.DataFrame(columns=["seq", "level1", "level2", "name", "target_text", "adjust_type",
                                             "explanation", "original_name", "original_target"])
        notes = data.notes.get(code, [])
        facts = data.facts.get(code)
        # a commissioned third party signs its own report (seed 004 is signed by 江西正效)
        third = facts.third_party.strip() if facts and facts.monitor_body == THIRD_PARTY else ""
        return cls(st, p, data.master.get(code, {}), _grouped(declared), inds, notes, data,
                   issuer or third or str(p["unit_name"]), report_date, chart)

    @property
    def unit_signs(self) -> bool:
        """The report is the unit's own: its notes are its own statements, not quotations."""
        return self.issuer.strip() in (str(self.p["unit_name"]), str(self.p["department_name"]))

    @property
    def evaluator_signs(self) -> bool:
        f = self.facts
        return f.monitor_body == THIRD_PARTY and bool(f.third_party.strip()) and self.issuer.strip() == f.third_party.strip()

    @property
    def money_level(self) -> str:
        return str(self.p["level"])

    @property
    def cutoff(self) -> str:
        return D.ymd(self.status.schedule.cutoff)

    @property
    def name(self) -> str:
        return str(self.p["project_name"])

    @property
    def facts(self) -> ProjectFacts:
        code = str(self.p["project_code"])
        return self.data.facts.get(code) or ProjectFacts(self.status.year, code)

    def note_for(self, indicator: str) -> Note | None:
        for n in self.notes:
            if n.indicator_name == indicator:
                return n
        return None


def _unit_and_name(p: pd.Series) -> str:
    # 南昌市总工会（本级）基本支出 already names its unit; do not say it twice
    unit, name = str(p["unit_name"]), str(p["project_name"])
    return name if name.startswith(unit) else unit + name


def _period(month: int) -> str:
    return "1月份" if month == 1 else f"1-{month}月份"


def _text(v: object, default: str = "—") -> str:
    return default if missing(v) or str(v).strip() == "" else str(v)


# -- the document ---------------------------------------------------------------------------
def _build(ctx: _Context):  # type: ignore[no-untyped-def]
    w = D.DocWriter()
    _cover(ctx, w)
    w.page_break()
    w.add("目  录", "Title")
    anchor = w.anchor()
    D.start_body_section(w.doc)
    _body(ctx, w)
    # the contents list needs the headings, so it is written last and moved up to its place
    w.toc_before(anchor)
    D.set_properties(w.doc, title=report_title(ctx.status, str(ctx.p["project_code"])), author=ctx.issuer,
                     when=ctx.report_date, subject=ctx.name, keywords="绩效运行监控")
    return w.doc


def _cover(ctx: _Context, w: D.DocWriter) -> None:
    for _ in range(5):
        w.add("", D.STYLE_COVER_LINE)
    # broken before 1-10月份 by hand: left to itself the line breaks inside “1-10”
    w.add(style=D.STYLE_COVER_TITLE, lines=[f"{ctx.status.year}年{_unit_and_name(ctx.p)}", f"{_period(ctx.status.month)}绩效运行监控报告"])
    for _ in range(10):
        w.add("", D.STYLE_COVER_LINE)
    w.add(ctx.issuer, D.STYLE_COVER_LINE)
    w.add(D.ymd(ctx.report_date), D.STYLE_COVER_LINE)


def _body(ctx: _Context, w: D.DocWriter) -> None:
    st = ctx.status
    w.add(style="Title", lines=[f"{st.year}年{ctx.name}", f"{_period(st.month)}绩效运行监控报告"])
    start, end = ctx.master.get("start_date"), ctx.master.get("end_date")
    dates = f"项目起止日期为{D.ymd(start)}至{D.ymd(end)}，" if not missing(start) and not missing(end) else ""
    # as seed 004 opens: 受……委托，……根据《……》（文号）等文件要求，对……进行了绩效监控; a commissioned
    # third party named in the project's facts is the one who monitored
    third = ctx.facts.third_party if ctx.facts.monitor_body == THIRD_PARTY and ctx.facts.third_party else ""
    by = f"受{ctx.commissioner}委托，" if ctx.commissioner else ("受委托，" if third else "")
    ctx.para(w, "开头", f"{by}{third or ctx.issuer}根据{D.basis_phrase(ctx.basis)}，对{st.year}年{ctx.p['unit_name']}{ctx.name}进行了绩效运行监控，"
           f"{dates}监控时间节点为{ctx.cutoff}。本报告依据项目单位报送的预算执行数据、绩效指标完成情况和监控说明形成。")
    _basics(ctx, w)
    _targets(ctx, w)
    _money(ctx, w)
    _performance(ctx, w)
    _problems(ctx, w)
    _rules_appendix(st.rules, st, w)
    _attachments_appendix(ctx.data, str(ctx.p["project_code"]), w)


# 一、项目基本情况
def _basics(ctx: _Context, w: D.DocWriter) -> None:
    st, p = ctx.status, ctx.p
    w.heading(1, "项目基本情况")
    w.heading(2, "项目名称")
    ctx.para(w, "§一.项目名称", f"{st.year}年{ctx.name}（项目编码：{p['project_code']}），主管部门为{p['department_name']}，实施单位为{p['unit_name']}。")
    w.heading(2, "项目起止日期")
    start, end = ctx.master.get("start_date"), ctx.master.get("end_date")
    w.para(f"{D.ymd(start)}至{D.ymd(end)}。" if not missing(start) and not missing(end) else "项目单位未填报项目起止日期。")
    w.heading(2, "项目主要内容、涉及范围")
    facts = ctx.facts
    for title, text in (("项目背景", facts.background), ("立项依据", facts.basis)):
        if text.strip():
            w.heading(3, title)
            w.paras(text)
    acts = activities_until(facts.activities, st.schedule.cutoff)
    if facts.background.strip() or facts.basis.strip() or acts:
        w.heading(3, "项目内容")
    content = ctx.master.get("content")
    if missing(content) or not str(content).strip():
        w.para("项目单位未填报项目主要内容。")
    else:
        w.paras(str(content))
    if acts:
        start = ctx.master.get("start_date")
        since = f"项目于{D.ymd(start)}开始实施，" if not missing(start) else ""
        w.para(f"{since}截至{ctx.cutoff}已开展以下工作：")
        for i, a in enumerate(acts, 1):
            w.para(f"（{i}）{a.title}（{a.when}）" + (f"：{a.text}" if a.text else "。"))
    w.heading(2, "项目资金投入安排情况")
    w.heading(3, "资金投入情况")
    sources = sources_sentence(ctx.data.sources.get(str(p["project_code"]), []))
    ctx.para(w, "§一.资金投入情况", f"{_budget_phrase(ctx)}{'，' + sources if sources else ''}。{_arrival_sentence(ctx)}")
    w.heading(3, "资金使用情况")
    ctx.para(w, "§一.资金使用情况", f"截至{ctx.cutoff}，实际支出{wan(p['spent_fen'])}，{schedule_gap(p['rate_bp'], p['schedule_bp'], p['gap_bp'])}。")


def _budget_phrase(ctx: _Context) -> str:
    p = ctx.p
    head = f"{ctx.name}{ctx.status.year}年"
    if opt_int(p["initial_fen"]) == opt_int(p["budget_fen"]):
        return f"{head}安排预算{wan(p['budget_fen'])}"
    return f"{head}年初预算{wan(p['initial_fen'])}，调整后预算{wan(p['budget_fen'])}"


def _arrival_sentence(ctx: _Context) -> str:
    p = ctx.p
    if missing(p["arrived_fen"]):
        return f"截至跟踪节点（{ctx.cutoff}），项目单位未报送资金到位数据。"
    full = "，资金已全部到位" if opt_int(p["arrival_bp"]) is not None and int(p["arrival_bp"]) >= 10000 else ""
    return f"截至跟踪节点（{ctx.cutoff}），预算资金到位{wan(p['arrived_fen'])}，资金到位率为{whole_pct(p['arrival_bp'])}{full}。"


# 二、绩效目标的核对和确定情况
def _targets(ctx: _Context, w: D.DocWriter) -> None:
    d = ctx.declared
    w.heading(1, "绩效目标的核对和确定情况")
    w.heading(2, "项目绩效目标设定情况")
    declared = d[d["adjust_type"] != ADDED] if not d.empty else d
    kinds = "、".join(f"{k}{n}项" for k, n in declared["level1"].value_counts(sort=False).items()) if not declared.empty else ""
    w.para(f"{ctx.name}在申请预算时填报了绩效目标，共设置绩效指标{len(declared)}项" + (f"（{kinds}）" if kinds else "")
           + "，具体见下表。")
    w.caption("项目绩效目标申报表")
    rows = []
    for r in declared.itertuples(index=False):
        adjusted = r.adjust_type == ADJUSTED and not missing(r.original_name) and str(r.original_name).strip()
        name = str(r.original_name) if adjusted else r.name
        target = _text(r.original_target, _text(r.target_text)) if adjusted else _text(r.target_text)
        rows.append([r.level1, r.level2, name, target])
    goal = _text(ctx.master.get("annual_goal"), "项目单位未填报年度绩效目标。")
    w.table([D.Col("一级指标", 2.6), D.Col("二级指标", 3.0), D.Col("三级指标", 7.2, left=True), D.Col("指标目标值", 3.2)],
            rows, merge_cols=(0, 1), lead_rows=[("年度绩效目标", goal)])

    w.heading(2, "项目绩效目标核对和确定情况")
    # 表2 as in the seed: the total goal as declared, and as adjusted when the data says it was
    w.heading(3, "年度绩效目标设定")
    adjusted = bool(ctx.facts.goal_adjusted and ctx.facts.adjusted_goal.strip())
    w.para("项目年度总体绩效目标与申报内容核对如下表" + ("，年度总体目标已按实际工作任务调整。" if adjusted else "。"))
    w.caption("项目总目标调整表")
    w.table([D.Col("", 2.6), D.Col("原申报表内容", 7.4, left=True), D.Col("是否调整", 2.0), D.Col("调整后内容", 4.0, left=True)],
            [["年度绩效目标", goal, "是", ctx.facts.adjusted_goal] if adjusted else ["年度绩效目标", goal, "否", "—"]])
    w.heading(3, "年度分解目标核对、确定")
    counts = d["adjust_type"].value_counts() if not d.empty else pd.Series(dtype=int)
    tracked = set(ctx.inds["name"])
    parts = [f"{k}{int(counts.get(k, 0))}项" for k in ("原指标", ADJUSTED, ADDED, DELETED) if int(counts.get(k, 0))]
    w.para(f"根据绩效目标总体框架结构，对年度绩效分解目标逐项核对：{'、'.join(parts) or '无指标'}；"
           f"本阶段纳入跟踪的指标共{len(tracked)}项，具体见下表。")
    w.caption("年度绩效分解目标调整表")
    rows = []
    for r in d.itertuples(index=False):
        if r.adjust_type == DELETED:
            rows.append([r.level1, r.level2, r.name, _text(r.target_text), DELETED, "---", "---", "否"])
            continue
        explanation = _text(r.explanation, "")
        if r.adjust_type == ADJUSTED and not missing(r.original_name) and str(r.original_name).strip():
            was = f"原指标“{r.original_name}”（{_text(r.original_target)}）调整为本指标。"
            explanation = was + explanation
        rows.append([r.level1, r.level2, r.name, _text(r.target_text), r.adjust_type, explanation or "—",
                     _text(r.target_text) if r.name in tracked else "---", "是" if r.name in tracked else "否"])
    w.table([D.Col("一级指标", 1.5), D.Col("二级指标", 1.7), D.Col("三级指标", 3.5, left=True), D.Col("指标目标值", 1.7),
             D.Col("调整类型", 1.6), D.Col("指标解释", 3.6, left=True), D.Col("跟踪目标值", 1.6), D.Col("是否跟踪", 1.0)],
            rows, merge_cols=(0, 1), font_pt=D.WIDE_TABLE_PT)


# 三、项目资金投入情况
def _money(ctx: _Context, w: D.DocWriter) -> None:
    st, p = ctx.status, ctx.p
    w.heading(1, "项目资金投入情况")
    w.heading(2, "投入目标差异情况说明")
    w.heading(3, "资金到位率")
    idle = "" if missing(p["idle_fen"]) else f"已到位尚未支出的资金（沉淀资金）{wan(p['idle_fen'])}。"
    ctx.para(w, "§三.资金到位率", f"{_budget_phrase(ctx)}，{_arrival_sentence(ctx)[:-1]}。{idle}")
    w.heading(3, "预算执行率")
    ctx.para(w, "§三.预算执行率", f"{_budget_phrase(ctx)}，截至跟踪节点（{ctx.cutoff}），累计支出{wan(p['spent_fen'])}，"
           f"{schedule_gap(p['rate_bp'], p['schedule_bp'], p['gap_bp'])}，{prose.money_state(ctx.money_level)}。")
    money_note = ctx.note_for("")
    if money_note and money_note.explanation:
        ctx.para(w, "§三.单位说明", prose.unit_says(money_note.explanation, unit_signs=ctx.unit_signs))
    ctx.para(w, "§三.预测", _outlook(ctx))
    if ctx.chart:
        w.picture(render_curve(ctx.data.curve(str(p["project_code"]))), width_cm=14.5)
        w.figure_caption(f"图1 {ctx.name}累计预算执行率与序时进度（截至{st.month}月末）")
    w.heading(3, "资金使用合规性")
    compliance = [n for n in ctx.notes if "合规" in (n.problem or "") and n.explanation]
    finding = ctx.facts.compliance.strip()
    if prose.dated_after(finding, st.schedule.cutoff):
        finding = ""
    if finding:
        ctx.para(w, "§三.合规性", finding)
    for n in compliance:
        ctx.para(w, "§三.合规性.单位说明", prose.unit_says(n.explanation, unit_signs=ctx.unit_signs))
    if not compliance and not finding:
        ctx.para(w, "§三.合规性", f"本次监控未对资金使用合规性开展核查，截至跟踪节点（{ctx.cutoff}）尚无合规性结论。")


def _outlook(ctx: _Context) -> str:
    p, rules = ctx.p, ctx.status.rules
    parts = []
    if not missing(p["projected_bp"]):
        parts.append(f"按{p['projected_basis']}测算，预计年底预算执行率为{pct(p['projected_bp'])}")
    required = opt_int(p["required_monthly_fen"])
    if required is not None:
        target = format(rules.year_end_target.normalize(), "f")
        if required > 0:
            parts.append(f"今后须月均支出{wan(required)}方可在年底达到{target}%")
        else:
            parts.append(f"已达到年底{target}%的执行目标")
    return ("；".join(parts) + "。") if parts else ""


# 四、项目绩效情况
_GROUPS = (("产出", "产出目标实现情况"), ("成本", "成本目标实现情况"), ("效益", "效益目标实现情况"),
           ("满意", "满意度目标实现情况"))


def _group_of(level1: str) -> str:
    for key, title in _GROUPS:
        if key in str(level1):
            return title
    return "其他目标实现情况"


def _performance(ctx: _Context, w: D.DocWriter) -> None:
    inds = ctx.inds
    w.heading(1, "项目绩效情况")
    w.heading(2, "项目绩效目标差异对比")
    w.para(f"截至{ctx.cutoff}，纳入跟踪的{len(inds)}项绩效指标的年度目标值、本阶段应完成值和实际完成值对比见下表。")
    w.caption("项目产出目标、效果目标对比表")
    rows, fills = [], {}
    for i, r in enumerate(inds.itertuples(index=False)):
        rows.append([r.level1, r.level2, r.name, _text(r.target_text), _text(r.stage_text),
                     _text(r.actual_text, "未填报"), light(r.level)])
        fills[(i, 6)] = _LIGHT_FILLS[r.level]
    w.table([D.Col("一级指标", 1.6), D.Col("二级指标", 1.9), D.Col("三级指标", 4.3, left=True), D.Col("年度目标值", 2.0),
             D.Col("本阶段应完成值", 2.0), D.Col("实际完成值", 2.4), D.Col("监控结果", 1.6)],
            rows, merge_cols=(0, 1), fills=fills, font_pt=D.WIDE_TABLE_PT)
    titles = [t for _, t in _GROUPS] + ["其他目标实现情况"]
    by_group: dict[str, list] = {t: [] for t in titles}
    for r in inds.itertuples(index=False):
        by_group[_group_of(r.level1)].append(r)
    evidence = ctx.data.evidence.get(str(ctx.p["project_code"]), {})
    m = ctx.status.month
    for title in titles:
        rows_ = by_group[title]
        if not rows_:
            continue
        w.heading(2, title)
        for level2 in dict.fromkeys(r.level2 for r in rows_):
            w.heading(3, f"{level2}情况" if not str(level2).endswith("情况") else str(level2))
            members = [x for x in rows_ if x.level2 == level2]
            text = prose.group_text(str(level2), members, m, ctx.money_level)
            if text.grouped:
                ctx.para(w, f"§四.{level2}", text.grouped)
            singles = dict(text.singles)
            if "" in singles:
                ctx.para(w, f"§四.{level2}.未评判", singles.pop(""))
            for r in members:
                said = evidence.get(str(r.name), "")
                note = ctx.note_for(str(r.name))
                reason = note.explanation if note and note.explanation else ""
                if str(r.name) not in singles and not said:
                    continue
                w.heading(4, prose.short_name(r.name))
                if str(r.name) in singles:
                    ctx.para(w, f"§四.{r.name}", singles[str(r.name)])
                if said:
                    ctx.para(w, f"§四.{r.name}.完成情况", said)
                if reason:
                    ctx.para(w, f"§四.{r.name}.原因", prose.unit_says(reason, unit_signs=ctx.unit_signs))
                elif r.level in ("red", "yellow"):
                    ctx.para(w, f"§四.{r.name}.原因", "项目单位尚未说明进度滞后的原因。")
    w.heading(2, "项目绩效情况分析")
    j = prose.judgement(list(inds.itertuples(index=False)), ctx.money_level)
    p = ctx.p
    ctx.para(w, "§四.分析", f"截至{m}月底，纳入跟踪的{j.targets_sentence}；{prose.money_state(ctx.money_level)}，"
           f"{schedule_gap(p['rate_bp'], p['schedule_bp'], p['gap_bp'])}。")
    # the monitoring body's own analysis where the data holds it; nothing is made up where it does not
    said = [(t, x.strip()) for t, x in (("效率性分析", ctx.facts.efficiency), ("效益性分析", ctx.facts.effectiveness),
                                        ("公平性分析", ctx.facts.fairness))
            if x.strip() and not prose.dated_after(x, ctx.status.schedule.cutoff)]
    for title, text in said:
        w.heading(3, title)
        ctx.para(w, f"§四.{title}", text)


_LIGHT_FILLS = {"red": "#F4B6B6", "yellow": "#FBE3A1", "green": "#C6E8C6", "blue": "#BBD7EE", "none": "#E6E6E6"}


# 五、问题、纠偏措施和建议
def _suggestions(ctx: _Context) -> list[tuple[str, str, SuggestedNote]]:
    """(item name, light, suggestion) for red and yellow items that have no note in force."""
    code = str(ctx.p["project_code"])
    noted = {n.indicator_name for n in ctx.notes if n.explanation or n.causes}
    out = []
    if ctx.p["level"] in ("red", "yellow") and "" not in noted:
        s = suggest_for_project(ctx.data.view, code)  # type: ignore[arg-type]
        if s:
            out.append(("预算执行", str(ctx.p["level"]), s))
    for r in ctx.inds.itertuples(index=False):
        if r.level in ("red", "yellow") and r.name not in noted:
            s = suggest_for_indicator(ctx.data.view, code, str(r.name))  # type: ignore[arg-type]
            if s:
                out.append((str(r.name), str(r.level), s))
    return out


def _problem_title(n: Note) -> str:
    if n.problem and n.problem.strip():
        return n.problem.strip()
    if n.causes:
        return f"{'、'.join(n.causes)}方面存在偏差"
    return "其他问题"


def _problems(ctx: _Context, w: D.DocWriter) -> None:
    seq = {name: i for i, name in enumerate(ctx.inds["name"])}
    notes = sorted(ctx.notes, key=lambda n: (n.indicator_name != "", seq.get(n.indicator_name, len(seq))))
    suggestions = _suggestions(ctx)
    w.heading(1, "问题、纠偏措施和建议")
    w.heading(2, "主要问题")
    groups: dict[str, list[Note]] = {}
    for n in notes:
        if n.explanation:
            groups.setdefault(_problem_title(n), []).append(n)
    for title, members in groups.items():
        w.heading(3, title)
        for n in members:
            where = f"关于“{prose.short_name(n.indicator_name)}”，" if n.indicator_name else ""
            likely = _LIKELY.get(n.likelihood, "")
            what = f"“{prose.short_name(n.indicator_name)}”" if n.indicator_name else ""
            likely = f"{'' if ctx.unit_signs else '项目单位'}预计{what}{likely}完成年度目标。" if likely else ""
            ctx.para(w, f"§五.问题.{n.indicator_name or '资金'}", f"{where}{prose.unit_says(n.explanation, unit_signs=ctx.unit_signs)}{likely}")
    if suggestions:
        w.heading(3, "尚未说明原因的滞后事项")
        w.para("以下事项进度滞后，项目单位尚未说明原因；系统根据监控数据提出参考意见，请项目单位核实后补充说明。")
        for name, _level, s in suggestions:
            w.para(f"“{prose.short_name(name)}”：{s.explanation}")
    opinion = ctx.data.opinions.get(str(ctx.p["project_code"]), "")
    if opinion:
        w.heading(3, "监控方意见")
        ctx.para(w, "§五.监控方意见", prose.monitor_says(opinion, evaluator_signs=ctx.evaluator_signs))
    findings = ctx.data.findings.get(str(ctx.p["project_code"]), [])
    write_problems(w, findings)
    if not groups and not suggestions and not findings and not opinion:
        ctx.para(w, "§五.问题", f"截至{ctx.cutoff}，未发现需要说明的偏差问题。")

    w.heading(2, "改进措施")
    seen: set[str] = set()
    wrote = False
    for n in notes:
        if not (n.measure or n.measure_type) or n.measure in seen:
            continue
        seen.add(n.measure)
        title, text = _measure_title(n.measure, n.measure_type, n.indicator_name)
        w.heading(3, title)
        ctx.para(w, f"§五.措施.{title}", text + _measure_tail(n))
        wrote = True
    for name, _level, s in suggestions:
        if s.measure in seen:
            continue
        seen.add(s.measure)
        w.heading(3, f"{prose.measure_head(s.measure_type, name)}（系统建议）")
        ctx.para(w, f"§五.措施.{name}", s.measure)
        wrote = True
    wrote = write_measures(w, findings) or wrote
    if not wrote:
        ctx.para(w, "§五.措施", "本期无需采取纠偏措施，项目按计划继续实施。")

    w.heading(2, "绩效跟踪结论")
    _conclusion(ctx, w)


def _measure_title(measure: str, measure_type: str, indicator: str) -> tuple[str, str]:
    """“提升绩效目标意识，强化指标设置能力：……” → a heading and its text, as seed 004 writes them.

    Without such a lead the heading is the measure type and the item it is for, so two 加快执行
    measures do not read as the same heading twice.
    """
    head, sep, rest = (measure or "").partition("：")
    if sep and 4 <= len(head) <= 30 and rest.strip():
        return head, rest.strip()
    return prose.measure_head(measure_type, indicator), measure or measure_type


def _measure_tail(n: Note) -> str:
    """由区总工会财务室负责，12月底前完成。 — who and by when, as a sentence."""
    who = f"由{n.owner}负责" if n.owner else ""
    due = f"{n.due_month}月底前完成" if n.due_month else ""
    return "，".join(x for x in (who, due) if x) + "。" if who or due else ""


# 完成目标可能性 as the unit's expectation in words
_LIKELY = {"完全可能": "能够", "有可能": "有可能", "不太可能": "难以", "完全不可能": "无法"}


def _conclusion(ctx: _Context, w: D.DocWriter) -> None:
    p, inds = ctx.p, ctx.inds
    verdict = tracking_conclusion(p, inds, ctx.notes)
    j = prose.judgement(list(inds.itertuples(index=False)), ctx.money_level)
    ctx.add(w, "§五.结论.依据", f"根据对{p['unit_name']}{_quoted_project(ctx.name)}的绩效运行监控，截至{ctx.cutoff}，纳入跟踪的{j.targets_sentence}；"
          f"{prose.money_state(ctx.money_level)}，{schedule_gap(p['rate_bp'], p['schedule_bp'], p['gap_bp'])}。"
          "本次绩效跟踪结论如下：", D.STYLE_KEEP)
    todo = []
    if p["level"] in ("red", "yellow"):
        required = opt_int(p["required_monthly_fen"])
        pace = f"，今后须月均支出{wan(required)}" if required else ""
        todo.append(f"加快资金支付进度{pace}，做好资金使用计划")
    red = [str(n) for n in inds.loc[inds["level"] == "red", "name"]]
    if red:
        more = f"等{len(red)}项" if len(red) > 1 else ""
        todo.append(f"推进“{prose.short_name(red[0])}”{more}滞后指标的实施")
    if verdict == "暂停":
        text = "项目暂停实施，待问题解决后再行拨款。"
    elif verdict == "调整":
        text = "项目部分目标预计无法完成，应调整实施计划或调减预算并同步调整绩效目标后继续执行。"
    elif verdict == "继续执行，但需纠偏":
        steady = "项目目前实施进度总体良好，" if not j.marked else ""
        text = f"{steady}项目继续执行，但需纠偏：" + "；".join(todo) + "。"
    else:
        text = "项目实施未出现较大偏离，继续执行。" + (f"同时需{todo[0]}。" if todo else "")
    # the verdict, the blank line and the signature stay on one page
    ctx.add(w, "§五.结论", text, D.STYLE_KEEP, bold=True)
    w.add("", D.STYLE_KEEP)
    w.add(ctx.issuer, D.STYLE_SIGNATURE, keep_next=True)
    w.add(D.cn_date(ctx.report_date), D.STYLE_SIGNATURE)


def _quoted_project(name: str) -> str:
    """“工会经费项目”, or “职工服务和维权热线”项目 — never 项目项目."""
    return f"“{name}”" if name.endswith("项目") else f"“{name}”项目"


def _target_phrase(target: str, head: str = "年度目标值") -> str:
    """年度目标值≥100人 (an operator reads as the verb) or 年度目标值为100%."""
    return f"{head}{target}" if target[:1] in "≥≤=<>＞＜≥≦≧" else f"{head}为{target}"


def _rules_appendix(rules: Rules, st: Status, w: D.DocWriter) -> None:
    w.page_break()
    w.add("附件：本报告采用的监控规则", "Heading 1")
    w.headings.append((1, "附件：本报告采用的监控规则"))
    w.para(f"监控时间节点{D.ymd(st.schedule.cutoff)}，序时进度{pct(st.schedule.bp)}；金额单位为万元，"
           "比率按四舍五入保留两位小数。")
    for i, line in enumerate(rules.describe(), 1):
        w.para(f"{i}. {plain(line)}")


def _attachments_appendix(data: ReportData, code: str, w: D.DocWriter) -> None:
    """附件2: the evidence the unit uploaded with its months (name, size, who, when), if any."""
    files = data.attachments.get(code, [])
    if not files:
        return
    w.add("附件2：佐证材料清单", "Heading 1")
    w.headings.append((1, "附件2：佐证材料清单"))
    w.para(f"截至{D.ymd(data.status.schedule.cutoff)}，项目单位在系统中上传的佐证材料共{len(files)}份：")
    w.table([D.Col("序号", 1.2), D.Col("文件名", 7.0, left=True), D.Col("对应事项", 3.0, left=True), D.Col("大小", 1.8),
             D.Col("上传人", 2.0), D.Col("上传时间", 2.8)],
            [[i + 1, f.file_name, f.indicator_name or "项目", f"{max(1, round(f.size / 1024)):,} KB", f.uploaded_by,
              f"{f.uploaded_at:%Y-%m-%d %H:%M}"] for i, f in enumerate(files)])
