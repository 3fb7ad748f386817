"""AppTest: 项目详情's 「目标合理性」 section against a real demo database file."""

from __future__ import annotations

import pytest
from dashboard_support import SEED_PROJECT, demo_db, make_app  # noqa: F401

pytestmark = pytest.mark.usefixtures("demo_db")


def _open(at):  # type: ignore[no-untyped-def]
    at.run()
    at.switch_page("pages/project.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _review_table(at):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if list(d.value.columns) == ["指标", "问题", "性质", "依据", "建议"])


def test_seed_project_shows_its_target_problems_with_evidence_and_fix() -> None:
    at = _open(make_app(project=SEED_PROJECT))
    assert any(m.value == "**目标合理性**" for m in at.markdown)
    table = _review_table(at)
    money = table[table["问题"] == "资金作为数量指标"]
    assert list(money["指标"]) == ["上解上级工会经费工作完成率", "下拨基层工会经费工作完成率"]
    assert "指标值为≤73.5万元" in money.iloc[0]["建议"]
    low = table[table["问题"] == "目标值明显偏低"].set_index("指标")
    assert "为年度目标值（≥200人）的500.00%" in low.loc["开展送温暖人数", "依据"]
    goal = table[table["指标"] == "（项目整体）"]
    assert list(goal["问题"]) == ["年度绩效目标无明确工作内容"]
    deleted = table[table["指标"] == "促进民营经济发展"]
    assert set(deleted["性质"]) == {"请核实（目标核对中已纠正）", "问题（目标核对中已纠正）"}
    assert any("发现目标设置问题" in c.value for c in at.caption)


def test_a_project_without_target_problems_says_so() -> None:
    at = _open(make_app(project="360100-SZGH-JB"))  # 基本支出: no indicators to review
    assert any(c.value == "未发现目标设置问题。" for c in at.caption)
    assert not [d for d in at.dataframe if "建议" in d.value.columns]
