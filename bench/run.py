"""`make bench`: every benchmark in one run, printed as a table of figures and ratios.

Core (import, status, pandas script, floor) always runs; the dashboard, round (issue 12: a save seen
on the bureau's overview, 20 users at once), report, import (issue 14: each stage of the two imports,
wall and CPU seconds), PostgreSQL (issue 14: the status read from
PostgreSQL against the file) and cluster (issue 14: 100 users over two processes on PostgreSQL behind
nginx, one of them killed midway) benchmarks run when their modules are present. Results are also
written to bench/out/results.json.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    n = int(os.environ.get("BENCH_PROJECTS", "100000"))
    xlsx_n = int(os.environ.get("BENCH_XLSX_PROJECTS", "10000"))
    import core_bench

    results: dict[str, object] = {"core": core_bench.run(n, xlsx_n)}
    core = results["core"]
    print_core(core)  # type: ignore[arg-type]
    for name, call in (("dashboard", lambda m: m.run(core["db_path"])), ("round", lambda m: m.run(core["db_path"])),  # type: ignore[index]
                       ("report", lambda m: m.run()), ("import", lambda m: m.run(n, xlsx_n)),
                       ("pg", lambda m: m.run(core["db_path"])),  # type: ignore[index]
                       ("cluster", lambda m: m.run())):
        if not (HERE / f"{name}_bench.py").exists():
            continue
        module = importlib.import_module(f"{name}_bench")
        results[name] = call(module)
        print(f"\n== {name} ==")
        if hasattr(module, "print_results"):  # a benchmark that labels its own figures
            module.print_results(results[name])
            continue
        for k, v in results[name].items():  # type: ignore[union-attr]
            print(f"{k:>34}: {v:.3f}" if isinstance(v, float) else f"{k:>34}: {v}")
    out = HERE / "out" / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    print(f"\n(written to {out})")


def print_core(r: dict[str, float]) -> None:
    print("== core ==")
    print(f"synthetic province: {r['projects']:,} projects, {r['monthly_rows']:,} monthly rows, "
          f"{r['indicator_rows']:,} indicators, {r['progress_rows']:,} progress rows")
    print(f"import, CSV folder (whole province):      {r['import_csv_s']:8.2f} s")
    print(f"import, xlsx ({r['xlsx_projects']:,} projects, {int(r['xlsx_rows']):,} rows): {r['import_xlsx_s']:8.2f} s")
    print(f"full 1-10月 status into data frames:       {r['status_s']:8.3f} s")
    print(f"  + labels of every indicator (on use):    {r['labels_all_indicators_s']:8.3f} s")
    print(f"  + light reasons of every project (on use): {r['reasons_all_projects_s']:6.3f} s")
    print(f"  + Chinese wording of every indicator:    {r['describe_all_indicators_s']:8.3f} s")
    print(f"straightforward pandas script:             {r['pandas_s']:8.3f} s   (pandas ÷ ours = {r['pandas_vs_status']:.2f})")
    print(f"floor (bare sum + bare join in DuckDB):    {r['floor_s']:8.3f} s   (ours ÷ floor = {r['status_vs_floor']:.2f})")


if __name__ == "__main__":
    main()
