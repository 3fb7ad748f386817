"""Import a workbook (.xlsx) or a folder of CSV files: validated whole, then written all-or-nothing.

Every bad value becomes a `Problem` naming file, sheet, Excel row and column. If there is any error
the database is not touched (`ImportRejected`). Suspicious but possible values (spend above budget,
a missing month, negative spend) are imported and returned as warnings.

Validation works column by column over pandas Series and converts each distinct text once, so a
province-sized file (millions of rows) imports in seconds rather than minutes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import ImportRejected, Problem, TargetParseError
from .money import FEN_PER_WAN, to_decimal
from .notes import CAUSES, LIKELIHOODS, MEASURE_STATUSES, MEASURE_TYPES
from .store import Store
from .targets import NATURES, Target, infer_natures, parse_actual, parse_target

ADJUST_TYPES = ("原指标", "新增指标", "调整", "删除")
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
    ), help="每个项目一行；调整后预算留空即等于年初预算。"),
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
        Column("本阶段目标值", False), Column("实际完成值", False),
    ), help="实际完成值为截至该月末的累计数；定性指标填 达成/部分达成/未达成（或指标值原词，如“丰富”即达成）。"),
    SheetSpec("监控说明", (
        Column("年度"), Column("项目编码"), Column("三级指标", False), Column("月份"),
        Column("问题", False), Column("偏差原因", False), Column("原因说明", False), Column("完成目标可能性", False),
        Column("纠偏措施", False), Column("措施类型", False), Column("责任人", False),
        Column("完成时限", False), Column("措施状态", False),
    ), optional_sheet=True, help="三级指标留空表示针对项目资金；偏差原因可多选，用“、”分隔。"),
)
SPEC = {s.name: s for s in SHEETS}

_HEADER = re.compile(r"^\s*(.*?)\s*(?:[（(]\s*(万元|元)\s*[)）])?\s*$")


@dataclass
class RawSheet:
    file: str
    sheet: str
    frame: pd.DataFrame  # one column per header base name, object values, None for empty
    rows: np.ndarray  # the Excel/CSV row number of each frame row
    units: dict[str, str] = field(default_factory=dict)  # money column → 万元 | 元
    percent: dict[str, np.ndarray] = field(default_factory=dict)  # column → is an Excel percent cell


@dataclass
class ImportReport:
    counts: dict[str, int]
    warnings: list[Problem]

    def summary(self) -> str:
        parts = "，".join(f"{k}{v}行" for k, v in self.counts.items() if v)
        return f"导入成功：{parts or '无数据'}" + (f"；另有{len(self.warnings)}条提醒" if self.warnings else "")


# -- reading -----------------------------------------------------------------------------------
def read_source(path: str | Path) -> dict[str, RawSheet]:
    p = Path(path)
    if p.is_dir():
        return _read_csv_dir(p)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    if p.suffix.lower() == ".csv":
        return _read_csv_dir(p.parent, only=p)
    raise ImportRejected([Problem(p.name, "—", None, None, "只能导入 .xlsx 工作簿或存放 CSV 文件的文件夹")])


def _split_headers(file: str, sheet: str, headers: list[object]) -> tuple[list[str], dict[str, str], list[Problem]]:
    names: list[str] = []
    units: dict[str, str] = {}
    problems: list[Problem] = []
    for h in headers:
        m = _HEADER.match("" if h is None else str(h))
        base = m.group(1) if m else str(h)
        if m and m.group(2):
            units[base] = m.group(2)
        if base and base in names:
            problems.append(Problem(file, sheet, 1, base, "表头重复"))
        names.append(base)
    return names, units, problems


def _read_xlsx(path: Path) -> dict[str, RawSheet]:
    """Values through calamine (Rust; 25× openpyxl's read-only mode on a large sheet); the 指标进度
    sheet through openpyxl, the one reader that also gives each cell's number format, which is how
    an Excel percent cell (0.95 shown as 95%) is told from the number 0.95."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several error types for a damaged file
        raise ImportRejected([Problem(path.name, "—", None, None, f"无法打开工作簿：{exc}")]) from exc
    out: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    for name in book.sheet_names:
        if name not in SPEC:
            continue
        if name == "指标进度":
            rows, pct = _rows_with_formats(path, name)
        else:
            rows, pct = book.get_sheet_by_name(name).to_python(skip_empty_area=False), None
        raw, hp = _sheet_from_rows(path.name, name, rows, pct)
        problems += hp
        out[name] = raw
    if problems:
        raise ImportRejected(problems)
    return out


def _rows_with_formats(path: Path, sheet: str) -> tuple[list[list[object]], list[list[bool]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ImportRejected([Problem(path.name, sheet, None, None, f"无法打开工作簿：{exc}")]) from exc
    try:
        rows: list[list[object]] = []
        pct: list[list[bool]] = []
        for row in wb[sheet].iter_rows():
            rows.append([getattr(c, "value", None) for c in row])
            pct.append(["%" in (getattr(c, "number_format", "") or "") for c in row])
        return rows, pct
    finally:
        wb.close()


def _sheet_from_rows(file: str, sheet: str, rows: list[list[object]],
                     pct: list[list[bool]] | None) -> tuple[RawSheet, list[Problem]]:
    """A sheet's rows (header first) as a RawSheet keeping each row's spreadsheet row number."""
    if not rows:
        return RawSheet(file, sheet, pd.DataFrame(), np.array([], dtype=np.int64)), []
    names, units, problems = _split_headers(file, sheet, list(rows[0]))
    width = len(names)
    values = [tuple(v[:width]) + (None,) * (width - len(v)) for v in rows[1:]]
    frame = pd.DataFrame(values, columns=range(width), dtype=object)
    frame.columns = names
    frame = frame.loc[:, [n for n in names if n]]
    numbers = np.arange(2, len(frame) + 2)
    keep = ~frame.map(_is_blank).all(axis=1).to_numpy() if len(frame) else np.array([], dtype=bool)
    percent: dict[str, np.ndarray] = {}
    if pct is not None and len(pct) > 1:
        flags = pd.DataFrame([tuple(p[:width]) + (False,) * (width - len(p)) for p in pct[1:]])
        for i, n in enumerate(names):
            if n in ("实际完成值", "本阶段目标值") and i in flags.columns:
                percent[n] = flags[i].to_numpy(dtype=bool)[keep]
    frame = _normalise(frame[keep].reset_index(drop=True))
    return RawSheet(file, sheet, frame, numbers[keep], units, percent), problems


def _read_csv_dir(folder: Path, only: Path | None = None) -> dict[str, RawSheet]:
    out: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    files = [only] if only else sorted(folder.glob("*.csv"))
    for f in files:
        sheet = f.stem
        if sheet not in SPEC:
            continue
        frame = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                frame = pd.read_csv(f, dtype=str, keep_default_na=False, encoding=enc)
                break
            except UnicodeDecodeError:
                continue
        if frame is None:
            problems.append(Problem(f.name, sheet, None, None, "无法识别文件编码，请另存为 UTF-8 编码的 CSV"))
            continue
        names, units, hp = _split_headers(f.name, sheet, list(frame.columns))
        problems += hp
        frame.columns = names
        out[sheet] = RawSheet(f.name, sheet, _normalise(frame), np.arange(2, len(frame) + 2), units)
    if problems:
        raise ImportRejected(problems)
    return out


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and np.isnan(v))


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as stripped text, or None when empty — once per column, vectorised.

    Excel numbers become their shortest text (134.5368), so money is read exactly; dates keep
    their ISO text. Converters downstream then see one kind of value.
    """
    out = {}
    for col in frame.columns:
        c = frame[col]
        if c.dtype == object:
            c = c.map(_cell_text, na_action="ignore")
        text = c.astype("string").str.strip()
        out[col] = text.astype(object).where(text.notna() & (text != ""), None)
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

    def error(self, raw: RawSheet, rows: np.ndarray | list[int], column: str | None, message: str) -> None:
        for r in list(rows):
            self.total_errors += 1
            if len(self.errors) < MAX_PROBLEMS:
                self.errors.append(Problem(raw.file, raw.sheet, int(r), column, message))

    def warn(self, raw: RawSheet, row: int | None, column: str | None, message: str) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(Problem(raw.file, raw.sheet, row, column, message, "警告"))

    def convert(self, raw: RawSheet, column: str, fn: Callable[[object], object], what: str,
                required: bool = True) -> pd.Series:
        """Apply fn to each distinct value of a column; a failure is an error at every row holding it."""
        n = len(raw.frame)
        if column not in raw.frame.columns:
            return pd.Series([None] * n, dtype=object)
        codes, uniques = pd.factorize(raw.frame[column], use_na_sentinel=True)
        if required and (codes == -1).any():
            self.error(raw, raw.rows[codes == -1], column, f"{what}不能为空")
        results = np.empty(len(uniques) + 1, dtype=object)  # the extra last slot answers code -1
        for i, v in enumerate(uniques):
            try:
                results[i] = fn(v)
            except (ValueError, InvalidOperation, TargetParseError, TypeError) as exc:
                results[i] = None
                self.error(raw, raw.rows[codes == i], column, str(exc) or f"无法识别的{what}「{v}」")
        return pd.Series(results[codes], dtype=object)


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


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


def _money_fn(unit: str, allow_negative: bool) -> Callable[[object], int]:
    scale = Decimal(FEN_PER_WAN) if unit == "万元" else Decimal(100)

    def conv(v: object) -> int:
        try:
            d = to_decimal(v)
        except InvalidOperation as exc:
            raise ValueError(f"金额应为数字（单位{unit}），而不是「{v}」") from exc
        if d < 0 and not allow_negative:
            raise ValueError(f"金额不能为负数：「{v}」")
        fen = d * scale
        if fen != fen.to_integral_value():
            raise ValueError(f"金额「{v}」{unit}精确到分以下，请核对单位（{unit}最多{6 if unit == '万元' else 2}位小数）")
        if abs(fen) >= Decimal(10) ** 15:
            raise ValueError(f"金额「{v}」{unit}过大")
        return int(fen)

    return conv


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
    arr = pa.array(raw.frame[column].to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    m = pc.extract_regex(arr, _PLAIN_AMOUNT.replace("{1,6}", f"{{1,{digits}}}"))
    matched = pc.is_valid(m)
    negative = pc.equal(pc.struct_field(m, "sign"), "-")
    ok = pc.and_(matched, pc.invert(negative)) if not allow_negative else matched
    ok = pc.fill_null(ok, False)
    whole = pc.cast(pc.struct_field(m, "whole"), pa.int64())
    frac = pc.cast(pc.utf8_rpad(pc.struct_field(m, "frac"), digits, "0"), pa.int64())
    fen = pc.add(pc.multiply(whole, 10**digits), frac)
    fen = pc.if_else(negative, pc.negate(fen), fen)
    out = pd.Series(pc.if_else(ok, fen, None).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
    rest = ~ok.to_numpy(zero_copy_only=False)
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
    for c in missing:
        chk.error(raw, [1], c, f"缺少必填列「{c}」")
    for c in spec.columns:
        if c.money and raw.units.get(c.name) not in (None, "万元", "元"):
            chk.error(raw, [1], c.name, "金额列的单位只能是(万元)或(元)")
    return bool(missing)


def _duplicates(raw: RawSheet, chk: _Checker, frame: pd.DataFrame, keys: list[str], columns: str) -> None:
    dup = frame.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        first = frame.drop_duplicates(keys).assign(_row=raw.rows[~dup]).set_index(keys)["_row"]
        for r, key in zip(raw.rows[dup], frame.loc[dup, keys].itertuples(index=False), strict=False):
            chk.error(raw, [r], columns, f"与第{first.loc[tuple(key)] if len(keys) > 1 else first.loc[key[0]]}行重复（{'、'.join(str(k) for k in key)}）")


# -- the sheets --------------------------------------------------------------------------------
def _projects(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "department_name": c(raw, "部门名称", _text, "部门名称"),
        "unit_name": c(raw, "单位名称", _text, "单位名称"),
        "project_code": c(raw, "项目编码", _text, "项目编码"),
        "project_name": c(raw, "项目名称", _text, "项目名称"),
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


def _monthly(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _text, "项目编码"),
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
    targets = c(raw, "年度指标值", parse_target, "年度指标值")
    level2 = c(raw, "二级指标", _text, "二级指标")
    nature_override = c(raw, "指标性质", lambda v: _choice(tuple(NATURE_WORDS), "指标性质")(v), "指标性质", False)
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _text, "项目编码"),
        "name": c(raw, "三级指标", _text, "三级指标"),
        "level1": c(raw, "一级指标", _text, "一级指标"),
        "level2": level2,
        "weight": c(raw, "权重", _weight, "权重", False),
        "adjust_type": c(raw, "调整类型", _choice(ADJUST_TYPES, "调整类型"), "调整类型", False).fillna("原指标"),
        "explanation": c(raw, "指标解释", _text, "指标解释", False),
        "original_name": c(raw, "原指标名称", _text, "原指标名称", False),
        "original_target": c(raw, "原指标值", _text, "原指标值", False),
    })
    codes, uniques = pd.factorize(targets.map(id))
    objs = {id(t): t for t in targets if isinstance(t, Target)}
    per = [objs.get(u) for u in uniques] + [None]

    def column(get: Callable[[Target], object]) -> np.ndarray:
        return np.array([get(t) if t is not None else None for t in per], dtype=object)[codes]

    f["target_text"] = column(lambda t: t.text)
    f["target_op"] = column(lambda t: t.op)
    f["target_value"] = column(lambda t: _micro(t.value))
    f["target_unit"] = column(lambda t: t.unit)
    qualitative = column(lambda t: t.qualitative)
    inferred = infer_natures(pd.Series(qualitative).fillna(False).astype(bool).to_numpy(),
                             (f["target_unit"] == "%").to_numpy(dtype=bool), level2)
    override = nature_override.map(NATURE_WORDS.get, na_action="ignore")
    natures = override.where(override.notna(), pd.Series(inferred, dtype=object)).where(pd.notna(qualitative), None)
    f["nature"] = natures
    bad_q = np.flatnonzero(pd.notna(qualitative) & ((qualitative == True) != (natures == "qualitative").to_numpy()))  # noqa: E712
    if len(bad_q):
        chk.error(raw, raw.rows[bad_q], "指标性质", "指标性质与指标值不符：定性指标的指标值为文字，定量指标的指标值为数值")
    f["seq"] = np.arange(len(f), dtype=np.int64)
    _duplicates(raw, chk, f, ["year", "project_code", "name"], "三级指标")
    f.attrs["targets"] = targets
    return f


def _progress(raw: RawSheet, chk: _Checker, targets: pd.DataFrame) -> pd.DataFrame:
    """targets: year, project_code, name, target (a Target) of every indicator known to this import."""
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _text, "项目编码"),
        "indicator_name": c(raw, "三级指标", _text, "三级指标"),
        "month": c(raw, "月份", _month, "月份"),
    })
    _duplicates(raw, chk, f, ["year", "project_code", "indicator_name", "month"], "月份")
    n = len(f)
    keyed = f[["year", "project_code", "indicator_name"]].astype(object).merge(
        targets.rename(columns={"name": "indicator_name"}), how="left", on=["year", "project_code", "indicator_name"])
    target = keyed["target"].to_numpy(dtype=object)
    unknown = pd.isna(keyed["target"]).to_numpy() & f["year"].notna().to_numpy() & f["project_code"].notna().to_numpy() & f["indicator_name"].notna().to_numpy()
    for r, code, name in zip(raw.rows[unknown], f.loc[unknown, "project_code"], f.loc[unknown, "indicator_name"], strict=False):
        chk.error(raw, [r], "三级指标", f"项目「{code}」没有名为「{name}」的绩效指标（请先在「绩效指标」表中填写）")
    for column, prefix in (("本阶段目标值", "stage"), ("实际完成值", "actual")):
        values = raw.frame[column].to_numpy(dtype=object) if column in raw.frame.columns else np.full(n, None, dtype=object)
        pct = raw.percent.get(column, np.zeros(n, dtype=bool))
        todo = pd.notna(values) & pd.notna(target)
        if todo.any():
            combos = pd.DataFrame({"t": pd.Series(target[todo]).map(id), "v": values[todo], "p": pct[todo]})
            codes = combos.groupby(["t", "v", "p"], sort=False).ngroup().to_numpy()
            first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
            t_todo, v_todo, p_todo, r_todo = target[todo], values[todo], pct[todo], raw.rows[todo]
            texts_g = np.empty(len(first), dtype=object)
            micro_g = np.empty(len(first), dtype=object)
            status_g = np.empty(len(first), dtype=object)
            for g, i in enumerate(first):
                try:
                    a = parse_actual(v_todo[i], t_todo[i], bool(p_todo[i]))
                    texts_g[g], micro_g[g], status_g[g] = a.text, _micro(a.value), a.status
                except (TargetParseError, InvalidOperation, ValueError) as exc:
                    chk.error(raw, r_todo[codes == g], column, str(exc) or f"无法识别「{v_todo[i]}」")
        texts = np.full(n, None, dtype=object)
        micro = np.full(n, None, dtype=object)
        status = np.full(n, None, dtype=object)
        if todo.any():
            texts[todo], micro[todo], status[todo] = texts_g[codes], micro_g[codes], status_g[codes]
        f[f"{prefix}_text"] = texts
        f[f"{prefix}_value"] = micro
        if prefix == "actual":
            f["actual_status"] = status
    return f


def _notes(raw: RawSheet, chk: _Checker) -> pd.DataFrame:
    c = chk.convert
    f = pd.DataFrame({
        "year": c(raw, "年度", _year, "年度"),
        "project_code": c(raw, "项目编码", _text, "项目编码"),
        "indicator_name": c(raw, "三级指标", _text, "三级指标", False).fillna(""),
        "month": c(raw, "月份", _month, "月份"),
        "problem": c(raw, "问题", _text, "问题", False),
        "causes": c(raw, "偏差原因", _causes, "偏差原因", False).fillna(""),
        "explanation": c(raw, "原因说明", _text, "原因说明", False),
        "likelihood": c(raw, "完成目标可能性", _choice(LIKELIHOODS, "完成目标可能性"), "完成目标可能性", False),
        "measure": c(raw, "纠偏措施", _text, "纠偏措施", False),
        "measure_type": c(raw, "措施类型", _choice(MEASURE_TYPES, "措施类型"), "措施类型", False),
        "owner": c(raw, "责任人", _text, "责任人", False),
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
    if not any(name in sheets for name in SPEC):
        file = next(iter(sheets.values())).file if sheets else "—"
        chk.error(RawSheet(file, "—", pd.DataFrame(), np.array([])), [1], None,
                  f"没有找到可导入的工作表，工作表应命名为：{'、'.join(SPEC)}")
        return frames, chk
    ok = {name: not _missing_columns(raw, chk) for name, raw in sheets.items()}

    if ok.get("项目"):
        frames["projects"] = _projects(sheets["项目"], chk)
    known = store.df("SELECT year, project_code, budget_initial, budget_adjusted FROM projects")
    known["budget_fen"] = (known["budget_adjusted"].astype(object).map(lambda d: int(d * 100)) if len(known) else [])
    known = known[["year", "project_code", "budget_fen"]]
    if "projects" in frames:
        inc = frames["projects"][["year", "project_code", "budget_adjusted"]].rename(columns={"budget_adjusted": "budget_fen"})
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
        m = f.merge(known, on=["year", "project_code"], how="left")
        budget = m["budget_fen"].astype("float64").to_numpy()
        spent = m["spent"].astype("float64").to_numpy()
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
        parsed = {t: parse_target(t) for t in pd.unique(db["target_text"])}  # stored targets were validated
        known_t = pd.DataFrame({"year": db["year"].astype(object), "project_code": db["project_code"].astype(object),
                                "name": db["name"].astype(object), "target": db["target_text"].map(parsed).astype(object)})
        if "indicators" in frames:
            inc = frames["indicators"]
            inc_t = pd.DataFrame({"year": inc["year"], "project_code": inc["project_code"], "name": inc["name"],
                                  "target": inc.attrs["targets"]}).dropna()
            known_t = pd.concat([known_t[~_key_in(known_t, inc_t, ["year", "project_code", "name"])], inc_t], ignore_index=True)
        frames["progress"] = _progress(raw, chk, known_t)

    if "监控说明" in sheets and ok.get("监控说明"):
        raw = sheets["监控说明"]
        f = _notes(raw, chk)
        check_project(raw, f)
        frames["notes"] = f

    if not chk.total_errors:
        _warn_suspicious(sheets, frames, known, chk, store)
    return frames, chk


def _key_in(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> pd.Series:
    if b.empty or a.empty:
        return pd.Series(False, index=a.index)
    idx = pd.MultiIndex.from_frame(b[keys].astype(object))
    return pd.Series(pd.MultiIndex.from_frame(a[keys].astype(object)).isin(idx), index=a.index)


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
    months = f.groupby(["year", "project_code"])["month"].agg(["min", "max", "count"])
    gaps = months[months["max"] != months["count"]].head(50)
    for (y, code), r in gaps.iterrows():
        have = set(f.loc[(f["year"] == y) & (f["project_code"] == code), "month"])
        missing = [m for m in range(1, int(r["max"]) + 1) if m not in have]
        chk.warn(raw, None, "月份", f"项目「{code}」{y}年缺少{'、'.join(f'{m}月' for m in missing)}的支出数据（如当月无支出请填0）")


def import_path(store: Store, path: str | Path) -> ImportReport:
    """Import a workbook or CSV folder whole, or raise ImportRejected and leave the store as it was."""
    sheets = read_source(path)
    frames, chk = validate(sheets, store)
    if chk.total_errors:
        raise ImportRejected(chk.errors, chk.total_errors)
    return write_frames(store, frames, chk.warnings)


def write_frames(store: Store, frames: dict[str, pd.DataFrame], warnings: list[Problem] | None = None) -> ImportReport:
    counts: dict[str, int] = {}
    labels = {"projects": "项目", "monthly": "月度支出", "indicators": "绩效指标", "progress": "指标进度", "notes": "监控说明"}
    with store.transaction() as con:
        for table in ("projects", "monthly", "indicators", "progress", "notes"):
            if table not in frames:
                continue
            frame = _for_table(table, frames[table], con)
            counts[labels[table]] = store.upsert(con, table, frame, money=MONEY.get(table, ()), micro=MICRO.get(table, ()),
                                                  hundredths=("weight",) if table == "indicators" else ())
        if "projects" in frames:
            store.refresh_hierarchy(con)
        keyed = [frames[t][["year", "project_code"]] for t in ("indicators", "progress") if t in frames]
        if keyed:
            store.rekey(con, pd.concat(keyed, ignore_index=True))
    return ImportReport(counts, warnings or [])


MONEY = {"projects": ("budget_initial", "budget_adjusted"), "monthly": ("spent", "arrived", "planned")}
MICRO = {"indicators": ("target_value",), "progress": ("stage_value", "actual_value")}


def _for_table(table: str, f: pd.DataFrame, con: object) -> pd.DataFrame:
    f = f.copy()
    f.attrs = {}
    for col in MONEY.get(table, ()) + MICRO.get(table, ()):
        if col in f.columns:
            f[col] = pd.array(f[col], dtype="Int64")
    if table == "indicators" and "weight" in f.columns:
        f["weight"] = pd.array(f["weight"], dtype="Int64")  # hundredths
    if table == "notes":
        # An imported note replaces an earlier one; its version moves on so an open editor notices.
        existing = con.execute("SELECT year, project_code, indicator_name, month, version FROM notes").df()  # type: ignore[attr-defined]
        f = f.merge(existing, on=["year", "project_code", "indicator_name", "month"], how="left")
        f["version"] = f["version"].fillna(0).astype("int64") + 1
        f["updated_at"] = datetime.now().replace(microsecond=0)
        f["updated_by"] = "导入"
        f["due_month"] = pd.array(f["due_month"], dtype="Int64")
    for col in ("year", "month", "seq"):
        if col in f.columns:
            f[col] = f[col].astype("int64")
    return f
