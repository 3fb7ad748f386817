"""Moving a bureau's data between stores (`monitor migrate --from … --to …`): a DuckDB file into
PostgreSQL when a city's dashboard becomes a province's, or back for an archive copy.

Every table is copied whole, in one transaction of the target, as Arrow (no row passes through
Python). The target must be empty: a migration that merged two bureaus' data would be a different
operation, with its own conflicts. Afterwards every table of both stores is compared (`compare`);
a difference undoes nothing already committed, so the command reports it and the target is to be
dropped and the migration run again.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .backup import SEQUENCES, _advance
from .errors import MonitorError
from .store import Store

# Rows a fresh store writes by itself (its schema version and counters): replaced, not a conflict.
OWN_ROWS = {"meta"}


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    same: bool


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main' "
                                      "ORDER BY table_name").fetchall()]


def copy_store(source: Store, target: Store) -> list[TableCopy]:
    """Copy every table of `source` into the empty `target`; returns each table's rows and whether
    the target now holds exactly the source's rows."""
    if source.schema_version() != target.schema_version():
        raise MonitorError(f"源数据库结构版本{source.schema_version()}与目标{target.schema_version()}不同，不能迁移")
    with source.connect() as src:
        names = tables(src)
        data = {t: src.sql(f"SELECT * FROM {t}").to_arrow_table() for t in names}  # noqa: S608 - catalog names
    with target.transaction(bump=False) as dst:
        missing = [t for t in names if t not in tables(dst)]
        if missing:
            raise MonitorError(f"目标数据库缺少表：{'、'.join(missing)}，未迁移任何数据")
        for t in names:
            if t in OWN_ROWS:
                continue
            rows = dst.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608
            if rows:
                raise MonitorError(f"目标数据库的表「{t}」已有{rows}行数据。迁移只能写入空数据库，未迁移任何数据。")
        for t in names:
            dst.execute(f"DELETE FROM {t}")  # noqa: S608
            dst.register("_copied", data[t])
            try:
                dst.execute(f"INSERT INTO {t} BY NAME SELECT * FROM _copied")  # noqa: S608
            finally:
                dst.unregister("_copied")
        for table, (sequence, column) in SEQUENCES.items():
            _advance(dst, sequence, table, column)
    return compare(source, target)


def compare(a: Store, b: Store) -> list[TableCopy]:
    """Every table of `a` against `b`, row for row (as multisets: neither store promises an order)."""
    out = []
    with a.connect() as ca, b.connect() as cb:
        for t in tables(ca):
            left = ca.sql(f"SELECT * FROM {t}").to_arrow_table()  # noqa: S608
            right = cb.sql(f"SELECT * FROM {t}").to_arrow_table()  # noqa: S608
            con = duckdb.connect()
            con.register("l", left)
            con.register("r", right)
            diff = con.execute("SELECT (SELECT count(*) FROM (SELECT * FROM l EXCEPT ALL SELECT * FROM r)) + "
                               "(SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM l))").fetchall()[0][0]
            con.close()
            out.append(TableCopy(t, left.num_rows, diff == 0 and left.num_rows == right.num_rows))
    return out
