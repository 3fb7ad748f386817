"""Text from data stays text: names and notes never become Markdown, links, images or fake lights."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from dashboard_support import make_app

from dashboard import tables
from dashboard.common import plain
from tests.builders import region, spent_by

HOSTILE = ":green[● 绿灯] ![t](http://10.0.0.9/pixel.png) [点我](http://evil.example) #标题 **粗体** $x^2$ www.x.cn"


def _seen(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def test_plain_text_survives_markdown_unchanged_and_carries_no_markup() -> None:
    escaped = plain(HOSTILE)
    assert _seen(escaped) == HOSTILE
    # every Markdown character is escaped, and no link can be recognised
    assert not re.search(r"(?<!\\)[\[\]():#*$!]", escaped)
    assert "http://" not in escaped and "www." not in escaped


def test_a_project_named_like_markdown_is_shown_as_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "100"]], spent_by("P1", "10", 10))
    with store.transaction() as con:
        con.execute("UPDATE projects SET project_name = ?", [HOSTILE])
    monkeypatch.setenv("MONITOR_DB", str(store.path))
    at = make_app(month=10, project="P1").run()
    at.switch_page("pages/project.py").run()
    assert not at.exception
    title = next(h for h in at.subheader if "绿灯" in h.value)
    assert _seen(title.value) == HOSTILE and title.value == plain(HOSTILE)


def test_only_light_columns_are_coloured_and_an_indicator_name_keeps_the_tables_colour() -> None:
    items = pd.DataFrame({
        "kind": ["资金", "指标"], "department_name": ["部门甲"] * 2, "unit_name": ["单位甲"] * 2,
        "project_code": ["P1"] * 2, "project_name": ["项目一"] * 2, "indicator_name": ["", "培训人次"],
        "level": ["red", "yellow"], "reason": ["r", "r"], "idle_fen": [1_000_000, pd.NA], "gap_bp": [100, pd.NA],
        "suggested_cause": ["", ""], "suggested_measure": ["", ""], "has_note": [True, False],
        "projection_level": ["green", "red"],
    })
    frame, _ = tables.warnings(items)
    assert list(frame["沉淀资金(万元)"]) == ["1", ""]  # blank, not "None", for an indicator row
    styler = tables.styled(frame)
    styler._compute()
    coloured = {frame.columns[c] for (_, c), props in styler.ctx.items() if props}
    assert coloured == {"灯", "预计灯", "说明"}
    assert not any("inherit" in v for props in styler.ctx.values() for _, v in props)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/low_execution.py", "pages/project.py", "pages/warnings.py",
                                  "pages/data.py", "pages/settings.py", "pages/report.py"])
def test_every_page_renders_for_a_region_that_reports_only_its_spend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     page: str) -> None:
    store = region(tmp_path, [["P1", "部门甲", "单位甲", "100"], ["P2", "部门乙", "单位乙", "50"]],
                   spent_by("P1", "10", 6) + spent_by("P2", "40", 6))  # no arrivals, no plan, no indicators
    monkeypatch.setenv("MONITOR_DB", str(store.path))
    at = make_app(month=6).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
