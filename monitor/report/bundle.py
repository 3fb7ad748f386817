"""Every project's report in one zip, from one Status and one load of the report data."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ..status import Status
from ..store import Store
from .data import default_report_date, load
from .project import render_project_report


def report_filename(code: str, name: str, month: int) -> str:
    """360104-ZGH-2023-001_工会经费项目_1-10月份绩效运行监控报告.docx (safe on Windows)."""
    period = "1月份" if month == 1 else f"1-{month}月份"
    safe = re.sub(r'[\\/:*?"<>|\r\n\t]', "_", f"{code}_{name}")[:120]
    return f"{safe}_{period}绩效运行监控报告.docx"


def reports_zip(store: Store, status: Status, codes: Sequence[str] | None = None, *, issuer: str | None = None,
                report_date: date | None = None, chart: bool = True, basis: Sequence[str] = (),
                commissioner: str | None = None) -> bytes:
    """A zip holding one .docx per project (all of the status's projects by default)."""
    buf = io.BytesIO()
    write_reports_zip(buf, store, status, codes, issuer=issuer, report_date=report_date, chart=chart, basis=basis,
                      commissioner=commissioner)
    return buf.getvalue()


def write_reports_zip(target: str | Path | io.BytesIO, store: Store, status: Status, codes: Sequence[str] | None = None, *,
                      issuer: str | None = None, report_date: date | None = None, chart: bool = True,
                      basis: Sequence[str] = (), commissioner: str | None = None) -> int:
    """Write the zip to a path or stream as reports are rendered (a big region never sits in memory)."""
    data = load(store, status, codes)
    codes = list(status.projects["project_code"] if codes is None else codes)
    names = dict(zip(status.projects["project_code"], status.projects["project_name"], strict=False))
    when = report_date or default_report_date(status.year, status.month)
    # .docx is already deflated inside; storing it again compressed gains little and costs time
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        for code in codes:
            docx = render_project_report(data, code, issuer=issuer, report_date=when, chart=chart, basis=basis,
                                         commissioner=commissioner)
            zf.writestr(report_filename(code, str(names.get(code, "")), status.month), docx)
    return len(codes)
