"""Roles in AppTest: log in, see only one's own projects on every page, be refused (not just hidden)
what one may not do, and take one's part in the round."""

from __future__ import annotations

from datetime import date

import pytest
from dashboard_support import DEMO_MONTH, DEMO_YEAR, SEED_PROJECT, demo_db, make_app  # noqa: F401

from monitor import rounds
from monitor.access import ADMIN
from monitor.store import Store

pytestmark = pytest.mark.usefixtures("demo_db")
PAGES = ("overview", "tasks", "low_execution", "project", "warnings", "diff", "audit", "data", "settings", "report", "accounts")
OTHER_UNITS = ("南昌市总工会", "劳模关爱", "工人文化宫", "宣教中心", "职工服务")


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def _everything(at) -> str:  # type: ignore[no-untyped-def]
    """Every word the page shows: text elements, table cells, widget labels and options."""
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "success", "info", "title", "subheader")
             for e in getattr(at, kind)]
    for d in at.dataframe:
        parts.append(d.value.to_csv())
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    for kind in ("selectbox", "multiselect"):
        for w in getattr(at, kind):
            parts += [str(w.label), *(str(o) for o in w.options)]
    return "\n".join(str(p) for p in parts)


def test_nobody_sees_anything_before_logging_in_and_a_wrong_password_is_said_so() -> None:
    at = make_app(user=None).run()
    _ok(at)
    assert at.text_input("login_name") and "72.13%" not in _everything(at)
    at.text_input("login_name").input("qypzgh-cw")
    at.text_input("login_password").input("wrong-1234")
    at.button("FormSubmitter:login-登录").click().run()
    assert any("用户名或密码不正确" in e.value for e in at.error)
    at.text_input("login_password").input("Demo-unit-2023")
    at.button("FormSubmitter:login-登录").click().run()
    _ok(at)
    assert any("qypzgh\\-cw · 预算单位" in c.value for c in at.sidebar.caption)
    assert "27.46%" in _everything(at)


@pytest.mark.parametrize("page", PAGES)
def test_a_unit_user_sees_no_other_units_project_on_any_page(page: str) -> None:
    at = make_app(user="qypzgh-cw", project=SEED_PROJECT).run()
    at.switch_page(f"pages/{page}.py").run()
    _ok(at)
    text = _everything(at)
    assert not [name for name in OTHER_UNITS if name in text], page


@pytest.mark.parametrize("page, refusal", [("settings", "无权修改预警规则"), ("accounts", "无权管理账户")])
def test_pages_a_unit_may_not_use_are_refused_when_typed_in(page: str, refusal: str) -> None:
    at = make_app(user="qypzgh-cw").run()
    links = [p.label for p in at.sidebar.get("page_link")]
    assert "设置" not in links and "账户" not in links and "项目详情" in links
    at.switch_page(f"pages/{page}.py").run()
    _ok(at)
    assert any(refusal in e.value for e in at.error) and not at.number_input and not at.dataframe


def test_a_viewer_reads_but_gets_no_form_to_write_in() -> None:
    at = make_app(user="chakan", project=SEED_PROJECT).run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    assert "27.46%" in _everything(at)
    assert not [b for b in at.button if "保存" in b.label] and not at.text_area


def test_the_department_returns_a_submission_and_the_unit_reads_the_reason_at_the_top(demo_db) -> None:  # type: ignore[no-untyped-def]
    store = Store(demo_db)
    rounds.open_task(store, ADMIN, DEMO_YEAR, DEMO_MONTH, date(2023, 11, 10))
    unit = make_app(user="qypzgh-cw", project=SEED_PROJECT).run()
    unit.switch_page("pages/project.py").run()
    key = f"fill:{DEMO_YEAR}:{DEMO_MONTH}:{SEED_PROJECT}"
    unit.text_input(f"{key}:spent").input("22.0882")
    unit.button(f"FormSubmitter:{key}:form-送审").click().run()
    _ok(unit)
    assert any("已送审" in s.value for s in unit.success)
    dept = make_app(user="qypzgh").run()
    dept.switch_page("pages/tasks.py").run()
    _ok(dept)
    assert "待审核" in _everything(dept) and SEED_PROJECT in _everything(dept)
    dept.switch_page("pages/project.py").run()
    review = f"review:{DEMO_YEAR}:{DEMO_MONTH}:{SEED_PROJECT}"
    dept.text_area(f"{review}:reason").input("上解经费未附凭证")
    dept.button(f"FormSubmitter:{review}:form-退回").click().run()
    _ok(dept)
    unit.run()
    assert any("被退回（qypzgh）：上解经费未附凭证" in e.value.replace("\\", "") for e in unit.error)


def test_a_session_idle_for_half_an_hour_asks_for_the_password_again() -> None:
    import time

    at = make_app(user="qypzgh-cw").run()
    _ok(at)
    at.session_state["_last_active"] = time.time() - 31 * 60
    at.run()
    _ok(at)
    assert at.text_input("login_name") and any("登录已超时" in i.value for i in at.info)
    assert "27.46%" not in _everything(at)


def test_a_disabled_account_is_logged_out_of_an_open_page(demo_db) -> None:  # type: ignore[no-untyped-def]
    import time

    from monitor import accounts
    from monitor.access import PAGE

    store = Store(demo_db)
    who = accounts.authenticate(store, "chakan", "Demo-view-2023", PAGE)
    at = make_app(user="chakan")
    at.session_state["_session_token"] = accounts.start_session(store, who)
    at.run()
    _ok(at)
    assert "72.13%" in _everything(at)  # the overview, logged in
    accounts.disable_user(store, ADMIN, "chakan")
    at.session_state["_session_checked"] = time.time() - 120  # the next check of the session is due
    at.run()
    assert at.text_input("login_name") and any("登录已失效" in i.value for i in at.info)


def test_a_units_save_shows_on_the_bureaus_overview_without_recomputing_the_region(demo_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from monitor import filling
    from monitor.access import PAGE, Actor
    from monitor.status import compute_status as real_compute

    rounds.open_task(Store(demo_db), ADMIN, DEMO_YEAR, DEMO_MONTH, date(2023, 11, 10))
    bureau = make_app(user="jixiaoke").run()
    assert "3,294.3648万元" in _everything(bureau)
    full: list[int] = []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        full.append(1)
        return real_compute(*args, **kwargs)

    monkeypatch.setattr("dashboard.common.compute_status", counted)
    unit = Actor("qypzgh-cw", PAGE, "unit", "青云谱区总工会", "青云谱区总工会")
    entry = filling.month_entry(Store(demo_db), unit, DEMO_YEAR, DEMO_MONTH, SEED_PROJECT)
    filling.save_month(Store(demo_db), unit, replace(entry, spent_wan="122.0882"))  # 100万元 more in October
    bureau.run()
    _ok(bureau)
    assert "3,394.3648万元" in _everything(bureau) and full == []  # only the seed project was computed again
