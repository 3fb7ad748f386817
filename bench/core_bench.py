"""Core benchmark: import (CSV, xlsx), the full 1-10月 status, a plain pandas script, and the floor.

All figures come from one run on this machine; ratios are what to compare between machines.
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from monitor.access import ADMIN
from monitor.importer import import_path
from monitor.status import compute_status
from monitor.store import Store
from monitor.synthetic import generate, write_csv

OUT = Path(__file__).resolve().parent / "out"


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `repeat` warm runs (one warm-up first)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def once(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def pandas_status(store: Store, year: int, month: int) -> pd.DataFrame:
    """What a careful analyst would write in pandas: the same money, lights, indicators and roll-ups.

    Floats instead of exact fractions; it is the comparison, not the product.
    """
    with store.connect() as con:
        projects = con.sql("SELECT * FROM projects WHERE year = ?", params=[year]).df()
        monthly = con.sql("SELECT project_code, month, spent, arrived, planned FROM monthly WHERE year = ?", params=[year]).df()
        inds = con.sql("SELECT * FROM indicators WHERE year = ? AND adjust_type <> '删除'", params=[year]).df()
        prog = con.sql("SELECT * FROM progress WHERE year = ?", params=[year]).df()
    t = month / 12
    m = monthly[monthly["month"] <= month]
    agg = m.groupby("project_code").agg(spent=("spent", "sum"), arrived=("arrived", "sum"), last=("month", "max"))
    p = projects.merge(agg, left_on="project_code", right_index=True, how="left")
    budget = p["budget_adjusted"].astype(float)
    spent = p["spent"].astype(float).fillna(0)
    p["rate"] = (spent / budget * 100).round(2)
    p["gap"] = ((t - spent / budget) * 100).round(2)
    p["ratio"] = (spent / budget / t * 100).round(2)
    p["level"] = np.select([spent > budget, (spent == 0) & (t >= 0.5), p["ratio"] >= 80, p["ratio"] >= 60], ["red", "red", "green", "yellow"], "red")
    p["projected"] = spent / month * 12
    latest = prog[(prog["month"] <= month) & (prog["actual_value"].notna() | prog["actual_status"].notna())]
    latest = latest.sort_values("month").drop_duplicates(["project_code", "indicator_name"], keep="last")
    i = inds.merge(latest, left_on=["project_code", "name"], right_on=["project_code", "indicator_name"], how="left")
    v = i["target_value"].astype(float)
    a = i["actual_value"].astype(float)
    stage = np.where((i["nature"] == "cumulative") & i["target_op"].isin([">=", ">", "="]), v * t, v)
    comp = (a / stage * 100).round(2)
    i["level"] = np.select(
        [i["nature"] == "qualitative", a.isna(), (v == 0), i["target_op"].isin(["<=", "<"]), a == 0,
         (i["nature"] == "rate") & (comp >= 100), i["nature"] == "rate", a / v >= 1.2, comp >= 80, comp >= 60],
        [i["actual_status"].map({"达成": "green", "部分达成": "yellow", "未达成": "red"}).fillna("none"), "none",
         np.where(a == 0, "green", "red"), np.where(a > v, "red", "green"), "red", "green",
         np.where(comp >= 90, "yellow", "red"), "blue", "green", "yellow"], "red")
    worst = i.assign(sev=i["level"].map({"red": 3, "yellow": 2, "green": 1, "blue": 1, "none": 0})).groupby("project_code")["sev"].max()
    p["indicator_level"] = p["project_code"].map(worst)
    deps = p.groupby("department_name").agg(spent=("spent", "sum"), budget=("budget_adjusted", "sum"))
    deps["rate"] = (deps["spent"].astype(float) / deps["budget"].astype(float) * 100).round(2)
    p.groupby(["department_name", "unit_name"]).agg(spent=("spent", "sum"), budget=("budget_adjusted", "sum"))
    return p


def floor(store: Store, year: int, month: int) -> None:
    """The least any implementation must do: sum the spend per project; join indicators to progress."""
    with store.connect() as con:
        con.sql("SELECT project_code, sum(spent) FROM monthly WHERE year = ? AND month <= ? GROUP BY project_code",
                params=[year, month]).to_arrow_table()
        con.sql("""SELECT i.project_code, i.name, g.actual_value FROM indicators i JOIN progress g
                   ON g.year = i.year AND g.project_code = i.project_code AND g.indicator_name = i.name
                   WHERE i.year = ? AND g.month <= ?""", params=[year, month]).to_arrow_table()


def run(n_projects: int = 100_000, xlsx_projects: int = 10_000) -> dict[str, float]:
    OUT.mkdir(parents=True, exist_ok=True)
    res: dict[str, float] = {"projects": n_projects}
    t = time.perf_counter()
    frames = generate(n_projects, seed=1)
    res["generate_s"] = time.perf_counter() - t
    res["monthly_rows"] = len(frames["monthly"])
    res["indicator_rows"] = len(frames["indicators"])
    res["progress_rows"] = len(frames["progress"])
    csv_dir = OUT / "province_csv"
    shutil.rmtree(csv_dir, ignore_errors=True)
    write_csv(frames, csv_dir)

    db = OUT / "province.duckdb"
    for f in (db, Path(str(db) + ".wal")):
        f.unlink(missing_ok=True)
    store = Store(db)
    res["import_csv_s"] = once(lambda: import_path(store, csv_dir, actor=ADMIN))

    # xlsx through openpyxl is the slow path; measured on a smaller region, reported per row
    small = generate(xlsx_projects, seed=2)
    xdir = OUT / "xlsx_csv"
    shutil.rmtree(xdir, ignore_errors=True)
    write_csv(small, xdir)
    xlsx = OUT / "region.xlsx"
    _csv_folder_to_xlsx(xdir, xlsx)
    xdb = OUT / "xlsx.duckdb"
    for f in (xdb, Path(str(xdb) + ".wal")):
        f.unlink(missing_ok=True)
    xstore = Store(xdb)
    res["xlsx_projects"] = xlsx_projects
    res["xlsx_rows"] = sum(len(small[k]) for k in small) + 0.0
    res["import_xlsx_s"] = once(lambda: import_path(xstore, xlsx, actor=ADMIN))

    res["status_s"] = timed(lambda: compute_status(store, 2023, 10, actor=ADMIN))
    # words, produced on first use: the labels of every indicator, the money light's reason of every
    # project, and the Chinese wording of every indicator (a view words only the rows it shows)
    res["labels_all_indicators_s"] = timed(lambda: compute_status(store, 2023, 10, actor=ADMIN).indicator_rows, repeat=3) - res["status_s"]
    res["reasons_all_projects_s"] = timed(lambda: compute_status(store, 2023, 10, actor=ADMIN).projects, repeat=3) - res["status_s"]
    st = compute_status(store, 2023, 10, actor=ADMIN)
    res["describe_all_indicators_s"] = timed(lambda: st.describe(st.indicator_rows), repeat=1)
    res["pandas_s"] = timed(lambda: pandas_status(store, 2023, 10), repeat=3)
    res["floor_s"] = timed(lambda: floor(store, 2023, 10))
    res["status_vs_floor"] = res["status_s"] / res["floor_s"]
    res["pandas_vs_status"] = res["pandas_s"] / res["status_s"]
    res["db_path"] = str(db)  # type: ignore[assignment]
    return res


def _csv_folder_to_xlsx(folder: Path, out: Path) -> None:
    """Write the CSV sheets into one workbook (openpyxl write-only; targets kept as text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for f in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(f.stem)
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            cells = []
            for v in row:
                c = WriteOnlyCell(ws, value=v)
                c.data_type = "s"  # "=100%" is a target, never a formula
                cells.append(c)
            ws.append(cells)
    wb.save(out)


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=2))
