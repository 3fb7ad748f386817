"""The CLI: every command works on a fresh path and is documented in the README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from monitor.cli import _parser

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_init_demo_status_and_warnings_on_a_fresh_path(tmp_path: Path) -> None:
    db = str(tmp_path / "new" / "m.duckdb")
    assert run("--db", db, "init").returncode == 0
    assert run("--db", db, "demo").returncode == 0
    out = run("--db", db, "status", "--year", "2023", "--month", "10")
    assert out.returncode == 0 and "工会经费项目" in out.stdout and "27.46%" in out.stdout
    warn = run("--db", db, "warnings", "--year", "2023", "--month", "10")
    assert warn.returncode == 0 and "共8项预警" in warn.stdout


def test_a_year_without_projects_is_a_clear_error(tmp_path: Path) -> None:
    db = str(tmp_path / "m.duckdb")
    run("--db", db, "init")
    out = run("--db", db, "status", "--year", "2030", "--month", "10")
    assert out.returncode == 1 and "没有2030年的项目" in out.stderr


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert re.search(rf"monitor (--db \S+ )?{name}\b", readme), f"README does not show `monitor {name}`"
