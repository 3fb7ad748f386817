"""The official-document look shared by every Word export: GB/T 9704 page, fonts, headings, tables.

Page (GB/T 9704-2012 where it fits a report). A4 with margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm, i.e. a 156 × 225 mm 版心; body 仿宋_GB2312 三号 on an exact 28.95 pt line (22 lines a
page) with characters condensed by 0.25 pt so 28 fit a line; headings 一、 黑体, （一） 楷体_GB2312,
1. 仿宋 bold, all 三号; the title 方正小标宋简体 二号; page numbers “— 1 —” in 宋体 四号, outside
(odd pages right, even pages left, one character in). Tables use 仿宋_GB2312 小四 (12 pt), or 五号
(10.5 pt) for tables of seven columns or more, so that a 一级指标 such as 满意度指标 stays on one line.

Fonts. The documents name the fonts a Chinese government reader has in `w:eastAsia`, and the font
table gives each an alternative Windows ships with (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体,
方正小标宋简体 → 宋体), which Word uses when the first is missing. On Linux none is installed;
`fonts.conf` (next to this module) aliases them to Noto Serif/Sans CJK SC, and `pdf.to_pdf` hands it
to LibreOffice. Even without the alias LibreOffice falls back to an installed CJK face — the runs are
tagged zh-CN so the fallback picks Simplified-Chinese glyphs rather than Japanese ones.

Speed. A report is built from a template document whose styles are set up once per process and
reopened from bytes, and tables are written as XML rows rather than through python-docx's cell
API, which walks the whole table on every `cell()` call.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor

FONT_LATIN = "Times New Roman"
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_TABLE = "仿宋_GB2312"
FONT_PAGE_NUMBER = "宋体"
# What Linux actually renders for the names above (see fonts.conf).
FONT_INSTALLED = "Noto Serif CJK SC"
# Word's fallback when a font is missing: the font table's altName, a face every Windows has.
FONT_ALTERNATIVES = {FONT_BODY: "仿宋", FONT_HEADING2: "楷体", FONT_TITLE: "宋体", FONT_HEADING1: "黑体",
                     FONT_PAGE_NUMBER: "SimSun"}

BODY_PT = 16  # 三号
LINE_PT = 28.95  # GB/T 9704: 22 lines in the 225 mm 版心
CONDENSE_TWIPS = -5  # −0.25 pt a character: 28 三号 characters in the 156 mm line (28 × 16 pt is 448 pt > 442 pt)
TITLE_PT = 22  # 二号
COVER_TITLE_PT = 26  # 一号
PAGE_NUMBER_PT = 14  # 四号
TOC_PT = 14  # 四号: a report's 目录 of some twenty-five entries stays on one page
TOC_LINE_PT = 22
TABLE_PT = 12  # 小四
WIDE_TABLE_PT = 10.5  # 五号, for tables of seven columns or more
MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right
TEXT_WIDTH_CM = 15.6  # A4 (210 mm) less 28 + 26 mm
CELL_MARGIN_TWIPS = 57  # 1 mm either side of a cell's text

STYLE_TABLE_TEXT = "表格文字"
STYLE_TABLE_HEAD = "表格标题行"
STYLE_CAPTION = "表格题注"
STYLE_COVER_TITLE = "封面标题"
STYLE_COVER_LINE = "封面署名"
STYLE_TOC_LINE = "目录条目"
STYLE_NOTE = "图表说明"
STYLE_SIGNATURE = "落款"
STYLE_FIGURE = "图题"
STYLE_KEEP = "正文（与下段同页）"
STYLE_PAGE_NUMBER = "页码"

CN_DIGITS = "〇一二三四五六七八九"
CN_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
               "十六", "十七", "十八", "十九", "二十")


def cn_ordinal(i: int) -> str:
    """1 → 一 (for 一、 and （一）); beyond twenty the reader gets Arabic numerals."""
    return CN_ORDINALS[i - 1] if 1 <= i <= len(CN_ORDINALS) else str(i)


def cn_date(d: object) -> str:
    """2023-12-10 → 二〇二三年十二月十日, the date under an official signature."""
    def small(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + ("" if ones == 0 else CN_DIGITS[ones])

    year = "".join(CN_DIGITS[int(c)] for c in str(d.year))  # type: ignore[attr-defined]
    return f"{year}年{small(d.month)}月{small(d.day)}日"  # type: ignore[attr-defined]


def basis_phrase(basis: Sequence[str]) -> str:
    """《……》（X财绩〔2023〕12号）等文件要求, or the general wording when no document is named."""
    docs = [b.strip() for b in basis if b and b.strip()]
    if not docs:
        return "预算绩效运行监控有关规定"
    return "、".join(docs) + ("等文件要求" if len(docs) > 1 else "要求")


def split_basis(values: Sequence[str] | str | None) -> tuple[str, ...]:
    """Documents as typed: repeated options, lines, or “;”/“；”-separated, blanks dropped."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for v in values:
        for part in str(v).replace("；", ";").replace("\n", ";").split(";"):
            if part.strip():
                out.append(part.strip())
    return tuple(out)


def ymd(d: object) -> str:
    """2023年10月31日 (no leading zeros, as the seed writes dates in running text)."""
    return f"{d.year}年{d.month}月{d.day}日"  # type: ignore[attr-defined]


_EXACT_LINE = Pt(LINE_PT)


# -- fonts and styles ------------------------------------------------------------------------
def _set_fonts(rpr: object, east_asia: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    """rFonts with an East-Asian face plus zh-CN language on a w:rPr element."""
    rfonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), FONT_LATIN)
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    lang = rpr.find(qn("w:lang"))  # type: ignore[attr-defined]
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # type: ignore[attr-defined]
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(doc: DocumentObject, name: str, east_asia: str, size: float, *, bold: bool = False,
           align: WD_ALIGN_PARAGRAPH | None = None, first_indent: bool = False, base: str | None = None,
           space_before: float = 0, space_after: float = 0, line: float | Length | None = _EXACT_LINE,
           keep_next: bool = False):  # type: ignore[no-untyped-def]
    """A paragraph style; `line` is a multiple (1.0) or an exact height (a Length, the 公文 grid)."""
    from docx.enum.style import WD_STYLE_TYPE

    try:
        st = doc.styles[name]
    except KeyError:
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles[base or "Normal"]
        st.quick_style = True
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    rpr = st.element.get_or_add_rPr()
    for color in rpr.findall(qn("w:color")):
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
    _set_fonts(rpr, east_asia)
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Pt(size * 2) if first_indent else Pt(0)
    pf.space_before = Pt(space_before)
    pf.space_after = Pt(space_after)
    pf.line_spacing = line
    pf.keep_with_next = keep_next
    pf.widow_control = True
    # python-docx's Title carries a blue rule and its headings a theme colour: an official document has neither
    ppr = st.element.get_or_add_pPr()
    for bdr in ppr.findall(qn("w:pBdr")):
        ppr.remove(bdr)
    return st


def _setup(doc: DocumentObject) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    top, bottom, left, right = MARGINS_MM
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(top), Mm(bottom), Mm(left), Mm(right)
    # GB/T 9704: the page number's top 7 mm below the 版心; a 四号 line is about 6 mm high
    sec.footer_distance = Mm(bottom - 7 - 6)
    sec.header_distance = Mm(15)
    normal = _style(doc, "Normal", FONT_BODY, BODY_PT, first_indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWIPS))
    normal.element.get_or_add_rPr().find(qn("w:color")).addnext(spacing)  # rPr's schema order: color, spacing, …, sz
    # Heading styles keep their built-in names so Word's TOC field and navigation pane find them.
    _style(doc, "Heading 1", FONT_HEADING1, BODY_PT, first_indent=True, keep_next=True)
    _style(doc, "Heading 2", FONT_HEADING2, BODY_PT, first_indent=True, keep_next=True)
    _style(doc, "Heading 3", FONT_BODY, BODY_PT, bold=True, first_indent=True, keep_next=True)
    _style(doc, "Heading 4", FONT_BODY, BODY_PT, first_indent=True, keep_next=True)
    for h in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        doc.styles[h].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # the title: 二号 on a line of its own height, one grid line before the body text
    title = _style(doc, "Title", FONT_TITLE, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=LINE_PT, line=Pt(36))
    for el in title.element.get_or_add_rPr().findall(qn("w:spacing")) + title.element.get_or_add_rPr().findall(qn("w:kern")):
        el.getparent().remove(el)  # the template's expanded Latin title spacing
    _style(doc, STYLE_COVER_TITLE, FONT_TITLE, COVER_TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(44))
    _style(doc, STYLE_COVER_LINE, FONT_BODY, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, STYLE_TOC_LINE, FONT_BODY, TOC_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=Pt(TOC_LINE_PT))
    _style(doc, STYLE_FIGURE, FONT_BODY, TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0, space_after=6)
    _style(doc, STYLE_KEEP, FONT_BODY, BODY_PT, first_indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep_next=True)
    _style(doc, STYLE_CAPTION, FONT_HEADING1, TOC_PT, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=6, space_after=3,
           line=1.0, keep_next=True)
    _style(doc, STYLE_NOTE, FONT_BODY, TABLE_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=1.0, space_after=6)
    sig = _style(doc, STYLE_SIGNATURE, FONT_BODY, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sig.paragraph_format.right_indent = Pt(BODY_PT * 2)
    _style(doc, STYLE_TABLE_TEXT, FONT_TABLE, TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0)
    _style(doc, STYLE_TABLE_HEAD, FONT_HEADING1, TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0)
    _style(doc, STYLE_PAGE_NUMBER, FONT_PAGE_NUMBER, PAGE_NUMBER_PT, line=1.0)
    # what Word writes when it updates the 目录 field: the same look as the entries written here
    for name, indent in (("TOC 1", 0), ("TOC 2", TOC_PT * 2)):
        toc = _style(doc, name, FONT_BODY, TOC_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=Pt(TOC_LINE_PT))
        toc.paragraph_format.left_indent = Pt(indent)
        toc.paragraph_format.tab_stops.add_tab_stop(Mm(210 - MARGINS_MM[2] - MARGINS_MM[3]), WD_TAB_ALIGNMENT.RIGHT,
                                                    WD_TAB_LEADER.DOTS)
    _slim(doc)
    _font_table(doc)
    _neutral_properties(doc)
    # odd pages number on the right, even on the left: two footers per section
    doc.settings.odd_and_even_pages_header_footer = True
    sectpr = sec._sectPr
    # documentGrid would snap CJK lines to the template's 15.6 pt grid in LibreOffice and Word alike;
    # the exact 28.95 pt line spacing of the styles keeps the 22-line page instead
    for grid in sectpr.findall(qn("w:docGrid")):
        sectpr.remove(grid)
    # python-docx's default template leaves some header/footer boilerplate; start from a clean body
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _font_table(doc: DocumentObject) -> None:
    """Declare the Chinese faces with a GB2312 charset and an alternative Windows always has."""
    part = next((r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    fonts = parse_xml(part.blob)
    for el in list(fonts):
        name = el.get(qn("w:name"))
        if name and name not in (FONT_LATIN, "Symbol"):
            fonts.remove(el)  # the template's Japanese and Mac faces
    for name, alt in FONT_ALTERNATIVES.items():
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"swiss" if name == FONT_HEADING1 else "roman"}"/><w:pitch w:val="variable"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


_APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Template>Normal.dotm</Template><Application>预算执行与绩效运行监控看板</Application>"
            "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>")


def _neutral_properties(doc: DocumentObject) -> None:
    """No “python-docx”, “Microsoft Macintosh Word” or 2013 from the template in any report."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = _APP_XML.encode("utf-8")
    cp = doc.core_properties
    cp.author = cp.last_modified_by = cp.comments = cp.title = cp.subject = cp.keywords = cp.category = ""
    cp.revision = 1


def set_properties(doc: DocumentObject, *, title: str, author: str, when: date, subject: str = "",
                   keywords: str = "") -> None:
    """File properties a records office files by: title, issuer as author, the report date."""
    cp = doc.core_properties
    cp.title, cp.subject, cp.keywords, cp.category = title, subject, keywords, "预算绩效运行监控"
    cp.author = cp.last_modified_by = author
    stamp = datetime(when.year, when.month, when.day, 9, 0)
    cp.created = cp.modified = stamp
    cp.revision = 1


_KEEP_STYLES = {"Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "Title", "Heading 1",
                "Heading 2", "Heading 3", "Heading 4", "TOC 1", "TOC 2", "Caption", "Footer", "Header"}
_DROP_RELS = ("stylesWithEffects", "customXml", "thumbnail", "webSettings", "glossaryDocument")


def _slim(doc: DocumentObject) -> None:
    """Keep only the styles a report uses and drop the template's extra parts.

    python-docx's template carries ~800 KB of style XML (every built-in style twice, with its
    latent styles); every report would parse it on open and write it on save.
    """
    styles = doc.styles.element
    keep = _KEEP_STYLES | _house_style_names()
    for el in list(styles):
        if el.tag == qn("w:latentStyles"):
            styles.remove(el)
        elif el.tag == qn("w:style"):
            name = el.find(qn("w:name"))
            if name is None or name.get(qn("w:val")) not in keep and _ui_name(name.get(qn("w:val"))) not in keep:
                styles.remove(el)
            else:
                for link in el.findall(qn("w:link")):
                    el.remove(link)
    for rid, rel in list(doc.part.rels.items()):
        if any(k in rel.reltype for k in _DROP_RELS):
            doc.part.drop_rel(rid)
            doc.part.rels.pop(rid, None)
    pkg_rels = doc.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if any(k in rel.reltype for k in _DROP_RELS):
            pkg_rels.pop(rid, None)


def _ui_name(name: str | None) -> str:
    # the template stores built-in names in lower case ("heading 1"); python-docx shows "Heading 1"
    return {"heading 1": "Heading 1", "heading 2": "Heading 2", "heading 3": "Heading 3", "heading 4": "Heading 4",
            "toc 1": "TOC 1", "toc 2": "TOC 2", "caption": "Caption", "footer": "Footer", "header": "Header"}.get(name or "", name or "")


def _house_style_names() -> set[str]:
    return {STYLE_TABLE_TEXT, STYLE_TABLE_HEAD, STYLE_CAPTION, STYLE_COVER_TITLE, STYLE_COVER_LINE, STYLE_TOC_LINE,
            STYLE_NOTE, STYLE_SIGNATURE, STYLE_FIGURE, STYLE_KEEP, STYLE_PAGE_NUMBER}


def add_page_numbers(section) -> None:  # type: ignore[no-untyped-def]
    """“— 1 —” as a PAGE field, outside: right on odd pages, left on even ones, one character in.

    The document's settings say even pages have their own footer (`_setup`), so both are written.
    """
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = STYLE_PAGE_NUMBER
        p.alignment = align
        pf = p.paragraph_format
        pf.first_line_indent = Pt(0)
        if side == "right":
            pf.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            pf.left_indent = Pt(PAGE_NUMBER_PT)
        p.add_run("— ")
        _field(p, "PAGE", "1")
        p.add_run(" —")


def _field(paragraph, instr: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    """A complex field (PAGE, TOC…) whose cached result is `shown` until Word updates it."""
    r = paragraph.add_run()
    r._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>'))
    r = paragraph.add_run()
    r._r.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {escape(instr)} </w:instrText>'))
    r = paragraph.add_run()
    r._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>'))
    paragraph.add_run(shown)
    r = paragraph.add_run()
    r._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))


@lru_cache(maxsize=1)
def _template_bytes() -> bytes:
    doc = Document()
    _setup(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def new_document() -> DocumentObject:
    """A blank A4 document with the house styles (built once per process, then copied)."""
    doc = Document(io.BytesIO(_template_bytes()))
    if not _STYLE_IDS:
        register_style_ids(doc)
    return doc


def to_bytes(doc: DocumentObject) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# -- the writer ------------------------------------------------------------------------------
@dataclass
class Col:
    """A table column: header, width in cm, and whether its text is left-aligned (long prose)."""

    title: str
    width_cm: float
    left: bool = False


class DocWriter:
    """Adds numbered headings, paragraphs, captions and tables to a document in reading order."""

    def __init__(self, doc: DocumentObject | None = None):
        self.doc = doc or new_document()
        self.headings: list[tuple[int, str]] = []  # for the static contents list
        self._counters = [0, 0, 0, 0]
        self.tables = 0
        self._buf: list[str] = []

    def add(self, text: str = "", style: str | None = None, *, bold: bool = False, bold_lead: str = "",
            lines: Sequence[str] = (), keep_next: bool = False) -> None:
        """A paragraph at the end of the body.

        Paragraphs are collected as XML text and parsed in one go by `flush`: python-docx's
        `add_paragraph` resolves the style name by scanning every style of the document, and
        even parsing paragraph by paragraph cost a third of a report's time.
        `lines` are joined by line breaks inside the paragraph (a two-line title).
        """
        ppr = ""
        if (style and style != "Normal") or keep_next:
            ppr = ("<w:pPr>" + (f'<w:pStyle w:val="{_style_id(style)}"/>' if style and style != "Normal" else "")
                   + ("<w:keepNext/>" if keep_next else "") + "</w:pPr>")
        if lines:
            runs = "<w:r><w:br/></w:r>".join(f'<w:r><w:t xml:space="preserve">{escape(x)}</w:t></w:r>' for x in lines)
        else:
            runs = ""
            if bold_lead:
                runs += f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(bold_lead)}</w:t></w:r>'
            if text:
                rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
                runs += f'<w:r>{rpr}<w:t xml:space="preserve">{escape(str(text))}</w:t></w:r>'
        self._buf.append(f"<w:p>{ppr}{runs}</w:p>")

    def flush(self) -> None:
        """Parse the collected XML and put it at the end of the body (before the section properties)."""
        if not self._buf:
            return
        holder = parse_xml(f'<w:body {nsdecls("w")}>{"".join(self._buf)}</w:body>')
        self._buf.clear()
        for el in list(holder):
            self._append(el)

    def anchor(self):  # type: ignore[no-untyped-def]
        """An empty paragraph element to insert something before later (the contents)."""
        self.add()
        self.flush()
        return self.doc.element.body[-2]

    def _append(self, el) -> None:  # type: ignore[no-untyped-def]
        body = self.doc.element.body
        sect = body[-1] if len(body) and body[-1].tag == qn("w:sectPr") else None
        if sect is not None:
            sect.addprevious(el)
        else:
            body.append(el)

    # headings: 一、 / （一） / 1. / （1）
    def heading(self, level: int, text: str) -> None:
        self._counters[level - 1] += 1
        for deeper in range(level, len(self._counters)):
            self._counters[deeper] = 0
        n = self._counters[level - 1]
        label = {1: f"{cn_ordinal(n)}、", 2: f"（{cn_ordinal(n)}）", 3: f"{n}. ", 4: f"（{n}）"}[level]
        self.add(label + text, f"Heading {level}")
        if level <= 2:
            self.headings.append((level, label + text))

    def para(self, text: str, style: str | None = None, bold_lead: str = "", bold: bool = False) -> None:
        self.add(text, style, bold=bold, bold_lead=bold_lead)

    def paras(self, text: str) -> None:
        for line in str(text).splitlines():
            if line.strip():
                self.para(line.strip())

    def page_break(self) -> None:
        self._buf.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    def caption(self, text: str) -> str:
        self.tables += 1
        label = f"表{self.tables}"
        self.add(f"{label} {text}", STYLE_CAPTION)
        return label

    def note(self, text: str) -> None:
        self.add(text, STYLE_NOTE)

    def figure_caption(self, text: str) -> None:
        self.add(text, STYLE_FIGURE)

    def picture(self, png: bytes, width_cm: float = 15.0) -> None:
        self.flush()
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing = 1.0  # an exact body line would crop the picture to one line's height
        p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))

    def table(self, cols: Sequence[Col], rows: Sequence[Sequence[object]], *, merge_cols: Sequence[int] = (),
              fills: dict[tuple[int, int], str] | None = None, font_pt: float | None = None,
              lead_rows: Sequence[tuple[str, str]] = ()) -> None:
        """A bordered table; header repeats on every page, rows never split across pages.

        merge_cols: columns whose equal consecutive values merge vertically (一级/二级 指标).
        fills: (row, col) → hex colour for light cells. lead_rows: (label, text) rows spanning the
        table above the header, like 表1's 年度绩效目标.
        """
        self._buf.append(table_xml(cols, rows, merge_cols=merge_cols, fills=fills or {}, font_pt=font_pt, lead_rows=lead_rows))
        # a table followed directly by a heading looks glued on; a small gap paragraph separates them
        self.add("", STYLE_NOTE)

    def toc_before(self, anchor) -> None:  # type: ignore[no-untyped-def]
        """The contents in place of the `anchor` paragraph: a TOC field whose cached result lists
        the headings written so far, so it reads right before anything updates the field.

        The page numbers need a layout, which python-docx has not got: `toc.update_toc` fills them
        in with LibreOffice; without it the field is marked dirty and the document asks Word to
        update its fields on opening.
        """
        self.flush()
        items = []
        for level, text in self.headings:
            items.append((f'<w:pPr><w:pStyle w:val="{_style_id(f"TOC {min(level, 2)}")}"/></w:pPr>',
                          f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'))
        begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                 f'<w:r><w:instrText xml:space="preserve"> {TOC_FIELD} </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        if not items:
            items = [(f'<w:pPr><w:pStyle w:val="{_style_id("TOC 1")}"/></w:pPr>', "")]
        paras = [f"<w:p>{ppr}{begin if i == 0 else ''}{run}{end if i == len(items) - 1 else ''}</w:p>"
                 for i, (ppr, run) in enumerate(items)]
        holder = parse_xml(f'<w:body {nsdecls("w")}>{"".join(paras)}</w:body>')
        for el in list(holder):
            anchor.addprevious(el)
        anchor.getparent().remove(anchor)
        set_update_fields(self.doc, True)


TOC_FIELD = 'TOC \\o "1-2" \\h \\z \\u'
# settings.xml children that come after w:updateFields in the schema (Word rejects them out of order)
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
                        "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def set_update_fields(doc: DocumentObject, on: bool) -> None:
    """w:updateFields: Word offers to update every field (the 目录's page numbers) when it opens the file."""
    settings = doc.settings.element
    for el in settings.findall(qn("w:updateFields")):
        settings.remove(el)
    if not on:
        return
    el = parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>')
    later = next((c for c in settings if c.tag in {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS}), None)
    if later is not None:
        later.addprevious(el)
    else:
        settings.append(el)


def _cell_xml(text: str, width_twips: int, style: str, *, left: bool, fill: str | None, vmerge: str | None = None,
              span: int = 1, font_pt: float | None = None, bold: bool = False, open_top: bool = False,
              open_bottom: bool = False, faint: bool = False) -> str:
    props = [f'<w:tcW w:w="{width_twips}" w:type="dxa"/>']
    if span > 1:
        props.append(f'<w:gridSpan w:val="{span}"/>')
    if vmerge == "restart":
        props.append('<w:vMerge w:val="restart"/>')
    elif vmerge == "continue":
        props.append("<w:vMerge/>")
    if open_top or open_bottom:
        props.append("<w:tcBorders>" + ('<w:top w:val="nil"/>' if open_top else "")
                     + ('<w:bottom w:val="nil"/>' if open_bottom else "") + "</w:tcBorders>")
    if fill:
        props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill.lstrip("#").upper()}"/>')
    props.append('<w:vAlign w:val="center"/>')
    jc = '<w:jc w:val="left"/>' if left else ""
    rpr = ""
    if font_pt or bold or faint:
        rpr = ("<w:rPr>" + ("<w:b/>" if bold else "") + ('<w:color w:val="8C8C8C"/>' if faint else "")
               + (f'<w:sz w:val="{round(font_pt * 2)}"/><w:szCs w:val="{round(font_pt * 2)}"/>' if font_pt else "") + "</w:rPr>")
    lines = str(text).split("\n") if text else [""]
    paras = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}{rpr}</w:pPr>'
        + (f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' if line else "")
        + "</w:p>"
        for line in lines
    )
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{paras}</w:tc>"


def _style_id(name: str) -> str:
    return _STYLE_IDS.get(name, name)


# python-docx derives style ids from names by dropping spaces; CJK names keep their characters.
_STYLE_IDS: dict[str, str] = {}


def column_widths(cols: Sequence[Col], rows: Sequence[Sequence[object]], label_cols: Sequence[int],
                  font_pt: float) -> list[int]:
    """Widths in twips: the columns scaled into the 156 mm line, then each label column (一级/二级
    指标) widened so that a label of up to five characters — “满意度指标” — stays on one line and a
    longer one breaks into two even lines, the width taken from the other columns in proportion."""
    widths = [c.width_cm * 567 for c in cols]  # 1 cm = 567 twips
    limit = TEXT_WIDTH_CM * 567
    if sum(widths) > limit:
        widths = [w * limit / sum(widths) for w in widths]
    others = [i for i in range(len(cols)) if i not in label_cols]
    floor = 4 * font_pt * 20 + 2 * CELL_MARGIN_TWIPS  # a narrow column (是否跟踪) gives nothing below four characters
    for ci in label_cols:
        longest = max((len(str(r[ci])) for r in rows if r[ci] is not None and "\n" not in str(r[ci])), default=0)
        chars = longest if longest <= 5 else -(-longest // 2)
        need = chars * font_pt * 20 + 2 * CELL_MARGIN_TWIPS + 40  # 40 twips: LibreOffice's rounding
        spare = {i: max(0.0, widths[i] - floor) for i in others}
        pool = sum(spare.values())
        if widths[ci] < need and pool > 0:
            extra = min(need - widths[ci], pool / 2)
            for i in others:
                widths[i] -= extra * spare[i] / pool
            widths[ci] += extra
    return [int(w) for w in widths]


def table_xml(cols: Sequence[Col], rows: Sequence[Sequence[object]], *, merge_cols: Sequence[int] = (),
              fills: dict[tuple[int, int], str], font_pt: float | None, lead_rows: Sequence[tuple[str, str]] = ()) -> str:
    """A table as WordprocessingML text (namespaces declared by the enclosing body).

    Grouped labels (merge_cols, the 一级/二级 指标) are written on every row, the first of a run
    in black and the rest in grey with no rule between them, rather than as one vertically merged
    cell: a merged cell that crosses a page break shows its text on the first page only, in Word
    and LibreOffice alike, and where the page breaks depends on the fonts of the machine that
    lays the document out, so the writer cannot know which row to repeat the label on.
    """
    widths = column_widths(cols, rows, merge_cols, font_pt or TABLE_PT)
    total = sum(widths)
    text_style, head_style = _style_id(STYLE_TABLE_TEXT), _style_id(STYLE_TABLE_HEAD)
    border = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [
        f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
        f'<w:tblCellMar><w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/><w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>',
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>",
    ]
    # Word repeats only header rows that start the table, so rows above the column titles (表1's
    # 年度绩效目标) repeat with them; rows never split across a page (cantSplit)
    header_row = "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
    for label, text in lead_rows:
        out.append(header_row
                   + _cell_xml(label, widths[0], head_style, left=False, fill="#F2F2F2", font_pt=font_pt)
                   + _cell_xml(text, total - widths[0], text_style, left=True, fill=None, span=len(cols) - 1, font_pt=font_pt)
                   + "</w:tr>")
    out.append(header_row
               + "".join(_cell_xml(c.title, w, head_style, left=False, fill="#F2F2F2", font_pt=font_pt)
                         for c, w in zip(cols, widths, strict=False))
               + "</w:tr>")
    merge = set(merge_cols)

    def runs_on(ri: int, ci: int) -> bool:
        """Row ri continues the label run of row ri - 1 in column ci (and in every merged column left of it)."""
        if ri <= 0 or ri >= len(rows):
            return False
        return all(rows[ri][k] == rows[ri - 1][k] and rows[ri][k] not in ("", None) for k in range(ci + 1) if k in merge)

    for ri, row in enumerate(rows):
        cells = []
        for ci, (c, w) in enumerate(zip(cols, widths, strict=False)):
            value = "" if row[ci] is None else row[ci]
            fill = fills.get((ri, ci)) if fills else None
            if ci in merge:
                cont, goes_on = runs_on(ri, ci), runs_on(ri + 1, ci)
                cells.append(_cell_xml(str(value), w, text_style, left=c.left, fill=fill, font_pt=font_pt,
                                       open_top=cont, open_bottom=goes_on, faint=cont))
            else:
                cells.append(_cell_xml(str(value), w, text_style, left=c.left, fill=fill, font_pt=font_pt))
        out.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>' + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def register_style_ids(doc: DocumentObject) -> None:
    """Paragraph and table XML refer to styles by id; learn the ids of every style once."""
    for st in doc.styles:
        if st.name and st.style_id:
            _STYLE_IDS[st.name] = st.style_id


def start_body_section(doc: DocumentObject) -> None:  # call DocWriter.flush first
    """A new section for the body whose page numbers restart at 1 (cover and contents uncounted)."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    sec.different_first_page_header_footer = False
    pg = sec._sectPr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sec._sectPr.append(pg)
    pg.set(qn("w:start"), "1")
    add_page_numbers(sec)

