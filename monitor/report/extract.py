"""Text of generated files, for golden tests and quick diffs: what a reader sees, line by line."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn


def docx_lines(data: bytes) -> list[str]:
    """Paragraphs and table rows (cells tab-joined) in document order; footers last."""
    doc = Document(io.BytesIO(data))
    lines: list[str] = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            lines.append(_ptext(el))
        elif el.tag == qn("w:tbl"):
            for tr in el.iter(qn("w:tr")):
                lines.append("\t".join(" / ".join(_ptext(p) for p in tc.iter(qn("w:p"))) for tc in tr.iter(qn("w:tc"))))
    for i, sec in enumerate(doc.sections):
        if not sec.footer.is_linked_to_previous:
            lines.append(f"[页脚{i + 1}] " + " / ".join(_ptext(p._p) for p in sec.footer.paragraphs))
    return [ln.rstrip() for ln in lines if ln.strip()]


def _ptext(p) -> str:  # type: ignore[no-untyped-def]
    out = []
    for el in p.iter(qn("w:t"), qn("w:instrText"), qn("w:drawing"), qn("w:br")):
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag == qn("w:instrText"):
            out.append("{" + (el.text or "").strip() + "}")
        elif el.tag == qn("w:drawing"):
            out.append("[图片]")
        elif el.tag == qn("w:br") and el.get(qn("w:type")) == "page":
            out.append("[分页]")
    return "".join(out)


def xlsx_lines(data: bytes) -> list[str]:
    """Every sheet: its name, then each non-empty row as tab-joined displayed values."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    lines: list[str] = []
    for ws in wb.worksheets:
        lines.append(f"## {ws.title}")
        for row in ws.iter_rows():
            vals = ["" if c.value is None else _cell(c) for c in row]
            while vals and vals[-1] == "":
                vals.pop()
            if vals:
                lines.append("\t".join(vals))
    return lines


def _cell(c) -> str:  # type: ignore[no-untyped-def]
    v = c.value
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    text = repr(round(v, 6)) if isinstance(v, float) else str(v)
    return text + ("" if c.number_format == "General" else f" [{c.number_format}]")
