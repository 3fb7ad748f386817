"""The period a page shows: the default year and month, and months the data has not reached yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_support import demo_db, make_app  # noqa: F401

from monitor.access import ADMIN
from monitor.store import Store
from tests.builders import region, spent_by

pytestmark = pytest.mark.usefixtures("demo_db")


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def test_months_after_the_data_are_grey_and_every_page_says_the_data_ends_there(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "120"]], spent_by("P1", "10", 3), year=2025)
    monkeypatch.setenv("MONITOR_DB", str(store.path))
    at = make_app(month=None).run()
    _ok(at)
    assert at.session_state["month"] == 3 and not at.warning  # opens on the data's own month
    months = at.sidebar.button_group("month")
    assert [months.format_func(m) for m in (3, 4, 12)] == ["3月", ":gray[4月]", ":gray[12月]"]
    months.set_value(6).run()
    for page in ("pages/overview.py", "pages/warnings.py", "pages/report.py"):
        at.switch_page(page).run()
        _ok(at)
        assert any("2025年4-6月尚无数据，数据截至3月" in w.value and "本期应为1-3月" in w.value for w in at.warning), page
    at.button("no_data_switch").click().run()
    _ok(at)
    assert at.session_state["month"] == 3 and not any("尚无数据" in w.value for w in at.warning)


def test_one_project_of_another_year_does_not_move_everyones_default_year(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store(demo_db)
    store.set_monitoring_point(2023, None)  # no declared point: the year with the most projects decides
    other = region(tmp_path, [["X1", "部门甲", "单位甲", "10"]], spent_by("X1", "1", 2), year=2026)
    from monitor.importer import import_path

    import_path(store, Path(other.path).parent / "in", actor=ADMIN)
    assert store.years() == [2023, 2026] and store.default_year() == 2023
    at = make_app(month=None).run()
    _ok(at)
    assert at.session_state["year"] == 2023
