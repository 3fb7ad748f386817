"""Word → PDF with LibreOffice, for previews and tests.

Each call gets its own LibreOffice profile (parallel conversions otherwise fight over one) and
the fontconfig aliases in fonts.conf, so the official font names render as Noto CJK SC.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import MonitorError

FONTS_CONF = Path(__file__).with_name("fonts.conf")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: str | Path, outdir: str | Path, timeout: float = 180) -> Path:
    exe = soffice()
    if exe is None:
        raise MonitorError("未安装 LibreOffice（soffice），无法转换为 PDF")
    docx, outdir = Path(docx), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    pdf = outdir / (docx.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise MonitorError(f"LibreOffice 转换失败：{done.stderr.strip() or done.stdout.strip()}")
    return pdf
