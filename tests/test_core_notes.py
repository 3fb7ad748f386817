"""Notes: saved with a version; a stale edit never overwrites another user's change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.access import ADMIN, Actor
from monitor.errors import MonitorError, NoteConflict
from monitor.notes import CAUSES, MEASURE_TYPES, Note, load_notes, save_note
from monitor.status import compute_status
from monitor.store import Store
from monitor.warnings import SUGGESTIONS, suggest_for_indicator, suggest_for_project, warning_items

pytestmark = pytest.mark.both_stores  # the store's behaviour: on a DuckDB file and on PostgreSQL

SEED = "360104-ZGH-2023-001"


def test_a_new_note_is_saved_and_read_back(demo_store: Store) -> None:
    note = Note(2023, SEED, "开展送温暖人数", 10, causes=("人员保障",), explanation="人手不足", likelihood="有可能")
    saved = save_note(demo_store, note, Actor("张三"))
    assert saved.version == 1
    back = [n for n in load_notes(demo_store, 2023, SEED, actor=ADMIN) if n.indicator_name == "开展送温暖人数"]
    assert back == [saved]


def test_two_users_editing_the_same_note_the_second_is_refused(demo_store: Store) -> None:
    original = next(n for n in load_notes(demo_store, 2023, SEED, 10, actor=ADMIN) if n.indicator_name == "")
    from dataclasses import replace

    save_note(demo_store, replace(original, explanation="甲的修改"), Actor("甲"))
    with pytest.raises(NoteConflict, match="已被他人修改"):
        save_note(demo_store, replace(original, explanation="乙的修改"), Actor("乙"))
    kept = next(n for n in load_notes(demo_store, 2023, SEED, 10, actor=ADMIN) if n.indicator_name == "")
    assert kept.explanation == "甲的修改" and kept.updated_by == "甲"


def test_impossible_without_a_measure_is_refused(demo_store: Store) -> None:
    with pytest.raises(MonitorError, match="必须填写纠偏措施"):
        save_note(demo_store, Note(2023, SEED, "", 11, likelihood="完全不可能"), Actor("张三"))


def test_the_suggestion_registry_uses_only_known_causes_and_measures() -> None:
    for s in SUGGESTIONS.values():
        assert s.cause in CAUSES and s.measure_type in MEASURE_TYPES, s.code


def test_the_seed_project_gets_the_seed_reports_wording(demo_store: Store) -> None:
    st = compute_status(demo_store, 2023, 10, actor=ADMIN)
    s = suggest_for_project(st, SEED)
    assert s is not None and "加快已完成项目的结算申请工作，及时支付项目资金" in s.measure
    assert "55.88个百分点" in s.explanation and "须月均支出" in s.explanation
    ind = suggest_for_indicator(st, SEED, "上解上级工会经费工作完成率")
    assert ind is not None and ind.code == "indicator_zero"


def test_warnings_list_every_red_and_yellow_item_with_its_note_state(demo_store: Store) -> None:
    st = compute_status(demo_store, 2023, 10, actor=ADMIN)
    items = warning_items(st, load_notes(demo_store, 2023, month=10, actor=ADMIN))
    seed = items[items["project_code"] == SEED]
    assert set(seed["indicator_name"]) == {"", "上解上级工会经费工作完成率", "下拨基层工会经费工作完成率"}
    assert seed["has_note"].all()
    assert set(items["level"]) <= {"red", "yellow"}
    assert not items[items["project_code"] != SEED]["has_note"].any()


def test_a_hundred_saves_of_one_note_at_the_same_instant_give_one_winner_and_99_clear_conflicts(demo_store: Store) -> None:
    import threading

    original = next(n for n in load_notes(demo_store, 2023, project_code=SEED, actor=ADMIN) if n.indicator_name == "")
    barrier = threading.Barrier(100)
    outcomes: list[str] = []

    def save(i: int) -> None:
        barrier.wait()
        try:
            save_note(demo_store, replace(original, explanation=f"第{i}人的修改"), Actor(f"用户{i}"))
            outcomes.append("saved")
        except NoteConflict as exc:
            outcomes.append("conflict" if "已被他人修改" in str(exc) else f"odd: {exc}")
        except Exception as exc:  # noqa: BLE001 - the point: nothing else may come out
            outcomes.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(outcomes)) == ["conflict", "saved"] and outcomes.count("saved") == 1
    stored = next(n for n in load_notes(demo_store, 2023, project_code=SEED, actor=ADMIN) if n.indicator_name == "")
    assert stored.version == original.version + 1


def test_two_people_saving_two_different_notes_at_the_same_moment_are_both_saved(demo_store: Store,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write moves the one data-version row; a writer slowed inside its transaction while
    another commits must still succeed, not be refused as "已被他人修改"."""
    import threading
    import time

    from monitor import rounds

    slow = threading.Event()
    real = rounds.check_editable

    def check(con, actor, year, month, code):  # type: ignore[no-untyped-def]
        real(con, actor, year, month, code)
        if actor.name == "乙":
            slow.set()
            time.sleep(1.0)  # 乙 is inside his transaction while 甲 saves

    monkeypatch.setattr(rounds, "check_editable", check)
    errors: list[BaseException] = []

    def save(who: str, indicator: str) -> None:
        try:
            save_note(demo_store, Note(2023, SEED, indicator, 10, causes=("其他",), explanation=f"{who}写的"), Actor(who))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    b = threading.Thread(target=save, args=("乙", "开展送温暖人数"))
    b.start()
    slow.wait(5)
    a = threading.Thread(target=save, args=("甲", "开展职工活动场次"))
    a.start()
    a.join()
    b.join()
    assert errors == []
    mine = {n.indicator_name: n.updated_by for n in load_notes(demo_store, 2023, SEED, 10, actor=ADMIN)}
    assert mine["开展送温暖人数"] == "乙" and mine["开展职工活动场次"] == "甲"
