"""`monitor user|task|audit|diff|backup|restore …`: the round's commands (parsing lives here, one
library call each; monitor.cli hands over the store and the acting user)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .access import ROLES, Actor
from .errors import MonitorError
from .money import fmt_bp, fmt_wan
from .store import Store

COMMANDS = ("user", "task", "audit", "diff", "backup", "restore")


def add_parsers(sub: argparse._SubParsersAction, date_type) -> None:  # type: ignore[type-arg,no-untyped-def]
    u = sub.add_parser("user", help="账户：新建、列出、停用、重设密码、分配评价项目")
    us = u.add_subparsers(dest="user_command", required=True)
    add = us.add_parser("add", help="新建账户（密码从标准输入读取）")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES), help="、".join(f"{k}={v}" for k, v in ROLES.items()))
    add.add_argument("--department", help="所属主管部门（主管部门、预算单位账户必填）")
    add.add_argument("--unit", help="所属预算单位（预算单位账户必填）")
    add.add_argument("--display", default="", help="显示名称")
    add.add_argument("--password-stdin", action="store_true", required=True, help="从标准输入读取密码（不出现在命令历史中）")
    lst = us.add_parser("list", help="列出账户")
    lst.add_argument("--json", action="store_true")
    dis = us.add_parser("disable", help="停用账户（立即退出所有登录）")
    dis.add_argument("name")
    pw = us.add_parser("password", help="重设密码（从标准输入读取）")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", required=True)
    asg = us.add_parser("assign", help="分配第三方评价机构可查看的项目")
    asg.add_argument("name")
    asg.add_argument("--year", type=int, required=True)
    asg.add_argument("codes", nargs="+", metavar="项目编码")

    t = sub.add_parser("task", help="监控任务：布置、进度、关账、重点监控")
    ts = t.add_subparsers(dest="task_command", required=True)
    op = ts.add_parser("open", help="布置监控任务")
    op.add_argument("--year", type=int, required=True)
    op.add_argument("--month", type=int, required=True)
    op.add_argument("--due", type=date_type, required=True, help="报送截止日期 YYYY-MM-DD")
    g = op.add_mutually_exclusive_group()
    g.add_argument("--projects", help="项目编码清单文件（每行一个）")
    g.add_argument("--key-only", action="store_true", help="只布置重点监控项目")
    stt = ts.add_parser("status", help="各单位填报进度（未填报/已暂存/已送审/被退回/部门已审/财政已审，剩余天数）")
    stt.add_argument("--year", type=int, required=True)
    stt.add_argument("--month", type=int, required=True)
    stt.add_argument("--json", action="store_true")
    cl = ts.add_parser("close", help="关账：冻结本月数据、灯色、规则和说明")
    cl.add_argument("--year", type=int, required=True)
    cl.add_argument("--month", type=int, required=True)
    key = ts.add_parser("key", help="选择重点监控项目（替换原有选择）")
    key.add_argument("--year", type=int, required=True)
    key.add_argument("--projects", required=True, help="项目编码清单文件（每行一个）")

    a = sub.add_parser("audit", help="修改记录：谁、何时、从哪里、原值和新值")
    a.add_argument("--project", help="项目编码")
    a.add_argument("--user", help="操作人")
    a.add_argument("--since", type=date_type, help="起始日期 YYYY-MM-DD")
    a.add_argument("--json", action="store_true")

    d = sub.add_parser("diff", help="关账数据与当前数据对比（或两个月对比）")
    d.add_argument("--year", type=int, required=True)
    d.add_argument("--month", type=int, required=True)
    d.add_argument("--against", type=int, help="与该月对比（新增红灯、红灯转绿、部门排名变化）")
    d.add_argument("--json", action="store_true")

    b = sub.add_parser("backup", help="备份全部数据（含说明、状态、修改记录、账户）")
    b.add_argument("file", help="输出的 .zip")
    r = sub.add_parser("restore", help="从备份恢复（整体替换，出错则不作修改）")
    r.add_argument("file")


def _codes(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MonitorError(f"无法读取项目清单「{path}」：{exc}") from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _password() -> str:
    text = sys.stdin.readline().rstrip("\n")
    if not text:
        raise MonitorError("未从标准输入读到密码")
    return text


def run(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    return {"user": _user, "task": _task, "audit": _audit, "diff": _diff, "backup": _backup, "restore": _restore}[
        args.command](store, actor, args)


def _user(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from . import accounts

    cmd = args.user_command
    if cmd == "add":
        acc = accounts.add_user(store, actor, args.name, args.role, _password(), department=args.department, unit=args.unit,
                                display_name=args.display)
        print(f"已新建账户「{acc.name}」（{acc.role_name}{'，' + ' / '.join(x for x in (acc.department, acc.unit) if x) if acc.department else ''}）")
    elif cmd == "list":
        users = accounts.list_users(store, actor)
        if args.json:
            print(json.dumps([{"name": u.name, "display_name": u.display_name, "role": u.role, "role_name": u.role_name,
                               "department": u.department, "unit": u.unit, "disabled": u.disabled} for u in users],
                             ensure_ascii=False, indent=2))
        for u in users if not args.json else ():
            place = " / ".join(x for x in (u.department, u.unit) if x) or "全部"
            print(f"{u.name}\t{u.display_name}\t{u.role_name}\t{place}\t{'已停用' if u.disabled else '正常'}")
    elif cmd == "disable":
        accounts.disable_user(store, actor, args.name)
        print(f"已停用账户「{args.name}」，其登录已全部失效")
    elif cmd == "password":
        accounts.set_password(store, actor, args.name, _password())
        print(f"已重设「{args.name}」的密码")
    elif cmd == "assign":
        n = accounts.assign(store, actor, args.name, args.year, args.codes)
        print(f"已为「{args.name}」分配{args.year}年{n}个项目")
    return 0


def _task(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from . import rounds, snapshots

    cmd = args.task_command
    if cmd == "open":
        n = rounds.open_task(store, actor, args.year, args.month, args.due,
                             projects=_codes(args.projects) if args.projects else None, key_only=args.key_only)
        print(f"已布置{args.year}年1-{args.month}月监控任务，报送截止{args.due:%Y年%m月%d日}，共{n}个项目")
    elif cmd == "status":
        frame = rounds.task_status(store, actor, args.year, args.month)
        if args.json:
            print(json.dumps([{**r, "due_date": r["due_date"].isoformat()} for r in frame.to_dict("records")],
                             ensure_ascii=False, indent=2, default=int))
            return 0
        if frame.empty:
            print(f"{args.year}年1-{args.month}月没有监控任务")
        for r in frame.itertuples(index=False):
            left = f"已超时{-r.days_left}天" if r.overdue else (f"剩{r.days_left}天" if r.days_left >= 0 else "已过截止日")
            print(f"{r.department_name} / {r.unit_name}：{r.state}（{r.submitted}/{r.projects}个项目已送审，截止{r.due_date}，{left}）")
    elif cmd == "close":
        snapshots.close_month(store, actor, args.year, args.month)
        print(f"{args.year}年1-{args.month}月已关账：数据、灯色、规则和说明已冻结，此后的更正记为调整")
    elif cmd == "key":
        n = rounds.choose_key_projects(store, actor, args.year, _codes(args.projects))
        print(f"已选择{args.year}年重点监控项目{n}个")
    return 0


def _audit(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from . import audit

    rows = audit.trail(store, actor, project_code=args.project, user=args.user, since=args.since)
    if args.json:
        print(json.dumps([{"at": e.at.isoformat(sep=" "), "actor": e.actor, "source": e.source, "kind": e.kind, "target": e.target,
                           "year": e.year, "project_code": e.project_code, "before": e.before, "after": e.after} for e in rows],
                         ensure_ascii=False, indent=2))
        return 0
    for e in rows:
        where = f" {e.project_code}" if e.project_code else ""
        print(f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor}（{e.source}）{e.kind}{where}：{e.target}　原值 {_j(e.before)} → 新值 {_j(e.after)}")
    return 0


def _j(v: object) -> str:
    return "—" if v is None else json.dumps(v, ensure_ascii=False)


def _diff(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from . import snapshots

    if args.against:
        got = snapshots.compare_months(store, actor, args.year, args.against, args.month)
        if args.json:
            print(json.dumps({k: v.to_dict("records") for k, v in got.items()}, ensure_ascii=False, indent=2, default=str))
            return 0
        print(f"{args.year}年1-{args.month}月对比1-{args.against}月：")
        for title, key in (("新增红灯项目", "new_reds"), ("红灯转绿灯项目", "reds_turned_green")):
            frame = got[key]
            print(f"{title}{len(frame)}个" + ("：" + "、".join(frame["project_name"]) if len(frame) else ""))
        for r in got["ranking"].itertuples(index=False):
            moved = "" if r.moved is None or str(r.moved) == "<NA>" else (f"上升{int(r.moved)}位" if r.moved > 0 else
                                                                       f"下降{-int(r.moved)}位" if r.moved < 0 else "不变")
            print(f"  第{r.rank}名 {r.department_name} 执行率{fmt_bp(r.rate_bp)} {moved}")
        return 0
    frame = snapshots.diff(store, actor, args.year, args.month)
    if args.json:
        print(json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=2, default=str))
        return 0
    if frame.empty:
        print(f"{args.year}年1-{args.month}月关账后没有变化")
    for r in frame.itertuples(index=False):
        print(f"{r.department_name} / {r.project_code} {r.project_name}：累计支出 {fmt_wan(r.spent_fen_closed)} → {fmt_wan(r.spent_fen_now)}，"
              f"执行率 {fmt_bp(r.rate_bp_closed)} → {fmt_bp(r.rate_bp_now)}，资金灯 {r.level_closed} → {r.level_now}")
    return 0


def _backup(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from .backup import backup

    counts = backup(store, actor, args.file)
    print(f"已备份到「{args.file}」：{len(counts)}张表，共{sum(counts.values()):,}行")
    return 0


def _restore(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from .backup import restore

    counts = restore(store, actor, args.file)
    print(f"已从「{args.file}」恢复：{len(counts)}张表，共{sum(counts.values()):,}行")
    return 0
