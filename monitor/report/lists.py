"""What is on the screen, to Excel: the filtered 低执行项目 and 预警 lists as formatted workbooks.

The title names the period and the filters, every money header its unit; money is a number in 万元
with four decimals, rates are Excel percentages, lights are words on the light's colour. Built with
openpyxl's write-only mode, so a province's 100,000 rows stay within a few seconds and little memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..status import LEVEL_COLORS, LEVEL_LABELS
from .phrases import opt_int
from .table import FORMULA_LEADS, PCT_FORMAT, PP_FORMAT

WAN4_FORMAT = "#,##0.0000"
_FILLS = {lv: PatternFill("solid", fgColor=c.lstrip("#").upper()) for lv, c in LEVEL_COLORS.items()}
_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class ListColumn:
    """One column of an exported list: header (with its unit), how to read a row, and its kind."""

    header: str
    value: Callable[[object], object]  # a row (itertuples) → its value
    kind: str = "text"  # text | wan (分 → 万元) | pct (bp → %) | pp (bp → 个百分点) | light | int
    width: float = 14


def _cell(ws: Worksheet, value: object, kind: str) -> WriteOnlyCell:
    if kind in ("wan", "pct", "pp", "int"):
        v = opt_int(value)
        cell = WriteOnlyCell(ws, None if v is None else v / {"wan": 1_000_000, "pct": 10_000, "pp": 100, "int": 1}[kind])
        cell.number_format = {"wan": WAN4_FORMAT, "pct": PCT_FORMAT, "pp": PP_FORMAT, "int": "0"}[kind]
        return cell
    if kind == "light":
        cell = WriteOnlyCell(ws, LEVEL_LABELS.get(str(value), str(value)))
        cell.fill = _FILLS.get(str(value), _FILLS["none"])
        if value in ("red", "green", "blue"):
            cell.font = Font(color="FFFFFF", bold=True)
        return cell
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)  # type: ignore[arg-type]
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    if text.startswith(FORMULA_LEADS):
        cell.quotePrefix = True
    return cell


def list_workbook(title: str, notes: Sequence[str], columns: Sequence[ListColumn], rows: pd.DataFrame,
                  sheet: str = "清单") -> bytes:
    """One sheet: the title, a line per note (period, filters, units, rules), the header, the rows."""
    return list_workbook_sheets([(sheet, title, notes, columns, rows)])


def list_workbook_sheets(sheets: Sequence[tuple[str, str, Sequence[str], Sequence[ListColumn], pd.DataFrame]]) -> bytes:
    """Several such sheets in one workbook: (sheet name, title, notes, columns, rows) each."""
    wb = Workbook(write_only=True)
    for sheet, title, notes, columns, rows in sheets:
        _sheet(wb.create_sheet(sheet), title, notes, columns, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(ws: Worksheet, title: str, notes: Sequence[str], columns: Sequence[ListColumn], rows: pd.DataFrame) -> None:
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[_letter(i)].width = col.width
    header_row = len(notes) + 3  # the title, the notes, a blank row, then the header
    ws.freeze_panes = f"A{header_row + 1}"
    head = WriteOnlyCell(ws, title)
    head.font = Font(bold=True, size=14)
    ws.append([head])
    for line in notes:
        ws.append([_cell(ws, line, "text")])
    ws.append([])
    header = []
    for col in columns:
        c = WriteOnlyCell(ws, col.header)
        c.font, c.fill, c.alignment = _BOLD, _HEAD, Alignment(wrap_text=True, vertical="center")
        header.append(c)
    ws.append(header)
    for r in rows.itertuples(index=False):
        ws.append([_cell(ws, col.value(r), col.kind) for col in columns])
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


PROJECT_COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("资金灯", lambda r: r.level, "light", 8),
    ListColumn("项目编码", lambda r: r.project_code, width=20),
    ListColumn("项目名称", lambda r: r.project_name, width=30),
    ListColumn("主管部门", lambda r: r.department_name, width=18),
    ListColumn("预算单位", lambda r: r.unit_name, width=20),
    ListColumn("预算（调整后，万元）", lambda r: r.budget_fen, "wan"),
    ListColumn("累计支出（万元）", lambda r: r.spent_fen, "wan"),
    ListColumn("执行率", lambda r: r.rate_bp, "pct", 9),
    ListColumn("序时进度", lambda r: r.schedule_bp, "pct", 9),
    ListColumn("落后序时进度（个百分点）", lambda r: r.gap_bp, "pp", 11),
    ListColumn("沉淀资金（万元）", lambda r: r.idle_fen, "wan"),
    ListColumn("指标灯", lambda r: r.indicator_level, "light", 8),
    ListColumn("资金与目标", lambda r: r.quadrant, width=16),
    ListColumn("预计年底执行率", lambda r: r.projected_bp, "pct", 11),
    ListColumn("测算依据", lambda r: r.projected_basis, width=12),
    ListColumn("今后须月均支出（万元）", lambda r: r.required_monthly_fen, "wan"),
    ListColumn("判定依据", lambda r: r.level_reason, width=48),
)

WARNING_COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("灯", lambda r: r.level, "light", 8),
    ListColumn("主管部门", lambda r: r.department_name, width=18),
    ListColumn("预算单位", lambda r: r.unit_name, width=20),
    ListColumn("项目编码", lambda r: r.project_code, width=20),
    ListColumn("项目名称", lambda r: r.project_name, width=28),
    ListColumn("事项", lambda r: r.indicator_name or "项目资金", width=24),
    ListColumn("预警原因", lambda r: r.reason, width=44),
    ListColumn("沉淀资金（万元）", lambda r: r.idle_fen if r.kind == "资金" else None, "wan"),
    ListColumn("建议原因", lambda r: r.suggested_cause, width=12),
    ListColumn("建议措施", lambda r: r.suggested_measure, width=44),
    ListColumn("说明", lambda r: "已填写" if r.has_note else "未填写", width=8),
)


def projects_workbook(projects: pd.DataFrame, title: str, notes: Sequence[str]) -> bytes:
    """The 低执行项目 list as shown (its rows, its order)."""
    return list_workbook(title, notes, PROJECT_COLUMNS, projects, "低执行项目")


def warnings_workbook(items: pd.DataFrame, title: str, notes: Sequence[str]) -> bytes:
    """The 预警 list as shown."""
    return list_workbook(title, notes, WARNING_COLUMNS, items, "预警清单")
