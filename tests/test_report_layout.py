"""The reports' 公文 form (GB/T 9704 where it fits), read back from the .docx, and the 目录's page
numbers through LibreOffice (skipped without soffice and poppler)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from monitor.demo import SEED_PROJECT
from monitor.report import department_report, docx_lines, project_report, to_pdf
from monitor.report import docx_base as D

ISSUER = "江西正效咨询管理有限公司"
WHEN = date(2023, 12, 10)
BASIS = ["《南昌市青云谱区财政局关于开展2023年预算绩效运行监控工作的通知》（青财绩〔2023〕12号）",
         "《南昌市财政局关于印发〈推进全市预算绩效管理提质增效工作方案〉的通知》（洪财绩〔2022〕4号）"]

needs_lo = pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                              reason="LibreOffice and poppler-utils are needed")


@pytest.fixture(scope="module")
def seed(demo) -> bytes:
    store, st = demo
    return project_report(store, st, SEED_PROJECT, issuer=ISSUER, report_date=WHEN, basis=BASIS,
                          commissioner="南昌市青云谱区财政局")


@pytest.fixture(scope="module")
def doc(seed):
    return Document(io.BytesIO(seed))


def east_asia(style) -> str:  # type: ignore[no-untyped-def]
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_pages_have_the_gbt9704_margins(doc):
    def mm(length) -> float:  # type: ignore[no-untyped-def]
        return round(length.mm, 1)  # stored in twips: 210 mm reads back as 210.004

    for sec in doc.sections:
        assert (mm(sec.page_width), mm(sec.page_height)) == (210, 297)
        assert tuple(mm(x) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)) == (37, 35, 28, 26)


def test_body_is_fangsong_sanhao_on_a_22_line_page(doc):
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and east_asia(normal) == "仿宋_GB2312"
    pf = normal.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and abs(pf.line_spacing.pt - 28.95) < 0.05
    # 225 mm of 版心 hold 22 such lines
    assert int(Mm(225).pt // pf.line_spacing.pt) == 22


def test_heading_levels_use_heiti_kaiti_and_bold_fangsong(doc):
    h1, h2, h3 = (doc.styles[f"Heading {i}"] for i in (1, 2, 3))
    assert (east_asia(h1), east_asia(h2), east_asia(h3)) == ("黑体", "楷体_GB2312", "仿宋_GB2312")
    assert all(h.font.size == Pt(16) for h in (h1, h2, h3))
    assert h3.font.bold and not h1.font.bold and not h2.font.bold
    title = doc.styles["Title"]
    assert east_asia(title) == "方正小标宋简体" and title.font.size == Pt(22)


def test_no_coloured_rule_under_the_titles(doc):
    for name in ("Title", "Heading 1", "Heading 2"):
        el = doc.styles[name].element
        assert el.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is None, name
        color = el.find(f"{qn('w:rPr')}/{qn('w:color')}")
        assert color is None or (color.get(qn("w:val")) == "000000" and color.get(qn("w:themeColor")) is None), name


def test_the_font_table_offers_windows_alternatives(seed):
    import zipfile

    fonts = zipfile.ZipFile(io.BytesIO(seed)).read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
    assert 'w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in fonts


def test_table_headers_repeat_and_rows_do_not_split(doc):
    for t in doc.tables:
        first = t.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows)


def test_a_first_level_label_fits_its_column(doc):
    # 满意度指标: five 五号 characters and the cell's margins within the column
    t4 = next(t for t in doc.tables if t.rows[0].cells[-1].text == "监控结果")
    width = int(t4._tbl.find(qn("w:tblGrid"))[0].get(qn("w:w")))
    assert width >= 5 * 10.5 * 20 + 2 * D.CELL_MARGIN_TWIPS


def test_page_numbers_are_outside_with_dashes(doc):
    body = doc.sections[-1]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = body.footer.paragraphs[0], body.even_page_footer.paragraphs[0]
    for p in (odd, even):
        text = "".join(t.text or "" for t in p._p.iter(qn("w:t"), qn("w:instrText")))
        assert text.replace(" ", "") == "—PAGE1—"
        assert p.style.name == D.STYLE_PAGE_NUMBER and p.style.font.size == Pt(14) and east_asia(p.style) == "宋体"
    assert odd.alignment == 2 and even.alignment == 0  # right, left
    assert len(doc.sections[0].footer.paragraphs[0].text) == 0  # cover and 目录 unnumbered


def test_properties_name_the_report_the_issuer_and_its_date(doc, seed):
    cp = doc.core_properties
    assert cp.title == "2023年青云谱区总工会工会经费项目1-10月份绩效运行监控报告"
    assert cp.author == cp.last_modified_by == ISSUER
    assert cp.created.replace(tzinfo=None) == cp.modified.replace(tzinfo=None) == datetime(2023, 12, 10, 9, 0)
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(seed))
    props = z.read("docProps/core.xml").decode() + z.read("docProps/app.xml").decode()
    assert "python-docx" not in props and "2013" not in props and "Macintosh" not in props


def test_a_toc_field_waits_for_its_page_numbers(seed, doc):
    lines = docx_lines(seed)
    toc = lines[lines.index("目  录") + 1:]
    assert toc[0].startswith("{TOC") and toc[0].endswith("一、项目基本情况")
    begin = next(doc.element.body.iter(qn("w:fldChar")))
    assert begin.get(qn("w:dirty")) == "true"
    assert doc.settings.element.find(qn("w:updateFields")) is not None


def test_basis_and_commissioner_open_the_report_as_in_seed_004(seed):
    lines = docx_lines(seed)
    opening = next(x for x in lines if x.startswith("受南昌市青云谱区财政局委托"))
    assert opening.startswith(f"受南昌市青云谱区财政局委托，{ISSUER}根据{BASIS[0]}、{BASIS[1]}等文件要求，对2023年")


def test_basis_may_be_typed_as_one_string():
    assert D.split_basis("《甲》（甲〔2023〕1号）；《乙》（乙〔2023〕2号）\n") == ("《甲》（甲〔2023〕1号）", "《乙》（乙〔2023〕2号）")
    assert D.basis_phrase(()) == "预算绩效运行监控有关规定"


def test_the_bulletin_carries_issuer_basis_and_properties(demo):
    store, st = demo
    data = department_report(store, st, "青云谱区总工会", report_date=WHEN, issuer="南昌市青云谱区财政局", basis=BASIS[:1])
    lines = docx_lines(data)
    assert lines[1:3] == ["南昌市青云谱区财政局", "2023年12月10日"]
    assert lines[3] == f"根据{BASIS[0]}要求，现将青云谱区总工会2023年1-10月预算执行与绩效运行监控情况通报如下。"
    cp = Document(io.BytesIO(data)).core_properties
    assert cp.author == "南昌市青云谱区财政局" and cp.created.replace(tzinfo=None) == datetime(2023, 12, 10, 9, 0)


@needs_lo
def test_libreoffice_fills_the_contents_page_numbers(seed, tmp_path):
    from monitor.report.toc import update_toc

    filled = update_toc(seed)
    doc = Document(io.BytesIO(filled))
    assert doc.settings.element.find(qn("w:updateFields")) is None
    assert all(f.get(qn("w:dirty")) is None for f in doc.element.body.iter(qn("w:fldChar")))
    path = tmp_path / "seed.docx"
    path.write_bytes(filled)
    pdf = to_pdf(path, tmp_path)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    contents = next(p for p in pages if "目  录" in p or "目 录" in p)
    # “一、项目基本情况……………1”: the entry, a dotted leader, its page
    heads = {m.group(1): int(m.group(2)) for ln in contents.splitlines()
             if (m := re.match(r"\s*(\S.*?)[.…·\s]*(\d+)\s*$", ln)) and not m.group(1)[0].isdigit()}
    assert heads.get("一、项目基本情况") == 1, contents
    assert any(k.startswith("五、问题") for k in heads), contents
    # the body's page 1 follows the cover and the 目录; the 附件 heading is where the 目录 says
    body = pages[2:]
    appendix = next(v for k, v in heads.items() if k.startswith("附件"))
    assert "附件：本报告采用的监控规则" in body[appendix - 1]
    # “— 2 —”: pdftotext may drop the spaces around the number
    assert re.search(r"—\s*1\s*—\s*$", body[0]) and re.search(r"—\s*2\s*—\s*$", body[1])


def test_page_numbers_go_into_the_contents_and_the_field_is_no_longer_dirty(seed):
    """What `update_toc` does with LibreOffice's layout, without LibreOffice: given each entry's page."""
    from monitor.report.toc import _norm, fill_toc

    doc = Document(io.BytesIO(seed))
    entries = [p.text for p in doc.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    filled = Document(io.BytesIO(fill_toc(seed, [(_norm(t), i + 1) for i, t in enumerate(entries)])))
    toc = [p.text for p in filled.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    assert toc[0] == "一、项目基本情况\t1" and toc[-1] == f"{entries[-1]}\t{len(entries)}"
    assert filled.settings.element.find(qn("w:updateFields")) is None
    assert all(f.get(qn("w:dirty")) is None for f in filled.element.body.iter(qn("w:fldChar")))
    # an entry LibreOffice did not list keeps the field dirty, so Word still offers the update
    partial = Document(io.BytesIO(fill_toc(seed, [(_norm(entries[0]), 1)])))
    assert partial.settings.element.find(qn("w:updateFields")) is not None


def _pictures_and_before(data: bytes):  # type: ignore[no-untyped-def]
    body = Document(io.BytesIO(data)).element.body
    pic = next(p for p in body.iterchildren(qn("w:p")) if next(p.iter(qn("w:drawing")), None) is not None)
    return pic, "".join(t.text or "" for t in pic.getprevious().iter(qn("w:t")))


def test_a_chart_that_left_a_blank_moves_up_past_body_paragraphs_only(seed):
    from monitor.report.toc import Layout, place_figures

    _, before = _pictures_and_before(seed)
    assert before.startswith("按目前月均支出测算")
    # the chart fell on page 10 while the three paragraphs before it end low on page 9 (1/100 mm)
    gap = Layout((), ((10, ((9, 18384), (9, 16341), (9, 12256), (9, 7149), (9, 6128))),))
    moved = place_figures(seed, gap)
    pic, before = _pictures_and_before(moved)
    assert before.startswith("工会经费项目2023年安排预算490万元，截至跟踪节点（2023年10月31日），累计支出")
    assert "图1" in "".join(t.text or "" for t in pic.getnext().iter(qn("w:t")))  # the caption came along
    # no blank: nothing moves; room only before the heading “2. 预算执行率”: the chart does not leave its section
    assert place_figures(seed, Layout((), ((9, ((9, 18384),)),))) is None
    assert place_figures(seed, Layout((), ((10, ((9, 18384), (9, 16341), (9, 15000), (9, 16000), (9, 2000))),))) is None


@needs_lo
def test_after_libreoffice_the_chart_shares_a_page_with_the_text_before_it(seed, tmp_path):
    from monitor.report.toc import update_toc

    laid = update_toc(seed)
    _, before = _pictures_and_before(laid)
    path = tmp_path / "laid.docx"
    path.write_bytes(laid)
    pdf = to_pdf(path, tmp_path)
    pages = ["".join(p.split()) for p in
             subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")]
    page = next(p for p in pages if "图1工会经费项目累计预算执行率" in p)
    assert "".join(before.split())[-12:] in page
