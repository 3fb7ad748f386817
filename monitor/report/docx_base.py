"""The official-document look shared by every Word export: page, fonts, numbered headings, tables.

Fonts. The documents name the fonts a Chinese government reader has (仿宋_GB2312 for the body,
黑体 and 楷体_GB2312 for headings, 宋体 in tables) in `w:eastAsia`, so Word and WPS on Windows
show them as an official document. Those fonts are not installed on Linux; `fonts.conf` (next to
this module) aliases them to Noto Serif/Sans CJK SC, and `pdf.to_pdf` hands it to LibreOffice.
Even without the alias LibreOffice falls back to an installed CJK face — the runs are tagged
zh-CN so the fallback picks Simplified-Chinese glyphs rather than Japanese ones.

Speed. A report is built from a template document whose styles are set up once per process and
reopened from bytes, and tables are written as XML rows rather than through python-docx's cell
API, which walks the whole table on every `cell()` call.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

FONT_LATIN = "Times New Roman"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_TABLE = "宋体"
# What Linux actually renders for the names above (see fonts.conf).
FONT_INSTALLED = "Noto Serif CJK SC"

BODY_PT = 14  # 四号: long tables and a 20-page report stay readable without 三号's page count
TABLE_PT = 10.5  # 五号
WIDE_TABLE_PT = 9  # 小五, for tables of eight columns or more
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less 2.5 cm margins each side

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


def ymd(d: object) -> str:
    """2023年10月31日 (no leading zeros, as the seed writes dates in running text)."""
    return f"{d.year}年{d.month}月{d.day}日"  # type: ignore[attr-defined]


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
           space_before: float = 0, space_after: float = 0, line: float | None = 1.5, keep_next: bool = False):  # type: ignore[no-untyped-def]
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
    _set_fonts(st.element.get_or_add_rPr(), east_asia)
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Pt(size * 2) if first_indent else Pt(0)
    pf.space_before = Pt(space_before)
    pf.space_after = Pt(space_after)
    pf.line_spacing = line
    pf.keep_with_next = keep_next
    pf.widow_control = True
    return st


def _setup(doc: DocumentObject) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2.54), Cm(2.54)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.footer_distance = Cm(1.5)
    _style(doc, "Normal", FONT_BODY, BODY_PT, first_indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    # Heading styles keep their built-in names so Word's TOC field and navigation pane find them.
    _style(doc, "Heading 1", FONT_HEADING1, 16, first_indent=True, space_before=6, space_after=3, keep_next=True)
    _style(doc, "Heading 2", FONT_HEADING2, 15, bold=True, first_indent=True, space_before=3, space_after=0, keep_next=True)
    _style(doc, "Heading 3", FONT_BODY, BODY_PT, bold=True, first_indent=True, keep_next=True)
    _style(doc, "Heading 4", FONT_BODY, BODY_PT, bold=False, first_indent=True, keep_next=True)
    for h in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        doc.styles[h].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _style(doc, "Title", FONT_HEADING1, 22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12, line=1.2)
    _style(doc, STYLE_COVER_TITLE, FONT_HEADING1, 26, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.4)
    _style(doc, STYLE_COVER_LINE, FONT_BODY, 16, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.5)
    _style(doc, STYLE_TOC_LINE, FONT_BODY, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=1.2)
    _style(doc, STYLE_FIGURE, FONT_BODY, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.2, space_after=6)
    _style(doc, STYLE_KEEP, FONT_BODY, BODY_PT, first_indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep_next=True)
    _style(doc, STYLE_CAPTION, FONT_HEADING1, 12, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=6, space_after=3,
           line=1.2, keep_next=True)
    _style(doc, STYLE_NOTE, FONT_BODY, 10.5, align=WD_ALIGN_PARAGRAPH.LEFT, line=1.2, space_after=6)
    _style(doc, STYLE_SIGNATURE, FONT_BODY, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, line=1.5)
    _style(doc, STYLE_TABLE_TEXT, FONT_TABLE, TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0)
    _style(doc, STYLE_TABLE_HEAD, FONT_HEADING1, TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0)
    for name in ("TOC 1", "TOC 2"):
        _style(doc, name, FONT_BODY, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=1.5)
    _slim(doc)
    sectpr = sec._sectPr
    # documentGrid would snap CJK lines to a 15.6pt grid in LibreOffice and Word alike: switch it off
    for grid in sectpr.findall(qn("w:docGrid")):
        sectpr.remove(grid)
    # python-docx's default template leaves some header/footer boilerplate; start from a clean body
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


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
            STYLE_NOTE, STYLE_SIGNATURE, STYLE_FIGURE, STYLE_KEEP}


def add_page_numbers(section) -> None:  # type: ignore[no-untyped-def]
    """“— 1 —” centred in the footer, as a PAGE field."""
    section.footer.is_linked_to_previous = False
    p = section.footer.paragraphs[0]
    p.style = STYLE_NOTE
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
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
        the headings written so far, so it reads right before Word updates the field."""
        self.flush()
        items = []
        for level, text in self.headings:
            indent = 0 if level == 1 else int(BODY_PT * 2 * 20)
            items.append((f'<w:pPr><w:pStyle w:val="{_style_id(STYLE_TOC_LINE)}"/><w:ind w:left="{indent}" w:firstLine="0"/></w:pPr>',
                          f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'))
        begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        if not items:
            items = [(f'<w:pPr><w:pStyle w:val="{_style_id(STYLE_TOC_LINE)}"/></w:pPr>', "")]
        paras = [f"<w:p>{ppr}{begin if i == 0 else ''}{run}{end if i == len(items) - 1 else ''}</w:p>"
                 for i, (ppr, run) in enumerate(items)]
        holder = parse_xml(f'<w:body {nsdecls("w")}>{"".join(paras)}</w:body>')
        for el in list(holder):
            anchor.addprevious(el)
        anchor.getparent().remove(anchor)


def _cell_xml(text: str, width_twips: int, style: str, *, left: bool, fill: str | None, vmerge: str | None,
              span: int = 1, font_pt: float | None = None, bold: bool = False) -> str:
    props = [f'<w:tcW w:w="{width_twips}" w:type="dxa"/>']
    if span > 1:
        props.append(f'<w:gridSpan w:val="{span}"/>')
    if vmerge == "restart":
        props.append('<w:vMerge w:val="restart"/>')
    elif vmerge == "continue":
        props.append("<w:vMerge/>")
    if fill:
        props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill.lstrip("#").upper()}"/>')
    props.append('<w:vAlign w:val="center"/>')
    jc = '<w:jc w:val="left"/>' if left else ""
    rpr = ""
    if font_pt or bold:
        rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{int(font_pt * 2)}"/><w:szCs w:val="{int(font_pt * 2)}"/>' if font_pt else "") + "</w:rPr>"
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


def table_xml(cols: Sequence[Col], rows: Sequence[Sequence[object]], *, merge_cols: Sequence[int] = (),
              fills: dict[tuple[int, int], str], font_pt: float | None, lead_rows: Sequence[tuple[str, str]] = ()) -> str:
    """A table as WordprocessingML text (namespaces declared by the enclosing body)."""
    widths = [int(c.width_cm * 567) for c in cols]  # 1 cm = 567 twips
    total = sum(widths)
    text_style, head_style = _style_id(STYLE_TABLE_TEXT), _style_id(STYLE_TABLE_HEAD)
    border = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [
        '<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>',
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>",
    ]
    for label, text in lead_rows:
        out.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                   + _cell_xml(label, widths[0], head_style, left=False, fill="#F2F2F2", vmerge=None, font_pt=font_pt)
                   + _cell_xml(text, total - widths[0], text_style, left=True, fill=None, vmerge=None, span=len(cols) - 1, font_pt=font_pt)
                   + "</w:tr>")
    out.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
               + "".join(_cell_xml(c.title, w, head_style, left=False, fill="#F2F2F2", vmerge=None, font_pt=font_pt)
                         for c, w in zip(cols, widths, strict=False))
               + "</w:tr>")
    merge = set(merge_cols)
    prev: list[object] | None = None
    for ri, row in enumerate(rows):
        cells = []
        # a merged column only continues while every merged column to its left also continues
        continuing = True
        for ci, (c, w) in enumerate(zip(cols, widths, strict=False)):
            value = "" if row[ci] is None else row[ci]
            vm = None
            if ci in merge:
                continuing = continuing and prev is not None and prev[ci] == value and value != ""
                nxt_same = ri + 1 < len(rows) and rows[ri + 1][ci] == value and value != ""
                vm = "continue" if continuing else ("restart" if nxt_same else None)
            else:
                continuing = False
            fill = fills.get((ri, ci)) if fills else None
            cells.append(_cell_xml("" if vm == "continue" else str(value), w, text_style, left=c.left,
                                   fill=fill, vmerge=vm, font_pt=font_pt))
        out.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>' + "".join(cells) + "</w:tr>")
        prev = list(row)
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

