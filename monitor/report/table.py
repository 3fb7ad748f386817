"""The monitoring table (Excel) in the layout of the national 项目支出绩效目标执行监控表.

A summary sheet of every project (lights as fill colours, each row linking to its project's
sheet) and one sheet per project: header block, money block, and one row per tracked indicator
with the units' 偏差原因 ticks, 完成目标可能性 and 原因说明 from their notes. With more projects than
`max_project_sheets` the indicators go into one long 指标明细 sheet instead: thousands of tabs help
nobody and make the file slow to open.

Every text cell is written as text: a project or indicator name beginning with =, +, - or @ must
never become a formula when the province opens the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import NotFound
from ..notes import CAUSES, Note
from ..status import LEVEL_COLORS, Status
from ..store import Store
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
                     department: str | None = None, max_project_sheets: int = 200) -> bytes:
    """The .xlsx bytes for `codes`, or one department's projects, or (neither) every project."""
    if codes is None and department is not None:
        p = status.projects
        codes = list(p.loc[p["department_name"] == department, "project_code"])
        if not codes:
            raise NotFound(f"{status.year}年没有部门「{department}」的项目")
    return render_table(load(store, status, codes), codes, max_project_sheets=max_project_sheets)


def render_table(data: ReportData, codes: Sequence[str] | None = None, *, max_project_sheets: int = 200) -> bytes:
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
            _project_sheet(wb.create_sheet(name), st, p, data)
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


# -- one project ----------------------------------------------------------------------------
INDICATOR_COLUMNS = (
    ("一级指标", 10), ("二级指标", 12), ("三级指标", 26), ("年度指标值", 12), ("{m}执行情况", 13), ("全年预计完成情况", 12),
    *((c, 7) for c in CAUSES), ("完成目标可能性", 10), ("原因说明", 40), ("预警", 7), ("预警依据", 30),
)


def _notes_by_item(data: ReportData, code: str) -> dict[str, Note]:
    return {n.indicator_name: n for n in data.notes.get(code, [])}


def _deviation(ws: Worksheet, row: int, first_col: int, note: Note | None) -> None:
    """The five 偏差原因 ticks, 完成目标可能性 and 原因说明 of one item, from its note."""
    causes = set(note.causes) if note else set()
    for k, cause in enumerate(CAUSES):
        put(ws, row, first_col + k, "√" if cause in causes else None, style="center")
    put(ws, row, first_col + len(CAUSES), note.likelihood if note and note.likelihood else None, style="center")
    put(ws, row, first_col + len(CAUSES) + 1, note.explanation if note and note.explanation else None)


def _project_sheet(ws: Worksheet, st: Status, p: pd.Series, data: ReportData) -> None:
    code, m = str(p["project_code"]), st.month
    period = "1月" if m == 1 else f"1-{m}月"
    notes = _notes_by_item(data, code)
    n = len(INDICATOR_COLUMNS)
    _widths(ws, [w for _, w in INDICATOR_COLUMNS])
    _merge(ws, 1, 1, 1, n, "项目支出绩效目标执行监控表", style="center")
    ws.cell(row=1, column=1).font = Font(bold=True, size=16)
    _merge(ws, 2, 1, 2, n, f"（{st.year}年{period}）", style="center")
    put(ws, 3, 1, "项目名称", style="head")
    _merge(ws, 3, 2, 3, 6, p["project_name"])
    put(ws, 3, 7, "项目编码", style="head")
    _merge(ws, 3, 8, 3, n, code)
    put(ws, 4, 1, "主管部门", style="head")
    _merge(ws, 4, 2, 4, 6, p["department_name"])
    put(ws, 4, 7, "实施单位", style="head")
    _merge(ws, 4, 8, 4, n, p["unit_name"])

    # money block: rows 5-7
    _merge(ws, 5, 1, 6, 1, "项目资金（万元）", style="head")
    for c, title in enumerate(("年初预算数", "调整后预算数", f"{period}执行数", "执行率", "全年预计执行数"), 2):
        put(ws, 5, c, title, style="head")
    for k, cause in enumerate(CAUSES):
        put(ws, 5, 7 + k, cause, style="head")
    for c, title in ((12, "完成目标可能性"), (13, "原因说明"), (14, "预警"), (15, "预警依据")):
        put(ws, 5, c, title, style="head")
    for c, (v, fmt) in enumerate(((_wan(p["initial_fen"]), WAN_FORMAT), (_wan(p["budget_fen"]), WAN_FORMAT),
                                  (_wan(p["spent_fen"]), WAN_FORMAT), (_rate(p["rate_bp"]), PCT_FORMAT),
                                  (_wan(p["projected_fen"]), WAN_FORMAT)), 2):
        put(ws, 6, c, v, fmt, style="center")
    _deviation(ws, 6, 7, notes.get(""))
    _light(put(ws, 6, 14, light(p["level"]), style="center"), str(p["level"]))
    put(ws, 6, 15, plain(p["level_reason"]))
    put(ws, 7, 1, "序时进度", style="head")
    put(ws, 7, 2, _rate(p["schedule_bp"]), PCT_FORMAT, style="center")
    put(ws, 7, 3, "落后序时进度（个百分点）", style="head")
    put(ws, 7, 4, _pp(p["gap_bp"]), PP_FORMAT, style="center")
    put(ws, 7, 5, "资金到位率", style="head")
    put(ws, 7, 6, _rate(p["arrival_bp"]), PCT_FORMAT, style="center")
    _merge(ws, 7, 7, 7, 11, "全年预计执行数测算依据", style="head")
    _merge(ws, 7, 12, 7, n, p["projected_basis"])
    put(ws, 8, 1, "年度总体目标", style="head")
    goal = data.master.get(code, {}).get("annual_goal")
    _merge(ws, 8, 2, 8, n, None if missing(goal) else str(goal))
    ws.row_dimensions[8].height = 36

    # indicators: header rows 9-10, then one row each
    head = 9
    for c, (title, _) in enumerate(INDICATOR_COLUMNS, 1):
        title = title.format(m=period)
        if 7 <= c <= 11:
            put(ws, head + 1, c, title, style="head")
        else:
            _merge(ws, head, c, head + 1, c, title, style="head")
    _merge(ws, head, 7, head, 11, "偏差原因分析", style="head")
    inds = data.project_indicators(code)
    row = head + 2
    for r in inds.itertuples(index=False):
        put(ws, row, 1, r.level1)
        put(ws, row, 2, r.level2)
        put(ws, row, 3, r.name)
        put(ws, row, 4, _text(r.target_text), style="center")
        put(ws, row, 5, _text(r.actual_text, "未填报"), style="center")
        put(ws, row, 6, _text(r.projected_text, "—"), style="center")
        _deviation(ws, row, 7, notes.get(str(r.name)))
        _light(put(ws, row, 14, light(r.level), style="center"), str(r.level))
        put(ws, row, 15, plain(r.level_reason))
        row += 1
    ws.freeze_panes = ws.cell(row=head + 2, column=4)
    _landscape(ws)


def _text(v: object, default: str = "") -> str:
    return default if missing(v) or str(v) == "" else str(v)


# -- many projects: one long indicator sheet ------------------------------------------------
def _detail_sheet(ws: Worksheet, st: Status, projects: pd.DataFrame, data: ReportData) -> None:
    m = st.month
    period = "1月" if m == 1 else f"1-{m}月"
    cols = [("项目编码", 20), ("项目名称", 28), ("实施单位", 20)] + [(t.format(m=period), w) for t, w in INDICATOR_COLUMNS]
    _widths(ws, [w for _, w in cols])
    for c, (title, _) in enumerate(cols, 1):
        put(ws, 1, c, title, style="head")
    row = 2
    for p in projects.itertuples(index=False):
        notes = _notes_by_item(data, p.project_code)
        for r in data.project_indicators(p.project_code).itertuples(index=False):
            for c, v in enumerate((p.project_code, p.project_name, p.unit_name, r.level1, r.level2, r.name,
                                   _text(r.target_text), _text(r.actual_text, "未填报"), _text(r.projected_text, "—")), 1):
                put(ws, row, c, v)
            _deviation(ws, row, 10, notes.get(str(r.name)))
            _light(put(ws, row, 17, light(r.level), style="center"), str(r.level))
            put(ws, row, 18, plain(r.level_reason))
            row += 1
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(row - 1, 1)}"
