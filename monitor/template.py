"""The empty import template: one sheet per table with its headers, and a 填写说明 sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .importer import SHEETS


def header_text(sheet: str, column: str, money: bool) -> str:
    return f"{column}(万元)" if money else column


def write_template(path: str | Path) -> Path:
    wb = Workbook()
    info = wb.active
    info.title = "填写说明"
    info.append(["工作表", "列", "是否必填", "说明"])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        ws.append([header_text(spec.name, c.name, c.money) for c in spec.columns])
        for cell in ws[1]:
            cell.font = bold
            cell.fill = fill
            ws.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) * 2 + 2)
        ws.freeze_panes = "A2"
        for c in spec.columns:
            note = "金额单位为万元；表头写成“(元)”则按元导入" if c.money else ""
            info.append([spec.name + ("（可选工作表）" if spec.optional_sheet else ""), c.name, "必填" if c.required else "可选", note])
        info.append([spec.name, "", "", spec.help])
    info.append(["全部", "", "", "导入是整体的：任何一处错误都会使整个文件不被导入，并列出出错的工作表、行和列。重新导入更正后的文件会替换同一项目（同一月份、同一指标）的原有数据，不会重复。"])
    for cell in info[1]:
        cell.font = bold
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 16
    info.column_dimensions["D"].width = 90
    for row in info.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
