"""Where a click on one of the overview's charts leads.

Each chart puts the key of a point in its customdata[0] (dashboard/charts.py): the department of a
bar, the month of a point on the cumulative curve, the project code of a quadrant point. `read` turns
the selection Streamlit reports for a chart into a `Click` — pure, tested without a browser — and
`follow` (a chart's on_select callback) with `go_on` act on it:

- a department bar → 低执行项目, its 主管部门 filter preset to that department;
- a month → that period for every page (the sidebar's month and the address's ?month=);
- a quadrant point → that project's 项目详情.

A month is set in the callback itself, before the script runs: once the sidebar's month chooser is
drawn its value can no longer be set. A page is opened by the overview's script (`go_on`), first thing:
st.switch_page finds pages among those st.navigation registered in the same run, not yet done when
callbacks run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import streamlit as st

from dashboard import common

Kind = Literal["department", "month", "project"]
CHARTS: dict[str, Kind] = {"departments": "department", "curve": "month", "quadrants": "project"}
LOW_EXECUTION = Path(__file__).resolve().parent / "pages" / "low_execution.py"
# The 低执行项目 filters a department click sets (its widget keys, pages/low_execution.py). Units are
# emptied: units chosen earlier belong to other departments and would hide this one's projects.
DEPARTMENTS_FILTER, UNITS_FILTER = "le_departments", "le_units"
PENDING = "_overview_click"  # a click whose page is still to be opened (`go_on`)


@dataclass(frozen=True)
class Click:
    """What a user clicked: a department name, a month (1-12) or a project code."""

    kind: Kind
    value: str | int


def read(chart: str, selection: Mapping[str, Any] | None) -> Click | None:
    """The click in a chart's selection, or None (nothing chosen: a click beside the points, or a
    second click on the chosen point, which Plotly reports as an empty selection)."""
    kind = CHARTS[chart]
    points = (selection or {}).get("points") or []
    custom = points[0].get("customdata") if points else None
    key = custom[0] if isinstance(custom, list | tuple) and custom else None
    if kind == "month":
        # JSON brings numbers back as int or float; a month is a whole number 1-12 (bool is an int too)
        if isinstance(key, int | float) and not isinstance(key, bool) and key == int(key) and int(key) in common.MONTHS:
            return Click(kind, int(key))
        return None
    return Click(kind, key) if isinstance(key, str) and key else None


def low_execution_filters(department: str) -> dict[str, list[str]]:
    """The 低执行项目 filters that show one department's projects (its other filters stay as set)."""
    return {DEPARTMENTS_FILTER: [department], UNITS_FILTER: []}


def follow(chart: str, key: str) -> None:
    """on_select of the chart drawn with `key`: a month is set at once, a page is opened by `go_on`."""
    click = read(chart, st.session_state[key].selection)
    if click is None:
        return
    if click.kind == "month":
        st.session_state[common.MONTH] = click.value
    else:
        st.session_state[PENDING] = click


def go_on() -> None:
    """First thing the overview's script does: open the page a click asked for, if any."""
    click = st.session_state.pop(PENDING, None)
    if click is None:
        return
    if click.kind == "project":
        common.open_project(str(click.value))
    for name, value in low_execution_filters(str(click.value)).items():
        st.session_state[name] = value
    st.switch_page(LOW_EXECUTION, query_params={"year": str(st.session_state[common.YEAR]),
                                                "month": str(st.session_state[common.MONTH])})
