"""The 「项目基本情况」 expander of 项目详情 in AppTest: a unit saves its project's words, a stale form is
refused without overwriting anything, a unit of another unit never gets the form, a viewer only reads."""

from __future__ import annotations

from dataclasses import replace

import pytest
from dashboard_support import DEMO_MONTH, DEMO_YEAR, SEED_PROJECT, demo_db, make_app  # noqa: F401

from dashboard.project_facts import form_key
from monitor.access import ADMIN, Actor
from monitor.accounts import add_user
from monitor.project_facts import load_facts, save_facts
from monitor.store import Store

pytestmark = pytest.mark.usefixtures("demo_db")
PREFIX = form_key(DEMO_YEAR, SEED_PROJECT)


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def _open(user: str):  # type: ignore[no-untyped-def]
    at = make_app(project=SEED_PROJECT, user=user).run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    return at


def test_a_unit_saves_its_projects_words_and_activities(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _open("qypzgh-cw")
    assert at.session_state[f"{PREFIX}:goal_adjusted"] == "是"
    assert at.text_area(f"{PREFIX}:activities").value.splitlines()[7].startswith("2023-07-03—2023-08-11 开设职工子女寒暑假托管班：")
    at.text_area(f"{PREFIX}:compliance").input("经核查，资金使用合规。")
    lines = at.text_area(f"{PREFIX}:activities").value + "\n2023-10-30 职工书屋图书更新：新增图书500册"
    at.text_area(f"{PREFIX}:activities").input(lines)
    at.button(f"FormSubmitter:{PREFIX}:form-保存项目基本情况").click().run()
    _ok(at)
    assert any("已保存（第2版" in s.value for s in at.success)
    f = load_facts(Store(demo_db), ADMIN, DEMO_YEAR, SEED_PROJECT)
    assert f.compliance == "经核查，资金使用合规。" and f.updated_by == "qypzgh-cw" and len(f.activities) == 10
    assert f.activities[-1].title == "职工书屋图书更新" and f.adjusted_goal.startswith("加强基层工会规范化建设")


def test_a_line_that_cannot_be_read_is_refused_with_its_number(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _open("qypzgh-cw")
    at.text_area(f"{PREFIX}:activities").input("2023-05 技能培训：三期\n十月 劳动技能竞赛")
    at.button(f"FormSubmitter:{PREFIX}:form-保存项目基本情况").click().run()
    _ok(at)
    assert any("第2行" in e.value and "2023-07-03" in e.value.replace("\\", "") for e in at.error)
    assert len(load_facts(Store(demo_db), ADMIN, DEMO_YEAR, SEED_PROJECT).activities) == 9


def test_a_stale_form_is_refused_and_overwrites_nothing(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _open("qypzgh-cw")
    store = Store(demo_db)
    theirs = load_facts(store, ADMIN, DEMO_YEAR, SEED_PROJECT)
    save_facts(store, replace(theirs, compliance="财政局：另一人的修改"), Actor("李四"), DEMO_MONTH)  # after our form was read
    at.text_area(f"{PREFIX}:compliance").input("我的修改")
    at.button(f"FormSubmitter:{PREFIX}:form-保存项目基本情况").click().run()
    _ok(at)
    assert any("已被他人修改" in e.value and "未保存" in e.value for e in at.error)
    assert load_facts(store, ADMIN, DEMO_YEAR, SEED_PROJECT).compliance == "财政局：另一人的修改"
    assert at.text_area(f"{PREFIX}:compliance").value == "我的修改"  # the user's text is kept
    at.button(f"{PREFIX}:reload").click().run()
    _ok(at)
    assert at.text_area(f"{PREFIX}:compliance").value == "财政局：另一人的修改"


def test_another_units_user_gets_no_form_and_a_viewer_only_reads(demo_db) -> None:  # type: ignore[no-untyped-def]
    add_user(Store(demo_db), ADMIN, "wenhuagong", "unit", "Demo-unit-2023", department="南昌市总工会", unit="南昌市工人文化宫")
    other = _open("wenhuagong")
    assert not [t for t in other.text_area if t.key and t.key.startswith(PREFIX)]
    viewer = _open("chakan")
    assert not [t for t in viewer.text_area if t.key and t.key.startswith(PREFIX)]
    shown = "\n".join(m.value for m in viewer.markdown)
    assert "加强基层工会规范化建设" in shown and "7月3日—8月11日" in shown and "江西正效咨询管理有限公司" in shown
    sources = next(d.value for d in viewer.dataframe if "资金来源" in d.value.columns)
    assert sources.iloc[0].tolist() == ["财政拨款", "490", "0", "0", "490", "134.5368"] and "截至10月" in shown


def test_the_unit_edits_the_months_sources_in_a_table_and_a_viewer_only_reads_them(demo_db) -> None:  # type: ignore[no-untyped-def]
    from monitor.project_facts import load_sources

    at = _open("qypzgh-cw")
    editor = next(d for d in at.data_editor if d.key == f"{PREFIX}:sources_editor")
    assert editor.value.to_dict("records")[0] | {"spent": None} == {"source": "财政拨款", "initial": 490.0, "added": 0.0, "cut": 0.0,
                                                                    "adjusted": 490.0, "spent": None}
    at.button(f"{PREFIX}:sources_save").click().run()  # saved as the month's own table, unchanged
    _ok(at)
    assert any("资金来源已保存（截至10月，1项）" in s.value for s in at.success)
    assert [(s.source, s.month, s.adjusted_fen) for s in load_sources(Store(demo_db), ADMIN, DEMO_YEAR, DEMO_MONTH, SEED_PROJECT)] == [
        ("财政拨款", 10, 490_000_000)]
    viewer = _open("chakan")
    assert not [d for d in viewer.data_editor if d.key and d.key.startswith(PREFIX)]


def test_a_project_without_fund_sources_gets_an_empty_sources_table_to_fill(demo_db) -> None:  # type: ignore[no-untyped-def]
    code = str(Store(demo_db).scalar("SELECT min(project_code) FROM projects WHERE year = ? AND project_code NOT IN "
                                     "(SELECT project_code FROM fund_sources)", [DEMO_YEAR]))
    at = make_app(project=code, user="admin").run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    assert not [e.value for e in at.error if "页面出错了" in e.value]
    editor = next(d for d in at.data_editor if d.key == f"{form_key(DEMO_YEAR, code)}:sources_editor")
    assert editor.value.empty and list(editor.value.columns)[0] == "source"
