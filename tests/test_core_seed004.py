"""Seed 004 (青云谱区总工会 工会经费项目, 1-10月 2023) reproduced through the CLI's JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.demo import SEED_PROJECT


@pytest.fixture(scope="module")
def status_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("cli") / "m.duckdb"
    import contextlib
    import io

    assert main(["--db", str(db), "demo"]) == 0
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["--db", str(db), "status", "--year", "2023", "--month", "10", "--json"]) == 0
    return json.loads(buf.getvalue())


@pytest.fixture(scope="module")
def seed(status_json: dict) -> dict:
    return next(p for p in status_json["projects"] if p["project_code"] == SEED_PROJECT)


def test_the_schedule_at_the_end_of_october_is_83_33(status_json: dict) -> None:
    assert status_json["year"] == 2023 and status_json["month"] == 10
    assert status_json["schedule_rate"] == 83.33


def test_seed_project_money_matches_the_report(seed: dict) -> None:
    assert seed["budget_wan"] == 490
    assert seed["spent_ytd_wan"] == 134.5368
    assert seed["arrived_wan"] == 490
    assert seed["arrival_rate"] == 100.00


def test_a_project_55_88_points_behind_schedule_is_red(seed: dict) -> None:
    # the report prints 27.45% by truncation; rounded half up it is 27.46%
    assert seed["execution_rate"] == 27.46
    assert seed["gap_pp"] == 55.88
    assert seed["ratio"] == 32.95
    assert seed["level"] == "red"
    assert "32.95" in seed["level_reason"] and "红灯" in seed["level_reason"]


def test_seed_project_is_behind_on_both_money_and_targets(seed: dict) -> None:
    assert seed["indicator_level"] == "red"
    assert seed["quadrant"] == "资金、目标双滞后"


def test_seed_department_equals_its_single_project(status_json: dict) -> None:
    dep = next(d for d in status_json["departments"] if d["department_name"] == "青云谱区总工会")
    assert (dep["execution_rate"], dep["gap_pp"], dep["ratio"], dep["level"], dep["red"]) == (27.46, 55.88, 32.95, "red", 1)


# 表4 of seed 004: name, annual target, stage target, actual, and the light our rules give
TABLE4 = [
    ("工会经费金额", "≤490万", "400万元", "134.5368万元", "green"),  # a cost cap not exceeded
    ("“携手小康”就业重点群体技能培训(人)", "≥100人", "80人", "183人", "blue"),  # 183% of the annual target
    ("劳模开展宣讲活动(次)", "≥5次", "4次", "5次", "green"),
    ("基层工会培养文化骨干培训班数量", "≥4个", "4个", "5个", "blue"),
    ("工会阵地建设(职工之家、爱心驿站)", "≥5家", "4家", "4家", "green"),
    ("开展职工劳动技能竞赛场次", "≥5场", "4场", "4场", "green"),
    ("开展职工活动场次", "≥5场", "4场", "5场", "green"),
    ("开展送温暖人数", "≥200人", "1000人", "1000人", "blue"),
    ("开设职工子女寒暑假托管班(人)", "≥40人", "80人", "83人", "blue"),
    ("职工疗休养(人)", "≥60人", "100人", "110人", "blue"),
    ("上解上级工会经费工作完成率", "=100%", "100%", "0%", "red"),  # not started
    ("下拨基层工会经费工作完成率", "=100%", "100%", "0%", "red"),
    ("各类培训合格率", "=100%", "100%", "100%", "green"),
    ("工会基地建设验收合格率", "=100%", "100%", "100%", "green"),
    ("活动举办成功率", "=100%", "100%", "100%", "green"),
    ("送温暖慰问发放准确率", "=100%", "100%", "100%", "green"),
    ("职工疗养对象符合率", "=100%", "100%", "100%", "green"),
    ("项目完成及时率", "=100%", "100%", "100%", "green"),
    ("丰富职工精神文化生活", "丰富", "丰富", "丰富", "green"),  # the target's own word means 达成
    ("危害职工合法权益事件发生次数", "0次", "0次", "0次", "green"),  # a zero target met
    ("职工互助保障帮扶效果提升", "提升", "提升", "提升", "green"),
    ("困难职工家庭救助落实率", "100%", "100%", "100%", "green"),
    ("服务对象满意度", "≥95%", "95%", "95%", "green"),
]


def test_table4_has_exactly_the_tracked_indicators_in_order(seed: dict) -> None:
    assert [i["name"] for i in seed["indicators"]] == [row[0] for row in TABLE4]


@pytest.mark.parametrize(("name", "annual", "stage", "actual", "level"), TABLE4, ids=[r[0] for r in TABLE4])
def test_table4_row(seed: dict, name: str, annual: str, stage: str, actual: str, level: str) -> None:
    row = next(i for i in seed["indicators"] if i["name"] == name)
    assert (row["annual_target"], row["stage_target"], row["actual"], row["level"]) == (annual, stage, actual, level)


def test_training_completion_is_228_75_percent_of_its_stage_target(seed: dict) -> None:
    row = next(i for i in seed["indicators"] if i["name"].startswith("“携手小康”"))
    assert row["completion_rate"] == 228.75


def test_deleted_indicators_are_not_tracked(seed: dict) -> None:
    names = {i["name"] for i in seed["indicators"]}
    assert "促进民营经济发展" not in names and "工会经费发放覆盖率" not in names


def test_demo_is_idempotent(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "m.duckdb"
    assert main(["--db", str(db), "demo"]) == 0
    assert main(["--db", str(db), "demo"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), sum(spent) FROM monthly WHERE project_code = ?", [SEED_PROJECT]).fetchone() == (12, __import__("decimal").Decimal("1345368.00"))
    con.close()
