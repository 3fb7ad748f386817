"""Export timings: one project report (warm), the 目录 page numbers through LibreOffice (when installed,
a separate figure), and the zip of every report of a 1,000-project department.

`run()` returns seconds; `python bench/report_bench.py` prints them as JSON. The department is a
synthetic one (monitor.synthetic) in a temporary database file, so the store's per-query file
opening is part of the measurement, as in the CLI.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.access import ADMIN
from monitor.report import project_report, reports_zip  # noqa: E402
from monitor.report.data import load  # noqa: E402
from monitor.report.project import render_project_report  # noqa: E402
from monitor.status import compute_status  # noqa: E402
from monitor.store import Store  # noqa: E402

WHEN = date(2023, 12, 10)


def _seed_report(repeats: int = 7) -> dict[str, float]:
    from monitor.demo import SEED_PROJECT, load_demo

    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "demo.duckdb")
        load_demo(store)
        st = compute_status(store, 2023, 10, actor=ADMIN)
        project_report(store, st, SEED_PROJECT, report_date=WHEN)  # warm: template, fonts, chart canvas
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            project_report(store, st, SEED_PROJECT, report_date=WHEN)
            times.append(time.perf_counter() - t)
        data = load(store, st, [SEED_PROJECT])
        render = []
        for _ in range(repeats):
            t = time.perf_counter()
            render_project_report(data, SEED_PROJECT, report_date=WHEN)
            render.append(time.perf_counter() - t)
        out = {"single_report_s": statistics.median(times), "single_report_render_only_s": statistics.median(render)}
        out.update(_toc_update(project_report(store, st, SEED_PROJECT, report_date=WHEN)))
    return out


def _toc_update(docx: bytes, repeats: int = 3) -> dict[str, float]:
    """The 目录's page numbers through LibreOffice: a separate figure, on top of the report's own time
    (the first call also prepares LibreOffice's profile, once per process)."""
    from monitor.report import toc

    if not toc.available():
        return {}
    t = time.perf_counter()
    toc.update_toc(docx)
    first = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        toc.update_toc(docx)
        times.append(time.perf_counter() - t)
    many = 10
    t = time.perf_counter()
    toc.update_tocs([docx] * many)
    batch = (time.perf_counter() - t) / many
    return {"toc_update_first_s": first, "toc_update_s": statistics.median(times), "toc_update_per_report_in_batch_of_10_s": batch}


def _department_zip(n_projects: int = 1000, chart: bool = True, limit: int | None = None) -> dict[str, float]:
    from monitor.synthetic import build_database

    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        store = build_database(Path(d) / "dept.duckdb", n_projects, seed=0)
        built = time.perf_counter() - t
        t = time.perf_counter()
        st = compute_status(store, 2023, 10, actor=ADMIN)
        status_s = time.perf_counter() - t
        dep = str(st.departments["department_name"].iloc[0])
        codes = list(st.projects.loc[st.projects["department_name"] == dep, "project_code"])[:limit]
        t = time.perf_counter()
        z = reports_zip(store, st, codes, report_date=WHEN, chart=chart)
        zip_s = time.perf_counter() - t
    key = "zip" if chart else "zip_no_chart"
    return {"build_db_s": built, "status_s": status_s, f"{key}_projects": len(codes), f"{key}_s": zip_s,
            f"{key}_per_report_s": zip_s / len(codes), f"{key}_mb": len(z) / 1e6}


def run(n_projects: int = 1000) -> dict[str, float]:
    out: dict[str, float] = {}
    out.update(_seed_report())
    out.update(_department_zip(n_projects, chart=True))
    # without the chart, on a fifth of the department: enough to show what the chart costs
    out.update({k: v for k, v in _department_zip(n_projects, chart=False, limit=max(n_projects // 5, 1)).items()
                if k.startswith("zip")})
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), ensure_ascii=False, indent=2))
