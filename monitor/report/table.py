"""The monitoring table (Excel) in the layout of the national 项目支出绩效目标执行监控表.

A summary sheet of every project (lights as fill colours, each row linking to its project's
sheet) and one sheet per project in the column order of 财预〔2019〕136号: header block, money by
source of funds, 年度总体目标 and 全年目标完成情况预计, then the money line and one row per tracked
indicator with the five 偏差原因 ticks, the three 完成目标可能性 ticks (the unit's, or derived from the
projection and ticked in grey) and 原因说明, then 填表说明 and the 填表人/审核人 block. One forecast
basis throughout: a cost indicator in money forecasts the project's 全年预计执行数. With more projects than
`max_project_sheets` the indicators go into one long 指标明细 sheet instead: thousands of tabs help
nobody and make the file slow to open.

Every text cell is written as text: a project or indicator name beginning with =, +, - or @ must
never become a formula when the province opens the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import NotFound
from ..execution import params
from ..money import fmt_wan, round_div
from ..notes import CAUSES, Note
from ..project_facts import FundSource
from ..status import LEVEL_COLORS, Status
from ..store import Store
from ..warnings import suggest_likelihood
from .data import ReportData, load
from .docx_base import ymd
from .phrases import light, missing, opt_int, pct, plain

WAN_FORMAT = "#,##0.00##"
PCT_FORMAT = "0.00%"
PP_FORMAT = "0.00"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_BOLD = Font(bold=True)
_FILLS = {lv: PatternFill("solid", fgColor=c.lstrip("#").upper()) for lv, c in LEVEL_COLORS.items()}
_WHITE_ON = {"red", "green", "blue"}  # dark fills read better with white text


# -- public ---------------------------------------------------------------------------------
def monitoring_table(store: Store, status: Status, codes: Sequence[str] | None = None, *,
                     department: str | None = None, max_project_sheets: int = 200, signature: Signature | None = None) -> bytes:
    """The .xlsx bytes for `codes`, or one department's projects, or (neither) every project."""
    if codes is None and department is not None:
        p = status.projects
        codes = list(p.loc[p["department_name"] == department, "project_code"])
        if not codes:
            raise NotFound(f"{status.year}年没有部门「{department}」的项目")
    return render_table(load(store, status, codes), codes, max_project_sheets=max_project_sheets, signature=signature)


def render_table(data: ReportData, codes: Sequence[str] | None = None, *, max_project_sheets: int = 200,
                 signature: Signature | None = None) -> bytes:
    st = data.status
    projects = st.projects if codes is None else st.projects[st.projects["project_code"].isin(list(codes))]
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    per_sheet = len(projects) <= max_project_sheets
    names = sheet_names(projects["project_name"], reserved={"汇总", "指标明细"}) if per_sheet else []
    _summary(summary, st, projects, data, names)
    if per_sheet:
        for (_, p), name in zip(projects.iterrows(), names, strict=False):
            _project_sheet(wb.create_sheet(name), st, p, data, signature)
    else:
        _detail_sheet(wb.create_sheet("指标明细"), st, projects, data)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_names(titles: Iterable[str], reserved: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Excel-legal, unique (case-insensitively), at most 31 characters."""
    taken = {r.lower() for r in reserved} | {"history"}
    out = []
    for t in titles:
        base = re.sub(r"[\[\]:*?/\\]", "_", str(t)).strip().strip("'") or "项目"
        name, k = base[:31], 1
        while name.lower() in taken:
            k += 1
            suffix = f"({k})"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.lower())
        out.append(name)
    return out


# -- cells ----------------------------------------------------------------------------------
def put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None, *, style: str = "text"):  # type: ignore[no-untyped-def]
    """One cell; text stays text whatever it starts with, numbers keep a number format."""
    cell = ws.cell(row=row, column=col)
    if value is None or (not isinstance(value, str) and missing(value)):
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store "=1+1" as a formula
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
    else:
        cell.value = value
        if fmt:
            cell.number_format = fmt
    cell.border = _BORDER
    cell.alignment = _CENTER if style in ("center", "head") else _WRAP
    if style == "head":
        cell.fill = _HEAD_FILL
        cell.font = _BOLD
    return cell


def _wan(fen: object) -> float | None:
    v = opt_int(fen)
    return None if v is None else v / 1_000_000


def _rate(bp: object) -> float | None:
    v = opt_int(bp)
    return None if v is None else v / 10_000


def _pp(bp: object) -> float | None:
    v = opt_int(bp)
    return None if v is None else v / 100


def _light(cell, level: str) -> None:  # type: ignore[no-untyped-def]
    cell.fill = _FILLS.get(level, _FILLS["none"])
    if level in _WHITE_ON:
        cell.font = Font(color="FFFFFF", bold=True)


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: object, style: str = "text") -> None:
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = _BORDER
    put(ws, r1, c1, value, style=style)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _landscape(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# -- summary --------------------------------------------------------------------------------
SUMMARY_COLUMNS = (
    ("序号", 6), ("项目编码", 20), ("项目名称", 30), ("主管部门", 18), ("实施单位", 22), ("年初预算数（万元）", 13),
    ("调整后预算数（万元）", 13), ("到位资金（万元）", 13), ("累计支出（万元）", 13), ("执行率", 9), ("序时进度", 9),
    ("落后序时进度（个百分点）", 11), ("资金预警", 8), ("预警依据", 40), ("指标预警", 8), ("红灯指标", 7), ("黄灯指标", 7),
    ("资金与目标", 16), ("预计年底执行率", 11), ("测算依据", 12), ("须月均支出（万元）", 13), ("原因说明", 40),
)


def _summary(ws: Worksheet, st: Status, projects: pd.DataFrame, data: ReportData, names: list[str]) -> None:
    n = len(SUMMARY_COLUMNS)
    _merge(ws, 1, 1, 1, n, f"{st.year}年1-{st.month}月项目支出预算执行与绩效目标执行监控汇总表", style="center")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    _merge(ws, 2, 1, 2, n, f"监控时间节点：{ymd(st.schedule.cutoff)}；序时进度{pct(st.schedule.bp)}；"
                            "金额单位：万元。监控规则见本表末行。")
    for c, (title, _width) in enumerate(SUMMARY_COLUMNS, 1):
        put(ws, 3, c, title, style="head")
    _widths(ws, [w for _, w in SUMMARY_COLUMNS])
    # the money note's own words: the reader of a 汇总表 wants the reason, not whether there is one
    reasons = {n.project_code: "；".join(x for x in ("、".join(n.causes), n.explanation) if x)
               for notes in data.notes.values() for n in notes if n.indicator_name == "" and (n.explanation or n.causes)}
    r = 3
    for i, p in enumerate(projects.itertuples(index=False)):
        r = 4 + i
        values: list[tuple[object, str | None]] = [
            (i + 1, "0"), (p.project_code, None), (p.project_name, None), (p.department_name, None), (p.unit_name, None),
            (_wan(p.initial_fen), WAN_FORMAT), (_wan(p.budget_fen), WAN_FORMAT), (_wan(p.arrived_fen), WAN_FORMAT),
            (_wan(p.spent_fen), WAN_FORMAT), (_rate(p.rate_bp), PCT_FORMAT), (_rate(p.schedule_bp), PCT_FORMAT),
            (_pp(p.gap_bp), PP_FORMAT), (light(p.level), None), (plain(p.level_reason), None),
            (light(p.indicator_level), None), (int(p.ind_red), "0"), (int(p.ind_yellow), "0"), (p.quadrant, None),
            (_rate(p.projected_bp), PCT_FORMAT), (p.projected_basis, None), (_wan(p.required_monthly_fen), WAN_FORMAT),
            (reasons.get(p.project_code) or ("未填写" if p.level in ("red", "yellow") else "—"), None),
        ]
        for c, (v, fmt) in enumerate(values, 1):
            put(ws, r, c, v, fmt, style="center" if c in (1, 13, 15, 16, 17) else "text")
        _light(ws.cell(row=r, column=13), p.level)
        _light(ws.cell(row=r, column=15), p.indicator_level)
        if names:
            link = ws.cell(row=r, column=3)
            link.hyperlink = f"#'{names[i]}'!A1"
            link.font = Font(color="0563C1", underline="single")
    rules_row = r + 2
    _merge(ws, rules_row, 1, rules_row, n, "监控规则：" + "；".join(plain(x) for x in st.rules.describe()))
    ws.row_dimensions[rules_row].height = 60
    ws.freeze_panes = "D4"
    ws.auto_filter.ref = f"A3:{get_column_letter(n)}{max(r, 4)}"
    _landscape(ws)


# -- one project: the national 项目支出绩效目标执行监控表 (财预〔2019〕136号) ------------------------
LIKELIHOOD_TICKS = ("确定能", "有可能", "完全不可能")
INDICATOR_COLUMNS = (
    ("一级指标", 10), ("二级指标", 12), ("三级指标", 26), ("年度指标值", 12), ("{m}执行情况", 13), ("全年预计完成情况", 12),
    *((c, 6) for c in CAUSES), *((c, 6) for c in LIKELIHOOD_TICKS), ("原因说明", 40), ("预警", 7), ("预警依据", 30),
)
_CAUSE_COL = 7  # G: the five 偏差原因 ticks, then the three 完成目标可能性 ticks from L
_LIKELY_COL = _CAUSE_COL + len(CAUSES)
_REASON_COL = _LIKELY_COL + len(LIKELIHOOD_TICKS)
_DERIVED_FONT = Font(color="808080")  # a likelihood the system derived, not one the unit wrote


@dataclass(frozen=True)
class Signature:
    """The 填表人/审核人 block at the foot of each project's table."""

    filler: str = ""
    reviewer: str = ""
    phone: str = ""
    filled_on: date | None = None


def _notes_by_item(data: ReportData, code: str) -> dict[str, Note]:
    return {n.indicator_name: n for n in data.notes.get(code, [])}


def _deviation(ws: Worksheet, row: int, first_col: int, note: Note | None, derived: str | None = None) -> None:
    """The five 偏差原因 ticks, the three 完成目标可能性 ticks and 原因说明 of one item: the unit's note,
    or (no likelihood written) the likelihood derived from the projection, ticked in grey."""
    causes = set(note.causes) if note else set()
    for k, cause in enumerate(CAUSES):
        put(ws, row, first_col + k, "√" if cause in causes else None, style="center")
    likely = note.likelihood if note and note.likelihood else derived
    for k, word in enumerate(LIKELIHOOD_TICKS):
        cell = put(ws, row, first_col + len(CAUSES) + k, "√" if likely == word else None, style="center")
        if likely == word and not (note and note.likelihood):
            cell.font = _DERIVED_FONT
    put(ws, row, first_col + len(CAUSES) + len(LIKELIHOOD_TICKS), note.explanation if note and note.explanation else None)


def _period(month: int) -> str:
    return "1月" if month == 1 else f"1-{month}月"


def _project_sheet(ws: Worksheet, st: Status, p: pd.Series, data: ReportData, signature: Signature | None = None) -> None:
    code, m = str(p["project_code"]), st.month
    period = _period(m)
    notes = _notes_by_item(data, code)
    facts = data.facts.get(code)
    n = len(INDICATOR_COLUMNS)
    _widths(ws, [w for _, w in INDICATOR_COLUMNS])
    _merge(ws, 1, 1, 1, n, "项目支出绩效目标执行监控表", style="center")
    ws.cell(row=1, column=1).font = Font(bold=True, size=16)
    _merge(ws, 2, 1, 2, n, f"（{st.year}年度 {period}）", style="center")
    _merge(ws, 3, 1, 3, n, f"填报单位（盖章）：{p['unit_name']}　　监控时间节点：{ymd(st.schedule.cutoff)}　　金额单位：万元")
    put(ws, 4, 1, "项目名称", style="head")
    _merge(ws, 4, 2, 4, 8, p["project_name"])
    _merge(ws, 4, 9, 4, 10, "项目编码", style="head")
    _merge(ws, 4, 11, 4, n, code)
    put(ws, 5, 1, "主管部门及代码", style="head")
    _merge(ws, 5, 2, 5, 8, p["department_name"])
    _merge(ws, 5, 9, 5, 10, "实施单位", style="head")
    _merge(ws, 5, 11, 5, n, p["unit_name"])

    # money by source of funds: 年度资金总额, then each source
    rows = money_rows(p, data.sources.get(code, []))
    top = 6
    _merge(ws, top, 1, top + len(rows), 1, "项目资金（万元）", style="head")
    heads = (("资金来源", 2, 2), ("年初预算数", 3, 3), ("调整后预算数", 4, 4), (f"{period}执行数", 5, 5),
             (f"{period}执行率", 6, 6), ("全年预计执行数", 7, 8), ("全年预计执行率", 9, 10), ("测算依据", 11, 12),
             ("资金到位率", 13, 14), ("落后序时进度（个百分点）", 15, n))
    for title, c1, c2 in heads:
        _merge(ws, top, c1, top, c2, title, style="head")
    for i, r in enumerate(rows, 1):
        put(ws, top + i, 2, r.label)
        put(ws, top + i, 3, _wan(r.initial_fen), WAN_FORMAT, style="center")
        put(ws, top + i, 4, _wan(r.adjusted_fen), WAN_FORMAT, style="center")
        put(ws, top + i, 5, _wan(r.spent_fen), WAN_FORMAT, style="center")
        put(ws, top + i, 6, _rate(r.rate_bp), PCT_FORMAT, style="center")
        _merge(ws, top + i, 7, top + i, 8, None)
        put(ws, top + i, 7, _wan(r.projected_fen), WAN_FORMAT, style="center")
        _merge(ws, top + i, 9, top + i, 10, None)
        put(ws, top + i, 9, _rate(p["projected_bp"]) if i == 1 else None, PCT_FORMAT, style="center")
        _merge(ws, top + i, 11, top + i, 12, p["projected_basis"] if i == 1 else None)
        _merge(ws, top + i, 13, top + i, 14, None)
        put(ws, top + i, 13, _rate(p["arrival_bp"]) if i == 1 else None, PCT_FORMAT, style="center")
        _merge(ws, top + i, 15, top + i, n, None)
        put(ws, top + i, 15, _pp(p["gap_bp"]) if i == 1 else None, PP_FORMAT, style="center")
    row = top + len(rows) + 1
    goal = data.master.get(code, {}).get("annual_goal")
    adjusted = bool(facts and facts.goal_adjusted and facts.adjusted_goal.strip())
    put(ws, row, 1, "年度总体目标", style="head")
    _merge(ws, row, 2, row, n, (f"{facts.adjusted_goal}（调整后；原申报：{goal}）" if adjusted and facts and not missing(goal)
                                else facts.adjusted_goal if adjusted and facts else None if missing(goal) else str(goal)))
    ws.row_dimensions[row].height = 48
    inds = data.project_indicators(code)
    green = int(params(st.year, st.schedule, st.rules)["year_end_green_bp"])  # type: ignore[call-overload]
    money_likely = suggest_likelihood(opt_int(p["projected_bp"]), green)
    likely = [indicator_likelihood(r) for r in inds.itertuples(index=False)]
    row += 1
    put(ws, row, 1, "全年目标完成情况预计", style="head")
    _merge(ws, row, 2, row, n, _outlook(p, inds, notes, likely))
    ws.row_dimensions[row].height = 36

    # indicators: two header rows, the money line, then one row each
    head = row + 1
    for c, (title, _) in enumerate(INDICATOR_COLUMNS, 1):
        title = title.format(m=period)
        if _CAUSE_COL <= c < _REASON_COL:
            put(ws, head + 1, c, title, style="head")
        else:
            _merge(ws, head, c, head + 1, c, title, style="head")
    _merge(ws, head, _CAUSE_COL, head, _LIKELY_COL - 1, "偏差原因分析", style="head")
    _merge(ws, head, _LIKELY_COL, head, _REASON_COL - 1, "完成目标可能性", style="head")
    row = head + 2
    _merge(ws, row, 1, row, 3, "预算资金执行（累计支出）")
    put(ws, row, 4, f"{fmt_wan(opt_int(p['budget_fen']))}", style="center")
    put(ws, row, 5, f"{fmt_wan(opt_int(p['spent_fen']))}", style="center")
    put(ws, row, 6, f"{fmt_wan(opt_int(p['projected_fen']))}" if not missing(p["projected_fen"]) else "—", style="center")
    _deviation(ws, row, _CAUSE_COL, notes.get(""), money_likely)
    _light(put(ws, row, _REASON_COL + 1, light(p["level"]), style="center"), str(p["level"]))
    put(ws, row, _REASON_COL + 2, plain(p["level_reason"]))
    row += 1
    for r, derived in zip(inds.itertuples(index=False), likely, strict=True):
        put(ws, row, 1, r.level1)
        put(ws, row, 2, r.level2)
        put(ws, row, 3, r.name)
        put(ws, row, 4, _text(r.target_text), style="center")
        put(ws, row, 5, _text(r.actual_text, "未填报"), style="center")
        put(ws, row, 6, projected_text(r, p["projected_fen"]), style="center")
        _deviation(ws, row, _CAUSE_COL, notes.get(str(r.name)), derived)
        _light(put(ws, row, _REASON_COL + 1, light(r.level), style="center"), str(r.level))
        put(ws, row, _REASON_COL + 2, plain(r.level_reason))
        row += 1
    ws.freeze_panes = ws.cell(row=head + 2, column=4)
    _footer(ws, row + 1, n, m, signature)
    _landscape(ws)


FILLING_NOTES = (
    "1. 本表依据《财政部关于印发〈中央部门预算绩效运行监控管理暂行办法〉的通知》（财预〔2019〕136号）所附项目支出绩效目标执行监控表的格式填列；金额单位为万元。",
    "2. “{p}执行数”为截至{m}月末的累计支出，“{p}执行率”= {p}执行数 ÷ 调整后预算数；按资金来源分列的执行数为项目单位填报的各来源累计支出。",
    "3. “全年预计执行数”按“测算依据”一栏所列口径测算；各资金来源的全年预计执行数按其调整后预算数占比分摊，合计等于年度资金总额的全年预计执行数。"
    "成本类指标以万元计的“全年预计完成情况”即全年预计执行数，二者口径一致。",
    "4. “全年预计完成情况”：累计类指标按目前完成进度推算至年底，以人、家、次、个、场等计量的取整数（不足一个不计）；比率类、定性指标按目前完成情况填列。",
    "5. “偏差原因分析”在对应栏内打“√”，可多选；“完成目标可能性”在确定能、有可能、完全不可能中选一项打“√”。"
    "黑色“√”为项目单位填报；灰色“√”为项目单位未填写时系统按全年预计完成情况推算（预计达到年度目标为确定能，达到一半以上为有可能，"
    "不足一半为完全不可能；预算资金执行按预计年底执行率与年底执行率目标比较），仅供参考，请项目单位核实。",
    "6. 完成目标可能性为“有可能”或“完全不可能”的，须在“原因说明”栏说明原因和拟采取的纠偏措施。“预警”“预警依据”两栏为本系统的监控结果，不属于国家表样。",
)


def _footer(ws: Worksheet, row: int, n: int, month: int, signature: Signature | None) -> None:
    period = _period(month)
    sig = signature or Signature()
    _merge(ws, row, 1, row, n, "填表说明：\n" + "\n".join(t.format(p=period, m=month) for t in FILLING_NOTES))
    ws.row_dimensions[row].height = 150
    row += 1
    put(ws, row, 1, "填表人", style="head")
    _merge(ws, row, 2, row, 3, sig.filler or None)
    put(ws, row, 4, "联系电话", style="head")
    _merge(ws, row, 5, row, 6, sig.phone or None)
    _merge(ws, row, 7, row, 9, "审核人", style="head")
    _merge(ws, row, 10, row, 12, sig.reviewer or None)
    _merge(ws, row, 13, row, 14, "填报日期", style="head")
    _merge(ws, row, 15, row, n, ymd(sig.filled_on) if sig.filled_on else None)


def _outlook(p: pd.Series, inds: pd.DataFrame, notes: dict[str, Note], likely: list[str | None]) -> str:
    """全年目标完成情况预计, in words: the money projection and the indicators' likelihoods."""
    parts = []
    if not missing(p["projected_bp"]):
        parts.append(f"按{p['projected_basis']}测算，预计全年执行{fmt_wan(opt_int(p['projected_fen']))}，"
                     f"预计年底预算执行率{pct(p['projected_bp'])}")
    final = [notes[str(name)].likelihood if str(name) in notes and notes[str(name)].likelihood else d
             for name, d in zip(inds["name"], likely, strict=True)]
    counts = [f"{w}{final.count(w)}项" for w in LIKELIHOOD_TICKS if final.count(w)]
    if len(inds):
        unknown = sum(1 for x in final if x is None)
        parts.append(f"纳入跟踪的{len(inds)}项绩效指标中，预计{'、'.join(counts) or '均无法判断'}"
                     + (f"，{unknown}项尚未填报、暂无法判断" if unknown and counts else ""))
    return "；".join(parts) + "。" if parts else "—"


@dataclass(frozen=True)
class MoneyRow:
    label: str
    initial_fen: int | None
    adjusted_fen: int | None
    spent_fen: int | None
    rate_bp: int | None
    projected_fen: int | None


def money_rows(p: pd.Series, sources: list[FundSource]) -> list[MoneyRow]:
    """年度资金总额 and one row per source. A source's 全年预计执行数 is the project's, shared by the
    sources' 调整后预算 (largest remainder, so they add up to the total to the fen): one basis for all."""
    projected = opt_int(p["projected_fen"])
    total = MoneyRow("年度资金总额", opt_int(p["initial_fen"]), opt_int(p["budget_fen"]), opt_int(p["spent_fen"]),
                     opt_int(p["rate_bp"]), projected)
    if not sources:
        return [total]
    budget = sum(s.adjusted_fen for s in sources)
    shares: list[int | None] = [None] * len(sources)
    if projected is not None and budget > 0:
        exact = [projected * s.adjusted_fen for s in sources]
        floors = [e // budget for e in exact]
        left = projected - sum(floors)
        for i in sorted(range(len(sources)), key=lambda i: -(exact[i] % budget))[:left]:
            floors[i] += 1
        shares = list(floors)
    return [total] + [MoneyRow(f"其中：{s.source}", s.initial_fen, s.adjusted_fen, s.spent_fen,
                               round_div(s.spent_fen * 10000, s.adjusted_fen) if s.spent_fen is not None and s.adjusted_fen else None,
                               shares[i]) for i, s in enumerate(sources)]


MONEY_UNITS = {"万": 1_000_000, "万元": 1_000_000, "元": 100}


def projected_text(r, projected_fen: object) -> str:  # type: ignore[no-untyped-def]
    """全年预计完成情况: a cost indicator counted in money is the project's own 全年预计执行数 (one
    basis for the sheet); anything else as the status projects it (whole things for countable units)."""
    unit = "" if missing(r.unit) else str(r.unit)
    fen = opt_int(projected_fen)
    if "成本" in f"{r.level1}{r.level2}" and unit in MONEY_UNITS and fen is not None:
        return fmt_wan(fen, unit=False) + unit if MONEY_UNITS[unit] == 1_000_000 else f"{fen / 100:,.2f}{unit}"
    return _text(r.projected_text, "—")


def indicator_likelihood(r) -> str | None:  # type: ignore[no-untyped-def]
    """完成目标可能性 derived from the projection when the unit wrote none: the rule of
    monitor/warnings.suggest_likelihood with the annual target as the goal (reaching it 确定能, half of
    it 有可能, less 完全不可能); lower-is-better targets compare the other way; None when nothing is reported."""
    if r.nature == "qualitative":
        return {"达成": "确定能", "部分达成": "有可能", "未达成": "有可能"}.get(_text(r.actual_status)) or None
    proj, target = opt_int(r.projected_micro), opt_int(r.target_micro)
    if proj is None or target is None:
        return None
    op = _text(r.op)
    if target == 0 and op in ("=", "<=", "<"):
        return "确定能" if proj == 0 else "完全不可能"
    if op in ("<=", "<"):
        bp = 10000 if proj <= target else round_div(target * 10000, proj)
    else:
        bp = round_div(proj * 10000, target) if target > 0 else 10000
    return suggest_likelihood(bp, 10000)


def _text(v: object, default: str = "") -> str:
    return default if missing(v) or str(v) == "" else str(v)


# -- many projects: one long indicator sheet ------------------------------------------------
def _detail_sheet(ws: Worksheet, st: Status, projects: pd.DataFrame, data: ReportData) -> None:
    period = _period(st.month)
    cols = [("项目编码", 20), ("项目名称", 28), ("实施单位", 20)] + [(t.format(m=period), w) for t, w in INDICATOR_COLUMNS]
    _widths(ws, [w for _, w in cols])
    for c, (title, _) in enumerate(cols, 1):
        put(ws, 1, c, title, style="head")
    row = 2
    for p in projects.itertuples(index=False):
        notes = _notes_by_item(data, p.project_code)
        for r in data.project_indicators(p.project_code).itertuples(index=False):
            for c, v in enumerate((p.project_code, p.project_name, p.unit_name, r.level1, r.level2, r.name,
                                   _text(r.target_text), _text(r.actual_text, "未填报"), projected_text(r, p.projected_fen)), 1):
                put(ws, row, c, v)
            _deviation(ws, row, 3 + _CAUSE_COL, notes.get(str(r.name)), indicator_likelihood(r))
            _light(put(ws, row, 3 + _REASON_COL + 1, light(r.level), style="center"), str(r.level))
            put(ws, row, 3 + _REASON_COL + 2, plain(r.level_reason))
            row += 1
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(row - 1, 1)}"
