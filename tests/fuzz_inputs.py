"""A seeded, rerunnable mutator of the demo CSV folder and workbook (issue 16 item 2).

Each case starts from data/demo and applies one to three mutations drawn from the lists below:
cells (odd numbers, Excel error values, invisible and control characters, huge values, formulas,
very long text), headers (renamed, dropped, repeated, units), rows (repeated, dropped, extra
fields, blank), sheet or file names, encodings and raw bytes (truncated, garbled, NUL, BOMs), and
for workbooks the zip and XML inside (truncated or garbled zips, missing parts, hidden sheets,
far-away cells, formulas without results, entity declarations). The same seed gives the same cases.

Run on its own to count outcomes: `python tests/fuzz_inputs.py [N] [SEED]` (see `main`).
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

SHEETS = ("项目", "月度支出", "绩效指标", "指标进度", "监控说明")

ODD_VALUES = (
    "", " ", "\u3000", "٤٩٠", "4_90", "1.234,56", "１２３．４", "1e308", "-1e308", "nan", "inf", "-0", "0x10", "9" * 40,
    "999999999999", "99999999999.999999", "0.0000001", "1e-9", "-5", "13", "0", "2023年", "十月", "1/2", "2023-02-30",
    "#DIV/0!", "#REF!", "#N/A", "=1/0", "=SUM(A1:A9)", "\u200b", "A\u200bB", "工会\u202e经费", "\x07", "\x1b[31m", "\x00", "\ufeff",
    "😀", "𠀀𠀁", "None", "NULL", "TRUE", "≥", "≥很多", "=100%", "100%%", "<script>alert(1)</script>", "'", '"', ",", "\n",
    "\r\n", "\\", "1,2,3", "1 2", "x" * 6000, "项目" * 150, "达成", "部分达成", "经费保障、其他", "完全不可能", "12月", "０",
)
ODD_HEADERS = ("", "年度 ", "项目编码\u200b", "支出金额(千元)", "支出金额(元)", "月份", "月份(必填)", "Year", "年度;项目编码",
               "支出金額", "备注", "#REF!", "=A1")
SHEET_NAMES = ("项目表", "月度支出 ", " 项目", "Sheet1", "填写说明", "指标 进度", "绩效指标\u200b", "监控说明(2)")
ENCODINGS = ("big5", "utf-16", "latin-1", "gb18030", "utf-8-sig", "shift_jis", "cp1252")


@dataclass
class Case:
    label: str
    path: Path


Rows = dict[str, list[list[str]]]


def _load() -> Rows:
    from monitor.demo import DEMO_DIR as DEMO

    out = {}
    for s in SHEETS:
        with open(DEMO / f"{s}.csv", encoding="utf-8", newline="") as f:
            out[s] = list(csv.reader(f))
    return out


# -- mutations of the rows (both kinds) ---------------------------------------------------------------
def _cell(rng: random.Random, rows: Rows) -> str:
    s = rng.choice(SHEETS)
    if len(rows[s]) < 2:
        return "cell-skip"
    r = rng.randrange(1, len(rows[s]))
    c = rng.randrange(len(rows[s][r])) if rows[s][r] else 0
    v = rng.choice(ODD_VALUES)
    if rows[s][r]:
        rows[s][r][c] = v
    return f"cell {s}!r{r + 1}c{c + 1}={v[:20]!r}"


def _header(rng: random.Random, rows: Rows) -> str:
    s = rng.choice(SHEETS)
    h = rows[s][0]
    k = rng.randrange(len(h))
    how = rng.choice(("rename", "drop", "repeat", "swap"))
    if how == "rename":
        h[k] = rng.choice(ODD_HEADERS)
    elif how == "drop":
        rows[s] = [r[:k] + r[k + 1:] for r in rows[s]]
    elif how == "repeat":
        rows[s] = [r + [r[k] if k < len(r) else ""] for r in rows[s]]
    else:
        j = rng.randrange(len(h))
        h[k], h[j] = h[j], h[k]
    return f"header {how} {s}:{k}"


def _row(rng: random.Random, rows: Rows) -> str:
    s = rng.choice(SHEETS)
    data = rows[s]
    if len(data) < 2:
        return "row-skip"
    i = rng.randrange(1, len(data))
    how = rng.choice(("repeat", "drop", "extra", "short", "blank", "all", "example"))
    if how == "repeat":
        data.append(list(data[i]))
    elif how == "drop":
        del data[i]
    elif how == "extra":
        data[i] = data[i] + ["多余"]
    elif how == "short":
        data[i] = data[i][: max(1, len(data[i]) // 2)]
    elif how == "blank":
        data.insert(i, [""] * len(data[0]))
    elif how == "all":
        v = rng.choice(ODD_VALUES)
        data[i] = [v] * len(data[i])
    else:
        data[i][0] = "示例"
    return f"row {how} {s}:{i + 1}"


def _huge(rng: random.Random, rows: Rows) -> str:
    s = rng.choice(("项目", "月度支出"))
    col = next(i for i, h in enumerate(rows[s][0]) if "预算" in h or "金额" in h)
    v = rng.choice(("999999999999", "4900000", "99999999", "100000001", "0.000001", "-1", "1e12", "12345678901234567890"))
    for r in rows[s][1: 1 + rng.randrange(1, 4)]:
        if col < len(r):
            r[col] = v
    return f"huge {s}={v}"


ROW_MUTATIONS: tuple[Callable[[random.Random, Rows], str], ...] = (_cell, _cell, _cell, _header, _row, _row, _huge)


# -- CSV folders ---------------------------------------------------------------------------------------------
def _write_csv_folder(rows: Rows, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for s, data in rows.items():
        with open(folder / f"{s}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(data)


def _csv_file_mutation(rng: random.Random, folder: Path) -> str:
    files = sorted(folder.glob("*.csv"))
    if not files:
        return "file-skip"
    f = rng.choice(files)
    data = f.read_bytes()
    how = rng.choice(("encode", "truncate", "garble", "nul", "empty", "delete", "rename", "bom", "crlf", "quote", "semicolon"))
    if how == "encode":
        enc = rng.choice(ENCODINGS)
        f.write_bytes(data.decode("utf-8").encode(enc, errors="replace"))
        how += f" {enc}"
    elif how == "truncate":
        f.write_bytes(data[: rng.randrange(len(data) + 1)])
    elif how == "garble":
        b = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        f.write_bytes(bytes(b))
    elif how == "nul":
        k = rng.randrange(len(data))
        f.write_bytes(data[:k] + b"\x00" + data[k:])
    elif how == "empty":
        f.write_bytes(b"")
    elif how == "delete":
        f.unlink()
    elif how == "rename":
        f.rename(folder / f"{rng.choice(SHEET_NAMES)}.csv")
    elif how == "bom":
        f.write_bytes(rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) + data)
    elif how == "crlf":
        f.write_bytes(data.replace(b"\n", b"\r\n"))
    elif how == "quote":
        k = rng.randrange(len(data))
        f.write_bytes(data[:k] + b'"' + data[k:])
    else:
        f.write_bytes(data.replace(b",", b";"))
    return f"file {how} {f.name}"


# -- workbooks -------------------------------------------------------------------------------------------------
def _typed(rng: random.Random, v: str, header: bool) -> object:
    if header:
        return v
    if re.fullmatch(r"-?[0-9]+", v) and len(v) < 16:
        return int(v)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+(e[+-]?[0-9]+)?", v):
        return float(v)
    if v in ("1e308", "-1e308"):
        return float(v)
    if v == "TRUE":
        return True
    return v


def _write_workbook(rng: random.Random, rows: Rows, path: Path, names: dict[str, str]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for s, data in rows.items():
        ws = wb.create_sheet(names.get(s, s))
        for i, r in enumerate(data):
            ws.append([_typed(rng, _xml_safe(v), i == 0) for v in r])
            for cell in ws[ws.max_row]:
                # "=100%" targets are text; "=1/0" and "=SUM(…)" stay formulas (saved without a result)
                if isinstance(cell.value, str) and cell.value.startswith("=") and not cell.value.startswith(("=1/0", "=SUM")):
                    cell.data_type = "s"
    wb.save(path)


def _xml_safe(v: str) -> str:
    # openpyxl refuses characters XML cannot hold; the raw-XML mutations below put such things in
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", v)


def _zip_mutation(rng: random.Random, path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    sheets = sorted(n for n in files if n.startswith("xl/worksheets/sheet"))
    how = rng.choice(("truncate", "garble", "drop-part", "garbage-sheet", "hidden", "far-cell", "far-row", "dimension",
                      "error-cell", "doctype", "hidden-row", "no-value", "bad-ref", "shared-strings"))
    sheet = rng.choice(sheets)
    x = files[sheet].decode()
    if how in ("truncate", "garble"):
        data = path.read_bytes()
        if how == "truncate":
            path.write_bytes(data[: rng.randrange(len(data))])
        else:
            b = bytearray(data)
            for _ in range(rng.randrange(1, 30)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            path.write_bytes(bytes(b))
        return f"zip {how}"
    if how == "drop-part":
        victim = rng.choice([n for n in files if n.endswith((".xml", ".rels"))])
        del files[victim]
        how += f" {victim}"
    elif how == "garbage-sheet":
        files[sheet] = rng.randbytes(rng.randrange(1, 500))
    elif how == "hidden":
        files["xl/workbook.xml"] = re.sub(r'state="visible"', 'state="hidden"', files["xl/workbook.xml"].decode(), count=1).encode()
    elif how in ("far-cell", "far-row"):
        ref = rng.choice(("XFD1048576", "A1048576", "ZZ10", "XFD1", "AAAA1", "A99999999")) if how == "far-cell" else "A300000"
        row = re.sub(r"[A-Z]+", "", ref) or "1"
        files[sheet] = x.replace("</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>').encode()
    elif how == "dimension":
        files[sheet] = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', x).encode()
    elif how == "error-cell":
        err = rng.choice(("#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?"))
        files[sheet] = re.sub(r'<c r="([A-Z]+[3-9])"[^>]*?(?:/>|>.*?</c>)', rf'<c r="\1" t="e"><v>{err}</v></c>', x, count=1).encode()
    elif how == "doctype":
        files[sheet] = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                        + x.split("?>", 1)[-1]).encode()
    elif how == "hidden-row":
        files[sheet] = x.replace('<row r="3"', '<row r="3" hidden="1"', 1).encode()
    elif how == "no-value":
        files[sheet] = re.sub(r'<c r="([A-Z]+[2-9])"[^>]*?(?:/>|>.*?</c>)', r'<c r="\1"><f>SUM(A1:A2)</f></c>', x, count=1).encode()
    elif how == "bad-ref":
        files[sheet] = x.replace('r="A2"', 'r="2A"', 1).encode()
    else:
        files["xl/sharedStrings.xml"] = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>\x01</t></si>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            z.writestr(n, b)
    return f"zip {how} {sheet.rsplit('/', 1)[-1]}"


def generate(n: int, seed: int, out: Path) -> list[Case]:
    """n cases (half CSV folders, half workbooks) under `out`, the same for the same seed."""
    shutil.rmtree(out, ignore_errors=True)  # a rerun starts from nothing: the same seed, the same files
    rng = random.Random(seed)
    base = _load()
    cases = []
    for i in range(n):
        rows = {s: [list(r) for r in data] for s, data in base.items()}
        steps = [rng.choice(ROW_MUTATIONS)(rng, rows) for _ in range(rng.randrange(0, 3))]
        if i % 2 == 0:
            folder = out / f"case{i:04d}"
            _write_csv_folder(rows, folder)
            if rng.random() < 0.5 or not steps:
                steps.append(_csv_file_mutation(rng, folder))
            cases.append(Case(f"#{i} csv: " + "; ".join(steps), folder))
        else:
            names = {}
            if rng.random() < 0.15:
                s = rng.choice(SHEETS)
                names[s] = rng.choice(SHEET_NAMES)
                steps.append(f"sheet {s}→{names[s]!r}")
            path = out / f"case{i:04d}.xlsx"
            _write_workbook(rng, rows, path, names)
            if rng.random() < 0.5 or not steps:
                steps.append(_zip_mutation(rng, path))
            cases.append(Case(f"#{i} xlsx: " + "; ".join(steps), path))
    return cases


# -- running -------------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    accepted: int = 0
    rejected: int = 0
    tracebacks: list[str] = field(default_factory=list)
    changed_on_reject: list[str] = field(default_factory=list)


def snapshot(store: object) -> dict[str, list[tuple]]:
    from monitor.store import TABLE_KEYS

    with store.connect() as con:  # type: ignore[attr-defined]
        out = {t: sorted(map(tuple, con.execute(f"SELECT * FROM {t}").fetchall()), key=repr) for t in TABLE_KEYS}
        out["meta"] = sorted(con.execute("SELECT * FROM meta").fetchall())
    return out


def run(cases: list[Case], template_db: Path, work: Path) -> Outcome:
    """Import every case into a fresh copy of the demo database; count outcomes."""
    from monitor.access import ADMIN
    from monitor.errors import MonitorError
    from monitor.importer import import_path
    from monitor.store import Store

    before = snapshot(Store(template_db))
    out = Outcome()
    for k, case in enumerate(cases):
        db = work / f"fuzz{k % 2}.duckdb"
        for f in (db, Path(str(db) + ".wal")):
            f.unlink(missing_ok=True)
        shutil.copy(template_db, db)
        store = Store(db)
        try:
            import_path(store, case.path, actor=ADMIN)
            out.accepted += 1
        except MonitorError:
            out.rejected += 1
            if snapshot(store) != before:
                out.changed_on_reject.append(case.label)
        except Exception as exc:  # noqa: BLE001 - counting them is the point
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            out.tracebacks.append(f"{case.label} → {type(exc).__name__}: {str(exc)[:120]} ({Path(tb.filename).name}:{tb.lineno})")
    return out


def main() -> None:
    """Count outcomes of N cases in a worker process that is restarted after a case that kills it
    (the XFD1048576 bomb aborts the process on the code before the fix): the worker prints a line
    before and after each case, so the case that killed it is known."""
    import json
    import subprocess
    import sys
    import tempfile

    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        from monitor.demo import load_demo
        from monitor.store import Store

        template = t / "demo.duckdb"
        load_demo(Store(template))
        totals: dict[str, int] = {"cases": n, "accepted": 0, "rejected": 0, "tracebacks": 0, "crashed": 0, "changed_on_reject": 0}
        details: list[str] = []
        start = 0
        while start < n:
            proc = subprocess.run([sys.executable, __file__, "--worker", str(template), str(t), str(n), str(seed), str(start)],
                                  capture_output=True, text=True)
            current = None
            for line in proc.stdout.splitlines():
                if line.startswith("START "):
                    current = int(line.split()[1])
                elif line.startswith("DONE "):
                    o = json.loads(line[5:])
                    for k in ("accepted", "rejected"):
                        totals[k] += o[k]
                    totals["tracebacks"] += len(o["tracebacks"])
                    totals["changed_on_reject"] += len(o["changed_on_reject"])
                    details += o["tracebacks"] + [f"CHANGED {c}" for c in o["changed_on_reject"]]
                    current = None
            if current is None:
                break
            totals["crashed"] += 1
            details.append(f"CRASH (exit {proc.returncode}) case #{current}")
            start = current + 1
        print(json.dumps(totals, ensure_ascii=False))
        for d in details:
            print(d)


def _worker(template: Path, tmp: Path, n: int, seed: int, start: int) -> None:
    import json

    cases = generate(n, seed, tmp / "cases")
    for i in range(start, n):
        print(f"START {i}", flush=True)
        o = run([cases[i]], template, tmp)
        print("DONE " + json.dumps(o.__dict__, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
