"""Property-based tests: target parsing, exact rounding, money round trips and roll-up invariants."""

from __future__ import annotations

import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.access import ADMIN
from monitor.errors import TargetParseError
from monitor.importer import write_frames
from monitor.money import round_div
from monitor.rules import Rules
from monitor.status import compute_status
from monitor.store import Store
from monitor.synthetic import generate
from monitor.targets import parse_target

SIGNS = {"≥": ">=", ">=": ">=", "≧": ">=", ">": ">", "＞": ">", "≤": "<=", "<=": "<=", "<": "<", "=": "=", "＝": "=", "": "="}
UNITS = ["人", "次", "%", "万元", "万", "家", "个", "人次", "篇", ""]


@given(sign=st.sampled_from(sorted(SIGNS)), value=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
       unit=st.sampled_from(UNITS), space=st.sampled_from(["", " "]))
def test_any_written_target_parses_to_its_sign_value_and_unit(sign: str, value: Decimal, unit: str, space: str) -> None:
    text = f"{sign}{value}{space}{unit}"
    t = parse_target(text)
    assert (t.op, t.value, t.unit, t.text) == (SIGNS[sign], value, unit, text.strip())


@given(word=st.text(alphabet="丰富提升有效合规良好显著", min_size=1, max_size=6))
def test_a_word_is_a_qualitative_target(word: str) -> None:
    t = parse_target(word)
    assert t.qualitative and t.text == word


@given(sign=st.sampled_from(["≥", "≤", ">", "<", "="]), junk=st.text(alphabet="多少很高低左右", min_size=1, max_size=4))
def test_a_sign_without_a_number_is_refused(sign: str, junk: str) -> None:
    with pytest.raises(TargetParseError):
        parse_target(sign + junk)


@given(n=st.integers(min_value=-10**30, max_value=10**30), d=st.integers(min_value=1, max_value=10**20))
def test_round_div_is_decimal_half_up(n: int, d: int) -> None:
    exact = (Decimal(n) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_UP) if abs(n) < 10**27 else None
    if exact is not None:
        assert round_div(n, d) == int(exact)


@settings(max_examples=30, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=-10**9, max_value=10**9)),
                      min_size=1, max_size=50))
def test_sql_rounding_is_the_same_half_up_as_python_in_both_integer_widths(pairs: list[tuple[int, int]]) -> None:
    import duckdb

    from monitor import sqlfns

    with duckdb.connect() as con:
        sqlfns.install(con)
        for int_type, scale in (("BIGINT", 1), ("HUGEINT", 10**20)):
            rows = [(n * scale, d) for n, d in pairs]
            got = con.execute(f"SELECT rhu(CAST(n AS {int_type}), CAST(d AS {int_type})) FROM (SELECT unnest($n) AS n, unnest($d) AS d)",
                              {"n": [str(n) for n, _ in rows], "d": [str(d) for _, d in rows]}).fetchall()
            assert [g[0] for g in got] == [None if d == 0 else round_div(n, d) for n, d in rows]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10_000), n=st.integers(min_value=1, max_value=60),
       per=st.integers(min_value=1, max_value=25), month=st.integers(min_value=1, max_value=12))
def test_a_departments_money_is_the_sum_of_its_projects(seed: int, n: int, per: int, month: int) -> None:
    store = Store(":memory:")
    write_frames(store, generate(n, seed, projects_per_department=per, units_per_department=3), actor=ADMIN)
    s = compute_status(store, 2023, month, actor=ADMIN)
    by_dep = s.projects.groupby("department_name")[["spent_fen", "budget_fen"]].sum()
    deps = s.departments.set_index("department_name")
    for col in ("spent_fen", "budget_fen"):
        assert (deps[col] == by_dep[col]).all()
        assert int(s.region[col]) == int(s.projects[col].sum())
    counts = s.projects.groupby("department_name")["level"].value_counts().unstack(fill_value=0)
    for lv in ("red", "yellow", "green"):
        assert (deps[lv] == counts.get(lv, 0)).all()
    # a department's rate is its money's rate, rounded half up
    for _name, d in deps.iterrows():
        if d["denom_fen"] > 0:
            assert d["rate_bp"] == round_div(int(d["spent_fen"]) * 10000, int(d["denom_fen"]))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10_000), n=st.integers(min_value=1, max_value=40),
       month=st.integers(min_value=1, max_value=12), mode=st.sampled_from(["month", "plan"]))
def test_a_projects_indicator_lights_are_the_count_of_its_indicators_and_the_worst_of_them(
        seed: int, n: int, month: int, mode: str) -> None:
    # "plan" gives every project its own schedule and is computed in HUGEINT: both ways of counting
    store = Store(":memory:")
    write_frames(store, generate(n, seed, projects_per_department=8, units_per_department=2), actor=ADMIN)
    s = compute_status(store, 2023, month, Rules(schedule_mode=mode), actor=ADMIN)
    p = s.project_figures.set_index("project_code")
    counted = s.indicator_figures.groupby("project_code")["level"].value_counts().unstack().reindex(
        index=p.index, columns=["red", "yellow", "green", "blue", "none"]).fillna(0)
    for lv in counted.columns:
        assert (p[f"ind_{lv}"] == counted[lv]).all()
    worst = p["ind_red"].gt(0).map({True: "red"}).fillna(
        p["ind_yellow"].gt(0).map({True: "yellow"})).fillna((p["ind_green"] + p["ind_blue"]).gt(0).map({True: "green", False: "none"}))
    assert (p["indicator_level"] == worst).all()
    behind = p["ind_red"] + p["ind_yellow"] > 0
    assert (p.loc[behind & p["level"].isin(["red", "yellow"]), "quadrant"] == "资金、目标双滞后").all()
    assert (p.loc[behind & ~p["level"].isin(["red", "yellow"]), "quadrant"] == "目标滞后").all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.decimals(min_value=0, max_value=99999, places=6, allow_nan=False), min_size=1, max_size=12))
def test_monthly_amounts_in_wan_survive_an_import_to_the_fen(amounts: list[Decimal]) -> None:
    from tests.builders import region

    with tempfile.TemporaryDirectory() as tmp:
        monthly = [["P1", m + 1, str(a)] for m, a in enumerate(amounts)]
        store = region(Path(tmp), [["P1", "部门甲", "单位甲", "99999999"]], monthly)
        spent = compute_status(store, 2023, 12, actor=ADMIN).project("P1")["spent_fen"]
        assert spent == int(sum(amounts) * 1_000_000)
