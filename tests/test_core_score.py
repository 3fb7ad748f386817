"""The year-end score preview: seed 000's scores, the boundaries of every rule, the method as a setting."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from builders import write

from monitor import rulebook, score
from monitor.access import ADMIN
from monitor.cli import main
from monitor.demo import SEED_PROJECT
from monitor.errors import MonitorError
from monitor.importer import import_path
from monitor.rules import FIELDS, Rules
from monitor.score import IndicatorInput, score_project
from monitor.score_preview import preview
from monitor.store import Store

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL

# seed 000, 南昌市总工会宣教中心 and 职工服务中心: target, year-end actual, 分值 → 得分 as published
SEED_000 = (
    ("微信公众号总浏览量", D(300), D(215), D(3), D("0.88")),
    ("官网更新动态信息", D(2000), D(1656), D(4), D("2.28")),
    ("维权服务窗口接待群众来访、来电人次", D(1000), D(861), D(8), D("5.22")),
)


def _one(target: D, projected: D, weight: D = D(90), method: str = "threshold_60", rate: D | None = D(100), **kw: object) -> score.ProjectScore:
    return score_project([IndicatorInput("指标", target, projected, weight, **kw)], rate, method)  # type: ignore[arg-type]


def test_seed_000_three_partial_scores_are_reproduced_exactly() -> None:
    got = score_project([IndicatorInput(name, t, a, w) for name, t, a, w, _ in SEED_000], D(100), "threshold_60")
    assert [(i.score, i.weight) for i in got.indicators] == [(s, w) for *_, w, s in SEED_000]
    assert [i.completion for i in got.indicators] == [D("71.67"), D("82.80"), D("86.10")]
    assert all("按比例得分" in i.rule for i in got.indicators)


def test_the_points_are_the_exact_fraction_not_the_rounded_completion() -> None:
    # seed 000: 满意度 90% against ≥95% scores 8.68 of 10; from the shown 94.74% it would be 8.69
    got = _one(D(95), D(90), D(10), nature="rate")
    assert got.indicators[0].completion == D("94.74") and got.indicators[0].score == D("8.68")


def test_the_cli_reproduces_seed_000_from_the_demo_at_year_end(demo_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    # the demo carries seed 000's year-end actuals and 分值
    assert main(["--db", str(demo_store.path), "score", "--year", "2023", "--month", "12", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "比例得分（完成率低于60%不得分）" and out["unit_points"] == "分"
    inds = {i["name"]: (i["score"], i["weight"]) for p in out["projects"] for i in p["indicators"]}
    assert inds["微信公众号总浏览量(万次)"] == (0.88, 3.0)
    assert inds["官网更新动态信息(篇)"] == (2.28, 4.0)
    assert inds["维权服务窗口接待群众来访、来电人次"] == (5.22, 8.0)
    assert main(["--db", str(demo_store.path), "score", "--year", "2023", "--month", "12", "--project", "360100-XJZX-JB"]) == 0
    text = capsys.readouterr().out
    assert "微信公众号总浏览量(万次)：分值3.00分，预计完成率71.67%，得分0.88分" in text


def test_the_cli_scores_weights_imported_with_the_indicators(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "项目", ["年度", "部门名称", "单位名称", "项目编码", "项目名称", "年初预算(万元)", "调整后预算(万元)"],
          [[2023, "市总工会", "宣教中心", "XJ", "网上工会", "100", ""]])
    write(folder, "月度支出", ["年度", "项目编码", "月份", "支出金额(万元)"], [[2023, "XJ", m, "10"] for m in range(1, 11)])
    write(folder, "绩效指标", ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值", "权重"],
          [[2023, "XJ", "产出指标", "数量指标", name, f"≥{t}", w] for name, t, _, w, _ in SEED_000])
    write(folder, "指标进度", ["年度", "项目编码", "三级指标", "月份", "实际完成值"],
          [[2023, "XJ", name, 10, a] for name, _, a, _, _ in SEED_000])
    store = Store(tmp_path / "s.duckdb")
    import_path(store, folder, actor=ADMIN)
    # at 1-10月 the actuals are projected on (÷ 83.33%); at year end they are the year's
    main(["--db", str(store.path), "score", "--year", "2023", "--month", "12", "--json"])
    p = json.loads(capsys.readouterr().out)["projects"][0]
    assert [(i["weight"], i["score"]) for i in p["indicators"]] == [(3.0, 0.88), (4.0, 2.28), (8.0, 5.22)]
    # 8.38 of 15 分 carried to the 90 分 of the indicators: 50.28; spend 100% → 10 分
    assert (p["execution_score"], p["indicator_score"], p["total"], p["grade"]) == (10.0, 50.28, 60.28, "中")
    main(["--db", str(store.path), "score", "--year", "2023", "--month", "10", "--json"])
    early = json.loads(capsys.readouterr().out)["projects"][0]["indicators"]
    assert early[0]["completion"] == 86.0  # 215 ÷ 10/12 = 258 of 300


@pytest.mark.parametrize(("projected", "points", "rule"), [
    (D("179.98"), D("0.00"), "完成率低于60%，不得分"),  # 59.99%
    (D("179.99"), D("0.00"), "完成率60%–100%，按比例得分：分值 ×（完成率 − 60%）÷ 40%"),  # 59.9967% reads 60.00%
    (D(180), D("0.00"), "完成率60%–100%，按比例得分：分值 ×（完成率 − 60%）÷ 40%"),  # exactly 60%: the linear part, at 0
    (D(240), D("1.50"), "完成率60%–100%，按比例得分：分值 ×（完成率 − 60%）÷ 40%"),
    (D(300), D("3.00"), "达到目标，得满分"),
    (D(450), D("3.00"), "达到目标，得满分"),
])
def test_below_60_percent_scores_nothing_and_60_to_100_is_linear(projected: D, points: D, rule: str) -> None:
    got = _one(D(300), projected, D(3)).indicators[0]
    assert (got.score, got.rule) == (points, rule)


def test_plain_proportion_scores_the_share_achieved() -> None:
    assert _one(D(300), D(150), D(3), method="proportional").indicators[0].score == D("1.50")
    assert _one(D(300), D(150), D(3)).indicators[0].score == D("0.00")


@pytest.mark.parametrize(("rate", "cap", "total"), [
    (D("80.00"), None, D("98.00")),
    (D("79.99"), D("89.00"), D("89.00")),
    (D("70.00"), D("89.00"), D("89.00")),
    (D("69.99"), D("79.00"), D("79.00")),
    (D("60.00"), D("79.00"), D("79.00")),
    (D("59.99"), D("69.00"), D("69.00")),
    (D("50.00"), D("69.00"), D("69.00")),
    (D("49.99"), D("59.00"), D("59.00")),
])
def test_the_national_manual_caps_the_total_by_execution(rate: D, cap: D | None, total: D) -> None:
    got = _one(D(100), D(100), method="national_manual", rate=rate)
    assert (got.cap, got.total, got.capped) == (cap, total, cap is not None)
    assert got.execution_score == (rate / 10).quantize(D("0.01"))
    assert _one(D(100), D(100), method="threshold_60", rate=rate).cap is None  # the seed 000 rule has no caps


@pytest.mark.parametrize(("projected", "deducted", "total"), [(D("129.99"), 0, D("100.00")), (D(130), 1, D("98.00"))])
def test_an_indicator_30_percent_over_its_target_takes_2_points(projected: D, deducted: int, total: D) -> None:
    got = _one(D(100), projected, method="national_manual")
    assert (got.deducted, got.deductions, got.total, got.indicators[0].deducted) == (deducted, D(deducted * 2), total, bool(deducted))
    assert _one(D(100), projected).deductions == 0  # only the national manual deducts


@pytest.mark.parametrize(("projected", "grade"), [
    (D(8000), "优"), (D(7999), "良"), (D(7000), "良"), (D(6999), "中"), (D(5000), "中"), (D(4999), "差")])
def test_grades_at_90_80_and_60(projected: D, grade: str) -> None:
    # 10 分 for spend plus 90 分 × projected ÷ 9000: totals 90.00, 89.99, 80.00, 79.99, 60.00, 59.99
    got = _one(D(9000), projected, method="proportional")
    assert got.total == D(10) + projected / 100 and got.grade == grade


def test_lower_is_better_full_to_the_target_nothing_at_twice_it() -> None:
    assert _one(D(100), D(100), D(4), op="<=").indicators[0].score == D("4.00")
    assert _one(D(100), D(150), D(4), op="<=").indicators[0].score == D("2.00")
    assert _one(D(100), D(200), D(4), op="<=").indicators[0].score == D("0.00")
    assert _one(D(0), D(0), D(4), op="=").indicators[0].score == D("4.00")
    assert _one(D(0), D(1), D(4), op="=").indicators[0].score == D("0.00")


def test_qualitative_words_and_unreported_indicators() -> None:
    words = [IndicatorInput(w, None, None, D(10), nature="qualitative", op="", status=w) for w in ("达成", "部分达成", "未达成")]
    got = score_project([*words, IndicatorInput("未报", D(10), None, D(60))], D(100), "threshold_60")
    assert [i.score for i in got.indicators] == [D("10.00"), D("7.00"), D("0.00"), None]
    # the unreported indicator is left out and the other 17 of 30 分 carry to 90 分: 51.00
    assert (got.unscored, got.indicator_score, got.total) == (1, D("51.00"), D("61.00"))
    nothing = score_project([IndicatorInput("未报", D(10), None)], D(100), "threshold_60")
    assert (nothing.total, nothing.grade) == (None, "无法预估")


def test_default_weights_share_90_points_by_level1() -> None:
    inds = [IndicatorInput("a", D(1), D(1), level1="产出指标"), IndicatorInput("b", D(1), D(1), level1="成本指标"),
            IndicatorInput("c", D(1), D(1), level1="效益指标"), IndicatorInput("d", D(1), D(1), level1="满意度指标")]
    assert [i.weight for i in score_project(inds, D(100), "threshold_60").indicators] == [D(25), D(25), D(30), D(10)]
    # no 效益 and no 满意度: 产出 carries all 90
    assert [i.weight for i in score_project(inds[:2], D(100), "threshold_60").indicators] == [D(45), D(45)]
    # a weight on only some indicators is not a weighting: the default applies
    mixed = [IndicatorInput("a", D(1), D(1), D(7)), IndicatorInput("b", D(1), D(1))]
    assert [i.weight for i in score_project(mixed, D(100), "threshold_60").indicators] == [D(45), D(45)]


def test_execution_is_ten_points_at_most() -> None:
    assert _one(D(1), D(1), rate=D("123.45")).execution_score == D("10.00")
    assert _one(D(1), D(1), rate=D("32.95")).execution_score == D("3.30")
    assert _one(D(1), D(1), rate=None).execution_score == D("0.00")


def test_huge_figures_are_scored_exactly() -> None:
    big = D(10) ** 11
    assert _one(big, big * D("0.861"), D(8)).indicators[0].score == D("5.22")
    assert _one(big, big * D("1.5"), D(4), op="<=").indicators[0].score == D("2.00")


def test_the_method_registry_is_complete_and_is_the_setting() -> None:
    assert set(FIELDS["score_method"].choices or {}) == set(score.METHODS)
    assert Rules().score_method in score.METHODS and Rules().score_method == "threshold_60"
    for key, m in score.METHODS.items():
        assert m.key == key and m.name and m.source
        assert Rules(score_method=key).describe()[-2] == m.describe()
    with pytest.raises(MonitorError, match="年终自评得分预估方法"):
        Rules().with_changes({"score_method": "无此方法"})
    named = Rules().with_changes({"score_method": "全国自评手册（按执行率封顶，超额30%扣2分）"})
    assert named.score_method == "national_manual" and Rules.from_json(named.to_json()) == named
    # every rule code the column code can produce has its words
    rows = [IndicatorInput("x", D(10), D(v), D(1), op=op) for v in (0, 5, 7, 10, 15, 25) for op in (">=", "<=")]
    for m in score.METHODS.values():
        assert all(i.rule in score.RULE_WORDS.values() for i in score_project(rows, D(100), m).indicators)


def test_switching_the_method_changes_the_preview(demo_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(demo_store.path)
    main(["--db", db, "score", "--year", "2023", "--month", "12", "--project", "360100-XJZX-JB", "--json"])
    before = json.loads(capsys.readouterr().out)["projects"][0]
    rulebook.update(demo_store, {"score_method": "national_manual"}, ADMIN)
    main(["--db", db, "score", "--year", "2023", "--month", "12", "--project", "360100-XJZX-JB", "--json"])
    after = json.loads(capsys.readouterr().out)
    p = after["projects"][0]
    assert after["method"] == "全国自评手册（按执行率封顶，超额30%扣2分）"
    by_name = {i["name"]: i for i in p["indicators"]}
    # 官微视频号 146 of 80 (82.5% over) costs 2 points; plain proportion scores 215/300 of 3 as 2.15
    assert by_name["官微视频号推送短视频(条)"]["deducted"] and p["deductions"] == 2.0
    assert by_name["微信公众号总浏览量(万次)"]["score"] == 2.15
    assert p["total"] != before["total"]


def test_a_project_scored_alone_equals_its_row_in_the_whole_region(demo) -> None:  # type: ignore[no-untyped-def]
    _, st = demo
    whole = preview(st)
    for code in whole.projects["project_code"]:
        alone = preview(st, [code])
        assert alone.project(code) == whole.project(code)
    assert whole.project(SEED_PROJECT).grade in ("优", "良", "中", "差")
    assert len(whole.projects) == len(st.project_figures)


def test_a_unit_sees_the_scores_of_its_own_projects_only(demo_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(demo_store.path)
    assert main(["--db", db, "--as", "qypzgh-cw", "score", "--year", "2023", "--month", "10", "--json"]) == 0
    codes = [p["project_code"] for p in json.loads(capsys.readouterr().out)["projects"]]
    assert codes == [SEED_PROJECT]
    assert main(["--db", db, "--as", "qypzgh-cw", "score", "--year", "2023", "--month", "10", "--project", "360100-XJZX-JB"]) == 1
    assert "不在本账户范围内" in capsys.readouterr().err


def test_status_projection_feeds_the_preview(demo) -> None:  # type: ignore[no-untyped-def]
    _, st = demo
    p = preview(st, [SEED_PROJECT]).project(SEED_PROJECT)
    row = st.project(SEED_PROJECT)
    assert p.execution_rate == D(int(row["projected_bp"])) / 100
