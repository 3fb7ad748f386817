"""Many people, one round, in the library (no pages): accounts, scope, 填报 → 审核 → 退回, close, backup."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from monitor import accounts, audit, backup, filling, rounds, snapshots
from monitor.access import ACTION_WORDS, ADMIN, PAGE, PERMISSIONS, ROLES, Actor
from monitor.demo import SEED_PROJECT, create_demo_accounts
from monitor.errors import Forbidden, LoginFailed, MonitorError, StateConflict
from monitor.notes import Note, load_notes, save_note
from monitor.rulebook import load as load_rules
from monitor.status import compute_status, monthly_curve
from monitor.store import Store

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL

UNIT = Actor("qypzgh-cw", PAGE, "unit", "青云谱区总工会", "青云谱区总工会")
OTHER_UNIT = Actor("jb-cw", PAGE, "unit", "南昌市总工会", "南昌市总工会（本级）")
DEPT = Actor("qypzgh", PAGE, "department", "青云谱区总工会")
BUREAU = Actor("jixiaoke", PAGE, "bureau")
EVALUATOR = Actor("zhengxiao", PAGE, "evaluator")
DUE = date(2023, 11, 10)


@pytest.fixture
def store(demo_store: Store) -> Store:
    create_demo_accounts(demo_store)
    return demo_store


def test_every_action_is_named_and_every_role_known() -> None:
    assert set(PERMISSIONS) == set(ACTION_WORDS)
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


# -- accounts ----------------------------------------------------------------------------------
def test_a_password_logs_in_and_is_stored_only_as_an_argon2_hash(store: Store) -> None:
    actor = accounts.authenticate(store, "qypzgh-cw", "Demo-unit-2023", PAGE)
    assert (actor.role, actor.department, actor.unit) == ("unit", "青云谱区总工会", "青云谱区总工会")
    stored = store.scalar("SELECT password_hash FROM users WHERE name = 'qypzgh-cw'")
    assert str(stored).startswith("$argon2id$") and "Demo-unit-2023" not in str(stored)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(store: Store) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(LoginFailed, match=f"再错{left}次"):
            accounts.authenticate(store, "chakan", "wrong-123", PAGE)
    with pytest.raises(LoginFailed, match="已锁定15分钟"):
        accounts.authenticate(store, "chakan", "wrong-123", PAGE)
    with pytest.raises(LoginFailed, match="账户已锁定至"):
        accounts.authenticate(store, "chakan", "Demo-view-2023", PAGE)
    with pytest.raises(LoginFailed, match="用户名或密码不正确"):
        accounts.authenticate(store, "nobody", "Demo-view-2023", PAGE)


def test_a_disabled_account_is_logged_out_everywhere_and_cannot_log_in(store: Store) -> None:
    token = accounts.start_session(store, accounts.authenticate(store, "chakan", "Demo-view-2023", PAGE))
    assert accounts.resume_session(store, token, PAGE) is not None
    accounts.disable_user(store, ADMIN, "chakan")
    assert accounts.resume_session(store, token, PAGE) is None
    with pytest.raises(LoginFailed, match="已停用"):
        accounts.authenticate(store, "chakan", "Demo-view-2023", PAGE)
    with pytest.raises(Forbidden, match="无权管理账户"):
        accounts.disable_user(store, BUREAU, "admin")


def test_a_session_idle_for_30_minutes_has_expired(store: Store) -> None:
    token = accounts.start_session(store, accounts.authenticate(store, "jixiaoke", "Demo-bureau-2023", PAGE))
    with store.write() as con:
        con.execute("UPDATE sessions SET last_seen = ?", [datetime.now() - timedelta(minutes=31)])
    assert accounts.resume_session(store, token, PAGE) is None
    assert accounts.resume_session(store, "forged-token", PAGE) is None


def test_weak_passwords_and_accounts_without_their_place_are_refused(store: Store) -> None:
    with pytest.raises(MonitorError, match="至少8位"):
        accounts.add_user(store, ADMIN, "x", "viewer", "abc")
    with pytest.raises(MonitorError, match="须指定所属部门和单位"):
        accounts.add_user(store, ADMIN, "x", "unit", "abcd-1234", department="青云谱区总工会")


# -- scope -------------------------------------------------------------------------------------
def test_a_unit_user_gets_nothing_of_another_unit_from_the_library(store: Store) -> None:
    st = compute_status(store, 2023, 10, actor=UNIT)
    assert list(st.projects["project_code"]) == [SEED_PROJECT]
    assert set(st.indicator_figures["project_code"]) == {SEED_PROJECT}
    assert list(st.departments["department_name"]) == ["青云谱区总工会"]
    assert st.region["budget_fen"] == 490 * 1_000_000  # roll-ups over his projects only
    assert {n.project_code for n in load_notes(store, 2023, actor=UNIT)} == {SEED_PROJECT}
    curve = monthly_curve(store, 2023, actor=UNIT)
    assert int(curve["budget_fen"].iloc[0]) == 490 * 1_000_000
    with pytest.raises(Forbidden):
        rounds.submission(store, UNIT, 2023, 10, "360100-SZGH-XM")
    with pytest.raises(Forbidden):
        save_note(store, Note(2023, "360100-SZGH-XM", "", 10, explanation="x"), UNIT)
    from monitor.errors import NotFound

    with pytest.raises(NotFound, match="没有本账户范围内的项目"):
        compute_status(store, 2023, 10, actor=replace(UNIT, unit="不存在的单位"))


def test_a_department_sees_its_units_an_evaluator_its_assigned_projects(store: Store) -> None:
    nc = Actor("x", PAGE, "department", "南昌市总工会")
    assert len(compute_status(store, 2023, 10, actor=nc).projects) == 5
    assert list(compute_status(store, 2023, 10, actor=EVALUATOR).projects["project_code"]) == [SEED_PROJECT]
    assert len(compute_status(store, 2023, 10, actor=BUREAU).projects) == 6


def test_rules_are_the_bureaus_to_change(store: Store) -> None:
    from monitor import rulebook

    with pytest.raises(Forbidden, match="无权修改预警规则"):
        rulebook.update(store, {"ratio_green": "70"}, UNIT)
    assert load_rules(store).ratio_green == 80


# -- the round ----------------------------------------------------------------------------------
def _fill(store: Store, actor: Actor = UNIT) -> rounds.Submission:
    entry = filling.month_entry(store, actor, 2023, 10, SEED_PROJECT)
    actuals = tuple(replace(a, evidence="10月19日完成上解，凭证号2023-118") if a.indicator_name == "上解上级工会经费工作完成率"
                    else a for a in entry.actuals)
    return filling.save_month(store, actor, replace(entry, spent_wan="22.0882", actuals=actuals))


def test_the_round_from_task_to_bureau_approval_with_a_return_on_the_way(store: Store) -> None:
    assert rounds.open_task(store, BUREAU, 2023, 10, DUE) == 6
    status = rounds.task_status(store, BUREAU, 2023, 10, today=date(2023, 11, 1))
    assert set(status["state"]) == {rounds.NOT_FILLED} and set(status["days_left"]) == {9}
    sub = _fill(store)
    assert sub.state == rounds.DRAFT and sub.version == 1
    st = compute_status(store, 2023, 10, actor=UNIT)
    notes = load_notes(store, 2023, SEED_PROJECT, 10, actor=UNIT)
    missing = filling.missing_before_submit(st, SEED_PROJECT, notes, load_rules(store))
    assert missing == []  # the seed's own §五 notes give a cause and a measure for every red item
    money = next(n for n in notes if n.indicator_name == "")
    save_note(store, replace(money, causes=()), UNIT)
    notes = load_notes(store, 2023, SEED_PROJECT, 10, actor=UNIT)
    missing = filling.missing_before_submit(st, SEED_PROJECT, notes, load_rules(store))
    assert missing == ["项目资金（红灯）：偏差原因"]
    with pytest.raises(MonitorError, match="送审前还须填写"):
        rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, sub.version, missing)
    save_note(store, replace(next(n for n in notes if n.indicator_name == ""), causes=("经费保障",)), UNIT)
    sub = rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, sub.version, content={"说明": "第一次"})
    assert sub.state == rounds.SUBMITTED
    with pytest.raises(Forbidden, match="审核人退回后才能修改"):
        _fill(store)
    with pytest.raises(MonitorError, match="退回须写明原因"):
        rounds.send_back(store, DEPT, 2023, 10, SEED_PROJECT, sub.version, " ")
    sub = rounds.send_back(store, DEPT, 2023, 10, SEED_PROJECT, sub.version, "上解经费的佐证材料不全，请补充凭证")
    assert (sub.state, sub.return_reason, sub.returned_by) == (rounds.RETURNED, "上解经费的佐证材料不全，请补充凭证", "qypzgh")
    sub = _fill(store)
    sub = rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, sub.version, content={"说明": "第二次，已补凭证"})
    assert rounds.changes_between_submissions(sub) == ["说明：第一次 → 第二次，已补凭证"]
    with pytest.raises(StateConflict, match="已被"):
        rounds.approve(store, DEPT, 2023, 10, SEED_PROJECT, sub.version - 1)  # a reviewer on a stale page
    sub = rounds.approve(store, DEPT, 2023, 10, SEED_PROJECT, sub.version)
    sub = rounds.approve(store, BUREAU, 2023, 10, SEED_PROJECT, sub.version, needs_fix=True, fix_request="12月底前补齐上解")
    assert (sub.state, sub.needs_fix) == (rounds.BUREAU_APPROVED, True)
    rounds.answer_fix(store, UNIT, 2023, 10, SEED_PROJECT, "已于12月20日上解")
    row = rounds.task_status(store, DEPT, 2023, 10).iloc[0]
    assert (row["unit_name"], row["state"], row["open_fixes"]) == ("青云谱区总工会", rounds.BUREAU_APPROVED, 0)
    trail = audit.trail(store, UNIT, project_code=SEED_PROJECT)
    assert [e.kind for e in trail][:3] == ["整改", "状态", "状态"]
    assert {e.actor for e in trail} >= {"qypzgh-cw", "qypzgh", "jixiaoke"}


def test_a_unit_cannot_review_and_a_department_cannot_approve_for_the_bureau(store: Store) -> None:
    rounds.open_task(store, BUREAU, 2023, 10, DUE)
    sub = rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, 0)
    with pytest.raises(Forbidden):
        rounds.approve(store, UNIT, 2023, 10, SEED_PROJECT, sub.version)
    sub = rounds.approve(store, DEPT, 2023, 10, SEED_PROJECT, sub.version)
    with pytest.raises(StateConflict, match="不能部门审核通过"):
        rounds.approve(store, DEPT, 2023, 10, SEED_PROJECT, sub.version)


def test_a_closed_month_is_computed_from_its_snapshot_and_a_later_correction_shows_in_the_diff(store: Store, tmp_path: Path) -> None:
    from monitor.importer import import_path

    before = compute_status(store, 2023, 10, actor=BUREAU).project(SEED_PROJECT)
    snapshots.close_month(store, BUREAU, 2023, 10)
    with pytest.raises(Forbidden, match="已关账"):
        save_note(store, Note(2023, SEED_PROJECT, "开展送温暖人数", 10, explanation="x"), UNIT)
    folder = tmp_path / "fix"
    folder.mkdir()
    (folder / "月度支出.csv").write_text("年度,项目编码,月份,支出金额(万元)\n2023,360104-ZGH-2023-001,10,122.0882\n", encoding="utf-8")
    import_path(store, folder, actor=ADMIN)  # a correction after closing: 100万元 more spent in October
    frozen = snapshots.frozen_store(store, 2023, 10)
    assert frozen is not None
    again = compute_status(frozen, 2023, 10, actor=BUREAU).project(SEED_PROJECT)
    assert (again["rate_bp"], again["level"]) == (before["rate_bp"], before["level"]) == (2746, "red")
    d = snapshots.diff(store, BUREAU, 2023, 10)
    row = d.iloc[0]
    assert len(d) == 1 and (row["rate_bp_closed"], row["rate_bp_now"]) == (2746, 4786)  # 234.5368 ÷ 490


def test_a_backup_restores_every_note_state_and_audit_row(store: Store, tmp_path: Path) -> None:
    rounds.open_task(store, BUREAU, 2023, 10, DUE)
    _fill(store)
    counts = backup.backup(store, ADMIN, tmp_path / "b.zip")
    with store.connect() as con:
        before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("notes", "submissions", "audit", "users")}
    save_note(store, Note(2023, SEED_PROJECT, "开展送温暖人数", 10, causes=("其他",), explanation="备份之后写的"), UNIT)
    rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, 1)
    restored = backup.restore(store, ADMIN, tmp_path / "b.zip")
    assert restored == counts  # every table as it was at the backup (the restore's own record comes after)
    with store.connect() as con:
        after = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("notes", "submissions", "audit", "users")}
    assert after["audit"][:-1] == before["audit"]  # the trail as it was, then the restore's own record
    assert {t: after[t] for t in ("notes", "submissions", "users")} == {t: before[t] for t in ("notes", "submissions", "users")}
    assert audit.trail(store, ADMIN)[0].target.startswith("从备份")  # the restore itself is on record
    save_note(store, Note(2023, SEED_PROJECT, "开展送温暖人数", 10, causes=("其他",), explanation="恢复之后"), UNIT)


def test_attachments_are_listed_in_the_reports_annex_and_refused_when_not_what_they_claim(store: Store) -> None:
    from monitor import opinions
    from monitor.report import docx_lines, project_report

    opinions.attach(store, UNIT, 2023, 10, SEED_PROJECT, "上解回单.pdf", b"%PDF-1.4 receipt")
    with pytest.raises(MonitorError, match="内容与扩展名.pdf不符"):
        opinions.attach(store, UNIT, 2023, 10, SEED_PROJECT, "病毒.pdf", b"MZ\x90\x00")
    with pytest.raises(MonitorError, match="类型不可上传"):
        opinions.attach(store, UNIT, 2023, 10, SEED_PROJECT, "脚本.exe", b"MZ")
    with pytest.raises(Forbidden):
        opinions.attach(store, UNIT, 2023, 10, "360100-SZGH-XM", "a.pdf", b"%PDF")
    lines = docx_lines(project_report(store, compute_status(store, 2023, 10, actor=UNIT), SEED_PROJECT))
    assert "附件2：佐证材料清单" in lines and any(line.startswith("1\t上解回单.pdf\t项目\t1 KB\tqypzgh-cw") for line in lines)


def test_the_tongbao_lists_the_fixes_not_answered_yet(store: Store) -> None:
    from monitor.report import department_report, docx_lines

    rounds.open_task(store, BUREAU, 2023, 10, DUE)
    sub = rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, 0)
    rounds.approve(store, BUREAU, 2023, 10, SEED_PROJECT, sub.version, needs_fix=True, fix_request="补齐上解凭证")
    lines = docx_lines(department_report(store, compute_status(store, 2023, 10, actor=BUREAU), "青云谱区总工会"))
    # its heading's number moves as sections are added before it
    assert any(line.endswith("、尚未反馈的整改") for line in lines) and any("工会经费项目\t补齐上解凭证" in line for line in lines)
    rounds.answer_fix(store, UNIT, 2023, 10, SEED_PROJECT, "已补齐")
    lines = docx_lines(department_report(store, compute_status(store, 2023, 10, actor=BUREAU), "青云谱区总工会"))
    assert not any("尚未反馈的整改" in line for line in lines)


def test_an_opinion_is_the_evaluators_and_keeps_its_version(store: Store) -> None:
    from monitor import opinions
    from monitor.errors import NoteConflict

    first = opinions.save_opinion(store, EVALUATOR, opinions.Opinion(2023, 10, SEED_PROJECT, "上解、下拨指标设置不合理"))
    with pytest.raises(NoteConflict):
        opinions.save_opinion(store, BUREAU, opinions.Opinion(2023, 10, SEED_PROJECT, "另一人的意见", 0))
    with pytest.raises(Forbidden):
        opinions.save_opinion(store, UNIT, opinions.Opinion(2023, 10, SEED_PROJECT, "单位不能写监控方意见", first.version))
    with pytest.raises(Forbidden):
        opinions.save_opinion(store, EVALUATOR, opinions.Opinion(2023, 10, "360100-SZGH-XM", "未分配的项目"))
    assert opinions.load_opinion(store, BUREAU, 2023, 10, SEED_PROJECT).text == "上解、下拨指标设置不合理"


def _csv(folder: Path, rows: str) -> Path:
    folder.mkdir()
    (folder / "月度支出.csv").write_text("年度,项目编码,月份,支出金额(万元)\n" + rows, encoding="utf-8")
    return folder


def test_an_import_is_refused_whole_for_a_project_outside_the_users_scope(store: Store, tmp_path: Path) -> None:
    from monitor.importer import import_path

    folder = _csv(tmp_path / "a", "2023,360104-ZGH-2023-001,10,1\n2023,360100-SZGH-XM,10,1\n")
    before = store.data_version()
    with pytest.raises(Forbidden, match="无权导入不属于本账户范围的项目：360100-SZGH-XM"):
        import_path(store, folder, actor=UNIT)
    assert store.data_version() == before
    with pytest.raises(Forbidden, match="无权导入数据"):
        import_path(store, folder, actor=EVALUATOR)


def test_an_import_into_a_month_under_review_or_closed_is_the_bureaus_and_is_recorded(store: Store, tmp_path: Path) -> None:
    from monitor.importer import import_path

    rounds.open_task(store, BUREAU, 2023, 10, DUE)
    rounds.submit(store, UNIT, 2023, 10, SEED_PROJECT, 0)
    folder = _csv(tmp_path / "b", "2023,360104-ZGH-2023-001,10,30\n")
    with pytest.raises(Forbidden, match="已送审，审核人退回后才能修改"):
        import_path(store, folder, actor=UNIT)
    snapshots.close_month(store, BUREAU, 2023, 10)
    with pytest.raises(Forbidden, match="已关账"):
        import_path(store, folder, actor=DEPT)
    import_path(store, folder, actor=BUREAU)
    kinds = [(e.kind, e.target) for e in audit.trail(store, BUREAU)[:4]]
    assert ("调整", "2023年1-10月关账后调整") in kinds and ("导入", "导入「b」") in kinds
    assert any(e.kind == "导入" for e in audit.trail(store, UNIT, project_code=SEED_PROJECT))
