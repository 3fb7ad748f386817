"""Import a workbook (.xlsx) or a folder of CSV files: validated whole, then written all-or-nothing.

Every bad value becomes a `Problem` naming file, sheet, Excel row and column. If there is any error
the database is not touched (`ImportRejected`). Suspicious but possible values (spend above budget,
a missing month, negative spend, a budget that looks typed in 元, hidden rows) are imported and
returned as warnings.

Before anything is read, a file is held against monitor/limits.py: sizes, and for a workbook the
rows and columns its cells really use (monitor/xlsx_scan.py), so no reader is ever handed a sheet
it would have to allocate beyond them. Cells are then checked for what no cell may hold (Excel error
values, control and invisible characters, overlong text) and numbers for what only looks like one.

Validation is set-wise: a UTF-8 CSV is read by Arrow's reader, every column becomes a categorical of
its distinct stripped texts, and a check runs over whole columns (plain ASCII codes and texts, plain
decimal amounts in Arrow kernels; keys, repeats and joins on integer codes); the per-value Python
converters, which word every message, run once per distinct value that a whole-column check did not
pass. So a province-sized folder (3 million rows) is checked in seconds; writing it is the store's.
`import_path` tells an optional `progress(fraction, stage)` where it is (the command line draws it on
stderr, the upload page as a bar).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import limits, project_facts, rounds
from .access import Actor, require
from .errors import ImportRejected, Problem, TargetParseError
from .money import FEN_PER_WAN, fmt_wan, to_decimal
from .notes import CAUSES, LIKELIHOODS, MEASURE_STATUSES, MEASURE_TYPES
from .project_facts import MONITOR_BODIES, THIRD_PARTY, period_end
from .store import Store
from .targets import NATURES, Target, infer_natures, parse_actual, parse_target

if TYPE_CHECKING:
    from .xlsx_scan import SheetScan

ADJUST_TYPES = ("原指标", "新增指标", "调整", "删除")
YES_NO = ("是", "否")
# the 项目 sheet's optional columns of monitor/project_facts.py, column → field
FACT_COLUMNS = {"项目背景": "background", "立项依据": "basis", "总目标是否调整": "goal_adjusted", "调整后总目标": "adjusted_goal",
                "监控主体": "monitor_body", "第三方名称": "third_party", "合规性结论": "compliance",
                "效率性分析": "efficiency", "效益性分析": "effectiveness", "公平性分析": "fairness"}
NATURE_WORDS = {"比率类": "rate", "累计类": "cumulative", "定性": "qualitative", **{n: n for n in NATURES}}
MAX_PROBLEMS = 1000
MIXUP_FACTOR = 100  # a month's spend above 100 × budget is a 元/万元 mix-up, not overspending


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True
    money: bool = False  # amounts: 万元 unless the header says (元)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    optional_sheet: bool = False
    help: str = ""


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("项目", (
        Column("年度"), Column("部门名称"), Column("单位名称"), Column("项目编码"), Column("项目名称"),
        Column("开始日期", False), Column("结束日期", False), Column("年初预算", money=True),
        Column("调整后预算", False, money=True), Column("年度绩效目标", False), Column("项目内容", False),
        *(Column(name, False) for name in FACT_COLUMNS),
    ), help="每个项目一行；调整后预算留空即等于年初预算。项目背景至公平性分析为监控报告用的文字，可不填"
            "（不填的行不改变已保存的内容）；总目标是否调整填 是/否，为“是”时须填调整后总目标；"
            "监控主体填 单位自行监控/第三方，为第三方时须填第三方名称。"),
    SheetSpec("月度支出", (
        Column("年度"), Column("项目编码"), Column("月份"), Column("支出金额", money=True),
        Column("到位资金", False, money=True), Column("计划支出", False, money=True),
    ), help="每个项目每月一行，填当月发生数（不是累计数）；到位资金、计划支出可不填。"),
    SheetSpec("绩效指标", (
        Column("年度"), Column("项目编码"), Column("一级指标"), Column("二级指标"), Column("三级指标"),
        Column("年度指标值"), Column("权重", False), Column("调整类型", False), Column("指标解释", False),
        Column("指标性质", False), Column("原指标名称", False), Column("原指标值", False),
    ), help="年度指标值如 ≥100人、=100%、≤490万、0次、丰富；调整类型为 原指标/新增指标/调整/删除。"),
    SheetSpec("指标进度", (
        Column("年度"), Column("项目编码"), Column("三级指标"), Column("月份"),
        Column("本阶段目标值", False), Column("实际完成值", False), Column("完成情况说明", False),
    ), help="实际完成值为截至该月末的累计数；定性指标填 达成/部分达成/未达成（或指标值原词，如“丰富”即达成）；"
            "完成情况说明写做了什么、何时、数据来源（如满意度调查的方式）。"),
    SheetSpec("监控说明", (
        Column("年度"), Column("项目编码"), Column("三级指标", False), Column("月份"),
        Column("问题", False), Column("偏差原因", False), Column("原因说明", False), Column("完成目标可能性", False),
        Column("纠偏措施", False), Column("措施类型", False), Column("责任人", False),
        Column("完成时限", False), Column("措施状态", False),
    ), optional_sheet=True, help="三级指标留空表示针对项目资金；偏差原因可多选，用“、”分隔。"),
    SheetSpec("资金来源", (
        Column("年度"), Column("项目编码"), Column("截至月份"), Column("资金来源"),
        Column("年初预算", False, money=True), Column("追加", False, money=True), Column("调减", False, money=True),
        Column("调整后预算", False, money=True), Column("执行数", False, money=True),
    ), optional_sheet=True, help="每个项目每个资金来源一行（如一般公共预算拨款、其他资金、专项债券）；调整后预算 = 年初预算 + 追加 − 调减"
                                 "（留空则按此计算）；同一项目同一月份各来源的调整后预算之和须等于「项目」表的调整后预算；"
                                 "执行数为截至该月末的累计支出。"),
    SheetSpec("工作进展", (
        Column("年度"), Column("项目编码"), Column("日期"), Column("结束日期", False), Column("事项"), Column("内容", False),
    ), optional_sheet=True, help="本期开展的工作，每项一行：日期写 2023-06-30，只知道月份写 2023-06；持续多日的填结束日期。"
                                 "导入会替换该项目原有的全部工作进展。"),
)
SPEC = {s.name: s for s in SHEETS}
SPEC_COLUMNS = {s.name: {c.name for c in s.columns} for s in SHEETS}

@dataclass
class RawSheet:
    file: str
    sheet: str
    frame: pd.DataFrame  # one column per header base name, object values, None for empty
    rows: np.ndarray  # the Excel/CSV row number of each frame row
    units: dict[str, str] = field(default_factory=dict)  # money column → 万元 | 元
    percent: dict[str, np.ndarray] = field(default_factory=dict)  # column → is an Excel percent cell
    problems: list[Problem] = field(default_factory=list)  # found while reading (headers, error cells)
    notes: list[Problem] = field(default_factory=list)  # warnings found while reading (hidden rows)
    head: list[list[object]] = field(default_factory=list)  # the first rows as read, for telling why no header was found


@dataclass
class ImportReport:
    counts: dict[str, int]
    warnings: list[Problem]
    periods: dict[int, list[int]] = field(default_factory=dict)  # year → months imported (spend, progress, notes)

    def period_text(self) -> str:
        """2023年1-10月; 2023年10月; 2023年1-3、5月; a year without months alone."""
        return "，".join(f"{y}年{months_text(ms)}" for y, ms in sorted(self.periods.items()))

    def latest(self) -> tuple[int, int] | None:
        """The latest year and its last month imported: where the dashboard shows the new data."""
        withm = {y: ms for y, ms in self.periods.items() if ms}
        if not withm:
            return None
        y = max(withm)
        return y, max(withm[y])

    def summary(self) -> str:
        parts = "，".join(f"{k}{v}行" for k, v in self.counts.items() if v)
        period = self.period_text()
        return (f"导入成功：{period + '；' if period else ''}{parts or '无数据'}"
                + (f"；另有{len(self.warnings)}条提醒" if self.warnings else ""))


def months_text(months: list[int]) -> str:
    if not months:
        return ""
    runs: list[list[int]] = []
    for m in sorted(set(months)):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return "、".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs) + "月"


# -- reading -----------------------------------------------------------------------------------
class Sheets(dict[str, RawSheet]):
    """The sheets of one workbook or CSV folder by sheet name, with the warnings reading them gave
    (sheets left out, example rows skipped, hidden rows)."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[Problem] = []
        self.file = "—"


def read_source(path: str | Path) -> Sheets:
    """The sheets of a workbook or CSV folder; ImportRejected when the file cannot be read, passes
    a limit of monitor/limits.py, or has a sheet that looks meant for import under a wrong name."""
    p = Path(path)
    if p.is_dir():
        sheets = _read_csv_dir(p)
    elif p.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _read_xlsx(p)
    elif p.suffix.lower() == ".csv":
        sheets = _read_csv_dir(p.parent, only=p)
    else:
            raise ImportRejected([Problem(p.name, "—", None, None, "只能导入 .xlsx 工作簿或存放 CSV 文件的文件夹（旧版 .xls 请先在Excel中另存为 .xlsx）")])
    sheets.file = p.name
    return sheets


# Characters no cell may hold: C0/C1 controls (NUL, BEL, ESC … — the .docx and .xlsx exports cannot
# write them) other than tab and line breaks, and the invisible format characters (zero-width
# space and joiners, bidirectional overrides that reverse how a name reads, the BOM, soft hyphen)
# that make two codes or names look alike; U+FFFE/U+FFFF are not characters at all.
_FORBIDDEN_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff"
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CLASS}]")
# A code may not hold any space at all (inner spaces make look-alikes too); leading and trailing ones are trimmed.
_CODE_SPACE = re.compile(r"\s")
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!",
                "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!")
# A row whose first cell starts with 示例 is the template's example: never imported (warned).
EXAMPLE_MARK = "示例"
INFO_SHEET = "填写说明"


def describe_char(ch: str) -> str:
    """U+200B（ZERO WIDTH SPACE）: how a user can find an invisible character in a cell."""
    import unicodedata

    return f"U+{ord(ch):04X}（{unicodedata.name(ch, '控制字符')}）"


def _clean_name(name: str) -> str:
    """A sheet or file name as a person reads it: NFKC, no spaces or invisible characters, and no
    表/数据 suffix (项目表 is the 项目 sheet)."""
    import unicodedata

    t = _FORBIDDEN.sub("", unicodedata.normalize("NFKC", name))
    t = re.sub(r"\s+", "", t)
    for suffix in ("工作表", "数据表", "表", "数据"):
        if t.endswith(suffix) and t[: -len(suffix)] in SPEC:
            return t[: -len(suffix)]
    return t


def _sheet_role(file: str, name: str, hidden: bool, sheets: Sheets, kind: str = "工作表") -> str | None:
    """The spec name a sheet (or CSV file) is imported as, or None; a name that nearly matches is an
    error (the user believes it imported), a visible unknown sheet a warning, a hidden one an error
    when it is a data sheet (a person cannot see what would be imported)."""
    if name in SPEC:
        if hidden:
            raise ImportRejected([Problem(file, name, None, None, f"工作表「{name}」在Excel中被隐藏：隐藏的工作表看不到内容，"
                                                               "不予导入；请取消隐藏并核对后再导入，或删除该工作表")])
        return name
    clean = _clean_name(name)
    if clean in SPEC:
        raise ImportRejected([Problem(file, name, None, None, f"{kind}名「{name}」不是规定的名称，请改名为「{clean}」后再导入"
                                                           "（名称须与模板完全一致，不能有空格或多余的字）")])
    if not hidden and name != INFO_SHEET:
        sheets.warnings.append(Problem(file, name, None, None, f"{kind}「{name}」未导入：可导入的{kind}为{'、'.join(SPEC)}", "警告"))
    return None


def _split_headers(file: str, sheet: str, headers: list[object]) -> tuple[list[str], dict[str, str], list[Problem]]:
    """Header texts as column names and units. Spaces inside a header are dropped (项目 编码 is
    项目编码); a repeated header or one holding an invisible character is an error at row 1."""
    names: list[str] = []
    units: dict[str, str] = {}
    problems: list[Problem] = []
    money = {c.name for c in SPEC[sheet].columns if c.money} if sheet in SPEC else set()
    for i, h in enumerate(headers):
        text = "" if h is None or (isinstance(h, float) and np.isnan(h)) else str(h)
        bad = _FORBIDDEN.search(text)
        if bad:
            problems.append(Problem(file, sheet, 1, _FORBIDDEN.sub("", text).strip() or f"第{i + 1}列",
                                    f"表头含有不可见字符{describe_char(bad.group())}，请删除后重新导入"))
        text = re.sub(r"\s+", "", _FORBIDDEN.sub("", text))
        m = _UNIT_HEADER.match(text)
        base = text
        if m and (m.group(1) in money or m.group(2) in ("万元", "元")):
            base = m.group(1)
            units[base] = m.group(2)
        if base and base in names:
            problems.append(Problem(file, sheet, 1, base, f"表头「{base}」重复（第{names.index(base) + 1}列和第{i + 1}列），每列只能出现一次"))
            base = ""  # the second copy is not read
        names.append(base)
    return names, units, problems


_UNIT_HEADER = re.compile(r"^(.*?)[（(]([^()（）]*)[)）]$")


def _read_xlsx(path: Path) -> Sheets:
    """Values through calamine (Rust; 25× openpyxl's read-only mode on a large sheet), after
    monitor/xlsx_scan.py has checked the file against the limits and noted what calamine does not
    say: hidden rows, Excel error values, formulas without a result, and percent-formatted cells
    (0.95 shown as 95%)."""
    from python_calamine import CalamineWorkbook

    from . import xlsx_scan

    sheets = Sheets()
    scans = xlsx_scan.scan(path, lambda name: name in SPEC)
    roles = {s.name: _sheet_role(path.name, s.name, s.state != "visible", sheets) for s in scans}
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several error types for a damaged file
        raise ImportRejected([Problem(path.name, "—", None, None, "工作簿已损坏，无法读取；请在Excel中打开并另存为 .xlsx 后再导入")]) from exc
    for scan in scans:
        name = roles.get(scan.name)
        if name is None:
            continue
        try:
            rows = book.get_sheet_by_name(scan.name).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - as above
            raise ImportRejected([Problem(path.name, name, None, None, "工作表已损坏，无法读取；请在Excel中打开并另存为 .xlsx 后再导入")]) from exc
        sheets[name] = _sheet_from_rows(path.name, name, rows, scan)
    return sheets


def _sheet_from_rows(file: str, sheet: str, rows: list[list[object]], scan: SheetScan | None = None) -> RawSheet:
    """A sheet's rows (header first) as a RawSheet keeping each row's spreadsheet row number; what
    the header and the scan found wrong is in its `problems`, for validation to report with the rest."""
    if not rows:
        return RawSheet(file, sheet, pd.DataFrame(), np.array([], dtype=np.int64))
    names, units, problems = _split_headers(file, sheet, list(rows[0]))
    width = len(names)
    values = [tuple(v[:width]) + (None,) * (width - len(v)) for v in rows[1:]]
    frame = pd.DataFrame(values, columns=range(width), dtype=object)
    percent: dict[str, np.ndarray] = {}
    raw_errors: list[Problem] = []
    if scan is not None:
        # calamine's rows start at A1 (skip_empty_area=False): Excel row r is frame row r - 2
        n = len(frame)
        if len(scan.percent_rows):
            pr = np.frombuffer(scan.percent_rows, dtype=np.int64) - 2
            pc_ = np.frombuffer(scan.percent_cols, dtype=np.int64) - 1
            for i, nm in enumerate(names):
                if nm in ("实际完成值", "本阶段目标值"):
                    flags = np.zeros(n, dtype=bool)
                    hit = pr[(pc_ == i) & (pr >= 0) & (pr < n)]
                    flags[hit] = True
                    percent[nm] = flags
        for r, c, err in scan.errors:
            col = names[c - 1] if 0 < c <= width and names[c - 1] else None
            raw_errors.append(Problem(file, sheet, r, col, f"单元格为Excel错误值「{err}」，请检查公式或改为数值后再导入"))
        for r, c in scan.no_value:
            col = names[c - 1] if 0 < c <= width and names[c - 1] else None
            raw_errors.append(Problem(file, sheet, r, col, "单元格是公式，但文件中没有保存计算结果（文件可能由其他软件生成）；"
                                                          "请在Excel中打开、确认计算后保存，或把公式粘贴为数值后再导入"))
    frame.columns = names
    frame = frame.loc[:, [n for n in names if n]]
    numbers = np.arange(2, len(frame) + 2)
    frame = _normalise(frame)
    keep = ~frame.isna().all(axis=1).to_numpy() if len(frame) else np.array([], dtype=bool)
    percent = {k: v[keep] for k, v in percent.items()}
    raw = RawSheet(file, sheet, frame[keep].reset_index(drop=True), numbers[keep], units, percent)
    raw.problems = problems + raw_errors
    raw.head = [list(r) for r in rows[:11]]
    if scan is not None and scan.hidden_rows:
        hidden = sorted(set(raw.rows.tolist()) & scan.hidden_rows)
        if hidden:
            shown = "、".join(str(r) for r in hidden[:20]) + ("等" if len(hidden) > 20 else "")
            raw.notes.append(Problem(file, sheet, hidden[0], None, f"第{shown}行（共{len(hidden)}行）在Excel中被隐藏或被筛选掉，"
                                                                  "已一并导入；如不应导入，请删除这些行后重新导入", "警告"))
    return raw


class _CsvProblem(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _read_csv_dir(folder: Path, only: Path | None = None) -> Sheets:
    sheets = Sheets()
    problems: list[Problem] = []
    files = [only] if only else sorted(folder.glob("*.csv"))
    roles = [(f, sheet) for f in files
             if (sheet := _sheet_role(f.name, f.stem, False, sheets, "CSV文件") if only is None else _single_csv_role(f))]

    def read(role: tuple[Path, str]) -> RawSheet | _CsvProblem:
        try:
            return _read_csv(*role)
        except _CsvProblem as exc:
            return exc

    # the files side by side: Arrow's reader and kernels let go of the GIL
    with ThreadPoolExecutor(max_workers=max(1, min(len(roles), os.cpu_count() or 1))) as pool:
        for (_, sheet), got in zip(roles, pool.map(read, roles), strict=True):
            if isinstance(got, _CsvProblem):
                problems.append(got.problem)
            else:
                sheets[sheet] = got
    if problems:
        raise ImportRejected(problems)
    if only is not None and not sheets:
        raise ImportRejected([Problem(only.name, "—", None, None, f"CSV文件名应为工作表名，如「月度支出.csv」（可导入：{'、'.join(SPEC)}）")])
    return sheets


def _single_csv_role(f: Path) -> str | None:
    if f.stem in SPEC:
        return f.stem
    clean = _clean_name(f.stem)
    if clean in SPEC:
        raise ImportRejected([Problem(f.name, f.stem, None, None, f"CSV文件名「{f.name}」不是规定的名称，请改名为「{clean}.csv」后再导入")])
    return None


BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16", b"\xef\xbb\xbf": "UTF-8"}


def _read_csv(f: Path, sheet: str) -> RawSheet:
    """One CSV file, checked before pandas reads it: size, rows (line breaks counted in one
    streaming pass), NUL bytes, and an encoding named when it is not UTF-8 or GB18030."""
    def bad(message: str, row: int | None = None, column: str | None = None) -> _CsvProblem:
        return _CsvProblem(Problem(f.name, sheet, row, column, message))

    size = f.stat().st_size
    if size == 0:
        raise bad("文件是空的（0字节），没有表头也没有数据")
    if size > limits.MAX_CSV_BYTES:
        raise bad(f"文件大小为{size / limits.MB:,.0f} MB，超过上限{limits.MAX_CSV_BYTES // limits.MB} MB；请拆分后导入")
    lines, nul_at, head = 0, -1, b""
    with open(f, "rb") as fh:
        while chunk := fh.read(1 << 22):
            if not head:
                head = chunk[:65536]
            if nul_at < 0 and (k := chunk.find(b"\x00")) >= 0:
                nul_at = lines + chunk.count(b"\n", 0, k) + 1
            lines += chunk.count(b"\n")
            if lines > limits.MAX_CSV_ROWS:
                raise bad(f"文件超过{limits.MAX_CSV_ROWS:,}行的上限；请按部门或年度拆分后导入")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (nul_at > 0 and head.count(b"\x00") > len(head) // 4):
        raise bad("文件是UTF-16（Unicode）编码，请在Excel中另存为“CSV UTF-8（逗号分隔）”后再导入")
    if nul_at > 0:
        raise bad("文件含有NUL空字符（\\x00），不是正常的文本文件或已损坏；请用Excel重新另存为CSV", nul_at)
    encoding = _csv_encoding(f.name, sheet, head)
    table = _arrow_csv(f) if encoding == "utf-8-sig" else None
    if table is not None:
        return _sheet_from_table(f.name, sheet, table)
    try:
        try:
            frame = pd.read_csv(f, header=None, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            if encoding == "gb18030":
                raise
            # the first 64 KB were UTF-8 (plain ASCII, say) and the rest is not: GB18030 as before
            frame = pd.read_csv(f, header=None, dtype=str, keep_default_na=False, encoding="gb18030")
    except UnicodeDecodeError as exc:
        raise bad("文件中有无法按UTF-8或GB18030解码的字节（可能混用了多种编码或已损坏）；请另存为UTF-8编码的CSV") from exc
    except pd.errors.EmptyDataError as exc:
        raise bad("文件是空的，没有表头") from exc
    except pd.errors.ParserError as exc:
        raise _csv_parser_problem(f.name, sheet, str(exc)) from exc
    if frame.empty:
        raise bad("文件是空的，没有表头")
    head_rows = frame.head(11).to_numpy(dtype=object).tolist()
    names, units, hp = _split_headers(f.name, sheet, list(frame.iloc[0]))
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = range(len(names))
    frame = frame.loc[:, [i for i, n in enumerate(names) if n]]
    frame.columns = [n for n in names if n]
    raw = RawSheet(f.name, sheet, _normalise(frame), np.arange(2, len(frame) + 2), units)
    raw.problems = hp
    raw.head = head_rows
    return raw


def _arrow_csv(f: Path) -> pa.Table | None:
    """A UTF-8 file read by Arrow's multi-threaded reader, every field as text ("" for an empty one);
    None when Arrow refuses it (rows of unequal width, an unclosed quote, bytes that are not UTF-8),
    for pandas to read again and name the problem as before."""
    from pyarrow import csv

    try:
        table = csv.read_csv(f, read_options=csv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
                            parse_options=csv.ParseOptions(newlines_in_values=True),
                            convert_options=csv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(4 * limits.MAX_COLUMNS)},
                                                               strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                               null_values=[]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    # a column past those typed as text would be typed by guessing (1.50 read as 1.5): pandas reads it
    return table if all(t == pa.string() for t in table.schema.types) else None


def _sheet_from_table(file: str, sheet: str, table: pa.Table) -> RawSheet:
    """A sheet read as Arrow text columns (header first), normalised once per distinct text."""
    if table.num_rows == 0:
        raise _CsvProblem(Problem(file, sheet, None, None, "文件是空的，没有表头"))
    head_rows = [list(r.values()) for r in table.slice(0, 11).to_pylist()]
    names, units, hp = _split_headers(file, sheet, head_rows[0])
    body = table.slice(1)
    money = {c.name for c in SPEC[sheet].columns if c.money} if sheet in SPEC else set()
    frame = pd.DataFrame({n: (_text_array if n in money else _text_column)(body.column(i)) for i, n in enumerate(names) if n},
                         index=pd.RangeIndex(body.num_rows))
    raw = RawSheet(file, sheet, frame, np.arange(2, body.num_rows + 2), units)
    raw.problems = hp
    raw.head = head_rows
    return raw


# what Python's str.strip() removes (str.isspace) and Arrow's utf8_trim_whitespace too, as an RE2
# class: only a text starting or ending with one of these, or an empty one, needs trimming
_PY_SPACE = r"[\t-\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_NEEDS_STRIP = f"^$|^{_PY_SPACE}|{_PY_SPACE}$"


def _text_column(column: pa.ChunkedArray | pa.Array) -> pd.Categorical:
    """Stripped text, None when empty, as a categorical: the distinct texts are trimmed once (the
    same whitespace str.strip and pandas' .str.strip remove) and equal results share one code."""
    enc = pc.dictionary_encode(column)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks else pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    dictionary = enc.dictionary
    idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
    if (stripped := _stripped(dictionary)) is not None:
        again = pc.dictionary_encode(stripped)
        remap = np.append(pc.fill_null(again.indices, -1).to_numpy(zero_copy_only=False), -1)
        idx, dictionary = remap[idx], again.dictionary
    return pd.Categorical.from_codes(idx, categories=pd.Index(dictionary.to_numpy(zero_copy_only=False), dtype=object))


def _stripped(texts: pa.Array) -> pa.Array | None:
    """The texts trimmed, an empty one as missing; None when none needs it (the usual case: one
    regular-expression pass instead of a trimmed copy)."""
    if not pc.any(pc.match_substring_regex(texts, _NEEDS_STRIP)).as_py():
        return None
    trimmed = pc.utf8_trim_whitespace(texts)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _text_array(column: pa.ChunkedArray | pa.Array) -> pd.api.extensions.ExtensionArray:
    """As _text_column, for a column of mostly distinct texts (amounts: a province's monthly spend
    repeats hardly any value): the texts stay in Arrow, trimmed and emptied to missing row by row,
    and _money_column reads them row by row. Encoding a million distinct amounts as categories
    cost more than reading each once."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], pa.string())
    stripped = _stripped(column)
    return pd.array(column if stripped is None else stripped, dtype="str")


def _object_column(values: np.ndarray) -> pd.Categorical:
    """Cells as Python objects (a workbook's numbers, dates, texts) as _text_column's text: each
    distinct value is written as text once (_cell_text)."""
    if bool in set(map(type, values)):  # hashing would take True for 1.0: cell by cell
        texts = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(_cell_text(v)) for v in values]
        return _text_column(pa.array(texts, type=pa.string()))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cat = _text_column(pa.array([str(_cell_text(v)) for v in uniques] + [None], type=pa.string()))
    return pd.Categorical.from_codes(np.asarray(cat.codes)[codes], categories=cat.categories)


def _csv_encoding(file: str, sheet: str, head: bytes) -> str:
    """utf-8-sig or gb18030; another encoding is named rather than read as garbage: GB18030
    decodes nearly any bytes, so a Big5 file would otherwise read as nonsense headers."""
    cut = head[: head.rfind(b"\n") + 1] or head  # whole lines only: a character is never split
    try:
        cut.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    known = {c.name for c in SPEC[sheet].columns}
    try:
        header = cut.decode("gb18030").splitlines()[0] if cut else ""
    except UnicodeDecodeError:
        header = ""
    if any(k in header for k in known):
        return "gb18030"
    for enc, label in (("big5", "繁体中文Big5"), ("shift_jis", "日文Shift-JIS"), ("euc_kr", "韩文EUC-KR")):
        try:
            if any(k in cut.decode(enc).splitlines()[0] for k in known):
                raise _CsvProblem(Problem(file, sheet, None, None, f"文件是{label}编码，不能按简体中文读取；请另存为UTF-8编码的CSV后再导入"))
        except (UnicodeDecodeError, IndexError):
            continue
    if header:
        return "gb18030"  # the header check that follows names the problem if the text is garbage
    raise _CsvProblem(Problem(file, sheet, None, None, "无法识别文件编码，请另存为UTF-8编码的CSV"))


def _csv_parser_problem(file: str, sheet: str, text: str) -> _CsvProblem:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        return _CsvProblem(Problem(file, sheet, int(m.group(2)), None,
                                   f"这一行有{m.group(3)}个字段，比表头的{m.group(1)}个多（可能有未加引号的英文逗号）；"
                                   "请把含逗号的内容用英文双引号括起来，或删除多余的逗号"))
    m = re.search(r"EOF inside string starting at row (\d+)", text)
    if m:
        return _CsvProblem(Problem(file, sheet, int(m.group(1)) + 1, None,
                                   "从这一行起有一个英文双引号没有配对（引号未闭合），其后内容无法分行；请检查并补全或删除该引号"))
    return _CsvProblem(Problem(file, sheet, None, None, "CSV格式有误，无法分列；请用Excel打开后另存为“CSV UTF-8（逗号分隔）”"))


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as stripped text, or None when empty — once per distinct value of a column.

    Excel numbers become their shortest text (134.5368), so money is read exactly; dates keep
    their ISO text. Converters downstream then see one kind of value.
    """
    out = {}
    for col in frame.columns:
        c = frame[col]
        if c.dtype == object:
            out[col] = _object_column(c.to_numpy())
        else:
            out[col] = _text_column(pa.array(c.astype("string"), type=pa.string(), from_pandas=True))
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def _cell_text(v: object) -> object:
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat(sep=" ")
    return v


# -- converting columns ------------------------------------------------------------------------
class _Checker:
    """Collects problems for one import."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.total_errors = 0
        self.flagged: set[tuple[str, int, str | None]] = set()  # cells already reported while reading

    def error(self, raw: RawSheet, rows: np.ndarray | list[int], column: str | None, message: str) -> None:
        for r in list(rows):
            if self.flagged and (raw.sheet, int(r), column) in self.flagged:
                continue  # an Excel error value already named: no second message for the same cell
            self.total_errors += 1
            if len(self.errors) < MAX_PROBLEMS:
                self.errors.append(Problem(raw.file, raw.sheet, int(r), column, message))

    def add(self, problems: list[Problem]) -> None:
        for p in problems:
            if p.severity == "警告":
                if len(self.warnings) < MAX_PROBLEMS:
                    self.warnings.append(p)
                continue
            self.total_errors += 1
            if p.row is not None:
                self.flagged.add((p.sheet, p.row, p.column))
            if len(self.errors) < MAX_PROBLEMS:
                self.errors.append(p)

    def warn(self, raw: RawSheet, row: int | None, column: str | None, message: str) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(Problem(raw.file, raw.sheet, row, column, message, "警告"))

    def convert(self, raw: RawSheet, column: str, fn: Callable[[object], object], what: str,
                required: bool = True, limit: int = limits.MAX_TEXT_CHARS, category: bool = False) -> pd.Series:
        """Apply fn to each distinct value of a column; a failure is an error at every row holding it.

        Each distinct text is first checked for what no cell may hold (cell_problem): an Excel error
        value, a control or invisible character, more than `limit` characters. Plain printable ASCII
        texts (codes, most numbers) pass that check and _text/_code as a whole column in Arrow; only
        the others go through the Python functions and their messages. `category`: the result as a
        categorical (a key column of millions of rows: joins and repeats compare integers)."""
        if column not in raw.frame.columns:
            return pd.Series([None] * len(raw.frame), dtype=object)
        codes, results = self.convert_codes(raw, column, fn, what, required, limit)
        if category:
            cat_codes, cats = pd.factorize(results, use_na_sentinel=True)
            return pd.Series(pd.Categorical.from_codes(cat_codes[codes], categories=pd.Index(cats, dtype=object)))
        return pd.Series(results[codes], dtype=object)

    def convert_codes(self, raw: RawSheet, column: str, fn: Callable[[object], object], what: str,
                      required: bool = True, limit: int = limits.MAX_TEXT_CHARS) -> tuple[np.ndarray, np.ndarray]:
        """As convert, the column given as codes into the results of its distinct values (code -1,
        an empty cell, answers the extra last result, None)."""
        codes, uniques = pd.factorize(raw.frame[column], use_na_sentinel=True)
        if required and (codes == -1).any():
            self.error(raw, raw.rows[codes == -1], column, f"{what}不能为空")
        uniques = np.asarray(uniques, dtype=object)
        results = np.empty(len(uniques) + 1, dtype=object)  # the extra last slot answers code -1
        slow = np.ones(len(uniques), dtype=bool)
        if fn in (_text, _code) and len(uniques):
            passed = _plain_ascii(uniques, limit, spaces=fn is _text)
            if passed is not None:
                results[:-1][passed] = uniques[passed]
                slow = ~passed
        for i in np.flatnonzero(slow):
            v = uniques[i]
            try:
                if isinstance(v, str) and (problem := cell_problem(v, limit)):
                    raise ValueError(problem)
                results[i] = fn(v)
            except (ValueError, InvalidOperation, TargetParseError, TypeError) as exc:
                results[i] = None
                self.error(raw, raw.rows[codes == i], column, str(exc) or f"无法识别的{what}「{v}」")
        return codes, results


# printable ASCII, not blank at either end: such a text needs no stripping and holds no forbidden character
_PLAIN_ASCII = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"


def _plain_ascii(values: np.ndarray, limit: int, spaces: bool) -> np.ndarray | None:
    """Which texts cell_problem passes and _text (or, without inner `spaces`, _code) returns unchanged;
    None when the values are not all texts."""
    try:
        arr = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    ok = pc.and_(pc.match_substring_regex(arr, _PLAIN_ASCII), pc.less_equal(pc.utf8_length(arr), limit))
    ok = pc.and_(ok, pc.invert(pc.is_in(arr, pa.array(EXCEL_ERRORS))))
    if not spaces:
        ok = pc.and_(ok, pc.invert(pc.match_substring(arr, " ")))
    return pc.fill_null(ok, False).to_numpy(zero_copy_only=False)


_EXCEL_ERRORS = frozenset(EXCEL_ERRORS)


def cell_problem(text: str, limit: int = limits.MAX_TEXT_CHARS) -> str | None:
    """What no cell may hold, in Chinese, or None."""
    if text.isascii() and text.isprintable():  # most cells, at C speed: no control character can be there
        if text[:1] == "#" and text in _EXCEL_ERRORS:
            return f"单元格为Excel错误值「{text}」，请检查公式或改为数值后再导入"
        return None if len(text) <= limit else f"内容有{len(text):,}个字符，超过上限{limit:,}个字符"
    if text in _EXCEL_ERRORS:
        return f"单元格为Excel错误值「{text}」，请检查公式或改为数值后再导入"
    bad = _FORBIDDEN.search(text)
    if bad:
        return f"含有控制字符或不可见字符{describe_char(bad.group())}（第{bad.start() + 1}个字符），请删除后重新导入"
    if len(text) > limit:
        return f"内容有{len(text):,}个字符，超过上限{limit:,}个字符"
    return None


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _code(v: object) -> str:
    """A project code: a short identifier, no space inside (a look-alike code would be a new project)."""
    t = _text(v)
    if _CODE_SPACE.search(t):
        raise ValueError(f"项目编码「{t}」中间有空格，编码不能含空格")
    return t


def _year(v: object) -> int:
    try:
        d = to_decimal(v)
    except InvalidOperation as exc:
        raise ValueError(f"年度应为四位数字，而不是「{v}」") from exc
    if d != d.to_integral_value() or not 2000 <= d <= 2100:
        raise ValueError(f"年度应为四位数字，而不是「{v}」")
    return int(d)


def _month(v: object) -> int:
    text = str(v).strip().removesuffix("月")
    try:
        d = to_decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"月份应为1到12的整数，而不是「{v}」") from exc
    if d != d.to_integral_value() or not 1 <= d <= 12:
        raise ValueError(f"月份应为1到12的整数，而不是「{v}」")
    return int(d)


def number_hint(v: object) -> str:
    """Why a text that looks like a number was not taken as one."""
    t = str(v)
    if "_" in t:
        return "：数字中不能有下划线"
    if any(c.isdigit() and not ("0" <= c <= "9" or "０" <= c <= "９") for c in t):
        return "：只能使用0-9的数字（含有其他文字的数字符号）"
    if re.fullmatch(r"[+-]?[0-9]{1,3}(\.[0-9]{3})+,[0-9]+", t.strip()):
        return "：小数点应写成“.”，千分位用“,”（如 1,234.56）"
    return ""


def _money_fn(unit: str, allow_negative: bool) -> Callable[[object], int]:
    scale = Decimal(FEN_PER_WAN) if unit == "万元" else Decimal(100)

    def conv(v: object) -> int:
        try:
            d = to_decimal(v)
        except InvalidOperation as exc:
            raise ValueError(f"金额应为数字（单位{unit}），而不是「{v}」{number_hint(v)}") from exc
        if d < 0 and not allow_negative:
            raise ValueError(f"金额不能为负数：「{v}」")
        fen = d * scale
        if fen != fen.to_integral_value():
            raise ValueError(f"金额「{v}」{unit}精确到分以下，请核对单位（{unit}最多{6 if unit == '万元' else 2}位小数）")
        if abs(fen) > MAX_AMOUNT_FEN:
            raise ValueError(_too_large(d, unit))
        return int(fen)

    return conv


MAX_AMOUNT_FEN = int(limits.MAX_AMOUNT_WAN * FEN_PER_WAN)


def _too_large(d: Decimal, unit: str) -> str:
    shown = f"{d:,}{unit}" + ("" if unit == "万元" else f"（{d / 10_000:,}万元）")
    return (f"金额{shown}超过单个金额的上限{limits.MAX_AMOUNT_WAN:,}万元（1万亿元），无法计算；"
            "请核对单位（万元/元）和数字位数")


_PLAIN_AMOUNT = r"^(?P<sign>-?)(?P<whole>\d{1,12})(?:\.(?P<frac>\d{1,6}))?$"


def _money_column(chk: _Checker, raw: RawSheet, column: str, what: str, required: bool, allow_negative: bool) -> pd.Series:
    """Amounts to integer 分.

    Plain decimals (the bulk of any file) are split into integer and fraction digits with Arrow's
    RE2 kernels — exact, no floats, a million cells in a fraction of a second. Anything else
    (commas, units, text, too many decimals) goes through the per-value converter and its messages.
    """
    unit = raw.units.get(column, "万元")
    n = len(raw.frame)
    if column not in raw.frame.columns:
        return pd.Series(pd.array([None] * n, dtype="Int64"))
    digits = 6 if unit == "万元" else 2
    # each distinct text once (a categorical column's categories), the rows then take their amounts
    col = raw.frame[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, values = col.cat.codes.to_numpy(dtype=np.int64), col.cat.categories.to_numpy(dtype=object)
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    elif isinstance(col.array, pd.arrays.ArrowStringArray):  # a CSV's amounts (_text_array): each row once, in Arrow
        arr = pa.array(col.array)
        codes = np.where(col.isna().to_numpy(), -1, np.arange(n))
    else:
        codes, values = pd.factorize(col, use_na_sentinel=True)
        arr = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    m = pc.extract_regex(arr, _PLAIN_AMOUNT.replace("{1,6}", f"{{1,{digits}}}"))
    matched = pc.is_valid(m)
    negative = pc.equal(pc.struct_field(m, "sign"), "-")
    ok = pc.and_(matched, pc.invert(negative)) if not allow_negative else matched
    ok = pc.fill_null(ok, False)
    whole = pc.cast(pc.struct_field(m, "whole"), pa.int64())
    frac = pc.cast(pc.utf8_rpad(pc.struct_field(m, "frac"), digits, "0"), pa.int64())
    fen = pc.add(pc.multiply(whole, 10**digits), frac)
    fen = pc.if_else(negative, pc.negate(fen), fen)
    # beyond the limit: to the per-value converter, which names the limit
    ok = pc.and_(ok, pc.fill_null(pc.less_equal(pc.abs(fen), MAX_AMOUNT_FEN), False))
    ok_rows = np.append(ok.to_numpy(zero_copy_only=False), False)[codes]  # code -1 (empty): the appended False
    fen_rows = np.append(pc.fill_null(fen, 0).to_numpy(zero_copy_only=False), 0)[codes]
    out = pd.Series(pd.arrays.IntegerArray(fen_rows.astype(np.int64), ~ok_rows))
    rest = ~ok_rows
    if rest.any():
        sub = RawSheet(raw.file, raw.sheet, raw.frame.loc[rest, [column]].reset_index(drop=True), raw.rows[rest], raw.units)
        slow = chk.convert(sub, column, _money_fn(unit, allow_negative), what, required)
        out[rest] = pd.array(slow.to_numpy(dtype=object), dtype="Int64")
    return out


def _date(v: object) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = str(v).strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ValueError(f"日期应写成 2023-01-01，而不是「{v}」") from exc


def _weight(v: object) -> int:
    try:
        d = to_decimal(v)
    except InvalidOperation as exc:
        raise ValueError(f"权重应为数字，而不是「{v}」") from exc
    if d < 0 or d > 100:
        raise ValueError(f"权重应在0到100之间，而不是「{v}」")
    return int((d * 100).to_integral_value())


def _choice(options: tuple[str, ...], what: str) -> Callable[[object], str]:
    def conv(v: object) -> str:
        t = _text(v)
        if t not in options:
            raise ValueError(f"{what}应为 {'、'.join(options)} 之一，而不是「{t}」")
        return t

    return conv


def _causes(v: object) -> str:
    parts = [p.strip() for p in re.split(r"[、,，;；/]", str(v)) if p.strip()]
    bad = [p for p in parts if p not in CAUSES]
    if bad:
        raise ValueError(f"偏差原因「{'、'.join(bad)}」不在可选范围内（{'、'.join(CAUSES)}）")
    return "、".join(parts)


def _micro(d: Decimal | None) -> int | None:
    return None if d is None else int((d * 1_000_000).to_integral_value(rounding=ROUND_HALF_UP))


def _missing_columns(raw: RawSheet, chk: _Checker) -> bool:
    spec = SPEC[raw.sheet]
    missing = [c.name for c in spec.columns if c.required and c.name not in raw.frame.columns]
    if missing and not any(c.name in raw.frame.columns for c in spec.columns):
        chk.error(raw, [1], None, _header_diagnosis(raw))  # one message for a header not read at all
        return True
    unknown = [c for c in raw.frame.columns if c not in SPEC_COLUMNS[raw.sheet]]
    for c in missing:
        near = next((u for u in unknown if c in str(u)), None)
        hint = f"：表头「{near}」无法识别，列名应为「{c}」" if near else ""
        chk.error(raw, [1], c, f"缺少必填列「{c}」{hint}")
    for c in spec.columns:
        if c.money and raw.units.get(c.name) not in (None, "万元", "元"):
            chk.error(raw, [1], c.name, f"金额列的单位只能是(万元)或(元)，而不是({raw.units[c.name]})")
    return bool(missing)


def _header_diagnosis(raw: RawSheet) -> str:
    """Why no known column was found: a title row above the header, another delimiter, or an encoding."""
    spec = SPEC[raw.sheet]
    names = {c.name for c in spec.columns}
    headers = [str(h) for h in raw.frame.columns]
    if raw.file.lower().endswith(".csv") and len(headers) == 1:
        for sep, label in ((";", "分号"), ("\t", "制表符"), ("|", "竖线")):
            if sep in headers[0]:
                return f"列之间用{label}分隔，应为英文逗号；请在Excel中另存为“CSV UTF-8（逗号分隔）”"
    for i, row in enumerate(raw.head[1:], start=2):
        if sum(1 for v in row if isinstance(v, str) and _UNIT_HEADER.sub(r"\1", v.replace(" ", "")) in names) >= 2:
            return f"表头应在第1行，而第{i}行看起来才是表头；请删除表头上方的标题行或空行后再导入"
    shown = "、".join(h for h in headers[:5] if h)
    return (f"第1行没有任何规定的列名（应有{'、'.join(c.name for c in spec.columns if c.required)}等"
            + (f"，实际为「{shown}」" if shown else "") + "）。若文字是乱码，文件可能不是UTF-8或GB18030编码，请另存为UTF-8编码的CSV；"
            "若表头不在第1行，请删除上方的标题行")


def _duplicates(raw: RawSheet, chk: _Checker, frame: pd.DataFrame, keys: list[str], columns: str) -> np.ndarray:
    """Rows repeating an earlier row's key are errors pointing at the first; returns that mask."""
    dup = frame.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        first = frame.drop_duplicates(keys).assign(_row=raw.rows[~dup]).set_index(keys)["_row"]
        for r, key in zip(raw.rows[dup], frame.loc[dup, keys].itertuples(index=False), strict=False):
            chk.error(raw, [r], columns, f"与第{first.loc[tuple(key)] if len(keys) > 1 else first.loc[key[0]]}行重复（{'、'.join(str(k) for k in key)}）")
    return dup


# -- the sheets --------------------------------------------------------------------------------
def _projects(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "department_name": c(raw, "部门名称", _text, "部门名称", limit=limits.MAX_NAME_CHARS),
        "unit_name": c(raw, "单位名称", _text, "单位名称", limit=limits.MAX_NAME_CHARS),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS),
        "project_name": c(raw, "项目名称", _text, "项目名称", limit=limits.MAX_NAME_CHARS),
        "start_date": c(raw, "开始日期", _date, "开始日期", False),
        "end_date": c(raw, "结束日期", _date, "结束日期", False),
        "budget_initial": _money_column(chk, raw, "年初预算", "年初预算", True, False),
        "budget_adjusted": _money_column(chk, raw, "调整后预算", "调整后预算", False, False),
        "annual_goal": c(raw, "年度绩效目标", _text, "年度绩效目标", False),
        "content": c(raw, "项目内容", _text, "项目内容", False),
    })
    f["budget_adjusted"] = f["budget_adjusted"].where(f["budget_adjusted"].notna(), f["budget_initial"])
    both = f["start_date"].notna() & f["end_date"].notna()
    bad = both & (f["end_date"].where(both, date.min) < f["start_date"].where(both, date.min))
    if bad.any():
        chk.error(raw, raw.rows[bad.to_numpy()], "结束日期", "结束日期早于开始日期")
    _duplicates(raw, chk, f, ["year", "project_code"], "项目编码")
    return f


def _project_facts(raw: RawSheet, chk: _Checker, projects: pd.DataFrame) -> pd.DataFrame | None:
    """The optional report columns of the 项目 sheet, one row per project that fills any of them
    (None when the sheet has none of the columns: an old workbook leaves the stored facts alone)."""
    if not any(col in raw.frame.columns for col in FACT_COLUMNS):
        return None
    c = chk.convert
    f = pd.DataFrame({"year": projects["year"], "project_code": projects["project_code"]})
    for col, field_ in FACT_COLUMNS.items():
        if col == "总目标是否调整":
            f[field_] = c(raw, col, _choice(YES_NO, col), col, False).map({"是": True, "否": False}.get, na_action="ignore")
        elif col == "监控主体":
            f[field_] = c(raw, col, _choice(MONITOR_BODIES, col), col, False)
        else:
            f[field_] = c(raw, col, _text, col, False, limits.MAX_NAME_CHARS if col == "第三方名称" else limits.MAX_TEXT_CHARS)
    adjusted = f["goal_adjusted"].eq(True).to_numpy(dtype=bool)
    no_goal = adjusted & f["adjusted_goal"].isna().to_numpy()
    if no_goal.any():
        chk.error(raw, raw.rows[no_goal], "调整后总目标", "总目标是否调整为“是”时，须填写调整后总目标")
    kept = f["goal_adjusted"].eq(False).to_numpy(dtype=bool) & f["adjusted_goal"].notna().to_numpy()
    if kept.any():
        chk.error(raw, raw.rows[kept], "调整后总目标", "总目标是否调整为“否”时，调整后总目标应留空（或把是否调整改为“是”）")
    nameless = (f["monitor_body"] == THIRD_PARTY).to_numpy(dtype=bool) & f["third_party"].isna().to_numpy()
    if nameless.any():
        chk.error(raw, raw.rows[nameless], "第三方名称", "监控主体为第三方时，须填写第三方名称")
    filled = f[list(FACT_COLUMNS.values())].notna().any(axis=1).to_numpy()
    return f[filled].reset_index(drop=True)


def _fund_sources(raw: RawSheet, chk: _Checker, known: pd.DataFrame) -> pd.DataFrame:
    """Sources of funds: each row adds up (调整后 = 年初 + 追加 − 调减), and a project's sources at a
    month add up to its 调整后预算 — an error naming both figures, since a table by source that does
    not add up to the project's budget is wrong on its face."""
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS),
        "month": c(raw, "截至月份", _month, "截至月份"),
        "source": c(raw, "资金来源", _text, "资金来源", limit=limits.MAX_NAME_CHARS),
        "initial": _money_column(chk, raw, "年初预算", "年初预算", False, False),
        "added": _money_column(chk, raw, "追加", "追加", False, False),
        "cut": _money_column(chk, raw, "调减", "调减", False, False),
        "adjusted": _money_column(chk, raw, "调整后预算", "调整后预算", False, False),
        "spent": _money_column(chk, raw, "执行数", "执行数", False, True),
    })
    f["seq"] = np.arange(len(f), dtype=np.int64)
    computed = f["initial"] + f["added"].fillna(0) - f["cut"].fillna(0)
    for i in range(len(f)):
        init, adj, comp = f["initial"].iat[i], f["adjusted"].iat[i], computed.iat[i]
        if pd.isna(adj) and pd.isna(init):
            chk.error(raw, [raw.rows[i]], "调整后预算", "调整后预算和年初预算不能都为空")
        elif pd.isna(adj):
            if comp < 0:
                chk.error(raw, [raw.rows[i]], "调减", f"调减{fmt_wan(int(f['cut'].iat[i]))}超过年初预算与追加之和，调整后预算不能为负数")
        elif not pd.isna(init) and int(adj) != int(comp):
            chk.error(raw, [raw.rows[i]], "调整后预算",
                      f"调整后预算{fmt_wan(int(adj))}与年初预算{fmt_wan(int(init))} + 追加{fmt_wan(int(f['added'].fillna(0).iat[i]))}"
                      f" − 调减{fmt_wan(int(f['cut'].fillna(0).iat[i]))} = {fmt_wan(int(comp))}不符，请核对")
    f["adjusted"] = f["adjusted"].where(f["adjusted"].notna(), computed)
    _duplicates(raw, chk, f, ["year", "project_code", "month", "source"], "资金来源")
    over = (f["spent"] > f["adjusted"]).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(over)[:50]:
        chk.warn(raw, int(raw.rows[i]), "执行数", f"「{f['source'].iat[i]}」执行数{fmt_wan(int(f['spent'].iat[i]))}"
                                                f"超过其调整后预算{fmt_wan(int(f['adjusted'].iat[i]))}")
    ok = f["year"].notna() & f["project_code"].notna() & f["month"].notna() & f["adjusted"].notna()
    if ok.any():
        g = f[ok].assign(_row=raw.rows[ok.to_numpy()]).groupby(["year", "project_code", "month"], as_index=False).agg(
            total=("adjusted", "sum"), row=("_row", "min"))
        g = g.astype({"year": object, "project_code": object}).merge(
            known.astype({"year": object, "project_code": object}), how="inner", on=["year", "project_code"])
        for r in g.itertuples(index=False):
            if not pd.isna(r.budget_fen) and int(r.total) != int(r.budget_fen):
                chk.error(raw, [int(r.row)], "调整后预算",
                          f"项目「{r.project_code}」{r.year}年截至{r.month}月各资金来源的调整后预算合计{fmt_wan(int(r.total))}，"
                          f"与「项目」表的调整后预算{fmt_wan(int(r.budget_fen))}不一致（相差{fmt_wan(abs(int(r.total) - int(r.budget_fen)))}），请核对")
    return f


_MONTH_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def _activity_date(v: object) -> tuple[date, bool]:
    """2023-06-30 (a day) or 2023-06 / 2023年6月 (the month only: its first day, marked)."""
    if not isinstance(v, (date, datetime)):
        m = _MONTH_DATE.match(str(v))
        if m and 1 <= int(m.group(2)) <= 12:
            return date(int(m.group(1)), int(m.group(2)), 1), True
    try:
        return _date(v), False
    except ValueError as exc:
        raise ValueError(f"日期应写成 2023-06-30（只知道月份写 2023-06），而不是「{v}」") from exc


def _activities(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    start = c(raw, "日期", _activity_date, "日期")
    end = c(raw, "结束日期", _activity_date, "结束日期", False)
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS),
        "start": start.map(lambda t: t[0], na_action="ignore"),
        "month_only": start.map(lambda t: t[1], na_action="ignore").fillna(False).astype(bool),
        "end": end.map(lambda t: t[0], na_action="ignore"),
        "title": c(raw, "事项", _text, "事项", limit=limits.MAX_NAME_CHARS),
        "text": c(raw, "内容", _text, "内容", False),
    })
    # a month-only end date means the end of that month
    end_month = end.map(lambda t: t[1], na_action="ignore").fillna(False).astype(bool)
    f.loc[end_month, "end"] = f.loc[end_month, "end"].map(lambda d: period_end(d.year, d.month))
    for i in range(len(f)):
        s_, e_, y = f["start"].iat[i], f["end"].iat[i], f["year"].iat[i]
        if s_ is None or pd.isna(s_):
            continue
        if not pd.isna(y) and s_.year != y:
            chk.error(raw, [raw.rows[i]], "日期", f"日期{s_.isoformat()}不在{y}年内")
        if e_ is not None and not pd.isna(e_) and e_ < s_:
            chk.error(raw, [raw.rows[i]], "结束日期", "结束日期早于日期")
    return f


def _monthly(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS, category=True),
        "month": c(raw, "月份", _month, "月份"),
        "spent": _money_column(chk, raw, "支出金额", "支出金额", True, True),
        "arrived": _money_column(chk, raw, "到位资金", "到位资金", False, True),
        "planned": _money_column(chk, raw, "计划支出", "计划支出", False, False),
    })
    for col in ("year", "month", "spent", "arrived", "planned"):
        f[col] = pd.array(f[col], dtype="Int64")
    _duplicates(raw, chk, f, ["year", "project_code", "month"], "月份")
    neg = (f["spent"] < 0).fillna(False).to_numpy(dtype=bool)
    for r in raw.rows[neg][:50]:
        chk.warn(raw, int(r), "支出金额", "当月支出为负数（冲销？），已按原值导入")
    return f


def _indicators(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    if "年度指标值" in raw.frame.columns:
        t_codes, per = chk.convert_codes(raw, "年度指标值", parse_target, "年度指标值")
    else:
        t_codes, per = np.full(len(raw.frame), -1, dtype=np.int64), np.array([None], dtype=object)
    level2 = c(raw, "二级指标", _text, "二级指标", limit=limits.MAX_NAME_CHARS, category=True)
    nature_override = c(raw, "指标性质", lambda v: _choice(tuple(NATURE_WORDS), "指标性质")(v), "指标性质", False)
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS, category=True),
        "name": c(raw, "三级指标", _text, "三级指标", limit=limits.MAX_NAME_CHARS, category=True),
        "level1": c(raw, "一级指标", _text, "一级指标", limit=limits.MAX_NAME_CHARS, category=True),
        "level2": level2,
        "weight": c(raw, "权重", _weight, "权重", False),
        "adjust_type": c(raw, "调整类型", _choice(ADJUST_TYPES, "调整类型"), "调整类型", False).fillna("原指标"),
        "explanation": c(raw, "指标解释", _text, "指标解释", False),
        "original_name": c(raw, "原指标名称", _text, "原指标名称", False, limits.MAX_NAME_CHARS),
        "original_target": c(raw, "原指标值", _text, "原指标值", False),
    })
    def per_target(get: Callable[[Target], object]) -> np.ndarray:
        return np.array([get(t) if t is not None else None for t in per], dtype=object)

    f["target_text"] = _taken(per_target(lambda t: t.text), t_codes)
    f["target_op"] = _taken(per_target(lambda t: t.op), t_codes)
    f["target_value"] = _taken_micro(per_target(lambda t: _micro(t.value)), t_codes)
    f["target_unit"] = _taken(per_target(lambda t: t.unit), t_codes)
    qualitative = per_target(lambda t: t.qualitative)[t_codes]
    inferred = infer_natures(pd.Series(qualitative).fillna(False).astype(bool).to_numpy(),
                             (f["target_unit"] == "%").to_numpy(dtype=bool), level2)
    override = nature_override.map(NATURE_WORDS.get, na_action="ignore")
    natures = override.where(override.notna(), pd.Series(inferred, dtype=object)).where(pd.notna(qualitative), None)
    f["nature"] = natures
    bad_q = np.flatnonzero(pd.notna(qualitative) & ((qualitative == True) != (natures == "qualitative").to_numpy()))  # noqa: E712
    if len(bad_q):
        chk.error(raw, raw.rows[bad_q], "指标性质", "指标性质与指标值不符：定性指标的指标值为文字，定量指标的指标值为数值")
    f["seq"] = np.arange(len(f), dtype=np.int64)
    # each row's Target is per[t_codes]; "first": not a repeat of an earlier row's indicator
    f.attrs["targets"] = _Carried(first=~_duplicates(raw, chk, f, ["year", "project_code", "name"], "三级指标"),
                                  codes=t_codes, per=per)
    return f


class _Carried:
    """What a validated frame carries to later checks in its attrs. pandas deep-copies attrs into
    every frame or column derived from it; this is shared instead (a million Targets copied per
    column taken would cost seconds)."""

    def __init__(self, **values: object):
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)

    def __deepcopy__(self, memo: dict[int, object]) -> _Carried:
        return self


def _progress(raw: RawSheet, chk: _Checker, targets: pd.DataFrame, tlist: list[Target | None]) -> pd.DataFrame:
    """targets: year, project_code, name and tid of every indicator known to this import, its Target
    being tlist[tid] (None for an indicator whose own row has an error)."""
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS, category=True),
        "indicator_name": c(raw, "三级指标", _text, "三级指标", limit=limits.MAX_NAME_CHARS, category=True),
        "month": c(raw, "月份", _month, "月份"),
    })
    if "完成情况说明" in raw.frame.columns:  # absent: an old workbook, whose re-import keeps no evidence anyway
        f["evidence"] = c(raw, "完成情况说明", _text, "完成情况说明", False)
    _duplicates(raw, chk, f, ["year", "project_code", "indicator_name", "month"], "月份")
    n = len(f)
    at = _key_rows(f, targets.rename(columns={"name": "indicator_name"}), ["year", "project_code", "indicator_name"])
    listed = at >= 0
    tid = np.where(listed, np.append(targets["tid"].to_numpy(dtype=np.int64), -1)[at], -1)
    valid = np.array([t is not None for t in tlist] + [False], dtype=bool)
    unknown = ~listed & f["year"].notna().to_numpy() & f["project_code"].notna().to_numpy() & f["indicator_name"].notna().to_numpy()
    for r, code, name in zip(raw.rows[unknown], f.loc[unknown, "project_code"], f.loc[unknown, "indicator_name"], strict=False):
        chk.error(raw, [r], "三级指标", f"项目「{code}」没有名为「{name}」的绩效指标（请先在「绩效指标」表中填写）")
    # an actual's reading depends on its target only through the target's kind (a word, a percentage,
    # another number), so values are read once per (kind, text, percent cell); a reading that fails
    # is read again per target, whose text its message names
    t_codes = np.where(valid[tid], tid, -1)
    kinds = [("q", t.text) if t.qualitative else ("%", "") if t.is_percent else ("n", "") for t in tlist if t is not None]
    k_of_t = np.zeros(len(tlist), dtype=np.int64)
    k_of_t[valid[:-1]], _ = pd.factorize(pd.Series(kinds, dtype=object))
    for column, prefix in (("本阶段目标值", "stage"), ("实际完成值", "actual")):
        if column in raw.frame.columns:
            v_codes, v_uniques = pd.factorize(raw.frame[column], use_na_sentinel=True)
            v_uniques = np.asarray(v_uniques, dtype=object)
        else:
            v_codes, v_uniques = np.full(n, -1, dtype=np.int64), np.array([], dtype=object)
        pct = raw.percent.get(column, np.zeros(n, dtype=bool))
        todo = (v_codes >= 0) & (t_codes >= 0)
        if todo.any():
            key = (k_of_t[t_codes[todo]].astype(np.int64) * (len(v_uniques) + 1) + v_codes[todo]) * 2 + pct[todo]
            _, first, codes = np.unique(key, return_index=True, return_inverse=True)
            codes = codes.reshape(-1)
            t_todo, v_todo, p_todo, r_todo = t_codes[todo], v_codes[todo], pct[todo], raw.rows[todo]
            texts_g = np.empty(len(first), dtype=object)
            micro_g = np.empty(len(first), dtype=object)
            status_g = np.empty(len(first), dtype=object)
            failed: list[tuple[int, np.ndarray, str]] = []  # (first row, rows, message), reported in file order
            for g, i in enumerate(first):
                value = v_uniques[v_todo[i]]
                try:
                    texts_g[g], micro_g[g], status_g[g] = _read_actual(value, tlist[t_todo[i]], bool(p_todo[i]))
                except (TargetParseError, InvalidOperation, ValueError):
                    rows_g = np.flatnonzero(codes == g)
                    for t in pd.unique(t_todo[rows_g]):
                        mine = rows_g[t_todo[rows_g] == t]
                        try:
                            _read_actual(value, tlist[t], bool(p_todo[i]))
                        except (TargetParseError, InvalidOperation, ValueError) as exc:
                            failed.append((int(mine[0]), r_todo[mine], str(exc) or f"无法识别「{value}」"))
            for _, rows, message in sorted(failed, key=lambda e: e[0]):
                chk.error(raw, rows, column, message)
        row_codes = np.full(n, -1, dtype=np.int64)  # each row's reading, -1 for none
        if todo.any():
            row_codes[todo] = codes
        else:
            texts_g = micro_g = status_g = np.empty(0, dtype=object)
        f[f"{prefix}_text"] = _taken(texts_g, row_codes)
        f[f"{prefix}_value"] = _taken_micro(micro_g, row_codes)
        if prefix == "actual":
            f["actual_status"] = _taken(status_g, row_codes)
    return f


def _taken(values: np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """values[codes] as a categorical, code -1 (or a None value) missing: the readings of a few
    thousand distinct targets and texts spread over a million rows. A million Python strings instead
    would each be converted to Arrow text by pandas, then scanned one by one by DuckDB."""
    value_codes, categories = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(np.append(value_codes, -1)[codes], categories=pd.Index(categories, dtype=object))


def _taken_micro(values: np.ndarray, codes: np.ndarray) -> pd.arrays.IntegerArray:
    """values[codes] (integer millionths or None; code -1 missing) as nullable integers, built per value."""
    known = np.array([v is not None for v in values] + [False], dtype=bool)
    data = np.array([0 if v is None else v for v in values] + [0], dtype=np.int64)
    return pd.arrays.IntegerArray(data[codes], ~known[codes])


def _read_actual(value: object, target: Target, percent_cell: bool) -> tuple[str, int | None, str | None]:
    if isinstance(value, str) and (problem := cell_problem(value, limits.MAX_NAME_CHARS)):
        raise ValueError(problem)
    a = parse_actual(value, target, percent_cell)
    return a.text, _micro(a.value), a.status


def _notes(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _code, "项目编码", limit=limits.MAX_CODE_CHARS),
        "indicator_name": c(raw, "三级指标", _text, "三级指标", False, limits.MAX_NAME_CHARS).fillna(""),
        "month": c(raw, "月份", _month, "月份"),
        "problem": c(raw, "问题", _text, "问题", False),
        "causes": c(raw, "偏差原因", _causes, "偏差原因", False).fillna(""),
        "explanation": c(raw, "原因说明", _text, "原因说明", False),
        "likelihood": c(raw, "完成目标可能性", _choice(LIKELIHOODS, "完成目标可能性"), "完成目标可能性", False),
        "measure": c(raw, "纠偏措施", _text, "纠偏措施", False),
        "measure_type": c(raw, "措施类型", _choice(MEASURE_TYPES, "措施类型"), "措施类型", False),
        "owner": c(raw, "责任人", _text, "责任人", False, limits.MAX_NAME_CHARS),
        "due_month": c(raw, "完成时限", _month, "完成时限", False),
        "status": c(raw, "措施状态", _choice(MEASURE_STATUSES, "措施状态"), "措施状态", False),
    })
    impossible = (f["likelihood"] == "完全不可能") & f["measure"].isna() & f["measure_type"].isna()
    if impossible.any():
        chk.error(raw, raw.rows[impossible.to_numpy()], "纠偏措施", "完成目标可能性为「完全不可能」时必须填写纠偏措施")
    _duplicates(raw, chk, f, ["year", "project_code", "indicator_name", "month"], "月份")
    return f


# -- the whole import ----------------------------------------------------------------------------
def validate(sheets: dict[str, RawSheet], store: Store) -> tuple[dict[str, pd.DataFrame], _Checker]:
    chk = _Checker()
    frames: dict[str, pd.DataFrame] = {}
    chk.add(getattr(sheets, "warnings", []))
    for raw in sheets.values():
        chk.add(raw.problems + raw.notes)
        _drop_examples(raw, chk)
    if not any(name in sheets for name in SPEC):
        file = getattr(sheets, "file", None) or next(iter(sheets.values()), RawSheet("—", "—", pd.DataFrame(), np.array([]))).file
        chk.error(RawSheet(file, "—", pd.DataFrame(), np.array([])), [1], None,
                  f"没有找到可导入的工作表，工作表应命名为：{'、'.join(SPEC)}")
        return frames, chk
    ok = {name: not _missing_columns(raw, chk) for name, raw in sheets.items()}

    if ok.get("项目"):
        frames["projects"] = _projects(sheets["项目"], chk)
    known = store.df("SELECT year, project_code, budget_initial, budget_adjusted FROM projects")
    known["budget_fen"] = (known["budget_adjusted"].astype(object).map(lambda d: int(d * 100)) if len(known) else [])
    known = known[["year", "project_code", "budget_fen"]]
    stored = known
    if "projects" in frames:
        inc = frames["projects"][["year", "project_code", "budget_adjusted"]].rename(columns={"budget_adjusted": "budget_fen"})
        # a repeated project row is an error already; one row per key keeps the joins below one-to-one
        inc = inc.drop_duplicates(["year", "project_code"], keep="first")
        known = pd.concat([known[~_key_in(known, inc, ["year", "project_code"])], inc], ignore_index=True)

    def check_project(raw: RawSheet, frame: pd.DataFrame) -> None:
        unknown = ~_key_in(frame, known, ["year", "project_code"]) & frame["project_code"].notna() & frame["year"].notna()
        if unknown.any():
            for r, code in zip(raw.rows[unknown.to_numpy()], frame.loc[unknown, "project_code"], strict=False):
                chk.error(raw, [r], "项目编码", f"未知的项目编码「{code}」：该年度的「项目」表和数据库中都没有这个项目")

    if ok.get("月度支出"):
        raw = sheets["月度支出"]
        f = _monthly(raw, chk)
        check_project(raw, f)
        at = _key_rows(f, known, ["year", "project_code"])
        budget = np.append(known["budget_fen"].astype("float64").to_numpy(), np.nan)[at]
        spent = f["spent"].astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            mix = (spent > MIXUP_FACTOR * np.maximum(budget, 1)) & ~np.isnan(budget)
        for r, s, b in zip(raw.rows[mix], spent[mix], budget[mix], strict=False):
            chk.error(raw, [r], "支出金额",
                      f"当月支出{s / FEN_PER_WAN:,.4f}万元超过项目预算（{b / FEN_PER_WAN:,.4f}万元）的{MIXUP_FACTOR}倍，很可能把“元”当成了“万元”，请核对单位")
        frames["monthly"] = f

    if ok.get("绩效指标"):
        raw = sheets["绩效指标"]
        f = _indicators(raw, chk)
        check_project(raw, f)
        frames["indicators"] = f

    if ok.get("指标进度"):
        raw = sheets["指标进度"]
        db = store.df("SELECT year, project_code, name, target_text FROM indicators")
        db_codes, db_texts = pd.factorize(db["target_text"], use_na_sentinel=False)
        tlist = [parse_target(t) for t in db_texts]  # stored targets were validated
        known_t = pd.DataFrame({"year": db["year"].astype(object), "project_code": db["project_code"].astype(object),
                                "name": db["name"].astype(object), "tid": db_codes.astype(np.int64)})
        if "indicators" in frames:
            inc = frames["indicators"]
            # one row per indicator (a repeated one is an error already); an indicator whose own row has
            # an error keeps its key with no target, so its progress rows are not reported as unknown
            carried = inc.attrs["targets"]
            per = carried.per
            tid = np.where(carried.codes >= 0, carried.codes, len(per) - 1) + len(tlist)
            tlist += list(per)
            inc_all = pd.DataFrame({"year": inc["year"], "project_code": inc["project_code"], "name": inc["name"],
                                    "tid": tid})[carried.first]
            inc_all = inc_all[inc_all["year"].notna() & inc_all["project_code"].notna() & inc_all["name"].notna()]
            known_t = pd.concat([known_t[~_key_in(known_t, inc_all, ["year", "project_code", "name"])], inc_all], ignore_index=True)
        frames["progress"] = _progress(raw, chk, known_t, tlist)

    if "监控说明" in sheets and ok.get("监控说明"):
        raw = sheets["监控说明"]
        f = _notes(raw, chk)
        check_project(raw, f)
        frames["notes"] = f

    if "projects" in frames:
        facts = _project_facts(sheets["项目"], chk, frames["projects"])
        if facts is not None and not facts.empty:
            frames["project_facts"] = facts

    if "资金来源" in sheets and ok.get("资金来源"):
        raw = sheets["资金来源"]
        f = _fund_sources(raw, chk, known)
        check_project(raw, f)
        frames["fund_sources"] = f

    if "工作进展" in sheets and ok.get("工作进展"):
        raw = sheets["工作进展"]
        f = _activities(raw, chk)
        check_project(raw, f)
        frames["activities"] = f

    if "projects" in frames:
        _check_budgets(sheets["项目"], frames, known, stored, chk, store)
    if not chk.total_errors:
        _warn_suspicious(sheets, frames, known, chk, store)
    return frames, chk


def _drop_examples(raw: RawSheet, chk: _Checker) -> None:
    """The template's example rows (first cell 示例…) are never imported; each is named in a warning."""
    if raw.frame.empty:
        return
    first = raw.frame.iloc[:, 0]
    example = first.astype("string").str.startswith(EXAMPLE_MARK).fillna(False).to_numpy(dtype=bool)
    if not example.any():
        return
    rows = raw.rows[example]
    shown = "、".join(str(r) for r in rows[:10]) + ("等" if len(rows) > 10 else "")
    chk.warn(raw, int(rows[0]), None, f"第{shown}行是示例行（第一格以“{EXAMPLE_MARK}”开头），未导入")
    raw.frame = raw.frame[~example].reset_index(drop=True)
    raw.rows = raw.rows[~example]
    raw.percent = {k: v[~example] for k, v in raw.percent.items()}


def _check_budgets(raw: RawSheet, frames: dict[str, pd.DataFrame], known: pd.DataFrame, stored: pd.DataFrame,
                   chk: _Checker, store: Store) -> None:
    """Budgets that can be stored but not believed: typed in 元 into the 万元 column (490 → 4,900,000),
    or changed by the 元/万元 factor since the last import — warned; a year whose budgets together
    pass what the status can add up — refused. Column-wise over the projects."""
    f = frames["projects"]
    if f.empty:
        return
    rows = raw.rows
    plausible = int(limits.PLAUSIBLE_BUDGET_WAN * FEN_PER_WAN)
    for col, label in (("budget_initial", "年初预算"), ("budget_adjusted", "调整后预算")):
        v = pd.to_numeric(f[col], errors="coerce").to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            big = np.flatnonzero(v >= plausible)
        for i in big[:50]:
            chk.warn(raw, int(rows[i]), label, f"项目「{f['project_code'].iat[i]}」{label}{fmt_wan(int(v[i]))}（{v[i] / 1e10:,.2f}亿元）异常大，"
                                                f"请确认金额单位是万元而不是元（490万元应填490）")
    budget = np.fmax(pd.to_numeric(f["budget_adjusted"], errors="coerce").to_numpy(dtype="float64"),
                     pd.to_numeric(f["budget_initial"], errors="coerce").to_numpy(dtype="float64"))
    # spend so far: this import's months where it has them, else what the database holds
    spent = store.df("SELECT year, project_code, CAST(sum(spent) * 100 AS DOUBLE) AS spent FROM monthly GROUP BY ALL")
    if "monthly" in frames and not frames["monthly"].empty:
        inc = frames["monthly"].groupby(["year", "project_code"], as_index=False)["spent"].sum()
        inc["spent"] = inc["spent"].astype("float64")
        spent = pd.concat([spent[~_key_in(spent, inc, ["year", "project_code"])], inc], ignore_index=True)
    key = f[["year", "project_code"]].astype(object)
    total = key.merge(spent.astype({"year": object, "project_code": object}), how="left", on=["year", "project_code"])["spent"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = budget / total
        hit = np.flatnonzero((total > 0) & (factor >= limits.UNIT_FACTOR))
    for i in hit[:50]:
        chk.warn(raw, int(rows[i]), "调整后预算", f"项目「{f['project_code'].iat[i]}」预算{fmt_wan(int(budget[i]))}是其已报支出"
                                                f"{fmt_wan(int(total[i]))}的{factor[i]:,.0f}倍，可能把“元”当成了“万元”填入预算，请核对")
    budget = pd.to_numeric(f["budget_adjusted"], errors="coerce").to_numpy(dtype="float64")
    before = key.merge(stored.astype({"year": object, "project_code": object}), how="left", on=["year", "project_code"])["budget_fen"]
    old = pd.to_numeric(before, errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.flatnonzero((old > 0) & (budget > 0) & ((budget >= old * limits.UNIT_FACTOR) | (old >= budget * limits.UNIT_FACTOR)))
    for i in change[:50]:
        times = budget[i] / old[i] if budget[i] >= old[i] else old[i] / budget[i]
        way = "扩大" if budget[i] >= old[i] else "缩小"
        chk.warn(raw, int(rows[i]), "调整后预算", f"项目「{f['project_code'].iat[i]}」调整后预算由{fmt_wan(int(old[i]))}变为{fmt_wan(int(budget[i]))}，"
                                                f"{way}了{times:,.0f}倍，可能混用了“元”和“万元”，请核对")
    sums = known.assign(b=pd.to_numeric(known["budget_fen"], errors="coerce").astype("float64")).groupby("year")["b"].sum()
    for year, b in sums[sums > float(limits.MAX_YEAR_BUDGET_WAN) * FEN_PER_WAN].items():
        chk.error(raw, [int(rows[0])], "调整后预算", f"{year}年全部项目调整后预算合计约{b / FEN_PER_WAN:,.0f}万元，超过一个年度的上限"
                                               f"{limits.MAX_YEAR_BUDGET_WAN:,}万元，无法计算；请核对单位和数字位数")


def _key_codes(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The keys of a's rows and of b's rows as integers that are equal where the keys are equal;
    -1 for a row with an empty key cell, or (in a) a value b does not hold.

    Each key column's distinct values are matched once (a hundred thousand project codes), then a
    million rows combine integer codes: a merge on the texts hashed every row's texts."""
    in_a, in_b = np.zeros(len(a), dtype=np.int64), np.zeros(len(b), dtype=np.int64)
    gone_a, gone_b = np.zeros(len(a), dtype=bool), np.zeros(len(b), dtype=bool)
    for k in keys:
        b_codes, b_values = pd.factorize(b[k], use_na_sentinel=True)
        a_codes, a_values = pd.factorize(a[k], use_na_sentinel=True)
        to_b = pd.Index(np.asarray(b_values, dtype=object)).get_indexer(np.asarray(a_values, dtype=object))
        a_in_b = np.append(to_b, -1)[a_codes]
        gone_a |= a_in_b < 0
        gone_b |= b_codes < 0
        in_a = in_a * (len(b_values) + 1) + a_in_b
        in_b = in_b * (len(b_values) + 1) + b_codes
    return np.where(gone_a, -1, in_a), np.where(gone_b, -1, in_b)


def _key_in(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Whether each row's key in a is a key of some row of b (an empty key cell never is)."""
    if b.empty or a.empty:
        return pd.Series(False, index=a.index)
    in_a, in_b = _key_codes(a, b, keys)
    return pd.Series((in_a >= 0) & np.isin(in_a, in_b[in_b >= 0]), index=a.index)


def _key_rows(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The row of b holding each row's key in a, -1 for none (b holds each key once): a left join's
    positions, for taking b's columns with numpy."""
    if b.empty or a.empty:
        return np.full(len(a), -1, dtype=np.int64)
    in_a, in_b = _key_codes(a, b, keys)
    index = pd.Index(np.where(in_b >= 0, in_b, -2 - np.arange(len(b))))  # an empty key of b matches nothing
    return np.where(in_a >= 0, index.get_indexer(in_a), -1)


def _warn_suspicious(sheets: dict[str, RawSheet], frames: dict[str, pd.DataFrame], known: pd.DataFrame,
                     chk: _Checker, store: Store) -> None:
    """Over-budget and missing months: possible, so imported, but the user is told."""
    if "monthly" not in frames:
        return
    raw = sheets["月度支出"]
    f = frames["monthly"]
    totals = f.groupby(["year", "project_code"], as_index=False)["spent"].sum()
    totals = totals.merge(known, on=["year", "project_code"], how="left")
    over = totals[totals["spent"].astype("float64") > totals["budget_fen"].astype("float64")]
    for y, code, s, b in over[["year", "project_code", "spent", "budget_fen"]].head(50).itertuples(index=False):
        chk.warn(raw, None, "支出金额", f"项目「{code}」{y}年累计支出{s / FEN_PER_WAN:,.4f}万元，超过预算{b / FEN_PER_WAN:,.4f}万元（超预算，将亮红灯）")
    # a month is missing when neither this file nor the database has it (a file with only October
    # for a project whose January-September are stored misses nothing); months as bit masks
    bits = f.assign(bit=np.left_shift(1, f["month"].to_numpy(dtype="int64") - 1))
    g = bits.groupby(["year", "project_code"], as_index=False).agg(bits=("bit", "sum"), top=("month", "max"))
    need = np.left_shift(1, g["top"].to_numpy(dtype="int64")) - 1
    g = g[(g["bits"].to_numpy(dtype="int64") & need) != need]
    if g.empty:
        return
    stored = store.df("""SELECT year, project_code, CAST(bit_or(1 << (month - 1)) AS BIGINT) AS stored FROM monthly
                         WHERE project_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL""", [g["project_code"].tolist()])
    g = g.astype({"year": object, "project_code": object}).merge(stored.astype({"year": object, "project_code": object}),
                                                              how="left", on=["year", "project_code"])
    have = g["bits"].to_numpy(dtype="int64") | g["stored"].fillna(0).to_numpy(dtype="int64")
    need = np.left_shift(1, g["top"].to_numpy(dtype="int64")) - 1
    gaps = g.assign(mask=have)[(have & need) != need]
    for y, code, mask, top in gaps[["year", "project_code", "mask", "top"]].head(50).itertuples(index=False):
        missing = [m for m in range(1, int(top) + 1) if not int(mask) >> (m - 1) & 1]
        chk.warn(raw, None, "月份", f"项目「{code}」{y}年缺少{'、'.join(f'{m}月' for m in missing)}的支出数据（如当月无支出请填0）")


Progress = Callable[[float, str], None]
# where each stage starts, as a share of a whole import (a province's CSV folder spends about a
# third of its time reading, a quarter validating, the rest writing)
STAGES = ((0.0, "读取文件"), (0.35, "校验数据"), (0.6, "写入数据库"), (1.0, "导入完成"))


def import_path(store: Store, path: str | Path, *, actor: Actor, progress: Progress | None = None) -> ImportReport:
    """Import a workbook or CSV folder whole, or raise ImportRejected and leave the store as it was.

    `progress(fraction, stage)` is told when each stage starts (fraction 0..1, a short Chinese
    stage name) and gets 1.0 once the import is written; a rejected import ends without 1.0."""
    tell = progress or (lambda fraction, stage: None)
    require(actor, "data.import")
    tell(*STAGES[0])
    sheets = read_source(path)
    tell(*STAGES[1])
    frames, chk = validate(sheets, store)
    if chk.total_errors:
        raise ImportRejected(chk.errors, chk.total_errors)
    tell(*STAGES[2])
    report = write_frames(store, frames, chk.warnings, actor=actor.via(f"导入「{Path(path).name}」"))
    tell(*STAGES[3])
    return report


def write_frames(store: Store, frames: dict[str, pd.DataFrame], warnings: list[Problem] | None = None, *,
                 actor: Actor) -> ImportReport:
    """Write validated frames in one transaction. What the actor may not touch (a project outside his
    scope, before or after the write; a month under review or closed) refuses the whole import."""
    counts: dict[str, int] = {}
    labels = {"projects": "项目", "monthly": "月度支出", "indicators": "绩效指标", "progress": "指标进度", "notes": "监控说明"}
    touched = _touched(frames)
    with store.transaction() as con:
        rounds.check_import(con, actor, touched)  # the projects as they are: none of another unit's may be replaced
        for table in ("projects", "monthly", "indicators", "progress", "notes"):
            if table not in frames:
                continue
            frame = _for_table(table, frames[table], con, actor)
            counts[labels[table]] = store.upsert(con, table, frame, money=MONEY.get(table, ()), micro=MICRO.get(table, ()),
                                                  hundredths=("weight",) if table == "indicators" else ())
        if "projects" in frames:
            store.refresh_hierarchy(con)
        keyed = touched.loc[touched["kind"].isin(("indicators", "progress")), ["year", "project_code"]]
        if "indicators" in frames or "progress" in frames:
            store.rekey(con, keyed.drop_duplicates())
        counts.update(project_facts.write_imported(con, frames, actor))
        rounds.check_import(con, actor, touched)  # and as they are now: none moved out of the actor's scope
        figures = touched[~touched["kind"].isin(WORDS_ONLY)]
        for year, codes in figures.groupby("year")["project_code"]:
            store.touched(con, int(year), list(pd.unique(codes)))
        if figures.empty:
            store.touched(con, None)
        rounds.record_import(con, actor, touched, counts)
    return ImportReport(counts, warnings or [], _periods(frames))


def _touched(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """(year, project_code, month) of every row an import writes; month 0 for rows of no month.

    Each table's keys are made unique on integer codes (a province writes millions of rows but
    touches each project-month once per table); rows of two tables differ in their kind anyway."""
    parts = []
    for table, f in frames.items():
        if f.empty:
            continue
        year = pd.to_numeric(f["year"]).to_numpy(dtype="int64")
        month = pd.to_numeric(f["month"]).to_numpy(dtype="int64") if "month" in f.columns else np.zeros(len(f), dtype="int64")
        codes, uniques = pd.factorize(f["project_code"], use_na_sentinel=False)
        _, first = np.unique((codes.astype("int64") * 10_000 + year) * 16 + month, return_index=True)
        first.sort()
        parts.append(pd.DataFrame({"year": year[first], "project_code": np.asarray(uniques, dtype=object)[codes[first]],
                                   "month": month[first], "kind": table}))
    if not parts:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "project_code": pd.Series(dtype=str),
                             "month": pd.Series(dtype="int64"), "kind": pd.Series(dtype=str)})
    return pd.concat(parts, ignore_index=True)


def _periods(frames: dict[str, pd.DataFrame]) -> dict[int, list[int]]:
    out: dict[int, set[int]] = {}
    for table in ("projects", "indicators"):
        if table in frames:
            for y in pd.unique(frames[table]["year"].dropna()):
                out.setdefault(int(y), set())
    for table in ("monthly", "progress", "notes"):
        if table in frames and not frames[table].empty:
            f = frames[table]
            keys = np.unique(f["year"].to_numpy(dtype="int64") * 100 + f["month"].to_numpy(dtype="int64"))
            for k in keys:
                out.setdefault(int(k) // 100, set()).add(int(k) % 100)
    return {y: sorted(ms) for y, ms in out.items()}


# what changes no figure of the status: notes and the report's words (monitor/project_facts.py)
WORDS_ONLY = ("notes", "project_facts", "fund_sources", "activities")
MONEY = {"projects": ("budget_initial", "budget_adjusted"), "monthly": ("spent", "arrived", "planned")}
MICRO = {"indicators": ("target_value",), "progress": ("stage_value", "actual_value")}


def _for_table(table: str, f: pd.DataFrame, con: object, actor: Actor) -> pd.DataFrame:
    f = f.copy(deep=False)  # copy-on-write: the columns replaced below leave the validated frame as it was
    f.attrs = {}
    for col in MONEY.get(table, ()) + MICRO.get(table, ()):
        if col in f.columns:
            f[col] = pd.array(f[col], dtype="Int64")
    if table == "indicators" and "weight" in f.columns:
        f["weight"] = pd.array(f["weight"], dtype="Int64")  # hundredths
    if table == "notes":
        # An imported note replaces an earlier one; its version moves on so an open editor notices.
        existing = con.execute("SELECT year, project_code, indicator_name, month, version FROM notes").df()
        f = f.merge(existing, on=["year", "project_code", "indicator_name", "month"], how="left")
        f["version"] = f["version"].fillna(0).astype("int64") + 1
        f["updated_at"] = datetime.now().replace(microsecond=0)
        f["updated_by"] = actor.name
        f["due_month"] = pd.array(f["due_month"], dtype="Int64")
    for col in ("year", "month", "seq"):
        if col in f.columns:
            f[col] = f[col].astype("int64")
    return f
