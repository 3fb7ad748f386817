"""The project monitoring report (Word) for the seed project at 1-10月, read back with python-docx."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from _report_golden import check_golden
from docx import Document

from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT
from monitor.notes import Note
from monitor.report import (
    docx_lines,
    load,
    project_report,
    render_project_report,
    report_filename,
    report_title,
    reports_zip,
    tracking_conclusion,
)
from monitor.status import monthly_curve

ISSUER = "江西正效咨询管理有限公司"
WHEN = date(2023, 12, 10)

# seed 004 表4: name, 项目完成时绩效目标值, 本阶段应完成的绩效目标值, 实际完成的绩效目标值
SEED_TABLE4 = [
    ("工会经费金额", "≤490万", "=400万元", "134.5368万元"),
    ("“携手小康”就业重点群体技能培训(人)", "≥100人", "=80人", "=183人"),
    ("劳模开展宣讲活动(次)", "≥5次", "=4次", "=5次"),
    ("基层工会培养文化骨干培训班数量", "≥4个", "=4个", "=5个"),
    ("工会阵地建设(职工之家、爱心驿站)", "≥5家", "=4家", "=4家"),
    ("开展职工劳动技能竞赛场次", "≥5场", "=4场", "=4场"),
    ("开展职工活动场次", "≥5场", "=4场", "=5场"),
    ("开展送温暖人数", "≥200人", "=1000人", "=1000人"),
    ("开设职工子女寒暑假托管班(人)", "≥40人", "=80人", "=83人"),
    ("职工疗休养(人)", "≥60人", "=100人", "=110人"),
    ("上解上级工会经费工作完成率", "=100%", "=100%", "0%"),
    ("下拨基层工会经费工作完成率", "=100%", "=100%", "0%"),
    ("各类培训合格率", "=100%", "=100%", "=100%"),
    ("工会基地建设验收合格率", "=100%", "=100%", "=100%"),
    ("活动举办成功率", "=100%", "=100%", "=100%"),
    ("送温暖慰问发放准确率", "=100%", "=100%", "=100%"),
    ("职工疗养对象符合率", "=100%", "=100%", "=100%"),
    ("项目完成及时率", "=100%", "=100%", "=100%"),
    ("丰富职工精神文化生活", "丰富", "丰富", "丰富"),
    ("危害职工合法权益事件发生次数", "0次", "0次", "0次"),
    ("职工互助保障帮扶效果提升", "提升", "提升", "提升"),
    ("困难职工家庭救助落实率", "100%", "100%", "100%"),
    ("服务对象满意度", ">=95%", "=95%", "=95%"),
]


def norm(v: str) -> str:
    """The seed writes “=80 人” for a stated figure and “>=” for “≥”; compare the figures."""
    return v.replace(" ", "").replace(">=", "≥").replace("<=", "≤").lstrip("=")


@pytest.fixture(scope="module")
def seed_docx(demo) -> bytes:
    store, st = demo
    return project_report(store, st, SEED_PROJECT, issuer=ISSUER, report_date=WHEN)


@pytest.fixture(scope="module")
def lines(seed_docx) -> list[str]:
    return docx_lines(seed_docx)


def section(lines: list[str], start: str, stop: str) -> str:
    """Body text from the heading that starts with `start` to the next one starting with `stop`."""
    body = lines[lines.index(next(x for x in lines if x.startswith("一、项目基本情况") and "\t" not in x), 1):]
    i = next(k for k, x in enumerate(body) if x.startswith(start))
    j = next((k for k, x in enumerate(body[i + 1:], i + 1) if x.startswith(stop)), len(body))
    return "\n".join(body[i:j])


def test_golden_text(lines):
    check_golden("report_project_seed_2023_10.txt", lines)


def test_cover_title_and_issuer(demo, lines):
    _, st = demo
    assert report_title(st, SEED_PROJECT) == "2023年青云谱区总工会工会经费项目1-10月份绩效运行监控报告"
    assert lines[0] == "2023年青云谱区总工会工会经费项目1-10月份绩效运行监控报告"
    assert lines[1:3] == [ISSUER, "2023年12月10日"]
    assert "二〇二三年十二月十日" in lines


def test_table4_has_every_seed_row(seed_docx):
    doc = Document(io.BytesIO(seed_docx))
    t4 = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][3:6] == ["年度目标值", "本阶段应完成值", "实际完成值"])
    got = {r.cells[2].text: tuple(norm(c.text) for c in r.cells[3:6]) for r in t4.rows[1:]}
    assert len(got) == len(SEED_TABLE4)
    for name, *figures in SEED_TABLE4:
        assert got[name] == tuple(norm(f) for f in figures), name


def test_table4_lights_and_merged_level_cells(seed_docx):
    doc = Document(io.BytesIO(seed_docx))
    t4 = next(t for t in doc.tables if t.rows[0].cells[-1].text == "监控结果")
    lights = {r.cells[2].text: r.cells[6].text for r in t4.rows[1:]}
    assert lights["上解上级工会经费工作完成率"] == "红灯"
    assert lights["“携手小康”就业重点群体技能培训(人)"] == "超额"
    assert lights["工会经费金额"] == "绿灯"
    # 产出指标 stands on every row (a merged cell would be blank on the next page), grey after the first
    labels = [r.cells[0].text for r in t4.rows[1:]]
    assert labels.count("产出指标") == 17 and "" not in labels
    xml = t4._tbl.xml
    assert "w:vMerge" not in xml and xml.count('<w:top w:val="nil"/>') >= 16


def test_money_paragraphs_state_the_seed_figures(lines):
    money = section(lines, "（四）项目资金投入安排情况", "二、")
    for figure in ("490万元", "资金到位率为100%", "134.5368万元", "27.46%", "83.33%", "55.88个百分点"):
        assert figure in money, figure
    assert "工会经费项目2023年安排预算490万元" in money
    assert "截至2023年10月31日，实际支出134.5368万元，预算执行率为27.46%，低于序时进度（83.33%）55.88个百分点" in money
    s3 = section(lines, "三、项目资金投入情况", "四、")
    # the light stays in the tables; the prose says what it means
    assert "资金执行进度明显滞后" in s3 and "红灯" not in s3 and "今后须月均支出177.7316万元方可在年底达到100%" in s3
    assert "资金使用合规性" in s3


def test_section5_carries_the_seed_problems(lines):
    s5 = section(lines, "五、问题、纠偏措施和建议", "附件")
    assert "1. 资金执行率偏低" in s5 and "2. 上解、下拨工会经费工作尚未开展" in s5 and "3. 部分指标设置不合理" in s5
    assert "提升绩效目标意识，强化指标设置能力" in s5
    assert "项目继续执行，但需纠偏" in s5


def test_tables_are_numbered_as_in_the_seed(lines):
    captions = [x for x in lines if x[:1] == "表" and x[1:2].isdigit()]
    assert captions == ["表1 项目绩效目标申报表", "表2 项目总目标调整表", "表3 年度绩效分解目标调整表", "表4 项目产出目标、效果目标对比表"]


def test_tables_1_and_3_show_declared_and_adjusted_targets(seed_docx):
    doc = Document(io.BytesIO(seed_docx))
    t1, t2 = doc.tables[0], doc.tables[2]
    t1_names = [r.cells[2].text for r in t1.rows[2:]]
    assert "上解上级工会经费(万)" in t1_names  # the original of an 调整 indicator
    assert "各类培训合格率" not in t1_names  # 新增指标 were not declared
    assert t1.rows[0].cells[1].text.startswith("提升工会服务群众的能力和水平")
    deleted = [r for r in t2.rows[1:] if r.cells[4].text == "删除"]
    assert len(deleted) == 5 and all([c.text for c in r.cells[5:]] == ["---", "---", "否"] for r in deleted)


def test_contents_lists_the_headings_and_has_a_toc_field(lines):
    toc = lines[lines.index("目  录") + 1:]
    assert toc[0].startswith("{TOC") and toc[0].endswith("一、项目基本情况")
    assert "五、问题、纠偏措施和建议" in toc[:30]
    assert any(x.startswith("[页脚") and "{PAGE}" in x for x in lines)


def test_suggestions_for_unexplained_warnings(demo):
    store, st = demo
    text = "\n".join(docx_lines(project_report(store, st, "360100-XJZX-JB", report_date=WHEN)))
    assert "尚未说明原因的滞后事项" in text and "（系统建议" in text
    assert "“职工服务和维权热线”项目" not in text  # that is another project
    assert "2023年南昌市总工会宣教中心工会宣传教育和网上工会" in text


def test_name_already_holding_the_unit_is_not_repeated(demo):
    _, st = demo
    assert report_title(st, "360100-SZGH-JB") == "2023年南昌市总工会（本级）基本支出1-10月份绩效运行监控报告"


def test_tracking_conclusion_rules():
    green = pd.Series({"level": "green"})
    red = pd.Series({"level": "red"})
    ok = pd.DataFrame({"level": ["green", "blue"]})
    bad = pd.DataFrame({"level": ["green", "red"]})
    note = Note(2023, "X", "", 10, likelihood="完全不可能", measure_type="暂停项目实施", measure="暂停")
    assert tracking_conclusion(green, ok, []) == "继续执行"
    assert tracking_conclusion(green, bad, []) == "继续执行，但需纠偏"
    assert tracking_conclusion(red, ok, []) == "继续执行，但需纠偏"
    assert tracking_conclusion(green, ok, [note]) == "暂停"
    adjust = Note(2023, "X", "", 10, likelihood="完全不可能", measure_type="调整实施计划", measure="调整")
    assert tracking_conclusion(green, ok, [adjust]) == "调整"


def test_chart_curve_matches_the_core_monthly_curve(demo, actor=ADMIN):
    store, st = demo
    data = load(store, st, [SEED_PROJECT])
    c = data.curve(SEED_PROJECT)
    core = monthly_curve(store, 2023, project=SEED_PROJECT, actor=ADMIN)
    assert c.spent_pct[:10] == [int(v) / 100 for v in core["cum_rate_bp"][:10]]
    assert c.spent_pct[9] == 27.46 and c.spent_pct[10] is None
    assert c.schedule_pct == [int(v) / 100 for v in core["schedule_bp"]]


def test_zip_holds_every_project(demo):
    import zipfile

    store, st = demo
    z = zipfile.ZipFile(io.BytesIO(reports_zip(store, st, report_date=WHEN, chart=False)))
    names = z.namelist()
    assert len(names) == len(st.projects)
    assert report_filename(SEED_PROJECT, "工会经费项目", 10) in names
    for n in names:
        assert "[图片]" not in docx_lines(z.read(n))  # chart=False leaves the chart out
        assert re.search(r"1-10月份绩效运行监控报告", docx_lines(z.read(n))[0])


def test_report_renders_without_notes_or_master_text(demo):
    store, st = demo
    data = load(store, st, [SEED_PROJECT])
    data.notes.clear()
    data.master[SEED_PROJECT] = {}
    text = "\n".join(docx_lines(render_project_report(data, SEED_PROJECT, report_date=WHEN, chart=False)))
    assert "项目单位未填报项目主要内容" in text and "尚未说明原因的滞后事项" in text
    assert "项目单位尚未说明进度滞后的原因" in text
