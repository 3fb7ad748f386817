"""Bad workbooks and CSV folders (issue 15 item 12, issue 16 items 1, 3, 4): each one is refused
with its file, sheet, row and column in Chinese, or imported with a warning where the data is
possible — never a traceback, never silently. Every input is built here from the demo text."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from test_core_import import assert_problem, edit_csv, rejected, set_cell, snapshot
from workbooks import (
    add_cell,
    bomb_xlsx,
    csv_rows,
    edit_part,
    edit_sheet_xml,
    replace_cell,
    set_sheet_state,
    workbook_from_folder,
    write_csv_rows,
)

from monitor import limits
from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT
from monitor.errors import ImportRejected
from monitor.importer import import_path
from monitor.notes import load_notes
from monitor.status import compute_status
from monitor.store import Store
from monitor.warnings import warning_items


def messages(err: ImportRejected) -> str:
    return "\n".join(str(p) for p in err.problems)


def warned(report, words: str) -> list:  # type: ignore[no-untyped-def]
    hits = [w for w in report.warnings if words in w.message]
    assert hits, [str(w) for w in report.warnings]
    return hits


# -- rows and columns that used to end in a traceback ---------------------------------------------
def test_a_repeated_project_row_is_refused_pointing_at_the_first(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "项目", lambda rows: rows + [rows[1]])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "项目.csv", "项目", 8, "项目编码", "与第2行重复")


def test_a_code_with_a_trailing_space_is_the_same_project_and_so_a_repeat(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "项目", lambda rows: rows + [[*rows[1][:3], rows[1][3] + " ", *rows[1][4:]]])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "项目.csv", "项目", 8, "项目编码", "与第2行重复")


def test_two_month_columns_are_refused_at_the_header(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [r + [r[2]] for r in rows])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, "月份", "表头「月份」重复（第3列和第7列）")


def test_two_month_columns_in_a_workbook_are_refused_too(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [r + [r[2]] for r in rows])
    err = rejected(demo_store, workbook_from_folder(demo_csv, tmp_path / "两个月份.xlsx"))
    assert_problem(err, "两个月份.xlsx", "月度支出", 1, "月份", "重复")


def test_an_empty_csv_file_is_refused(demo_store: Store, demo_csv: Path) -> None:
    (demo_csv / "监控说明.csv").write_bytes(b"")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "监控说明.csv", "监控说明", None, None, "文件是空的")


def test_a_csv_row_with_an_extra_field_is_refused_with_its_line(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: rows[:3] + [rows[3] + ["多出来的"]] + rows[4:])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 4, None, "比表头的6个多")


def test_an_unclosed_quote_is_refused_with_the_line_it_starts_on(demo_store: Store, demo_csv: Path) -> None:
    path = demo_csv / "月度支出.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2023,", '2023,"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 4, None, "引号未闭合")


def test_nul_bytes_in_a_csv_are_refused(demo_store: Store, demo_csv: Path) -> None:
    path = demo_csv / "月度支出.csv"
    path.write_bytes(path.read_bytes().replace(b"2023,360104", b"2023,36\x000104", 1))
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 2, None, "NUL")


# -- encodings and headers: the message names the real problem ----------------------------------------
@pytest.mark.parametrize(("encoding", "words"), [("big5", "Big5编码"), ("utf-16", "UTF-16"), ("shift_jis", "Shift-JIS")])
def test_a_csv_in_another_encoding_is_named_not_missing_columns(demo_store: Store, demo_csv: Path, encoding: str, words: str) -> None:
    path = demo_csv / "项目.csv"
    text = path.read_text(encoding="utf-8")
    if encoding == "shift_jis":
        text = "年度,項目編碼\n2023,A\n"  # headers a Japanese editor could write
    path.write_bytes(text.encode(encoding, errors="replace"))
    err = rejected(demo_store, demo_csv)
    assert words in messages(err) and "缺少必填列" not in messages(err)


def test_a_gb18030_csv_still_imports(tmp_path: Path, demo_csv: Path) -> None:
    for f in demo_csv.glob("*.csv"):
        f.write_bytes(f.read_text(encoding="utf-8").encode("gb18030"))
    store = Store(tmp_path / "gb.duckdb")
    import_path(store, demo_csv, actor=ADMIN)
    assert compute_status(store, 2023, 10, actor=ADMIN).project(SEED_PROJECT)["rate_bp"] == 2746


def test_a_semicolon_separated_csv_names_the_separator(demo_store: Store, demo_csv: Path) -> None:
    path = demo_csv / "月度支出.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, None, "用分号分隔，应为英文逗号")


def test_a_title_row_above_the_header_is_named(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [["2023年项目支出月报"] + [""] * 5] + rows)
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, None, "第2行看起来才是表头")


def test_an_amount_headed_in_thousands_names_the_unit(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [[h.replace("支出金额(万元)", "支出金额(千元)") for h in rows[0]], *rows[1:]])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, "支出金额", "而不是(千元)")


def test_an_invisible_character_in_a_header_is_named(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [[h.replace("项目编码", "项目\u200b编码") for h in rows[0]], *rows[1:]])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, "项目编码", "U+200B")


def test_a_header_with_a_remark_says_what_the_column_should_be_called(demo_store: Store, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [[h.replace("月份", "月份(必填)") for h in rows[0]], *rows[1:]])
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 1, "月份", "表头「月份(必填)」无法识别，列名应为「月份」")


def test_a_progress_row_of_a_broken_indicator_is_not_called_unknown(demo_store: Store, demo_csv: Path) -> None:
    rows = csv_rows(demo_csv, "指标进度")
    name = rows[1][2]
    target_rows = csv_rows(demo_csv, "绩效指标")
    row = next(i for i, r in enumerate(target_rows) if r[4] == name) + 1
    set_cell(demo_csv, "绩效指标", row, "年度指标值", "≥很多人")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "绩效指标.csv", "绩效指标", row, "年度指标值", "无法识别指标值")
    assert "没有名为" not in messages(err)


def test_a_csv_not_named_after_a_sheet_says_how_to_name_it(demo_store: Store, demo_csv: Path) -> None:
    path = demo_csv / "十月支出.csv"
    (demo_csv / "月度支出.csv").rename(path)
    err = rejected(demo_store, path)
    assert "CSV文件名应为工作表名" in messages(err)


# -- sheet names and hidden things ---------------------------------------------------------------------
@pytest.mark.parametrize(("name", "should"), [("项目表", "项目"), ("月度支出 ", "月度支出")])
def test_a_sheet_named_almost_right_is_refused_not_ignored(tmp_path: Path, demo_csv: Path, demo_store: Store, name: str, should: str) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "名称.xlsx", {should: name})
    err = rejected(demo_store, path)
    assert_problem(err, "名称.xlsx", name, None, None, f"请改名为「{should}」")


def test_a_csv_file_named_almost_right_is_refused(demo_store: Store, demo_csv: Path) -> None:
    (demo_csv / "项目.csv").rename(demo_csv / "项目表.csv")
    err = rejected(demo_store, demo_csv)
    assert "请改名为「项目」" in messages(err)


def test_another_sheet_is_named_as_left_out(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    write_csv_rows(demo_csv, "备注", [["说明"], ["本月数据已核对"]])
    rep = import_path(demo_store, workbook_from_folder(demo_csv, tmp_path / "多一张.xlsx"), actor=ADMIN)
    assert warned(rep, "未导入")[0].sheet == "备注"


def test_a_hidden_data_sheet_is_refused(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = set_sheet_state(workbook_from_folder(demo_csv, tmp_path / "隐藏.xlsx"), "月度支出", "hidden")
    err = rejected(demo_store, path)
    assert_problem(err, "隐藏.xlsx", "月度支出", None, None, "被隐藏")


def test_rows_hidden_or_filtered_out_are_imported_with_a_warning_naming_them(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "筛选.xlsx")
    edit_sheet_xml(path, "月度支出", lambda x: x.replace('<row r="5">', '<row r="5" hidden="1">').replace('<row r="6">', '<row r="6" hidden="1">'))
    rep = import_path(demo_store, path, actor=ADMIN)
    hit = warned(rep, "被隐藏或被筛选掉")[0]
    assert (hit.sheet, hit.row) == ("月度支出", 5) and "第5、6行" in hit.message


# -- formulas and Excel error values ---------------------------------------------------------------------
@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!"])
def test_an_excel_error_value_is_reported_as_that_error_not_as_empty(tmp_path: Path, demo_csv: Path, demo_store: Store, error: str) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "公式.xlsx")
    edit_sheet_xml(path, "月度支出", lambda x: replace_cell(x, "D4", f'<c r="D4" t="e"><f>C4/0</f><v>{error}</v></c>'))
    err = rejected(demo_store, path)
    assert_problem(err, "公式.xlsx", "月度支出", 4, "支出金额", f"Excel错误值「{error}」")
    assert "不能为空" not in messages(err)


def test_an_excel_error_value_in_a_csv_is_named_too(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 4, "支出金额", "#DIV/0!")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 4, "支出金额", "Excel错误值「#DIV/0!」")


def test_a_formula_saved_without_its_result_is_refused(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "未计算.xlsx")
    edit_sheet_xml(path, "月度支出", lambda x: replace_cell(x, "D4", '<c r="D4"><f>SUM(D2:D3)</f></c>'))
    err = rejected(demo_store, path)
    assert_problem(err, "未计算.xlsx", "月度支出", 4, "支出金额", "没有保存计算结果")


def test_a_formula_with_its_result_saved_imports(tmp_path: Path, demo_csv: Path) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "已计算.xlsx")
    edit_sheet_xml(path, "月度支出", lambda x: replace_cell(x, "D2", '<c r="D2"><f>1.506*2</f><v>3.012</v></c>'))
    store = Store(tmp_path / "f.duckdb")
    import_path(store, path, actor=ADMIN)
    assert compute_status(store, 2023, 10, actor=ADMIN).project(SEED_PROJECT)["rate_bp"] == 2746


# -- numbers: refused or normalised explicitly, never silently --------------------------------------------
@pytest.mark.parametrize(("typed", "words"), [("4_90", "下划线"), ("٤٩٠", "只能使用0-9"), ("1.234,56", "小数点应写成")])
def test_numbers_python_would_take_are_refused(demo_store: Store, demo_csv: Path, typed: str, words: str) -> None:
    set_cell(demo_csv, "项目", 2, "年初预算", typed)
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "项目.csv", "项目", 2, "年初预算", words)


def test_full_width_digits_are_read_as_the_same_number(tmp_path: Path, demo_csv: Path) -> None:
    set_cell(demo_csv, "项目", 2, "年初预算", "４９０")
    store = Store(tmp_path / "fw.duckdb")
    import_path(store, demo_csv, actor=ADMIN)
    assert store.scalar("SELECT budget_initial FROM projects WHERE project_code = ?", [SEED_PROJECT]) == Decimal("4900000.00")


# -- characters that make look-alikes or break the exports ------------------------------------------------
@pytest.mark.parametrize(("column", "value", "words"), [
    ("项目编码", "360104-ZGH-2023-001\u200b", "U+200B"),
    ("项目名称", "工会\u202e目项费经", "U+202E"),
    ("项目名称", "工会\x07经费", "U+0007"),
    ("单位名称", "青云谱区\u2066总工会", "U+2066"),
    ("项目编码", "A" * 5000, "超过上限64个字符"),
    ("项目名称", "很长的名称" * 50, "超过上限200个字符"),
    ("项目编码", "360104 ZGH", "中间有空格"),
])
def test_invisible_control_and_overlong_text_is_refused(demo_store: Store, demo_csv: Path, column: str, value: str, words: str) -> None:
    set_cell(demo_csv, "项目", 2, column, value)
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "项目.csv", "项目", 2, column, words)


def test_a_control_character_in_a_note_is_refused(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "监控说明", 2, "原因说明", "支付\x1b延迟")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "监控说明.csv", "监控说明", 2, "原因说明", "U+001B")


def test_line_breaks_in_an_explanation_are_kept(tmp_path: Path, demo_csv: Path) -> None:
    set_cell(demo_csv, "监控说明", 2, "原因说明", "第一条\n第二条")
    store = Store(tmp_path / "nl.duckdb")
    import_path(store, demo_csv, actor=ADMIN)
    assert any(n.explanation == "第一条\n第二条" for n in load_notes(store, 2023, actor=ADMIN))


# -- money: what cannot be computed is refused, what is implausible is warned ------------------------------
def test_a_budget_typed_in_yuan_into_the_wan_column_is_warned_with_its_row(tmp_path: Path, demo_csv: Path) -> None:
    set_cell(demo_csv, "项目", 2, "年初预算", "4900000")
    set_cell(demo_csv, "项目", 2, "调整后预算", "4900000")
    (demo_csv / "资金来源.csv").unlink()  # with them, sources of 490万元 against 4,900,000万元 would be an error
    rep = import_path(Store(tmp_path / "y.duckdb"), demo_csv, actor=ADMIN)
    big = warned(rep, "异常大")
    assert {(w.row, w.column) for w in big} == {(2, "年初预算"), (2, "调整后预算")}
    factor = warned(rep, "是其已报支出")[0]
    assert factor.row == 2 and "把“元”当成了“万元”" in factor.message


def test_a_reimport_that_changes_a_budget_ten_thousand_fold_is_warned(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "项目", 3, "调整后预算", "25045800")  # 2504.58万元 typed in 元
    rep = import_path(demo_store, demo_csv, actor=ADMIN)
    hit = [w for w in warned(rep, "变为") if w.row == 3]
    assert hit and "扩大了10,000倍" in hit[0].message


def test_a_budget_beyond_the_limit_is_refused_as_incomputable(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "项目", 2, "调整后预算", "999999999999")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "项目.csv", "项目", 2, "调整后预算", "超过单个金额的上限100,000,000万元")


def test_spend_beyond_the_limit_is_refused(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "月度支出", 2, "支出金额", "-100000001")
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", 2, "支出金额", "上限")


def test_a_year_whose_budgets_add_up_past_the_limit_is_refused(demo_store: Store, demo_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_YEAR_BUDGET_WAN", Decimal(1000))
    err = rejected(demo_store, demo_csv)
    assert "2023年全部项目调整后预算合计" in messages(err)


def test_amounts_at_the_limit_are_computed_and_exported(tmp_path: Path) -> None:
    """The limit is below what the status can compute: budgets of 99,999,999万元 (1万亿元 less one
    万元) in a department, with spend, give a status, warnings and both exports."""
    from builders import region, spent_by

    from monitor.report import monitoring_table, project_report

    top = str(limits.MAX_AMOUNT_WAN - 1)
    store = region(tmp_path, [[f"P{i}", "财政局", "财政局本级", top] for i in range(3)],
                   [m for i in range(3) for m in spent_by(f"P{i}", str(limits.MAX_AMOUNT_WAN // 3), 10)])
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert st.region["budget_fen"] == 3 * int((limits.MAX_AMOUNT_WAN - 1) * 1_000_000)
    assert set(warning_items(st, load_notes(store, 2023, month=10, actor=ADMIN))["project_code"]) == {"P0", "P1", "P2"}
    assert project_report(store, st, "P0", chart=False)[:2] == b"PK"
    assert monitoring_table(store, st, ["P0"])[:2] == b"PK"


# -- limits, checked before reading -----------------------------------------------------------------------------
def test_a_cell_at_xfd1048576_is_refused_before_any_reader_allocates(tmp_path: Path, demo_store: Store) -> None:
    """The 7.5 KB bomb, in a child process whose memory is capped at 1 GiB: a regression fails this
    test instead of killing the test run."""
    path = bomb_xlsx(tmp_path / "炸弹.xlsx")
    assert path.stat().st_size < 10_000
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from monitor.access import ADMIN
        from monitor.errors import ImportRejected
        from monitor.importer import import_path
        from monitor.store import Store
        try:
            import_path(Store({demo_store.path!r}), {str(path)!r}, actor=ADMIN)
        except ImportRejected as exc:
            print(exc)
            sys.exit(3)
    """)
    before = snapshot(demo_store)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "工作表「月度支出」，第1048576行：工作表用到了第1,048,576行，超过每张工作表200,000行的上限" in proc.stdout
    assert snapshot(demo_store) == before


def test_too_many_rows_are_refused_from_the_cells_before_reading(tmp_path: Path, demo_csv: Path, demo_store: Store,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    monkeypatch.setattr(limits, "MAX_XLSX_ROWS", 50)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", None)  # reading at all would fail the test
    err = rejected(demo_store, workbook_from_folder(demo_csv, tmp_path / "行多.xlsx"))
    assert "超过每张工作表50行的上限" in messages(err)


def test_the_declared_dimension_is_not_trusted(tmp_path: Path, demo_csv: Path) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "声明.xlsx")
    edit_sheet_xml(path, "月度支出", lambda x: x.replace('<dimension ref="A1:F73"/>', '<dimension ref="A1:XFD1048576"/>'))
    store = Store(tmp_path / "d.duckdb")
    assert import_path(store, path, actor=ADMIN).counts["月度支出"] == 72


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path: Path, demo_csv: Path, demo_store: Store,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_XLSX_BYTES", 1000)
    err = rejected(demo_store, workbook_from_folder(demo_csv, tmp_path / "大.xlsx"))
    assert f"超过导入上限{limits.MAX_UPLOAD_MB} MB" in messages(err)


def test_a_csv_over_the_row_limit_is_refused(demo_store: Store, demo_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_ROWS", 20)
    err = rejected(demo_store, demo_csv)
    assert_problem(err, "月度支出.csv", "月度支出", None, None, "超过20行的上限")


def test_a_zip_part_over_the_limit_is_refused(tmp_path: Path, demo_csv: Path, demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_XML_BYTES", 2000)
    err = rejected(demo_store, workbook_from_folder(demo_csv, tmp_path / "解压.xlsx"))
    assert "解压后" in messages(err)


def test_too_many_columns_are_refused(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "列多.xlsx")
    edit_sheet_xml(path, "月度支出", lambda x: add_cell(x, "BA80", "<v>1</v>"))
    err = rejected(demo_store, path)
    assert_problem(err, "列多.xlsx", "月度支出", 80, None, f"超过{limits.MAX_COLUMNS}列的上限")


@pytest.mark.parametrize(("content", "words"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "设置了打开密码"),
    (b"PK\x03\x04garbage", "工作簿已损坏"),
    (b"", "不是有效的 .xlsx 工作簿"),
])
def test_encrypted_damaged_and_empty_workbooks_are_named(tmp_path: Path, demo_store: Store, content: bytes, words: str) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(content)
    err = rejected(demo_store, path)
    assert words in messages(err)


def test_a_truncated_workbook_is_refused_as_damaged(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "截断.xlsx")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    err = rejected(demo_store, path)
    assert "损坏" in messages(err)


def test_entity_declarations_are_refused(tmp_path: Path, demo_csv: Path, demo_store: Store) -> None:
    path = workbook_from_folder(demo_csv, tmp_path / "实体.xlsx")
    edit_part(path, "xl/workbook.xml", lambda x: '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + x.split("?>", 1)[-1])
    err = rejected(demo_store, path)
    assert "DTD" in messages(err)


# -- the template's example row --------------------------------------------------------------------------------
def test_an_example_row_is_never_imported_and_is_named(tmp_path: Path, demo_csv: Path) -> None:
    edit_csv(demo_csv, "月度支出", lambda rows: [rows[0], ["示例", "P-EXAMPLE", "1", "12.5", "", ""], *rows[1:]])
    store = Store(tmp_path / "ex.duckdb")
    rep = import_path(store, demo_csv, actor=ADMIN)
    assert rep.counts["月度支出"] == 72 and warned(rep, "示例行")[0].row == 2


def test_text_that_is_let_through_still_exports_to_word_and_excel(tmp_path: Path, demo_csv: Path) -> None:
    """The character rule is the exports' rule: what is refused breaks them (NUL, BEL …), what
    passes does not — line breaks and tabs in an explanation, rare CJK, emoji, private-use."""
    from monitor.report import docx_lines, monitoring_table, project_report

    set_cell(demo_csv, "项目", 2, "项目名称", "工会经费项目𠀀😀\ue000")
    set_cell(demo_csv, "监控说明", 2, "原因说明", "第一条\n第二条\t（续）")
    store = Store(tmp_path / "t.duckdb")
    import_path(store, demo_csv, actor=ADMIN)
    st = compute_status(store, 2023, 10, actor=ADMIN)
    assert any("工会经费项目𠀀😀" in line for line in docx_lines(project_report(store, st, SEED_PROJECT, chart=False)))
    assert monitoring_table(store, st, [SEED_PROJECT])[:2] == b"PK"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_what_is_refused_would_break_the_exports(char: str) -> None:
    """Why the rule exists: python-docx and openpyxl cannot write these characters at all."""
    from docx import Document
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    with pytest.raises(ValueError):
        Document().add_paragraph(f"工会{char}经费")
    if char != "\ufffe":  # openpyxl lets U+FFFE through to a file Excel then repairs
        with pytest.raises(IllegalCharacterError):
            Workbook().active.append([f"工会{char}经费"])
    from monitor.importer import cell_problem

    assert "不可见字符" in (cell_problem(f"工会{char}经费") or "")


def test_a_workbook_without_any_known_sheet_names_its_file(tmp_path: Path, demo_store: Store) -> None:
    from workbooks import xlsx_bytes

    path = tmp_path / "别的表.xlsx"
    path.write_bytes(xlsx_bytes({"Sheet1": [["年度", "项目编码"], [2023, "A"]]}))
    err = rejected(demo_store, path)
    assert err.problems[0].file == "别的表.xlsx" and "没有找到可导入的工作表" in err.problems[0].message
