"""Small regions written as import CSV files: the tests build data the way users deliver it."""

from __future__ import annotations

import csv
from pathlib import Path

from monitor.access import ADMIN
from monitor.importer import import_path
from monitor.store import Store

PROJECT_HEADER = ["年度", "部门名称", "单位名称", "项目编码", "项目名称", "年初预算(万元)", "调整后预算(万元)"]
MONTHLY_HEADER = ["年度", "项目编码", "月份", "支出金额(万元)", "到位资金(万元)", "计划支出(万元)"]
INDICATOR_HEADER = ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值", "指标性质"]
PROGRESS_HEADER = ["年度", "项目编码", "三级指标", "月份", "本阶段目标值", "实际完成值"]


def write(folder: Path, name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def region(tmp_path: Path, projects: list[list[object]], monthly: list[list[object]],
           indicators: list[list[object]] | None = None, progress: list[list[object]] | None = None,
           year: int = 2023) -> Store:
    """projects: [code, department, unit, budget_wan(, adjusted_wan)]; monthly: [code, month, spent(, arrived, plan)]."""
    folder = tmp_path / "in"
    folder.mkdir(parents=True, exist_ok=True)
    write(folder, "项目", PROJECT_HEADER,
          [[year, p[1], p[2], p[0], f"项目{p[0]}", p[3], p[4] if len(p) > 4 else ""] for p in projects])
    write(folder, "月度支出", MONTHLY_HEADER, [[year, m[0], m[1], m[2], *(list(m[3:]) + ["", ""])[:2]] for m in monthly])
    if indicators is not None:
        write(folder, "绩效指标", INDICATOR_HEADER, [[year, *i, *([""] * (6 - len(i)))] for i in indicators])
    if progress is not None:
        write(folder, "指标进度", PROGRESS_HEADER, [[year, *g] for g in progress])
    store = Store(tmp_path / "r.duckdb")
    import_path(store, folder, actor=ADMIN)
    return store


def spent_by(code: str, total_wan: str, months: int) -> list[list[object]]:
    """The whole amount in month `months`, zero before (cumulative is what the lights read)."""
    return [[code, m, total_wan if m == months else "0"] for m in range(1, months + 1)]
