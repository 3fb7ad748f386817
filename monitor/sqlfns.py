"""SQL macros shared by the computations: exact rounding and Chinese number formatting.

DuckDB turns DECIMAL division into DOUBLE, so rates are computed as integer fractions (BIGINT, or
HUGEINT for figures beyond 64 bits) and rounded half up (away from zero) by `rhu`, the SQL twin of
`money.round_div`.
"""

from __future__ import annotations

import duckdb

MACROS = (
    # Integer n ÷ d rounded half up (away from zero), in the type of its operands: BIGINT where the
    # caller's figures fit (DuckDB raises on overflow, it never wraps), HUGEINT where cast so. DuckDB's
    # // truncates toward zero, so moving n half a step away from zero first rounds half away from
    # zero for either sign of n and d; d = 0 gives NULL. Arithmetic, not a CASE: the macro is
    # expanded dozens of times per statement, and a CASE tree makes planning and running slower.
    """CREATE OR REPLACE TEMP MACRO rhu(n, d) AS (n * 2 + sign(n) * abs(d)) // (2 * nullif(d, 0))""",
    # hundredths of a percent → '27.46'
    """CREATE OR REPLACE TEMP MACRO fbp(bp) AS
       CASE WHEN bp IS NULL THEN '—' ELSE
         (CASE WHEN bp < 0 THEN '-' ELSE '' END) || CAST(abs(bp) // 100 AS VARCHAR) || '.'
         || lpad(CAST(abs(bp) % 100 AS VARCHAR), 2, '0') END""",
    # millionths → shortest decimal text: 183, 134.5368
    """CREATE OR REPLACE TEMP MACRO fmicro(x) AS
       CASE WHEN x IS NULL THEN NULL ELSE
         (CASE WHEN x < 0 THEN '-' ELSE '' END) || CAST(abs(x) // 1000000 AS VARCHAR)
         || CASE WHEN abs(x) % 1000000 = 0 THEN ''
                 ELSE '.' || rtrim(lpad(CAST(abs(x) % 1000000 AS VARCHAR), 6, '0'), '0') END END""",
    # 分 → 万元 text with up to four decimals, half up: 134.5368
    """CREATE OR REPLACE TEMP MACRO fwan(fen) AS
       CASE WHEN fen IS NULL THEN '—' ELSE fmicro(rhu(fen, 100) * 100) END""",
)


def install(con: duckdb.DuckDBPyConnection) -> None:
    for sql in MACROS:
        con.execute(sql)
