"""`monitor report` and `monitor table` end to end on a database file."""

from __future__ import annotations

import zipfile

import pytest

from monitor.cli import main
from monitor.demo import SEED_PROJECT, load_demo
from monitor.report import docx_lines, xlsx_lines
from monitor.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "m.duckdb"
    load_demo(Store(path))
    return str(path)


def run(db: str, *args: str) -> int:
    return main(["--db", db, *args, "--year", "2023", "--month", "10"])


def test_project_report(db, tmp_path, capsys):
    out = tmp_path / "r.docx"
    assert run(db, "report", "--project", SEED_PROJECT, "--out", str(out)) == 0
    assert f"已生成项目绩效运行监控报告：{out}" in capsys.readouterr().out
    assert docx_lines(out.read_bytes())[0] == "2023年青云谱区总工会工会经费项目1-10月份绩效运行监控报告"


def test_department_report_and_table(db, tmp_path, capsys):
    out = tmp_path / "d.docx"
    assert run(db, "report", "--department", "南昌市总工会", "--out", str(out)) == 0
    assert "南昌市总工会" in docx_lines(out.read_bytes())[0]
    x = tmp_path / "t.xlsx"
    assert run(db, "table", "--department", "南昌市总工会", "--out", str(x)) == 0
    assert "已生成绩效目标执行监控表" in capsys.readouterr().out
    assert sum(1 for ln in xlsx_lines(x.read_bytes()) if ln.startswith("## ")) == 6


def test_all_reports_zip_into_a_folder_or_a_zip_path(db, tmp_path, capsys):
    assert run(db, "report", "--all", "--out", str(tmp_path / "dir")) == 0
    z = tmp_path / "dir" / "2023年1-10月绩效运行监控报告.zip"
    assert len(zipfile.ZipFile(z).namelist()) == 6
    assert run(db, "report", "--all", "--out", str(tmp_path / "all.zip")) == 0
    assert zipfile.ZipFile(tmp_path / "all.zip").testzip() is None
    assert "已生成6个项目的监控报告" in capsys.readouterr().out


def test_errors_are_chinese(db, tmp_path, capsys):
    assert run(db, "report", "--project", "NOPE", "--out", str(tmp_path / "x.docx")) == 1
    assert "没有项目编码为「NOPE」" in capsys.readouterr().err
    assert run(db, "table", "--project", SEED_PROJECT, "--out", str(tmp_path / "x.docx")) == 1
    assert "应以.xlsx结尾" in capsys.readouterr().err


def test_basis_commissioner_and_no_toc_update(db, tmp_path):
    import io

    from docx import Document
    from docx.oxml.ns import qn

    out = tmp_path / "b.docx"
    assert run(db, "report", "--project", SEED_PROJECT, "--out", str(out), "--issuer", "江西正效咨询管理有限公司",
               "--commissioner", "南昌市青云谱区财政局", "--basis", "《甲通知》（甲〔2023〕1号）；《乙通知》（乙〔2022〕4号）",
               "--basis", "《丙办法》（丙〔2019〕59号）", "--no-toc-update") == 0
    data = out.read_bytes()
    assert any(x.startswith("受南昌市青云谱区财政局委托，江西正效咨询管理有限公司根据《甲通知》（甲〔2023〕1号）、"
                            "《乙通知》（乙〔2022〕4号）、《丙办法》（丙〔2019〕59号）等文件要求，") for x in docx_lines(data))
    # not updated: Word is asked to update the 目录 on opening
    assert Document(io.BytesIO(data)).settings.element.find(qn("w:updateFields")) is not None


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is needed")
def test_the_contents_get_page_numbers_by_default_with_libreoffice(db, tmp_path):
    import io

    from docx import Document
    from docx.oxml.ns import qn

    out = tmp_path / "t.docx"
    assert run(db, "report", "--project", SEED_PROJECT, "--out", str(out)) == 0
    doc = Document(io.BytesIO(out.read_bytes()))
    assert doc.settings.element.find(qn("w:updateFields")) is None
    toc = [p for p in doc.paragraphs if p.style.name == "TOC 1"]
    assert toc[0].text.startswith("一、项目基本情况\t") and toc[0].text.split("\t")[-1] == "1"
