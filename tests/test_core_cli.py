"""The CLI: every command works on a fresh path and is documented in the README."""

from __future__ import annotations

import json
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


def test_rules_are_shown_set_with_the_pages_checks_reset_and_kept_with_who(tmp_path: Path) -> None:
    db = str(tmp_path / "m.duckdb")
    run("--db", db, "init")
    subprocess.run([sys.executable, "-m", "monitor.cli", "--db", db, "user", "add", "wangwu", "--role", "bureau",
                    "--display", "绩效科 王五", "--password-stdin"], input="Wangwu-2023\n", text=True, check=True, cwd=ROOT)
    assert "ratio_green = 80" in run("--db", db, "rules", "show").stdout
    schedule = "8.33,16.67,25,33.33,41.67,50,58,66.67,74.97,83.33,91.67,100"
    out = run("--db", db, "--as", "wangwu", "rules", "set", "schedule_mode=custom", f"custom_schedule={schedule}", "gap_yellow=30")
    assert out.returncode == 0 and "差距法：黄灯上限（个百分点 ≤） 20 → 30" in out.stdout
    shown = json.loads(run("--db", db, "rules", "show", "--json").stdout)
    assert shown["rules"]["custom_schedule"][8] == "74.97" and shown["rules"]["gap_yellow"] == "30"
    bad = run("--db", db, "rules", "set", "ratio_yellow=90")  # the page's own check: yellow above green
    assert bad.returncode == 1 and "黄灯下限不能高于绿灯下限" in bad.stderr
    assert run("--db", db, "rules", "set", "gap_green=1.234").returncode == 1  # thresholds carry two decimals
    unknown = run("--db", db, "rules", "preset", "未知")
    assert unknown.returncode == 1 and "没有名为「未知」的预设" in unknown.stderr
    assert run("--db", db, "rules", "reset").returncode == 0
    assert json.loads(run("--db", db, "rules", "show", "--json").stdout)["rules"]["schedule_mode"] == "month"
    history = run("--db", db, "rules", "history").stdout.splitlines()
    assert "管理员（命令行）恢复默认规则" in history[0] and "wangwu（命令行）修改规则" in history[1]


def test_presets_are_listed_applied_by_their_exact_names_per_year_and_shown(tmp_path: Path) -> None:
    db = str(tmp_path / "m.duckdb")
    run("--db", db, "demo")
    listed = run("--db", db, "rules", "presets").stdout.splitlines()
    names = ["比值法 80/60（默认）", "四川 里程碑", "合肥 达标判定", "金额门槛 1000万/20个百分点"]
    assert [line.split("：")[0] for line in listed[:4]] == names and all("来源：" in line for line in listed)
    for name in reversed(names):
        out = run("--db", db, "rules", "preset", name)
        assert out.returncode == 0, out.stderr
        shown = json.loads(run("--db", db, "rules", "show", "--json").stdout)
        assert (shown["year"], shown["preset"], shown["rules_text"][0]) == (2023, name, f"规则预设：{name}")
    # the demo's year now has the default preset again; 2022 has no rules of its own and inherits the general ones
    out = run("--db", db, "rules", "preset", "合肥 达标判定", "--year", "2022")
    assert out.returncode == 0 and "已保存2022年规则（合肥 达标判定）" in out.stdout
    assert json.loads(run("--db", db, "rules", "show", "--json", "--year", "2022").stdout)["rules"]["light_mode"] == "binary"
    assert json.loads(run("--db", db, "rules", "show", "--json").stdout)["rules"]["light_mode"] == "ratio"
    status = json.loads(run("--db", db, "status", "--year", "2023", "--month", "10", "--json").stdout)
    assert status["rules_preset"] == "比值法 80/60（默认）"
    floors = run("--db", db, "rules", "set", "light_mode=milestone", "milestone_floors=6:50,9:75,12:100")
    assert floors.returncode == 0 and "里程碑底线（月份:执行率%） （未设置） → 6:50，9:75，12:100" in floors.stdout
    assert json.loads(run("--db", db, "rules", "show", "--json").stdout)["preset"] == "比值法 80/60（默认）（已修改）"
    assert "应用预设「合肥 达标判定」（2022年）" in run("--db", db, "rules", "history").stdout


def test_a_closed_pipe_ends_quietly_without_a_traceback(tmp_path: Path) -> None:
    from monitor.synthetic import build_database

    db = str(tmp_path / "m.duckdb")
    build_database(db, 3000)  # a listing far longer than a pipe's buffer, so `head` closes it mid-way
    out = subprocess.run(f"{sys.executable} -m monitor.cli --db {db} status --year 2023 --month 10 | head -1",
                         shell=True, capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.startswith("2023年1-10月") and "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr
