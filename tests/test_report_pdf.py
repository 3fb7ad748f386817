"""The seed report through LibreOffice: pages, Chinese text, CJK fonts (skipped without soffice)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from monitor.access import ADMIN
from monitor.demo import SEED_PROJECT, load_demo
from monitor.report import project_report, to_pdf
from monitor.status import compute_status
from monitor.store import Store

pytestmark = pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                                reason="LibreOffice and poppler-utils are needed")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    store = Store(":memory:")
    load_demo(store)
    st = compute_status(store, 2023, 10, actor=ADMIN)
    d = tmp_path_factory.mktemp("pdf")
    docx = d / "seed.docx"
    docx.write_bytes(project_report(store, st, SEED_PROJECT, issuer="江西正效咨询管理有限公司", report_date=date(2023, 12, 10)))
    return to_pdf(docx, d)


def test_pages_and_chinese_text(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))
    # 公文 form (三号 body, 22 lines a page) with §五's target review and §四's evidence per
    # indicator (as seed 004 prints it) runs to about 33 pages; a runaway table or an empty render
    # would leave this range
    assert 12 <= pages <= 38, pages
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "工会经费项目" in text and "27.46%" in text and "55.88" in text
    assert "\ufffd" not in text


def test_chinese_is_drawn_with_a_cjk_font(pdf):
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts, fonts
