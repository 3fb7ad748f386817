"""Import benchmark: the whole-province CSV folder and a region's workbook, into fresh databases.

The files are generated once into bench/out (kept between runs: writing the workbook alone takes a
minute); each import runs once into an empty database, as a first import of the year does.
`python bench/import_bench.py --profile csv|xlsx` prints where one import spends its time.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from core_bench import OUT, _csv_folder_to_xlsx  # noqa: E402

from monitor.access import ADMIN  # noqa: E402
from monitor.importer import import_path  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.synthetic import generate, write_csv  # noqa: E402


def inputs(n_projects: int, xlsx_projects: int) -> tuple[Path, Path]:
    """The CSV folder and the workbook, generated unless a previous run left them for the same sizes."""
    OUT.mkdir(parents=True, exist_ok=True)
    csv_dir = OUT / f"import_csv_{n_projects}"
    if not (csv_dir / "指标进度.csv").exists():
        shutil.rmtree(csv_dir, ignore_errors=True)
        write_csv(generate(n_projects, seed=1), csv_dir)
    xlsx = OUT / f"import_{xlsx_projects}.xlsx"
    if not xlsx.exists():
        xdir = OUT / f"import_xlsx_csv_{xlsx_projects}"
        shutil.rmtree(xdir, ignore_errors=True)
        write_csv(generate(xlsx_projects, seed=2), xdir)
        _csv_folder_to_xlsx(xdir, xlsx)
    return csv_dir, xlsx


def fresh_store(name: str) -> Store:
    db = OUT / f"{name}.duckdb"
    for f in (db, Path(str(db) + ".wal")):
        f.unlink(missing_ok=True)
    return Store(db)


def run(n_projects: int = 100_000, xlsx_projects: int = 10_000) -> dict[str, float]:
    csv_dir, xlsx = inputs(n_projects, xlsx_projects)
    res: dict[str, float] = {"projects": n_projects, "xlsx_projects": xlsx_projects}
    for kind, path in (("csv", csv_dir), ("xlsx", xlsx)):
        store = fresh_store(f"import_{kind}")
        stages: list[tuple[float, str, float]] = []
        t, cpu = time.perf_counter(), time.process_time()
        rep = import_path(store, path, actor=ADMIN, progress=lambda f, s, at=stages: at.append((f, s, time.perf_counter())))
        res[f"import_{kind}_s"] = time.perf_counter() - t
        # CPU seconds of all the process's threads: the figure to compare when other work shares the machine
        res[f"import_{kind}_cpu_s"] = time.process_time() - cpu
        res[f"{kind}_rows"] = float(sum(rep.counts.values()))
        for (_, stage, start), (_, _, end) in zip(stages, stages[1:], strict=False):
            key = f"{kind}_{stage}_s"
            res[key] = res.get(key, 0.0) + end - start
    return res


def print_results(r: dict[str, float]) -> None:
    for k, v in r.items():
        print(f"{k:>34}: {v:.2f}" if isinstance(v, float) else f"{k:>34}: {v}")


def profile(kind: str, n_projects: int, xlsx_projects: int) -> None:
    import cProfile
    import pstats

    csv_dir, xlsx = inputs(n_projects, xlsx_projects)
    store = fresh_store(f"profile_{kind}")
    prof = cProfile.Profile()
    prof.enable()
    import_path(store, csv_dir if kind == "csv" else xlsx, actor=ADMIN)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    n = int(os.environ.get("BENCH_PROJECTS", "100000"))
    xn = int(os.environ.get("BENCH_XLSX_PROJECTS", "10000"))
    if len(sys.argv) > 2 and sys.argv[1] == "--profile":
        profile(sys.argv[2], n, xn)
    else:
        print_results(run(n, xn))
