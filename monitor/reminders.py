"""催报: who has not submitted, which reds have no written cause, which 整改 are still open — as an
Excel list for the bureau and a Word 提醒函 per department to send out the same afternoon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import rounds
from .access import Actor, require
from .notes import load_notes
from .report import docx_base as D
from .report.lists import ListColumn, list_workbook_sheets
from .status import compute_status
from .store import Store
from .warnings import warning_items


@dataclass(frozen=True)
class Reminders:
    year: int
    month: int
    not_submitted: pd.DataFrame  # per unit: department_name, unit_name, state, due_date, days_left, overdue
    without_cause: pd.DataFrame  # per red item with no written cause: department, unit, project, item
    open_fixes: pd.DataFrame  # per project asked to 整改 and not answered yet

    @property
    def departments(self) -> list[str]:
        names = set(self.not_submitted["department_name"]) | set(self.without_cause["department_name"]) | set(
            self.open_fixes["department_name"])
        return sorted(names)


def reminders(store: Store, actor: Actor, year: int, month: int, today: date | None = None) -> Reminders:
    require(actor, "remind")
    units = rounds.task_status(store, actor, year, month, today)
    waiting = units[units["state"].isin([rounds.NOT_FILLED, rounds.DRAFT, rounds.RETURNED])].reset_index(drop=True)
    st = compute_status(store, year, month, actor=actor)
    items = warning_items(st, load_notes(store, year, month=month, actor=actor))
    reds = items[(items["level"] == "red") & ~items["has_note"]].reset_index(drop=True)
    subs = rounds.submissions(store, actor, year, month)
    fixes = subs[subs["needs_fix"] & subs["fix_result"].isna()].reset_index(drop=True)
    return Reminders(year, month, waiting, reds, fixes)


UNIT_COLUMNS = (
    ListColumn("主管部门", lambda r: r.department_name, width=20), ListColumn("预算单位", lambda r: r.unit_name, width=24),
    ListColumn("状态", lambda r: r.state, width=10), ListColumn("项目数", lambda r: r.projects, "int", 8),
    ListColumn("已送审项目", lambda r: r.submitted, "int", 10), ListColumn("报送截止日期", lambda r: str(r.due_date), width=14),
    ListColumn("剩余天数", lambda r: r.days_left, "int", 10),
    ListColumn("是否超时", lambda r: "已超时" if r.overdue else "", width=10),
)
RED_COLUMNS = (
    ListColumn("主管部门", lambda r: r.department_name, width=20), ListColumn("预算单位", lambda r: r.unit_name, width=24),
    ListColumn("项目编码", lambda r: r.project_code, width=20), ListColumn("项目名称", lambda r: r.project_name, width=30),
    ListColumn("事项", lambda r: r.indicator_name or "项目资金", width=28), ListColumn("预警原因", lambda r: r.reason, width=50),
)
FIX_COLUMNS = (
    ListColumn("主管部门", lambda r: r.department_name, width=20), ListColumn("预算单位", lambda r: r.unit_name, width=24),
    ListColumn("项目编码", lambda r: r.project_code, width=20), ListColumn("项目名称", lambda r: r.project_name, width=30),
    ListColumn("整改要求", lambda r: r.fix_request, width=60),
)


def reminders_workbook(r: Reminders) -> bytes:
    period = f"{r.year}年1-{r.month}月"
    return list_workbook_sheets([
        ("未报送单位", f"{period}未报送（未送审）单位", [f"共{len(r.not_submitted)}个单位"], UNIT_COLUMNS, r.not_submitted),
        ("红灯未说明", f"{period}红灯事项未填写原因", [f"共{len(r.without_cause)}项"], RED_COLUMNS, r.without_cause),
        ("整改未反馈", f"{period}整改要求未反馈", [f"共{len(r.open_fixes)}项"], FIX_COLUMNS, r.open_fixes),
    ])


def reminder_letters(r: Reminders, issuer: str = "财政局绩效科", when: date | None = None) -> bytes:
    """One 提醒函 per department, each on its own page, listing what that department still owes."""
    w = D.DocWriter()
    when = when or date.today()
    for i, dep in enumerate(r.departments):
        if i:
            w.page_break()
        w.add(f"关于报送{r.year}年1-{r.month}月绩效运行监控材料的提醒函", D.STYLE_COVER_TITLE)
        w.para(f"{dep}：")
        units = r.not_submitted[r.not_submitted["department_name"] == dep]
        reds = r.without_cause[r.without_cause["department_name"] == dep]
        fixes = r.open_fixes[r.open_fixes["department_name"] == dep]
        due = min((d for d in units["due_date"]), default=None)
        by = ("尽快" if due is None else f"于{D.cn_date(due)}前" if due >= when else f"尽快（报送截止日期{D.cn_date(due)}已过）")
        w.para(f"根据{r.year}年1-{r.month}月预算执行与绩效运行监控工作安排，经核对，截至{D.cn_date(when)}，贵部门尚有以下事项未完成，"
               f"请督促所属单位{by}在系统中补充填报并送审。")
        if len(units):
            w.para("一、未报送（未送审）的单位：" + "；".join(
                f"{u.unit_name}（{u.state}，{u.submitted}/{u.projects}个项目已送审"
                + (f"，已超时{-u.days_left}天" if u.overdue else "") + "）" for u in units.itertuples(index=False)) + "。")
        if len(reds):
            w.para("二、红灯事项尚未填写偏差原因和纠偏措施：" + "；".join(
                f"{x.unit_name}「{x.project_name}」{x.indicator_name or '项目资金'}" for x in reds.itertuples(index=False)) + "。")
        if len(fixes):
            w.para("三、整改要求尚未反馈：" + "；".join(
                f"{x.unit_name}「{x.project_name}」（{x.fix_request}）" for x in fixes.itertuples(index=False)) + "。")
        w.para("特此提醒。")
        w.add(issuer, D.STYLE_SIGNATURE)
        w.add(D.cn_date(when), D.STYLE_SIGNATURE)
    if not r.departments:
        w.para(f"{r.year}年1-{r.month}月没有需要提醒的事项。")
    w.flush()
    return D.to_bytes(w.doc)
