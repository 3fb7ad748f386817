"""The 目录's page numbers and the chart's place, laid out by LibreOffice and written back into the report.

python-docx writes the TOC field with the headings but cannot know on which page each falls: that
needs a layout. When LibreOffice is installed, `update_toc` opens the report headless, lets
Writer update its indexes (a Basic macro: `getDocumentIndexes().getByIndex(i).update()`; a
plain `--convert-to` does not update them) and reads the entries back; the page numbers then go
into the field's cached result of the original file. Only the numbers come from LibreOffice — the
document itself is not re-saved by it, so its styles, footers and properties stay as written.
Without LibreOffice the field stays marked dirty and Word offers to update it on opening.

The same layout says where the chart fell. A chart too tall for the rest of its page goes to the
next one and leaves a blank under the text; when that happens the chart is moved up past the
paragraphs just before it (never past a heading) to the first place where it fits, and the
document is laid out once more for the page numbers.

Cost: one LibreOffice start per call (about a second), two when the chart moves; `update_tocs`
does many files in one start.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from ..errors import MonitorError
from . import docx_base as D
from .pdf import FONTS_CONF, soffice

# Writes each index's text (entries "title<TAB>page", one a line) next to the file as <file>.toc.txt,
# then for each picture "FIG<TAB>page" and, for up to eight paragraphs before it, "PREV<TAB>page<TAB>y":
# y is the top of the paragraph's last line below the top of its page's text, in 1/100 mm.
_MACRO = """Sub Pages(urls As String)
  Dim props(0) As New com.sun.star.beans.PropertyValue
  props(0).Name = "Hidden"
  props(0).Value = True
  For Each url In Split(urls, "|")
    doc = StarDesktop.loadComponentFromURL(url, "_blank", 0, props())
    indexes = doc.getDocumentIndexes()
    s = ""
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
      s = s & indexes.getByIndex(i).getAnchor().getString() & Chr(10)
    Next
    vc = doc.getCurrentController().getViewCursor()
    pictures = doc.getGraphicObjects()
    For j = 0 To pictures.getCount() - 1
      anchor = pictures.getByIndex(j).getAnchor()
      vc.gotoRange(anchor, False)
      s = s & "FIG" & Chr(9) & vc.getPage() & Chr(10)
      tc = anchor.getText().createTextCursorByRange(anchor)
      tc.gotoStartOfParagraph(False)
      For k = 1 To 8
        If Not tc.gotoPreviousParagraph(False) Then Exit For
        tc.gotoEndOfParagraph(False)
        vc.gotoRange(tc, False)
        pg = vc.getPage()
        y = vc.getPosition().Y
        vc.jumpToStartOfPage()
        s = s & "PREV" & Chr(9) & pg & Chr(9) & (y - vc.getPosition().Y) & Chr(10)
        tc.gotoStartOfParagraph(False)
      Next
    Next
    files = createUnoService("com.sun.star.ucb.SimpleFileAccess")
    out = createUnoService("com.sun.star.io.TextOutputStream")
    out.setOutputStream(files.openFileWrite(url & ".toc.txt"))
    out.setEncoding("UTF-8")
    out.writeString(s)
    out.closeOutput()
    doc.close(True)
  Next
End Sub
"""
TEXT_HEIGHT = 22500  # the 225 mm 版心, in 1/100 mm
LINE = 1021  # one 28.95 pt line
CAPTION = 1100  # a 小四 caption line and the space after it


@dataclass(frozen=True)
class Layout:
    """What LibreOffice's layout says: the 目录 entries with their pages, and where each picture fell."""

    entries: tuple[tuple[str, int], ...]
    figures: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]  # (page, ((page, y) of the paragraphs before))


_profile_lock = threading.Lock()
_profile: Path | None = None


def available() -> bool:
    return soffice() is not None


def _template_profile(exe: str, timeout: float) -> Path:
    """A LibreOffice profile holding the macro, made once per process.

    A first start overwrites the Basic library of an empty profile, so the profile is initialised
    by one start and the macro written afterwards; each call then runs on its own copy of it
    (two LibreOffice processes cannot share one profile).
    """
    global _profile
    with _profile_lock:
        if _profile is not None and (_profile / "user" / "basic" / "Standard" / "Module1.xba").exists():
            return _profile
        root = Path(tempfile.mkdtemp(prefix="lo-toc-profile-"))
        try:
            subprocess.run([exe, f"-env:UserInstallation={root.as_uri()}", "--headless", "--norestore", "--terminate_after_init"],
                           capture_output=True, timeout=timeout, env=_env())
        except subprocess.TimeoutExpired as exc:
            raise MonitorError("LibreOffice 启动超时，无法更新目录页码") from exc
        module = root / "user" / "basic" / "Standard" / "Module1.xba"
        if not module.parent.exists():
            raise MonitorError("LibreOffice 用户配置初始化失败，无法更新目录页码")
        from xml.sax.saxutils import escape

        module.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
            '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
            f'script:language="StarBasic">{escape(_MACRO)}</script:module>\n', encoding="utf-8")
        atexit.register(shutil.rmtree, root, True)
        _profile = root
        return root


def _env() -> dict[str, str]:
    return dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))


def layouts(docs: Sequence[bytes], timeout: float = 300) -> list[Layout]:
    """For each .docx, its 目录 entries and its pictures as LibreOffice lays the document out."""
    exe = soffice()
    if exe is None:
        raise MonitorError("未安装 LibreOffice（soffice），无法更新目录页码")
    template = _template_profile(exe, timeout)
    with tempfile.TemporaryDirectory(prefix="lo-toc-") as d:
        work = Path(d)
        shutil.copytree(template, work / "profile")
        paths = []
        for i, data in enumerate(docs):
            path = work / f"r{i}.docx"
            path.write_bytes(data)
            paths.append(path)
        urls = "|".join(p.as_uri() for p in paths)
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore", "--invisible",
               f'macro:///Standard.Module1.Pages("{urls}")']
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
        except subprocess.TimeoutExpired as exc:
            raise MonitorError(f"LibreOffice 更新目录超时（{timeout:.0f} 秒）") from exc
        out = []
        for path in paths:
            txt = path.with_name(path.name + ".toc.txt")
            if not txt.exists():
                raise MonitorError(f"LibreOffice 未能更新目录：{done.stderr.strip() or done.stdout.strip() or '没有输出'}")
            out.append(_parse(txt.read_text(encoding="utf-8")))
    return out


def _parse(text: str) -> Layout:
    entries: list[tuple[str, int]] = []
    figures: list[tuple[int, list[tuple[int, int]]]] = []
    for line in text.replace("\r", "\n").split("\n"):
        parts = line.split("\t")
        if parts[0] == "FIG" and len(parts) == 2:
            figures.append((int(parts[1]), []))
        elif parts[0] == "PREV" and len(parts) == 3 and figures:
            figures[-1][1].append((int(parts[1]), int(parts[2])))
        else:
            title, tab, page = line.rpartition("\t")
            if tab and page.strip().isdigit():
                entries.append((_norm(title), int(page)))
    return Layout(tuple(entries), tuple((pg, tuple(prev)) for pg, prev in figures))


def _norm(text: str) -> str:
    return "".join(text.split())


def fill_toc(docx: bytes, entries: Sequence[tuple[str, int]]) -> bytes:
    """The report with a page number after each 目录 entry (a tab, so the TOC styles' dotted
    leader runs to it), the field no longer dirty and Word no longer asked to update it."""
    doc = Document(io.BytesIO(docx))
    toc_ids = {D._style_id("TOC 1"), D._style_id("TOC 2"), doc.styles["TOC 1"].style_id, doc.styles["TOC 2"].style_id}
    paras = [p for p in doc.element.body.iterchildren(qn("w:p"))
             if (s := p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")) is not None and s.get(qn("w:val")) in toc_ids]
    pages = _match([_norm("".join(t.text or "" for t in p.iter(qn("w:t")))) for p in paras], entries)
    for p, page in zip(paras, pages, strict=True):
        if page is None:
            continue
        runs = parse_xml(f'<w:p {nsdecls("w")}><w:r><w:tab/></w:r><w:r><w:t>{page}</w:t></w:r></w:p>')
        end = next((r for r in p.iterchildren(qn("w:r")) if (f := r.find(qn("w:fldChar"))) is not None
                    and f.get(qn("w:fldCharType")) == "end"), None)
        for r in list(runs):
            if end is not None:
                end.addprevious(r)
            else:
                p.append(r)
    if paras and all(pg is not None for pg in pages):
        for f in doc.element.body.iter(qn("w:fldChar")):
            f.attrib.pop(qn("w:dirty"), None)
        D.set_update_fields(doc, False)
    return D.to_bytes(doc)


def _match(titles: Sequence[str], entries: Sequence[tuple[str, int]]) -> list[int | None]:
    """Page of each written entry: in order when LibreOffice lists the same entries, else by title."""
    if [t for t, _ in entries] == list(titles):
        return [pg for _, pg in entries]
    left = list(entries)
    out: list[int | None] = []
    for t in titles:
        hit = next((i for i, (e, _) in enumerate(left) if e == t), None)
        out.append(None if hit is None else left.pop(hit)[1])
    return out


def place_figures(docx: bytes, layout: Layout) -> bytes | None:
    """The report with each chart that left a blank before it moved up to where it fits, or None
    when nothing moves. A chart only moves past body paragraphs, never past a heading."""
    doc = Document(io.BytesIO(docx))
    pictures = [p for p in doc.element.body.iterchildren(qn("w:p")) if next(p.iter(qn("w:drawing")), None) is not None]
    body_styles = {None, "Normal", D._style_id(D.STYLE_KEEP)}
    moved = False
    for pic, (page, before) in zip(pictures, layout.figures, strict=False):
        if not before or before[0][0] >= page:
            continue  # on the page of the text before it: no blank
        extent = next(pic.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"), None)
        if extent is None:
            continue
        caption = pic.getnext()
        has_caption = caption is not None and _style(caption) == D._style_id(D.STYLE_FIGURE)
        height = int(extent.get("cy")) // 360 + (CAPTION if has_caption else 0)
        paragraphs = []
        el = pic.getprevious()
        while el is not None and el.tag == qn("w:p") and len(paragraphs) < len(before):
            paragraphs.append(el)
            el = el.getprevious()
        for k in range(1, len(paragraphs)):
            if _style(paragraphs[k - 1]) not in body_styles or before[k][0] != before[0][0]:
                break
            if before[k][1] + LINE + height <= TEXT_HEIGHT:
                target = paragraphs[k]
                if has_caption:
                    target.addnext(caption)
                target.addnext(pic)
                moved = True
                break
    return D.to_bytes(doc) if moved else None


def _style(p) -> str | None:  # type: ignore[no-untyped-def]
    s = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if s is None else s.get(qn("w:val"))


def update_toc(docx: bytes, timeout: float = 300) -> bytes:
    """The report laid out by LibreOffice: its chart where it leaves no blank and its 目录 page
    numbers filled in (MonitorError without LibreOffice)."""
    return update_tocs([docx], timeout)[0]


def update_tocs(docs: Sequence[bytes], timeout: float = 600) -> list[bytes]:
    """Many reports in one LibreOffice start (two when a chart moves)."""
    if not docs:
        return []
    docs = list(docs)
    found = layouts(docs, timeout)
    moved = {i: m for i, (d, lay) in enumerate(zip(docs, found, strict=True)) if (m := place_figures(d, lay)) is not None}
    if moved:
        again = layouts(list(moved.values()), timeout)
        for (i, m), lay in zip(moved.items(), again, strict=True):
            docs[i], found[i] = m, lay
    return [fill_toc(d, lay.entries) for d, lay in zip(docs, found, strict=True)]
