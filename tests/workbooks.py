"""Workbooks and CSV folders built from the committed demo text, and the edits that break them.

Bad workbooks are made here from code (openpyxl, then an edit of the XML inside the zip) rather
than committed as binary files, so each one says what is wrong with it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def csv_rows(folder: Path, sheet: str) -> list[list[str]]:
    with open(folder / f"{sheet}.csv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_csv_rows(folder: Path, sheet: str, rows: list[list[str]]) -> None:
    with open(folder / f"{sheet}.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def column_index(header: list[str], column: str) -> int:
    return next(i for i, h in enumerate(header) if re.split(r"[(（]", h)[0] == column)


def workbook_from_folder(folder: Path, out: Path, sheet_names: dict[str, str] | None = None) -> Path:
    """The CSV folder as one workbook: numbers as numbers, text (such as "=100%" targets) as text."""
    wb = Workbook()
    wb.remove(wb.active)
    for f in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet((sheet_names or {}).get(f.stem, f.stem))
        for i, row in enumerate(csv_rows(folder, f.stem)):
            values: list[object] = []
            for v in row:
                if i and re.fullmatch(r"-?[0-9]+", v):
                    values.append(int(v))
                elif i and re.fullmatch(r"-?[0-9]+\.[0-9]+", v):
                    values.append(float(v))
                else:
                    values.append(v)
            ws.append(values)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a target text, not a formula
    wb.save(out)
    return out


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            z.writestr(n, b)
    return path


def sheet_part(files: dict[str, bytes], sheet: str) -> str:
    """The zip member holding a sheet, through workbook.xml and its relationships."""
    book = files["xl/workbook.xml"].decode()
    rels = files["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet[^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book)
    assert rid, f"no sheet {sheet}"
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else f"xl/{t}"


def edit_part(path: Path, part: str, fn: Callable[[str], str]) -> Path:
    files = parts(path)
    files[part] = fn(files[part].decode()).encode()
    return write_parts(path, files)


def edit_sheet_xml(path: Path, sheet: str, fn: Callable[[str], str]) -> Path:
    return edit_part(path, sheet_part(parts(path), sheet), fn)


def set_sheet_state(path: Path, sheet: str, state: str) -> Path:
    def fn(xml: str) -> str:
        tag = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*/>', xml)
        assert tag
        new = re.sub(r' state="[^"]*"', "", tag.group()).replace(f'name="{sheet}"', f'name="{sheet}" state="{state}"')
        return xml.replace(tag.group(), new)
    return edit_part(path, "xl/workbook.xml", fn)


def add_cell(xml: str, ref: str, inner: str, attrs: str = "") -> str:
    """A cell appended at the end of sheetData, in a row of its own."""
    row = re.match(r"[A-Z]+([0-9]+)", ref).group(1)  # type: ignore[union-attr]
    return xml.replace("</sheetData>", f'<row r="{row}"><c r="{ref}"{attrs}>{inner}</c></row></sheetData>', 1)


def replace_cell(xml: str, ref: str, new_cell: str) -> str:
    """Replace the whole <c r="ref" …>…</c> element."""
    out, n = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', new_cell, xml, count=1)
    assert n == 1, f"no cell {ref}"
    return out


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bomb_xlsx(path: Path) -> Path:
    """7.5 KB that names one cell at XFD1048576: a reader sizing the sheet from it allocates 17 billion cells."""
    path.write_bytes(xlsx_bytes({"月度支出": [["年度", "项目编码", "月份", "支出金额(万元)"], [2023, "360104-ZGH-2023-001", 11, 1]]}))
    return edit_sheet_xml(path, "月度支出", lambda x: add_cell(x, "XFD1048576", "<v>1</v>"))
