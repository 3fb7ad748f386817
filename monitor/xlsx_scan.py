"""Look inside an .xlsx before any reader does.

The readers (calamine, openpyxl) size a sheet from the positions of its cells: one cell at
XFD1048576 in a 7.5 KB file makes calamine allocate a sheet of 17 billion cells and abort the
process, and openpyxl pads every row to the declared width. So the file size, the size of each XML
part once decompressed, and the rows and columns the cells really use are measured here first, by
streaming each wanted sheet's XML through expat (the standard library's parser: it follows XML
syntax — quotes, whitespace, prefixes — as the readers do, where a regular expression would not),
with no part ever held whole in memory and the scan stopping at the first limit passed.

The same pass notes what the readers would not tell: hidden sheets and rows (rows filtered out in
Excel are hidden rows), cells holding an Excel error value (#DIV/0!, #REF! …; calamine reads them
as empty), and formulas saved without a computed result.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from . import limits
from .errors import ImportRejected, Problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE compound files
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_CHUNK = 1 << 20
MAX_NOTED = 1000  # hidden rows, error cells … kept per sheet (the limits bound the scan, this the lists)


@dataclass
class SheetScan:
    name: str
    part: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: int = 0  # the highest row number of a cell that holds something
    columns: int = 0  # the highest column number of such a cell
    hidden_rows: set[int] = field(default_factory=set)
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, "#DIV/0!")
    no_value: list[tuple[int, int]] = field(default_factory=list)  # formulas saved without a result
    # cells shown as a percentage (0.95 as 95%), as (row, column) in two compact arrays
    percent_rows: array[int] = field(default_factory=lambda: array("q"))
    percent_cols: array[int] = field(default_factory=lambda: array("q"))


class _Stop(Exception):
    """A limit was passed: the scan ends at once."""

    def __init__(self, what: str, value: int, row: int, column: int):
        self.what, self.value, self.row, self.column = what, value, row, column


def column_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _column_number(letters: str, cache: dict[str, int]) -> int:
    n = cache.get(letters)
    if n is None:
        if not (letters.isascii() and letters.isalpha() and len(letters) <= 3):
            raise _Stop("ref", 0, 0, 0)
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        cache[letters] = n
    return n


def _reject(file: str, message: str, sheet: str = "—", row: int | None = None, column: str | None = None) -> ImportRejected:
    return ImportRejected([Problem(file, sheet, row, column, message)])


def scan(path: Path, wanted: Callable[[str], bool]) -> list[SheetScan]:
    """Every sheet in workbook order, the wanted ones scanned; ImportRejected when the file is not a
    workbook, is damaged, or passes a limit of monitor/limits.py."""
    file = path.name
    size = path.stat().st_size
    if size > limits.MAX_XLSX_BYTES:
        raise _reject(file, f"文件大小为{size / limits.MB:,.1f} MB，超过导入上限{limits.MAX_UPLOAD_MB} MB；"
                            "请按部门或月份拆分，或改用CSV文件夹通过命令行导入")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise _reject(file, "工作簿设置了打开密码（已加密），或是旧版 .xls 格式：请在Excel中取消密码，或另存为 .xlsx 后再导入")
    if not head.startswith(b"PK"):
        raise _reject(file, "不是有效的 .xlsx 工作簿（文件内容不是Excel 2007及以后的格式，可能只改了扩展名或已损坏）；请用Excel另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as z:
            return _scan_zip(file, z, wanted)
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, KeyError, expat.ExpatError, UnicodeDecodeError) as exc:
        raise _reject(file, f"工作簿已损坏，无法读取（{type(exc).__name__}）；请在Excel中打开并另存为 .xlsx 后再导入") from exc


def _scan_zip(file: str, z: zipfile.ZipFile, wanted: Callable[[str], bool]) -> list[SheetScan]:
    for info in z.infolist():
        if info.file_size > limits.MAX_XML_BYTES:
            raise _reject(file, f"工作簿内部的「{info.filename}」解压后为{info.file_size / limits.MB:,.0f} MB，"
                                f"超过上限{limits.MAX_XML_BYTES // limits.MB} MB")
    names = set(z.namelist())
    book = "xl/workbook.xml"
    if book not in names:
        raise _reject(file, "不是有效的 .xlsx 工作簿（缺少 xl/workbook.xml），可能是其他软件的文件或已损坏；请用Excel另存为 .xlsx")
    sheets = _workbook_sheets(file, _small_part(file, z, book), _small_part(file, z, "xl/_rels/workbook.xml.rels")
                              if "xl/_rels/workbook.xml.rels" in names else b"")
    if "xl/sharedStrings.xml" in names:
        _count_bytes(file, z, "xl/sharedStrings.xml")  # read whole by calamine: a lying zip header stops here
    percent = _percent_styles(_small_part(file, z, "xl/styles.xml")) if "xl/styles.xml" in names else frozenset()
    for s in sheets:
        if wanted(s.name):
            if s.part not in names:
                raise _reject(file, "工作簿已损坏：找不到该工作表的内容；请在Excel中打开并另存为 .xlsx 后再导入", s.name)
            _scan_sheet(file, z, s, percent)
    return sheets


BUILTIN_PERCENT_FORMATS = ("9", "10")  # 0% and 0.00%


def _percent_styles(styles: bytes) -> frozenset[str]:
    """The style indexes (a cell's s="…") whose number format shows a percentage: the same test
    openpyxl's number_format answered ("%" in the format code), read from styles.xml directly."""
    codes: dict[str, str] = {}
    xfs: list[str] = []
    depth = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        name = name.rpartition(":")[2]
        if name == "numFmt":
            codes[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            depth["cellXfs"] = True
        elif name == "xf" and depth["cellXfs"]:
            xfs.append(attrs.get("numFmtId", "0"))

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "cellXfs":
            depth["cellXfs"] = False

    p = expat.ParserCreate()
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.Parse(styles, True)
    return frozenset(str(i) for i, f in enumerate(xfs) if f in BUILTIN_PERCENT_FORMATS or "%" in codes.get(f, ""))


def _small_part(file: str, z: zipfile.ZipFile, name: str) -> bytes:
    data = _count_bytes(file, z, name, keep=True)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _reject(file, f"工作簿内部的「{name}」含有DTD/实体声明，不是Excel保存的正常文件，拒绝读取")
    return data


def _count_bytes(file: str, z: zipfile.ZipFile, name: str, keep: bool = False) -> bytes:
    total, parts = 0, []
    with z.open(name) as fh:
        while chunk := fh.read(_CHUNK):
            total += len(chunk)
            if total > limits.MAX_XML_BYTES:
                raise _reject(file, f"工作簿内部的「{name}」解压后超过上限{limits.MAX_XML_BYTES // limits.MB} MB")
            if keep:
                parts.append(chunk)
    return b"".join(parts)


def _workbook_sheets(file: str, workbook: bytes, rels: bytes) -> list[SheetScan]:
    targets: dict[str, str] = {}
    found: list[tuple[str, str, str]] = []

    def rel(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == "Relationship" and "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and k != "sheetId"), "")
            found.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))

    for data, handler in ((rels, rel), (workbook, sheet)):
        if data:
            p = expat.ParserCreate()
            p.StartElementHandler = handler
            p.Parse(data, True)
    out = []
    for name, state, rid in found:
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        out.append(SheetScan(name, _normalise_part(part), state))
    return out


def _normalise_part(part: str) -> str:
    pieces: list[str] = []
    for p in part.split("/"):
        if p == "..":
            if pieces:
                pieces.pop()
        elif p and p != ".":
            pieces.append(p)
    return "/".join(pieces)


def _scan_sheet(file: str, z: zipfile.ZipFile, s: SheetScan, percent: frozenset[str] = frozenset()) -> None:
    """One streaming pass over a sheet's XML (see the module docstring).

    Written for speed (about 1.2 million cells a second): plain closures over local variables, a
    cell's position worked out when it starts, its content seen from the start of a <v>, <f> or
    <is> (an empty styled cell is not part of the used range, as for the readers), and end tags
    and text followed only for the rare error and formula cells."""
    max_rows, max_cols = limits.MAX_XLSX_ROWS, limits.MAX_COLUMNS
    cache: dict[str, int] = {}
    row = col = cell_row = cell_col = used_rows = used_cols = 0
    row_text, row_len = "0", 1
    cell_type = "n"
    formula = False
    v_start = -1
    text: list[str] = []
    percent_rows, percent_cols = s.percent_rows, s.percent_cols
    p = expat.ParserCreate()

    def position(ref: str | None) -> None:
        """The slow path: a cell without a reference, or whose reference names another row."""
        nonlocal col, cell_row, cell_col
        if ref is None:
            col += 1
            cell_row, cell_col = row, col
            return
        m = _REF.fullmatch(ref)
        if m is None:  # beyond XFD1048576's shape, or not a reference at all
            raise _Stop("ref", 0, row, 0)
        cell_row, cell_col = int(m.group(2)), _column_number(m.group(1), cache)
        col = cell_col

    def content() -> None:
        nonlocal used_rows, used_cols
        if cell_row > used_rows:
            if cell_row > max_rows:
                raise _Stop("rows", cell_row, cell_row, cell_col)
            used_rows = cell_row
        if cell_col > used_cols:
            if cell_col > max_cols:
                raise _Stop("columns", cell_col, cell_row, cell_col)
            used_cols = cell_col

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, row_text, row_len, cell_row, cell_col, cell_type, formula, v_start
        if name == "c":
            ref = attrs.get("r")
            # the common case: "B12" in row 12; the letters' number comes from a small cache
            c = cache.get(ref[:-row_len]) if ref is not None and ref.endswith(row_text) else None
            if c is None:
                position(ref)
            else:
                cell_row, cell_col, col = row, c, c
            cell_type = attrs.get("t", "n")
            formula = False
            if percent and attrs.get("s") in percent:
                percent_rows.append(cell_row)
                percent_cols.append(cell_col)
        elif name == "v":
            if cell_row > used_rows or cell_col > used_cols:
                content()
            if cell_type == "e" or formula:
                v_start = p.CurrentByteIndex
                text.clear()
                p.CharacterDataHandler = text.append
                p.EndElementHandler = end
        elif name == "row":
            ref = attrs.get("r")
            row = int(ref) if ref is not None and ref.isdigit() and len(ref) <= 7 else row + 1
            row_text = str(row)
            row_len = len(row_text)
            col = 0
            if row > max_rows:
                raise _Stop("rows", row, row, 0)
            if attrs.get("hidden") in ("1", "true") and len(s.hidden_rows) < MAX_NOTED:
                s.hidden_rows.add(row)
        elif name == "f":
            content()
            formula = True
            v_start = -1
            p.EndElementHandler = end  # the cell's end tells whether a <v> came
        elif name == "is":
            content()
        elif ":" in name:
            start(name.rpartition(":")[2], attrs)

    def end(name: str) -> None:
        nonlocal v_start
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "v":
            p.CharacterDataHandler = None
            value = "".join(text).strip()
            if cell_type == "e" and len(s.errors) < MAX_NOTED:
                s.errors.append((cell_row, cell_col, value or "#错误"))
            v_start = -2 if value or cell_type == "str" else -1  # -2: a result was saved
        elif name == "c":
            p.EndElementHandler = None
            if formula and v_start != -2 and cell_type != "e" and len(s.no_value) < MAX_NOTED:
                s.no_value.append((cell_row, cell_col))

    def doctype(*_: object) -> None:
        raise _Stop("doctype", 0, 0, 0)

    p.buffer_text = True
    p.StartElementHandler = start
    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    total = 0
    try:
        with z.open(s.part) as fh:
            while chunk := fh.read(_CHUNK):
                total += len(chunk)
                if total > limits.MAX_XML_BYTES:
                    raise _reject(file, f"工作表解压后超过上限{limits.MAX_XML_BYTES // limits.MB} MB", s.name)
                p.Parse(chunk, False)
            p.Parse(b"", True)
    except _Stop as stop:
        raise _limit_problem(file, s.name, stop) from None
    s.rows, s.columns = used_rows, used_cols


def _limit_problem(file: str, sheet: str, stop: _Stop) -> ImportRejected:
    where = f"（单元格{column_letters(stop.column)}{stop.row}）" if stop.column else ""
    if stop.what == "rows":
        return _reject(file, f"工作表用到了第{stop.value:,}行{where}，超过每张工作表{limits.MAX_XLSX_ROWS:,}行的上限；"
                             "请删除多余的行（包括远处误填的单元格），或拆分文件、改用CSV文件夹通过命令行导入", sheet, stop.row)
    if stop.what == "columns":
        return _reject(file, f"工作表用到了第{stop.value:,}列{where}，超过{limits.MAX_COLUMNS}列的上限；"
                             "请删除多余的列（包括远处误填的单元格）后再导入", sheet, stop.row)
    if stop.what == "doctype":
        return _reject(file, "工作表含有DTD/实体声明，不是Excel保存的正常文件，拒绝读取", sheet)
    return _reject(file, "工作簿已损坏：单元格位置无法识别；请在Excel中打开并另存为 .xlsx 后再导入", sheet, stop.row or None)
