"""PostgreSQL benchmark (issue 14): the status of a province read from PostgreSQL against the same
status from the DuckDB file, the first read of a data version stated apart.

`run(db_path)` takes the province file `make bench` built (100,000 projects), starts a throwaway
PostgreSQL cluster on loopback (tests/pgcluster.py: Debian's server, fsync off as in the tests — a
bureau's server keeps fsync on, which costs commits, not reads), and measures:

- `migrate_s`: `monitor migrate` of the whole file into the empty database (copy and table-for-table check);
- `open_s`: a process opening the store: every table read from PostgreSQL into its DuckDB mirror —
  the first read of a data version when a process starts;
- `status_file_s` / `status_pg_s`: the 1-10月 status (compute_status, median of 5) from the file and
  from PostgreSQL after the first read; their ratio is the aim (≤ 1.5);
- `after_note_s`: another process's first status after a note was saved elsewhere (the mirror reads
  the changed tables — notes, audit tail, meta, changes — and the status is computed): the first
  read of a data version that changed no figure;
- `after_fill_s`: the same after one project's October spend was changed elsewhere (the monthly
  table is read again whole: the first read of a data version that changed a figure);
- `save_fill_s`: one project's October spend and progress saved through PostgreSQL (the difference
  found among the province's 1.2M monthly and ~1M progress rows);
- `save_note_s`: one note saved through PostgreSQL (median of 5 warm runs), beside `save_note_file_s` on the file;
- `notes_*`: a database holding NOTES (300,000) notes, as in a province's last days: one note saved
  (`notes_save_s`), and another process's first read after it, reading only the saved project's notes
  (`notes_after_save_s`) and, for comparison, the whole table as before monitor_sync_keys
  (`notes_after_save_whole_s`, with MAX_PROJECTS_BY_KEY at 0); medians of 5;
- `import_csv_pg_s`: when the core benchmark left its CSV folder, the whole province imported into an
  empty PostgreSQL store (validation, the write on the mirror, the difference sent to PostgreSQL).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from core_bench import timed  # noqa: E402
from pgcluster import PgCluster  # noqa: E402

from monitor.access import ADMIN  # noqa: E402
from monitor.notes import Note, load_notes, save_note  # noqa: E402
from monitor.status import compute_status  # noqa: E402
from monitor.store import Store, open_store  # noqa: E402
from monitor.transfer import copy_store  # noqa: E402


def _note(store: Store, code: str) -> Note:
    found = [n for n in load_notes(store, 2023, project_code=code, actor=ADMIN) if n.indicator_name == ""]
    return found[0] if found else Note(2023, code, "", 10)


NOTES = 300_000


def _many_notes(cluster: PgCluster, n_notes: int = NOTES) -> dict[str, float]:
    import monitor.pgstore as pgstore
    from monitor.demo import SEED_PROJECT, load_demo

    dsn = cluster.create_database("notes")
    a = open_store(dsn)
    load_demo(a)
    with a.transaction() as con:
        con.execute("""INSERT INTO notes (year, project_code, indicator_name, month, problem, causes, explanation, measure,
                                          version, updated_at, updated_by)
                       SELECT 2023, 'P' || (i // 10), '指标' || (i % 10), 10, '执行进度偏慢', '1', '说明' || i, '加快支付进度',
                              1, TIMESTAMP '2023-11-05 09:00:00', 'admin' FROM range(?) t(i)""", [n_notes])
    b = open_store(dsn)
    res: dict[str, float] = {}
    keyed = pgstore.MAX_PROJECTS_BY_KEY
    for key, limit in (("notes_after_save_s", keyed), ("notes_after_save_whole_s", 0)):
        pgstore.MAX_PROJECTS_BY_KEY, saves, reads = limit, [], []
        try:
            for i in range(5):
                note = _note(a, SEED_PROJECT)
                t = time.perf_counter()
                save_note(a, replace(note, explanation=f"第{i}次"), ADMIN)
                saves.append(time.perf_counter() - t)
                t = time.perf_counter()
                b.df("SELECT 1")  # the read that brings b's mirror up to date
                reads.append(time.perf_counter() - t)
        finally:
            pgstore.MAX_PROJECTS_BY_KEY = keyed
        res[key] = statistics.median(reads)
        res.setdefault("notes_save_s", statistics.median(saves))
    res["notes"] = float(n_notes)
    a.close()
    b.close()
    return res


def run(db_path: str | None = None, n_projects: int = 100_000) -> dict[str, object]:
    res: dict[str, object] = {}
    if db_path is None:
        from monitor.synthetic import build_database

        db_path = str(Path(tempfile.mkdtemp()) / "province.duckdb")
        build_database(db_path, n_projects, seed=1)
    file_store = Store(db_path)
    res["projects"] = int(file_store.scalar("SELECT count(*) FROM projects"))  # type: ignore[arg-type]
    code = str(file_store.scalar("SELECT min(project_code) FROM projects WHERE year = 2023"))
    with PgCluster() as cluster:
        dsn = cluster.create_database("province")
        target = open_store(dsn)
        t = time.perf_counter()
        copies = copy_store(file_store, target)
        res["migrate_s"] = time.perf_counter() - t
        res["migrated_rows"] = sum(c.rows for c in copies)
        res["migrate_all_same"] = all(c.same for c in copies)
        target.close()

        t = time.perf_counter()
        pg = open_store(dsn)
        res["open_s"] = time.perf_counter() - t
        folder = getattr(pg, "_mirror_dir", None)
        res["mirror_mb"] = sum(f.stat().st_size for f in Path(folder).iterdir()) / 2**20 if folder else 0.0
        res["status_file_s"] = timed(lambda: compute_status(file_store, 2023, 10, actor=ADMIN))
        res["status_pg_s"] = timed(lambda: compute_status(pg, 2023, 10, actor=ADMIN))
        res["pg_vs_file"] = res["status_pg_s"] / res["status_file_s"]  # type: ignore[operator]

        other = open_store(dsn)  # another process
        notes = []
        for i in range(5):
            t = time.perf_counter()
            save_note(other, replace(_note(other, code), explanation=f"第{i}次保存"), ADMIN)
            notes.append(time.perf_counter() - t)
        res["save_note_s"] = statistics.median(notes)
        res["save_note_file_s"] = timed(lambda: save_note(file_store, replace(_note(file_store, code), explanation="文件"), ADMIN))
        t = time.perf_counter()
        compute_status(pg, 2023, 10, actor=ADMIN)
        res["after_note_s"] = time.perf_counter() - t

        t = time.perf_counter()
        with other.transaction() as con:
            other.touched(con, 2023, [code])
            con.execute("UPDATE monthly SET spent = spent + 1 WHERE year = 2023 AND project_code = ? AND month = 10", [code])
            con.execute("UPDATE progress SET actual_text = actual_text WHERE year = 2023 AND project_code = ? AND month = 10", [code])
        res["save_fill_s"] = time.perf_counter() - t
        t = time.perf_counter()
        compute_status(pg, 2023, 10, actor=ADMIN)
        res["after_fill_s"] = time.perf_counter() - t
        pg.close()
        other.close()

        res.update(_many_notes(cluster))
        csv_dir = HERE / "out" / "province_csv"  # written by the core benchmark
        if csv_dir.exists():
            from monitor.importer import import_path

            fresh = open_store(cluster.create_database("imported"))
            t = time.perf_counter()
            import_path(fresh, csv_dir, actor=ADMIN)
            res["import_csv_pg_s"] = time.perf_counter() - t
            fresh.close()
    return res


def print_results(r: dict[str, object]) -> None:
    print(f"province of {r['projects']:,} projects; PostgreSQL on loopback (throwaway cluster)")
    print(f"monitor migrate file → PostgreSQL ({r['migrated_rows']:,} rows, all tables equal: {r['migrate_all_same']}): {r['migrate_s']:.2f} s")
    print(f"a process opening the store (first read: every table into its mirror): {r['open_s']:.2f} s; mirror on disk {r['mirror_mb']:.0f} MB")
    print(f"status 1-10月 from the DuckDB file:                 {r['status_file_s']:.3f} s")
    print(f"status 1-10月 from PostgreSQL (after first read):   {r['status_pg_s']:.3f} s   (PostgreSQL ÷ file = {r['pg_vs_file']:.2f}; aim ≤ 1.5)")
    print(f"first status after another process saved a note:  {r['after_note_s']:.3f} s")
    print(f"first status after another process changed a spend: {r['after_fill_s']:.3f} s")
    print(f"one project's spend and progress saved through PostgreSQL: {r['save_fill_s']:.3f} s")
    print(f"one note saved: PostgreSQL {r['save_note_s']:.3f} s, file {r['save_note_file_s']:.3f} s")
    print(f"{r['notes']:,.0f} notes: one saved {r['notes_save_s']:.3f} s; another process's first read after it "
          f"{r['notes_after_save_s']:.3f} s (the saved project's notes), {r['notes_after_save_whole_s']:.3f} s (the whole table)")
    if "import_csv_pg_s" in r:
        print(f"import of the province CSV folder into an empty PostgreSQL store: {r['import_csv_pg_s']:.2f} s")


if __name__ == "__main__":
    out = run(sys.argv[1] or None if len(sys.argv) > 1 else None, int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
    print_results(out)
