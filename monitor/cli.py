"""The `monitor` command: each subcommand opens the store, makes one library call and prints."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from . import cli_review, cli_round, cli_score
from .access import ADMIN, CLI, Actor
from .errors import ImportRejected, MonitorError
from .money import fmt_bp, fmt_wan
from .notes import load_notes
from .status import LEVEL_ICONS, compute_status
from .store import Store, open_store

DEFAULT_DB = "data/monitor.duckdb"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="monitor", description="预算执行与绩效运行监控（双监控）命令行工具")
    p.add_argument("--db", default=os.environ.get("MONITOR_DB", DEFAULT_DB),
                   help=f"DuckDB 数据库文件，或 PostgreSQL 地址 postgresql://用户@主机:端口/库名（默认取环境变量 MONITOR_DB，否则 {DEFAULT_DB}）")
    p.add_argument("--as", dest="actor", default=None, metavar="USER", help="以该用户的身份操作（记入修改记录；默认为管理员）")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="创建空数据库")
    mg = sub.add_parser("migrate", help="把全部数据迁移到另一个数据库（如 DuckDB 文件 → PostgreSQL），逐表核对")
    mg.add_argument("--from", dest="source", required=True, help="源：DuckDB 文件或 postgresql://…")
    mg.add_argument("--to", dest="target", required=True, help="目标（须为空库）：postgresql://… 或 DuckDB 文件")
    d = sub.add_parser("demo", help="导入演示数据（可重复执行）")
    d.add_argument("--if-empty", action="store_true", help="仅在数据库为空时导入")
    t = sub.add_parser("template", help="生成导入模板（空白，或预填一个部门的项目和指标）")
    t.add_argument("out", help="输出的 .xlsx 文件")
    t.add_argument("--department", help="预填该部门已有的项目和绩效指标（须同时给出 --year 和 --month）")
    t.add_argument("--year", type=int, help="预填的年度")
    t.add_argument("--month", type=int, help="要填报的月份（1-12）")
    i = sub.add_parser("import", help="导入工作簿或 CSV 文件夹（整体导入，出错则全部不导入）")
    i.add_argument("path", help=".xlsx 文件或存放 CSV 的文件夹")
    for name, helptext in (("status", "监控状态"), ("warnings", "红黄灯预警清单")):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--year", type=int, required=True)
        s.add_argument("--month", type=int, required=True)
        if name == "status":
            s.add_argument("--json", action="store_true", help="输出 JSON")
    r = sub.add_parser("report", help="导出 Word 监控报告")
    _report_args(r)
    _report_options(r)
    tb = sub.add_parser("table", help="导出 Excel 绩效目标执行监控表")
    _report_args(tb)
    for flag, what in (("--filler", "填表人"), ("--reviewer", "审核人"), ("--phone", "联系电话")):
        tb.add_argument(flag, default="", help=f"表尾的{what}")
    from . import cli_rules

    cli_rules.add_parsers(sub)
    from . import cli_round

    cli_round.add_parsers(sub, _date)
    cli_review.add_parsers(sub)
    cli_score.add_parsers(sub)
    return p


def _report_args(r: argparse.ArgumentParser) -> None:
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--project", help="项目编码")
    g.add_argument("--department", help="部门名称")
    g.add_argument("--all", action="store_true", help="全部项目（输出 zip）")
    r.add_argument("--year", type=int, required=True)
    r.add_argument("--month", type=int, required=True)
    r.add_argument("--out", required=True, help="输出文件（--all 时为文件夹）")
    r.add_argument("--date", type=_date, default=None, help="报告日期 YYYY-MM-DD（默认为监控时点次月末，不晚于今天）")
    r.add_argument("--issuer", default=None, help="报告出具单位（默认为项目单位）")


def _report_options(r: argparse.ArgumentParser) -> None:
    """`monitor report` only: the documents relied on, who commissioned the monitoring, and whether
    LibreOffice fills in the 目录's page numbers (monitor.report.toc)."""
    r.add_argument("--basis", action="append", default=[], metavar="依据文件",
                   help="监控依据文件（含文号），可重复给出，或在一项中用“;”分隔，"
                        "如 《XX区财政局关于开展2023年预算绩效运行监控工作的通知》（X财绩〔2023〕12号）")
    r.add_argument("--commissioner", default=None, help="委托方（如 XX区财政局），写入报告开头“受……委托”")
    r.add_argument("--no-toc-update", dest="toc_update", action="store_false",
                   help="不用 LibreOffice 排版（默认在已安装 LibreOffice 时填入目录页码、把图移到不留空白的位置；"
                        "不排版时 Word 打开文件会提示更新域）")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，而不是「{text}」") from exc


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ImportRejected as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except MonitorError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `monitor status … | head` closed the pipe: stop quietly, as other command-line tools do
        # (Python's advice: point stdout at devnull so the interpreter's final flush cannot fail).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _migrate(source: str, target: str) -> int:
    from .pgstore import is_postgres
    from .transfer import copy_store

    if not is_postgres(source) and not os.path.exists(source):
        raise MonitorError(f"源数据库文件「{source}」不存在")
    src, dst = open_store(source), open_store(target)
    copies = copy_store(src, dst)
    for c in copies:
        print(f"{c.table:<16}{c.rows:>10}行  {'一致' if c.same else '不一致'}")
    bad = [c.table for c in copies if not c.same]
    if bad:
        print(f"以下表迁移后与源不一致：{'、'.join(bad)}。请删除目标库后重新迁移。", file=sys.stderr)
        return 1
    print(f"已迁移{len(copies)}张表、{sum(c.rows for c in copies)}行，逐表核对一致。")
    return 0


def actor_of(args: argparse.Namespace, store: Store) -> Actor:
    """The administrator, or the account named by --as (its role and scope apply)."""
    if not args.actor:
        return ADMIN
    from .accounts import account_actor

    return account_actor(store, args.actor, CLI)


class _ProgressBar:
    """An import's progress on stderr (stdout keeps only the result): a bar redrawn in place on a
    terminal, one line per stage otherwise (a log, a pipe).

    Written here rather than with tqdm or rich: the import reports four stages with Chinese names,
    not an iteration count, and the log form (one line per stage) is what a scheduled import's log
    should hold; a dependency for twenty lines is not worth it."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty()
        self.open = False  # a bar drawn on the terminal line and not yet ended by a line break

    def __call__(self, fraction: float, stage: str) -> None:
        pct = round(fraction * 100)
        if self.tty:
            filled = round(fraction * 30)
            self.stream.write(f"\r导入进度 [{'#' * filled}{'.' * (30 - filled)}] {pct:3d}% {stage}\033[K")
            self.open = True
            if fraction >= 1:
                self.close()
        else:
            self.stream.write(f"导入进度 {pct}% {stage}\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line, so that what follows (an error) starts on its own."""
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False


def _run(args: argparse.Namespace) -> int:
    if args.command == "migrate":
        return _migrate(args.source, args.target)
    if args.command == "template":
        from .template import write_template

        if args.department is None:
            print(f"已生成模板：{write_template(args.out)}")
            return 0
        if args.year is None or args.month is None:
            raise MonitorError("预填模板须同时给出 --year 和 --month")
        path = write_template(args.out, open_store(args.db), args.department, args.year, args.month)
        print(f"已生成「{args.department}」{args.year}年{args.month}月的预填模板：{path}")
        return 0
    store = open_store(args.db)
    actor = actor_of(args, store)
    if args.command == "init":
        print(f"数据库已就绪：{getattr(store, 'label', store.path)}（结构版本{store.schema_version()}）")
    elif args.command == "demo":
        from .demo import create_demo_accounts, load_demo

        rep = load_demo(store, only_if_empty=args.if_empty)
        print("数据库已有数据，未导入演示数据" if rep is None else "演示数据" + rep.summary())
        made = create_demo_accounts(store)
        if made:
            print("已创建演示账户（仅供演示，正式使用前请停用并另建账户）：")
            for name, role, password, place in made:
                print(f"  {role:<8} 用户名 {name:<12} 密码 {password:<18} 范围 {place}")
    elif args.command == "import":
        from .importer import import_path

        bar = _ProgressBar(sys.stderr)
        try:
            rep = import_path(store, args.path, actor=actor, progress=bar)
        finally:
            bar.close()
        print(rep.summary())
        for w in rep.warnings:
            print(f"提醒：{w}")
    elif args.command == "status":
        st = compute_status(store, args.year, args.month, actor=actor)
        if args.json:
            print(st.to_json())
        else:
            _print_status(st)
    elif args.command == "warnings":
        from .warnings import warning_items

        st = compute_status(store, args.year, args.month, actor=actor)
        items = warning_items(st, load_notes(store, args.year, month=args.month, actor=actor))
        for r in items.itertuples(index=False):
            where = r.project_name + (f" / {r.indicator_name}" if r.indicator_name else "")
            print(f"{LEVEL_ICONS[r.level]} {r.department_name} | {where} | {r.reason} | 建议：{r.suggested_measure} | {'已填写说明' if r.has_note else '未填写说明'}")
        print(f"共{len(items)}项预警（红灯{int((items['level'] == 'red').sum())}项，黄灯{int((items['level'] == 'yellow').sum())}项）")
    elif args.command == "rules":
        from . import cli_rules

        return cli_rules.run(store, actor, args)
    elif args.command in cli_review.COMMANDS:
        return cli_review.run(store, actor, args)
    elif args.command in cli_round.COMMANDS:
        return cli_round.run(store, actor, args)
    elif args.command in cli_score.COMMANDS:
        return cli_score.run(store, actor, args)
    elif args.command in ("report", "table"):
        from .report import cli as report_cli

        return report_cli.run(store, args, actor)
    return 0


def _print_status(st) -> None:  # type: ignore[no-untyped-def]
    r = st.region
    print(f"{st.year}年1-{st.month}月 序时进度{fmt_bp(st.schedule.bp)}；全部项目预算{fmt_wan(r['budget_fen'])}，"
          f"累计支出{fmt_wan(r['spent_fen'])}，执行率{fmt_bp(r['rate_bp'])}")
    for d in st.departments.itertuples(index=False):
        print(f"{LEVEL_ICONS[d.level]} {d.department_name}：执行率{fmt_bp(d.rate_bp)}，差距{fmt_bp(d.gap_bp, '个百分点')}，"
              f"红{d.red} 黄{d.yellow} 绿{d.green}")
    for p in st.projects.itertuples(index=False):
        print(f"  {LEVEL_ICONS[p.level]} {p.project_code} {p.project_name}：{fmt_wan(p.spent_fen)} / {fmt_wan(p.budget_fen)}，"
              f"{p.level_reason}；指标{LEVEL_ICONS[p.indicator_level]}（{p.quadrant}）")


if __name__ == "__main__":
    raise SystemExit(main())
