"""The limits of an import, checked before a file is read (README, 导入格式, lists them for users).

A workbook is a zip of XML: 7.5 KB can declare a cell at XFD1048576, and a reader that trusts it
allocates a sheet of 17 billion cells and kills the process. So the size of the file, of each part
inside it, and the rows and columns its cells really use are checked first (monitor/xlsx_scan.py),
and a file beyond them is refused with the limit named, before any reader allocates anything.
"""

from __future__ import annotations

from decimal import Decimal

MB = 1024 * 1024

# An uploaded file (dashboard; `.streamlit/config.toml` server.maxUploadSize is the same number) and
# any .xlsx workbook. A 200,000-row sheet saved by Excel is about 10 MB.
MAX_UPLOAD_MB = 50
MAX_XLSX_BYTES = MAX_UPLOAD_MB * MB
# One XML part inside a workbook once decompressed (a sheet, the shared strings): a zip bomb stops here.
MAX_XML_BYTES = 512 * MB
# Rows of one worksheet (header included). openpyxl and calamine read about 8,000 rows a second, so
# this is a minute of reading; a province-sized file belongs in a CSV folder.
MAX_XLSX_ROWS = 200_000
# One CSV file (command line; an upload is bounded by MAX_UPLOAD_MB). A province of 100,000
# projects has 1.2 million monthly rows (bench/core_bench.py).
MAX_CSV_BYTES = 1024 * MB
MAX_CSV_ROWS = 3_000_000
# Columns of a sheet: the widest has 13; a few more for a unit's own remarks.
MAX_COLUMNS = 50

# Characters in one cell: codes are short identifiers, names appear in titles and tables, long
# texts (goals, contents, explanations) in reports.
MAX_CODE_CHARS = 64
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 5_000

# One amount (a budget, a month's spend, funds arrived, a plan), in 万元: 1万亿元. China's whole
# national budget is about 3×10^9 万元. The status computes in 64-bit integer 分 (and 128-bit where a
# product outgrows them), and DuckDB multiplies a DECIMAL(18,2) by 100 in 64 bits: one amount of
# 9.2×10^10 万元 or more cannot be computed at all (tests/test_core_hostile.py checks the limit itself).
MAX_AMOUNT_WAN = Decimal(100_000_000)
# All adjusted budgets of one year together, in 万元: the region's totals must stay within 64-bit 分
# (9.2×10^12 万元), which the roll-ups cast to.
MAX_YEAR_BUDGET_WAN = Decimal(1_000_000_000_000)
# A budget this large is possible but usually 元 typed into a 万元 column (490万元 → 4,900,000): warned.
PLAUSIBLE_BUDGET_WAN = Decimal(1_000_000)  # 100亿元
# A budget this many times the project's spend so far, or a re-import that changes a budget by this
# factor either way, is the 元/万元 factor itself: warned.
UNIT_FACTOR = 10_000


def describe() -> str:
    """The limits in one Chinese sentence, shown beside the uploader."""
    return (f"单个文件不超过{MAX_UPLOAD_MB} MB；每张工作表不超过{MAX_XLSX_ROWS:,}行、{MAX_COLUMNS}列"
            f"（命令行导入CSV文件夹时每个文件不超过{MAX_CSV_ROWS:,}行）；单个金额不超过{MAX_AMOUNT_WAN:,}万元。")
