"""A report's substance as data: 项目背景, 立项依据, 表2's adjusted total target, the monitoring body and
its 合规性 finding, sources of funds and dated activities — imported (xlsx and CSV), edited in the
browser with compare-and-set, and printed by the seed 004 report."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from workbooks import column_index, csv_rows, workbook_from_folder, write_csv_rows

from monitor import audit
from monitor.access import ADMIN, Actor
from monitor.demo import DEMO_DIR, SEED_PROJECT
from monitor.errors import Forbidden, ImportRejected, MonitorError
from monitor.importer import import_path
from monitor.project_facts import Activity, FactsConflict, load_facts, load_sources, save_facts
from monitor.report import docx_lines, project_report
from monitor.status import compute_status
from monitor.store import TABLE_KEYS, Store

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL

NEW_TABLES = ("project_facts", "fund_sources", "activities")
SEED_ACTIVITIES = ("“携手小康”就业重点群体技能培训", "劳模开展宣讲活动", "基层工会培养文化骨干培训班", "工会阵地建设（职工之家、爱心驿站）",
                   "开展职工劳动技能竞赛", "开展职工活动场次", "开展送温暖活动", "开设职工子女寒暑假托管班", "职工疗休养")
UNIT = Actor("qypzgh-cw", "页面", "unit", "青云谱区总工会", "青云谱区总工会")
OTHER_UNIT = Actor("gongrengong", "页面", "unit", "南昌市总工会", "南昌市工人文化宫")


def everything(store: Store) -> dict[str, list[tuple]]:
    with store.connect() as con:
        return {t: sorted(map(tuple, con.execute(f"SELECT * FROM {t}").fetchall()), key=repr)  # noqa: S608 - fixed names
                for t in (*TABLE_KEYS, *NEW_TABLES)}


def rejected(store: Store, path: Path) -> ImportRejected:
    before = everything(store)
    with pytest.raises(ImportRejected) as exc:
        import_path(store, path, actor=ADMIN)
    assert everything(store) == before, "a rejected import must leave every table as it was"
    return exc.value


def problem_at(err: ImportRejected, file: str, sheet: str, row: int, column: str, *words: str) -> str:
    hits = [p for p in err.problems if (p.file, p.sheet, p.row, p.column) == (file, sheet, row, column)]
    assert hits, f"no problem at {file}/{sheet}/{row}/{column}; got {[str(p) for p in err.problems]}"
    text = " ".join(p.message for p in hits)
    for w in words:
        assert w in text, text
    return text


def set_cell(folder: Path, sheet: str, row: int, column: str, value: str) -> None:
    rows = csv_rows(folder, sheet)
    rows[row - 1][column_index(rows[0], column)] = value
    write_csv_rows(folder, sheet, rows)


def old_format(folder: Path) -> Path:
    """The demo folder as a workbook of the previous release would hold it: no new columns, no new sheets."""
    for sheet in ("资金来源", "工作进展"):
        (folder / f"{sheet}.csv").unlink()
    for sheet, cols in (("项目", 10), ("指标进度", 1)):
        write_csv_rows(folder, sheet, [r[:-cols] for r in csv_rows(folder, sheet)])
    return folder


# -- the demo holds the seed's substance --------------------------------------------------------
def test_the_demo_holds_seed_004s_words_as_data(demo_store: Store) -> None:
    f = load_facts(demo_store, ADMIN, 2023, SEED_PROJECT)
    assert f.background.startswith("工会是中国共产党领导的职工自愿结合的工人阶级群众组织")
    assert "《中华人民共和国工会法》" in f.basis and f.basis.endswith("区总工会申请设立2023年度工会经费项目。")
    assert f.goal_adjusted is True and f.adjusted_goal.startswith("加强基层工会规范化建设，全年计划完成60家以上基层工会创建工作")
    assert (f.monitor_body, f.third_party) == ("第三方", "江西正效咨询管理有限公司")
    assert "未发现资金截留、挤占、挪用、虚列支出等情况" in f.compliance
    assert tuple(a.title for a in f.activities) == SEED_ACTIVITIES
    assert f.activities[7].when == "7月3日—8月11日" and f.activities[0].when == "5月—9月" and f.activities[4].when == "10月27日"
    sources = load_sources(demo_store, ADMIN, 2023, 10, SEED_PROJECT)
    assert [(s.source, s.adjusted_fen, s.spent_fen) for s in sources] == [("财政拨款", 490_000_000, 134_536_800)]
    # as known at 1-7月: the spend of January to July, as the 月度支出 sheet adds it up
    july = load_sources(demo_store, ADMIN, 2023, 7, SEED_PROJECT)
    spent = demo_store.scalar("SELECT CAST(sum(spent) * 100 AS BIGINT) FROM monthly WHERE project_code = ? AND month <= 7", [SEED_PROJECT])
    assert [(s.month, s.spent_fen) for s in july] == [(7, spent)]
    assert load_sources(demo_store, ADMIN, 2023, 6, SEED_PROJECT) == []
    evidence = dict(demo_store.df("SELECT indicator_name, evidence FROM progress WHERE project_code = ? AND evidence IS NOT NULL",
                                  [SEED_PROJECT]).itertuples(index=False, name=None))
    assert len(evidence) == 22 and "线上线下调查" in evidence["服务对象满意度"]
    assert evidence["上解上级工会经费工作完成率"].startswith("截止2023年10月31日，此项工作尚未开展")


def test_the_seed_report_prints_table_2_adjusted_and_the_nine_activities(demo_store: Store) -> None:
    st = compute_status(demo_store, 2023, 10, actor=ADMIN)
    lines = docx_lines(project_report(demo_store, st, SEED_PROJECT, chart=False))
    row = next(line for line in lines if line.startswith("年度绩效目标\t提升工会服务群众的能力和水平") and line.count("\t") == 3)
    original, adjusted, after = row.split("\t")[1:4]
    assert adjusted == "是" and after.startswith("加强基层工会规范化建设") and after.endswith("提升职工满意度")
    text = "\n".join(lines)
    assert "1. 项目背景" in lines and "2. 立项依据" in lines and "3. 项目内容" in lines
    assert "工会是中国共产党领导的职工自愿结合的工人阶级群众组织" in text
    for i, title in enumerate(SEED_ACTIVITIES, 1):
        assert any(line.startswith(f"（{i}）{title}（") for line in lines), title
    assert "（8）开设职工子女寒暑假托管班（7月3日—8月11日）：" in text
    assert "工会经费项目2023年安排预算490万元，均为财政拨款。" in text
    assert "经项目组核查，项目的资金拨付程序完整" in text
    # §四（四）: the monitoring body's analysis as the seed words it, under its own headings
    analysis = lines[lines.index("1. 效率性分析"):]
    assert analysis[1].startswith("工会经费项目，截至10月31日，各项工作均按计划开展") and analysis[1].endswith("项目效率性较好。")
    assert analysis[2] == "2. 效益性分析" and analysis[3].startswith("通过项目实施，有效提升培训人员培训技能")
    assert analysis[4] == "3. 公平性分析" and analysis[5] == "项目实施均按工会文件标准要求，项目公平性较好。"
    assert "受委托，江西正效咨询管理有限公司根据预算绩效运行监控有关规定" in text


def test_a_1_to_7_report_lists_only_the_work_begun_by_the_end_of_july(demo_store: Store) -> None:
    st = compute_status(demo_store, 2023, 7, actor=ADMIN)
    lines = docx_lines(project_report(demo_store, st, SEED_PROJECT, chart=False))
    listed = [line for line in lines if line.startswith("（") and "）：" in line[:40]]
    assert any("截至2023年7月31日已开展以下工作" in line for line in lines)
    assert not any("劳动技能竞赛" in line for line in listed)  # 10月27日
    assert any("开设职工子女寒暑假托管班（7月3日—8月11日）" in line for line in listed)


# -- import: old workbooks, new columns and sheets, and their errors ---------------------------
def test_an_old_workbook_imports_as_before_and_keeps_what_was_written(demo_store: Store, tmp_path: Path) -> None:
    folder = old_format(Path(shutil.copytree(DEMO_DIR, tmp_path / "old", ignore=shutil.ignore_patterns("*.py"))))
    fresh = Store(tmp_path / "fresh.duckdb")
    rep = import_path(fresh, folder, actor=ADMIN)
    assert set(rep.counts) == {"项目", "月度支出", "绩效指标", "指标进度", "监控说明"}
    full, old = everything(demo_store), everything(fresh)
    for t in ("projects", "monthly", "indicators"):
        assert old[t] == full[t], t
    assert all(not old[t] for t in NEW_TABLES)
    # re-importing the old workbook over the full data leaves the facts, sources and activities alone
    before = {t: full[t] for t in ("fund_sources", "activities")}
    import_path(demo_store, workbook_from_folder(folder, tmp_path / "old.xlsx"), actor=ADMIN)
    after = everything(demo_store)
    assert {t: after[t] for t in before} == before and after["project_facts"] == full["project_facts"]


def test_the_new_sheets_import_from_a_workbook_too(tmp_path: Path) -> None:
    book = workbook_from_folder(DEMO_DIR, tmp_path / "demo.xlsx")
    store = Store(tmp_path / "x.duckdb")
    rep = import_path(store, book, actor=ADMIN)
    assert (rep.counts["项目基本情况"], rep.counts["资金来源"], rep.counts["工作进展"]) == (1, 2, 9)
    assert load_facts(store, ADMIN, 2023, SEED_PROJECT).activities[1].when == "6月30日—8月23日"


def test_a_source_that_does_not_add_up_names_its_cell_and_figures(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "资金来源", 2, "调整后预算", "480")
    err = rejected(demo_store, demo_csv)
    problem_at(err, "资金来源.csv", "资金来源", 2, "调整后预算", "调整后预算480万元", "年初预算490万元", "= 490万元", "不符")


def test_sources_must_add_up_to_the_projects_adjusted_budget(demo_store: Store, demo_csv: Path) -> None:
    rows = csv_rows(demo_csv, "资金来源")
    rows.append(["2023", SEED_PROJECT, "10", "其他资金", "10", "", "", "", "0"])
    write_csv_rows(demo_csv, "资金来源", rows)
    err = rejected(demo_store, demo_csv)
    problem_at(err, "资金来源.csv", "资金来源", 3, "调整后预算", "截至10月", "合计500万元", "调整后预算490万元", "相差10万元")


def test_an_adjusted_goal_is_required_when_the_goal_was_adjusted(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "项目", 2, "调整后总目标", "")
    set_cell(demo_csv, "项目", 3, "总目标是否调整", "可能")
    set_cell(demo_csv, "项目", 2, "第三方名称", "")
    err = rejected(demo_store, demo_csv)
    problem_at(err, "项目.csv", "项目", 2, "调整后总目标", "须填写调整后总目标")
    problem_at(err, "项目.csv", "项目", 3, "总目标是否调整", "是、否")
    problem_at(err, "项目.csv", "项目", 2, "第三方名称", "第三方名称")


def test_an_activity_needs_a_date_of_its_year(demo_store: Store, demo_csv: Path) -> None:
    set_cell(demo_csv, "工作进展", 3, "日期", "六月底")
    set_cell(demo_csv, "工作进展", 4, "日期", "2022-05-01")
    set_cell(demo_csv, "工作进展", 6, "结束日期", "2023-01-01")
    err = rejected(demo_store, demo_csv)
    problem_at(err, "工作进展.csv", "工作进展", 3, "日期", "2023-06-30")
    problem_at(err, "工作进展.csv", "工作进展", 4, "日期", "不在2023年内")
    problem_at(err, "工作进展.csv", "工作进展", 6, "结束日期", "早于")


# -- the browser's save ------------------------------------------------------------------------
def test_a_unit_saves_its_facts_and_a_stale_form_is_refused(demo_store: Store) -> None:
    mine = load_facts(demo_store, UNIT, 2023, SEED_PROJECT)
    theirs = load_facts(demo_store, UNIT, 2023, SEED_PROJECT)
    acts = (*mine.activities, Activity(date(2023, 10, 30), "职工书屋图书更新", "新增图书500册"))
    from dataclasses import replace

    saved = save_facts(demo_store, replace(mine, compliance="资金使用合规。", activities=acts), UNIT, 10)
    assert saved.version == mine.version + 1 and saved.updated_by == "qypzgh-cw"
    again = load_facts(demo_store, ADMIN, 2023, SEED_PROJECT)
    assert again.compliance == "资金使用合规。" and again.activities[-1].title == "职工书屋图书更新"
    with pytest.raises(FactsConflict, match="已被他人修改（qypzgh-cw"):
        save_facts(demo_store, replace(theirs, background="另一个人的修改"), UNIT, 10)
    assert load_facts(demo_store, ADMIN, 2023, SEED_PROJECT).background == mine.background
    with demo_store.connect() as con:
        entry = audit.entries(con, "项目基本情况", 1)[0]
    assert entry.after["合规性结论"] == "资金使用合规。" and entry.before["合规性结论"].startswith("截至跟踪节点")


def test_another_units_user_and_a_viewer_cannot_save(demo_store: Store) -> None:
    f = load_facts(demo_store, ADMIN, 2023, SEED_PROJECT)
    with pytest.raises(Forbidden):
        save_facts(demo_store, f, OTHER_UNIT, 10)
    with pytest.raises(Forbidden):
        save_facts(demo_store, f, Actor("chakan", "页面", "viewer"), 10)


def test_an_adjusted_goal_without_text_is_refused_on_save(demo_store: Store) -> None:
    from dataclasses import replace

    f = load_facts(demo_store, UNIT, 2023, SEED_PROJECT)
    with pytest.raises(MonitorError, match="须填写调整后总目标"):
        save_facts(demo_store, replace(f, adjusted_goal=""), UNIT, 10)


def test_the_prefilled_template_carries_the_projects_words(demo_store: Store) -> None:
    import io

    from openpyxl import load_workbook

    from monitor.template import template_bytes

    ws = load_workbook(io.BytesIO(template_bytes(demo_store, "青云谱区总工会", 2023, 11)))["项目"]
    header = [c.value for c in ws[1]]
    row = next(dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=3) if r[3].value == SEED_PROJECT)
    assert row["总目标是否调整"] == "是" and row["调整后总目标"].startswith("加强基层工会规范化建设")
    assert row["监控主体"] == "第三方" and row["第三方名称"] == "江西正效咨询管理有限公司"


# -- sources of funds entered in the browser ----------------------------------------------------
def test_a_unit_splits_its_budget_by_source_for_the_month_and_a_stale_table_is_refused(demo_store: Store) -> None:
    from monitor.project_facts import FundSource, SourcesConflict, save_sources

    shown = load_sources(demo_store, UNIT, 2023, 10, SEED_PROJECT)
    assert [(s.source, s.adjusted_fen) for s in shown] == [("财政拨款", 490_000_000)]  # 490万元 in 分
    split = [FundSource("一般公共预算拨款", 10, 450_000_000, 450_000_000, None, None, 100_000_000),
             FundSource("其他资金", 10, 40_000_000, 50_000_000, None, 10_000_000, 34_536_800)]
    save_sources(demo_store, UNIT, 2023, 10, SEED_PROJECT, split, shown)
    again = load_sources(demo_store, ADMIN, 2023, 10, SEED_PROJECT)
    assert [(s.source, s.adjusted_fen, s.spent_fen) for s in again] == [("一般公共预算拨款", 450_000_000, 100_000_000),
                                                                      ("其他资金", 40_000_000, 34_536_800)]
    assert [s.source for s in load_sources(demo_store, ADMIN, 2023, 7, SEED_PROJECT)] == ["财政拨款"]  # July's stays
    with pytest.raises(SourcesConflict, match="已被他人修改"):  # a form still showing the one-source table
        save_sources(demo_store, UNIT, 2023, 10, SEED_PROJECT, split[:1], shown)
    assert len(load_sources(demo_store, ADMIN, 2023, 10, SEED_PROJECT)) == 2
    with demo_store.connect() as con:
        entry = audit.entries(con, "资金来源", 1)[0]
    assert entry.actor == "qypzgh-cw" and entry.after[1].startswith("其他资金 调整后40万元 执行34.5368万元")


def test_sources_that_do_not_add_up_to_the_budget_are_refused_with_both_figures(demo_store: Store) -> None:
    from monitor.project_facts import FundSource, save_sources

    shown = load_sources(demo_store, UNIT, 2023, 10, SEED_PROJECT)
    with pytest.raises(MonitorError, match=r"合计480万元，与项目的调整后预算490万元不一致（相差10万元）"):
        save_sources(demo_store, UNIT, 2023, 10, SEED_PROJECT, [FundSource("财政拨款", 10, 480_000_000)], shown)
    with pytest.raises(MonitorError, match=r"调整后预算490万元与年初预算500万元 \+ 追加0万元 − 调减0万元 = 500万元不符"):
        save_sources(demo_store, UNIT, 2023, 10, SEED_PROJECT, [FundSource("财政拨款", 10, 490_000_000, 500_000_000)], shown)
    with pytest.raises(Forbidden):
        save_sources(demo_store, OTHER_UNIT, 2023, 10, SEED_PROJECT, shown, shown)
    assert load_sources(demo_store, ADMIN, 2023, 10, SEED_PROJECT) == shown
