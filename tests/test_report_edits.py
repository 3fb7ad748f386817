"""A person rewords a generated paragraph of the project report before export: kept, guarded, audited."""

from __future__ import annotations

from datetime import date

import pytest

from monitor import audit, snapshots
from monitor.access import ADMIN, PAGE, Actor
from monitor.demo import SEED_PROJECT
from monitor.errors import Forbidden, NoteConflict
from monitor.report import docx_lines, load, render_project_report, report_paragraphs
from monitor.report_edits import ParagraphEdit, load_edits, revert_edit, save_edit
from monitor.status import compute_status

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL

UNIT = Actor("青云谱区总工会财务室", PAGE, "unit", "青云谱区总工会", "青云谱区总工会")
OTHER_UNIT = Actor("别的单位", PAGE, "unit", "南昌市总工会", "南昌市总工会宣教中心")
VIEWER = Actor("只读查看", PAGE, "viewer")
BUREAU = Actor("区财政局绩效科", PAGE, "bureau")
WHEN = date(2023, 12, 10)


def _generated(store, key: str) -> str:
    st = compute_status(store, 2023, 10, actor=ADMIN)
    return dict(report_paragraphs(load(store, st, [SEED_PROJECT]), SEED_PROJECT))[key]


def _report(store) -> list[str]:
    st = compute_status(store, 2023, 10, actor=ADMIN)
    return docx_lines(render_project_report(load(store, st, [SEED_PROJECT]), SEED_PROJECT, report_date=WHEN, chart=False))


def test_paragraph_keys_are_stable_and_name_their_place(demo_store):
    keys = [k for k, _ in report_paragraphs(load(demo_store, compute_status(demo_store, 2023, 10, actor=ADMIN),
                                                  [SEED_PROJECT]), SEED_PROJECT)]
    assert len(keys) == len(set(keys))
    for k in ("开头", "§三.预算执行率", "§三.合规性", "§四.数量指标", "§四.服务对象满意度.完成情况", "§四.分析", "§五.结论"):
        assert k in keys, k


def test_the_export_uses_the_saved_wording_and_the_audit_keeps_it(demo_store):
    gen = _generated(demo_store, "§四.分析")
    saved = save_edit(demo_store, UNIT, ParagraphEdit(2023, 10, SEED_PROJECT, "§四.分析", "截至10月底，项目总体进展顺利。", gen))
    assert saved.version == 1
    lines = _report(demo_store)
    assert "截至10月底，项目总体进展顺利。" in lines and gen not in lines
    assert load_edits(demo_store, UNIT, 2023, 10, SEED_PROJECT)["§四.分析"].stale(gen) is False
    with demo_store.connect() as con:
        got = audit.entries(con, "报告")
    assert got and "§四.分析" in got[0].target
    revert_edit(demo_store, UNIT, saved)
    assert gen in _report(demo_store)


def test_an_edit_never_silently_overwrites_another(demo_store):
    gen = _generated(demo_store, "§五.结论")
    first = save_edit(demo_store, UNIT, ParagraphEdit(2023, 10, SEED_PROJECT, "§五.结论", "甲的文字。", gen))
    with pytest.raises(NoteConflict):  # read before the first save: version 0
        save_edit(demo_store, BUREAU, ParagraphEdit(2023, 10, SEED_PROJECT, "§五.结论", "乙的文字。", gen))
    assert save_edit(demo_store, BUREAU, ParagraphEdit(2023, 10, SEED_PROJECT, "§五.结论", "乙的文字。", gen, first.version)).version == 2


def test_rights_scope_and_closed_months(demo_store):
    gen = _generated(demo_store, "开头")
    edit = ParagraphEdit(2023, 10, SEED_PROJECT, "开头", "改写。", gen)
    with pytest.raises(Forbidden):
        save_edit(demo_store, VIEWER, edit)
    with pytest.raises(Forbidden):
        save_edit(demo_store, OTHER_UNIT, edit)
    snapshots.close_month(demo_store, BUREAU, 2023, 10)
    with pytest.raises(Forbidden, match="已关账"):
        save_edit(demo_store, BUREAU, edit)


def test_an_edit_on_older_figures_is_marked_stale(demo_store):
    gen = _generated(demo_store, "§三.预算执行率")
    save_edit(demo_store, ADMIN, ParagraphEdit(2023, 10, SEED_PROJECT, "§三.预算执行率", "旧数据的说法。", gen))
    with demo_store.transaction() as con:
        con.execute("UPDATE monthly SET spent = spent + 100000 WHERE year = 2023 AND project_code = ? AND month = 10", [SEED_PROJECT])
    now = _generated(demo_store, "§三.预算执行率")
    assert now != gen and load_edits(demo_store, ADMIN, 2023, 10, SEED_PROJECT)["§三.预算执行率"].stale(now)
