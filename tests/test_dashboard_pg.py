"""AppTest: the pages over PostgreSQL (MONITOR_DB=postgresql://…), the same figures as over the file,
and a change made by another process shown on the next run."""

from __future__ import annotations

from dataclasses import replace

import pytest
from dashboard_support import DEMO_MONTH, DEMO_YEAR, SEED_PROJECT, make_app
from pgcluster import PgCluster

from dashboard.notes_form import form_key
from monitor.access import ADMIN
from monitor.notes import load_notes, save_note
from monitor.store import open_store

PAGES = ("pages/overview.py", "pages/low_execution.py", "pages/project.py", "pages/warnings.py", "pages/data.py",
         "pages/settings.py", "pages/report.py")


@pytest.fixture
def pg_db(pg_cluster: PgCluster, pg_demo_template: str, monkeypatch: pytest.MonkeyPatch) -> str:
    dsn = pg_cluster.create_database(f"page_{id(monkeypatch)}", template=pg_demo_template)
    monkeypatch.setenv("MONITOR_DB", dsn)
    return dsn


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def _card(at, label: str) -> str:  # type: ignore[no-untyped-def]
    return next(m.value for m in at.markdown if m.value.startswith(f":gray[:small[{label}]]"))


def _seed_note(dsn: str):  # type: ignore[no-untyped-def]
    return next(n for n in load_notes(open_store(dsn), DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN) if n.indicator_name == "")


def test_every_page_over_postgresql_renders_and_the_overview_shows_the_files_figures(pg_db: str) -> None:
    at = make_app(user="jixiaoke").run()
    _ok(at)
    assert "### 72.13%" in _card(at, "预算执行率") and "### 3,294.3648万元" in _card(at, "累计支出")
    for page in PAGES:
        at.switch_page(page).run()
        _ok(at)
        assert at.title, page
    # another process adds 10万元 to October's spend: the overview's next run shows it
    other = open_store(pg_db)
    with other.transaction() as con:
        other.touched(con, DEMO_YEAR, [SEED_PROJECT])
        con.execute("UPDATE monthly SET spent = spent + 100000 WHERE year = ? AND project_code = ? AND month = 10",
                    [DEMO_YEAR, SEED_PROJECT])
    at.switch_page("pages/overview.py").run()
    _ok(at)
    assert "### 3,304.3648万元" in _card(at, "累计支出")


def test_a_note_saved_in_the_page_over_postgresql_is_there_for_another_process_and_back(pg_db: str) -> None:
    at = make_app(project=SEED_PROJECT, user="qypzgh-cw").run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    prefix = form_key(DEMO_YEAR, DEMO_MONTH, SEED_PROJECT, "")
    at.text_area(f"{prefix}:explanation").input("已与施工方完成结算，11月支付。")
    at.button(f"FormSubmitter:{prefix}:form-保存说明").click().run()
    _ok(at)
    assert any("已保存（第2版" in s.value for s in at.success)
    assert (_seed_note(pg_db).explanation, _seed_note(pg_db).updated_by) == ("已与施工方完成结算，11月支付。", "qypzgh-cw")
    # another process changes it meanwhile: saving the form as it was opened is refused, nothing overwritten
    save_note(open_store(pg_db), replace(_seed_note(pg_db), explanation="另一进程的修改"), ADMIN)
    at.text_area(f"{prefix}:explanation").input("本页的再次修改")
    at.button(f"FormSubmitter:{prefix}:form-保存说明").click().run()
    _ok(at)
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any("已被他人修改" in v for v in shown), shown
    assert (_seed_note(pg_db).explanation, _seed_note(pg_db).version) == ("另一进程的修改", 3)
