"""AppTest: the year-end score preview on 项目详情 (the card) and 低执行项目 (the column)."""

from __future__ import annotations

import os

import pytest
from dashboard_support import SEED_PROJECT, demo_db, make_app  # noqa: F401

from monitor import rulebook
from monitor.access import ADMIN
from monitor.score_preview import preview
from monitor.status import compute_status
from monitor.store import Store

pytestmark = pytest.mark.usefixtures("demo_db")
XJZX = "360100-XJZX-JB"  # seed 000's 宣教中心: its year-end actuals score 0.88 of 3 and 2.28 of 4


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def _metric(at, label: str):  # type: ignore[no-untyped-def]
    return next(m for m in at.metric if m.label == label)


def _project(month: int, code: str):  # type: ignore[no-untyped-def]
    at = make_app(month, project=code).run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    return at


def _expected(month: int, code: str):  # type: ignore[no-untyped-def]
    store = Store(os.environ["MONITOR_DB"])
    return preview(compute_status(store, 2023, month, actor=ADMIN), [code]).project(code)


def test_the_project_card_shows_total_grade_parts_and_seed_000_scores() -> None:
    at = _project(12, XJZX)
    expected = _expected(12, XJZX)
    total = _metric(at, "预计总分")
    assert total.value == f"{expected.total}分" and expected.grade in str(total.delta)
    assert _metric(at, "预算执行率得分").value == "10.00分"
    assert _metric(at, "绩效指标得分").value == f"{expected.indicator_score}分"
    assert _metric(at, "扣分与封顶").value == "0.00分"
    assert any("比例得分（完成率低于60%不得分）" in c.value for c in at.caption)
    # a read-only st.dataframe carries no key in AppTest: found by its columns
    table = next(d.value for d in at.dataframe if "计分规则" in d.value.columns)
    rows = dict(zip(table["三级指标"], table["预计得分（分）"], strict=True))
    assert rows["微信公众号总浏览量(万次)"] == "0.88" and rows["官网更新动态信息(篇)"] == "2.28"


def test_the_card_follows_the_method_setting() -> None:
    rulebook.update(Store(os.environ["MONITOR_DB"]), {"score_method": "national_manual"}, ADMIN)
    at = _project(12, XJZX)
    # 官微视频号 146 of 80 is 82.5% over its target: 2 points off under the national manual
    assert _metric(at, "扣分与封顶").value == "2.00分"
    assert any("全国自评手册" in c.value for c in at.caption)


def test_a_project_without_indicators_says_it_cannot_be_scored() -> None:
    at = _project(10, "360100-SZGH-JB")
    assert _metric(at, "预计总分").value == "—"
    assert any("暂不能预估总分" in c.value for c in at.caption)


def test_the_low_execution_list_has_the_projected_score_after_its_key_columns() -> None:
    at = make_app().run()
    at.switch_page("pages/low_execution.py").run()
    _ok(at)
    table = at.dataframe("le_table").value
    cols = list(table.columns)
    # the columns a 1366 px laptop shows first are unchanged; the score follows them
    assert cols[cols.index("说明") + 1] == "预计得分（分）"
    scores = dict(zip(table["项目编码"], table["预计得分（分）"], strict=True))
    assert scores[SEED_PROJECT] == float(_expected(10, SEED_PROJECT).total)
    assert str(scores["360100-SZGH-JB"]) == "<NA>"  # no indicators: no score
