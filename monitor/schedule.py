"""序时进度 T(m) as an exact fraction t_num / t_den.

All projects of one computation share the denominator t_den so that roll-ups stay exact: a
department's schedule is Σ(budget × t_num) / (t_den × Σ budget). In the `plan` mode each project's
own share of its 用款计划 is carried at twelve decimals (t_den = 10^12), which is far below the
hundredth of a percent anyone reads.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import MonitorError
from .rules import Rules

PLAN_DEN = 10**12


@dataclass(frozen=True)
class Schedule:
    year: int
    month: int
    t_num: int  # the common schedule (plan mode: the month fallback)
    t_den: int
    mode: str
    cutoff: date

    @property
    def bp(self) -> int:
        """The schedule in hundredths of a percent, rounded half up (8333 = 83.33%)."""
        from .money import round_div

        return round_div(self.t_num * 10000, self.t_den)


def schedule_for(year: int, month: int, rules: Rules) -> Schedule:
    if not 1 <= month <= 12:
        raise MonitorError(f"监控月份应为1到12，而不是{month}")
    last_day = calendar.monthrange(year, month)[1]
    cutoff = date(year, month, last_day)
    mode = rules.schedule_mode
    if mode == "month":
        return Schedule(year, month, month, 12, mode, cutoff)
    if mode == "day":
        days = 366 if calendar.isleap(year) else 365
        return Schedule(year, month, cutoff.timetuple().tm_yday, days, mode, cutoff)
    if mode == "custom":
        pct = Decimal(rules.custom_schedule[month - 1])
        # percent with up to 4 decimals → an integer over 10^6
        return Schedule(year, month, int(pct * 10000), 1_000_000, mode, cutoff)
    if mode == "plan":
        return Schedule(year, month, month * PLAN_DEN // 12, PLAN_DEN, mode, cutoff)
    raise MonitorError(f"未知的序时进度口径「{mode}」")
