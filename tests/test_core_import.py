"""Import: every bad value is named by file, sheet, row and column, and nothing is written."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from monitor.access import ADMIN
from monitor.errors import ImportRejected
from monitor.importer import import_path
from monitor.status import compute_status
from monitor.store import TABLE_KEYS, Store
from monitor.template import write_template

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL


def snapshot(store: Store) -> dict[str, list[tuple]]:
    with store.connect() as con:
        out = {t: sorted(map(tuple, con.execute(f"SELECT * FROM {t}").fetchall()), key=repr) for t in TABLE_KEYS}
        out["meta"] = sorted(con.execute("SELECT * FROM meta").fetchall())
    return out


def edit_csv(folder: Path, sheet: str, fn) -> None:  # type: ignore[no-untyped-def]
    path = folder / f"{sheet}.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows = fn(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def set_cell(folder: Path, sheet: str, row: int, column: str, value: str) -> None:
    """row is the file's row number as a spreadsheet shows it (header = 1)."""
    def fn(rows: list[list[str]]) -> list[list[str]]:
        col = next(i for i, h in enumerate(rows[0]) if h.split("(")[0] == column)
        rows[row - 1][col] = value
        return rows
    edit_csv(folder, sheet, fn)


def rejected(store: Store, path: Path) -> ImportRejected:
    before = snapshot(store)
    with pytest.raises(ImportRejected) as exc:
        import_path(store, path, actor=ADMIN)
    assert snapshot(store) == before, "a rejected import must leave the database exactly as it was"
    return exc.value


def assert_problem(err: ImportRejected, file: str, sheet: str, row: int | None, column: str, words: str) -> None:
    hits = [p for p in err.problems if (p.file, p.sheet, p.row, p.column) == (file, sheet, row, column)]
    assert hits, f"no problem at {file}/{sheet}/{row}/{column}; got {[str(p) for p in err.problems]}"
    assert any(words in p.message for p in hits), [p.message for p in hits]


def test_month_13_is_rejected_with_its_cell(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 4, "月份", "13")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 4, "月份", "1到12")


def test_text_in_a_money_column_is_rejected(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 5, "支出金额", "十万")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 5, "支出金额", "应为数字")


def test_a_negative_budget_is_rejected(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "项目", 3, "年初预算", "-10")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "项目.csv", "项目", 3, "年初预算", "不能为负数")


def test_an_unknown_project_code_is_rejected(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 6, "项目编码", "NO-SUCH-CODE")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 6, "项目编码", "未知的项目编码「NO-SUCH-CODE」")


def test_a_duplicate_month_is_rejected_and_points_at_the_first(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: rows + [rows[2]])
    n = sum(1 for _ in open(demo_csv / "月度支出.csv", encoding="utf-8"))
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", n, "月份", "与第3行重复")


def test_an_unparseable_target_is_rejected(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "绩效指标", 3, "年度指标值", "≥很多人")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "绩效指标.csv", "绩效指标", 3, "年度指标值", "无法识别指标值「≥很多人」")


def test_a_missing_required_column_is_rejected(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [r[:3] + r[4:] for r in rows])  # drop 支出金额
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, "支出金额", "缺少必填列")


def test_spend_a_hundred_times_the_budget_is_a_yuan_wan_mix_up(demo_store: Store, demo_csv: Path) -> None:
    # 3.0120万元 typed in 元 as 30120 → far beyond 100 × the 490万元 budget
    set_cell(demo_csv, "月度支出", 2, "支出金额", "301200")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 2, "支出金额", "把“元”当成了“万元”")


def test_an_unknown_indicator_in_progress_is_rejected(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "指标进度", 2, "三级指标", "不存在的指标")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "指标进度.csv", "指标进度", 2, "三级指标", "没有名为「不存在的指标」的绩效指标")


def test_every_error_is_reported_not_just_the_first(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 4, "月份", "13")
    set_cell(demo_csv, "项目", 3, "年初预算", "-10")
    err = rejected(demo_store, demo_csv)
    assert err.total >= 2
    assert "导入被拒绝，数据库未作任何修改" in str(err)


def test_a_cli_import_of_a_bad_file_exits_non_zero(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 4, "月份", "13")
    proc = subprocess.run([sys.executable, "-m", "monitor.cli", "--db", demo_store.path, "import", str(demo_csv)],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "工作表「月度支出」，第4行，列「月份」" in proc.stderr


def test_reimporting_a_corrected_file_replaces_rather_than_doubles(demo_store: Store, demo_csv: Path) -> None:
    before = compute_status(demo_store, 2023, 10, actor=ADMIN).project("360104-ZGH-2023-001")["spent_fen"]
    import_path(demo_store, demo_csv, actor=ADMIN)
    import_path(demo_store, demo_csv, actor=ADMIN)
    after = compute_status(demo_store, 2023, 10, actor=ADMIN).project("360104-ZGH-2023-001")["spent_fen"]
    assert before == after == 1_345_368_00 * 100 // 100
    assert demo_store.table_counts()["monthly"] == 72


def test_amounts_headed_yuan_are_converted(tmp_path: Path, demo_csv: Path) -> None:
    def to_yuan(rows: list[list[str]]) -> list[list[str]]:
        col = rows[0].index("支出金额(万元)")
        rows[0][col] = "支出金额(元)"
        for r in rows[1:]:
            from decimal import Decimal
            r[col] = str(Decimal(r[col]) * 10000)
        return rows
    edit_csv(demo_csv, "月度支出", to_yuan)
    store = Store(tmp_path / "y.duckdb")
    import_path(store, demo_csv, actor=ADMIN)
    assert compute_status(store, 2023, 10, actor=ADMIN).project("360104-ZGH-2023-001")["rate_bp"] == 2746


def test_over_budget_and_missing_months_are_imported_with_warnings(tmp_path: Path, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 3, "支出金额", "600")  # far above the 490万元 budget, below the mix-up bar
    edit_csv(demo_csv, "月度支出", lambda rows: [r for i, r in enumerate(rows) if i != 5])  # drop a month
    store = Store(tmp_path / "new.duckdb")
    rep = import_path(store, demo_csv, actor=ADMIN)
    texts = " ".join(w.message for w in rep.warnings)
    assert "超过预算" in texts and "2023年缺少5月的支出数据" in texts
    assert compute_status(store, 2023, 10, actor=ADMIN).project("360104-ZGH-2023-001")["level"] == "red"


def test_a_month_the_database_already_holds_is_not_called_missing(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [rows[0], rows[10]])  # October alone, January-September stored
    rep = import_path(demo_store, demo_csv, actor=ADMIN)
    assert not [w for w in rep.warnings if "缺少" in w.message]


def workbook_from_csv(folder: Path, out: Path, percent_actuals: bool = False) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for f in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(f.stem)
        with open(f, encoding="utf-8") as fh:
            for i, row in enumerate(csv.reader(fh)):
                values: list[object] = []
                for v in row:
                    try:
                        values.append(int(v) if v.isdigit() else float(v) if i and v.replace(".", "", 1).isdigit() else v)
                    except ValueError:
                        values.append(v)
                ws.append(values)
                for cell in ws[ws.max_row]:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"  # "=100%" is a target text, not a formula
        if percent_actuals and f.stem == "指标进度":
            # an Excel percent cell: 0.95 shown as 95%
            for row in ws.iter_rows(min_row=2):
                if row[2].value == "服务对象满意度":
                    row[5].value = 0.95
                    row[5].number_format = "0%"
    wb.save(out)
    return out


def test_an_xlsx_workbook_imports_like_the_csv_folder_with_percent_cells(tmp_path: Path, demo_csv: Path) -> None:
    store = Store(tmp_path / "x.duckdb")
    import_path(store, workbook_from_csv(demo_csv, tmp_path / "demo.xlsx", percent_actuals=True), actor=ADMIN)
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert st.project("360104-ZGH-2023-001")["rate_bp"] == 2746
    row = st.project_indicators("360104-ZGH-2023-001").set_index("name").loc["服务对象满意度"]
    assert row["actual_micro"] == 95_000_000 and row["level"] == "green"


def test_xlsx_errors_name_the_workbook_sheet_row_and_column(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = workbook_from_csv(demo_csv, tmp_path / "bad.xlsx")
    wb = load_workbook(path)
    wb["月度支出"]["C7"] = 13
    wb.save(path)
    err = rejected(demo_store, path)
    assert_problem(err, "bad.xlsx", "月度支出", 7, "月份", "1到12")


def test_the_template_has_every_sheet_and_header_and_imports_empty(tmp_path: Path) -> None:
    path = write_template(tmp_path / "模板.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["填写说明", "项目", "月度支出", "绩效指标", "指标进度", "监控说明", "资金来源", "工作进展"]
    assert [c.value for c in wb["项目"][1]][:8] == ["年度", "部门名称", "单位名称", "项目编码", "项目名称", "开始日期", "结束日期", "年初预算(万元)"]
    store = Store(tmp_path / "e.duckdb")
    rep = import_path(store, path, actor=ADMIN)
    assert sum(rep.counts.values()) == 0 and store.is_empty()


def test_a_file_that_is_not_a_workbook_is_rejected_in_chinese(tmp_path: Path, demo_store: Store) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"this is not a zip file")
    err = rejected(demo_store, bad)
    assert err.problems[0].file == "坏文件.xlsx" and "不是有效的 .xlsx 工作簿" in err.problems[0].message


def test_an_import_reports_its_stages_in_increasing_fractions_ending_at_one(tmp_path: Path, demo_csv: Path) -> None:
    store = Store(tmp_path / "p.duckdb")
    seen: list[tuple[float, str]] = []
    import_path(store, demo_csv, actor=ADMIN, progress=lambda fraction, stage: seen.append((fraction, stage)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and all(a < b for a, b in zip(fractions, fractions[1:], strict=False))
    assert [s for _, s in seen] == ["读取文件", "校验数据", "写入数据库", "导入完成"]
    assert store.table_counts()["monthly"] > 0  # the 1.0 came after the data was written


def test_a_rejected_import_never_reports_it_is_complete(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: rows + [[rows[1][0], rows[1][1], "13", *rows[1][3:]]])
    seen: list[float] = []
    with pytest.raises(ImportRejected):
        import_path(demo_store, demo_csv, actor=ADMIN, progress=lambda fraction, stage: seen.append(fraction))
    assert seen and max(seen) < 1.0


def test_the_command_line_shows_progress_on_stderr_and_keeps_stdout_to_the_result(tmp_path: Path, demo_csv: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "monitor.cli", "--db", str(tmp_path / "c.duckdb"), "import", str(demo_csv)],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("导入成功") and "导入进度" not in out.stdout
    assert out.stderr.splitlines()[:4] == ["导入进度 0% 读取文件", "导入进度 35% 校验数据", "导入进度 60% 写入数据库", "导入进度 100% 导入完成"]
