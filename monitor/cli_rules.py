"""`monitor rules …`: the rules in force per year, presets, changes and their history (parsing lives
here, one library call each; monitor.cli hands over the store and the acting user)."""

from __future__ import annotations

import argparse
import json

from . import rulebook
from .access import Actor
from .rules import FIELDS, PRESETS, parse_assignments, preset_named
from .store import Store

COMMANDS = ("rules",)


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ru = sub.add_parser("rules", help="查看或修改预警规则（按年度保存，每次修改记入修改记录）")
    rs = ru.add_subparsers(dest="rules_command", required=True)
    show = rs.add_parser("show", help="现行规则")
    show.add_argument("--json", action="store_true", help="输出 JSON")
    st = rs.add_parser("set", help="修改规则项，如 ratio_green=75 custom_schedule=8.33,16.67,… milestone_floors=4:25,6:40（与设置页同样校验）")
    st.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    rs.add_parser("reset", help="全部规则恢复为默认值")
    rs.add_parser("presets", help="列出预设方案及其来源")
    pr = rs.add_parser("preset", help="应用一个预设方案（名称与 presets 列出的一致，如 \"四川 里程碑\"）")
    pr.add_argument("name")
    rs.add_parser("history", help="规则修改记录")
    for p in (show, st, rs.choices["reset"], pr):
        p.add_argument("--year", type=int, default=None,
                       help="规则所属年度（默认为数据的当前年度；数据库中还没有项目时为各年度通用的规则）")


def _year(store: Store, args: argparse.Namespace) -> int | None:
    return args.year if args.year is not None else store.default_year()


def run(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    cmd = args.rules_command
    if cmd == "presets":
        for preset in PRESETS:
            print(f"{preset.name}：{preset.description}（来源：{preset.source}）")
        return 0
    if cmd == "history":
        for change in rulebook.history(store):
            fields = "；".join(f"{label}：{before} → {after}" for label, before, after in change.fields)
            print(f"{change.at:%Y-%m-%d %H:%M} {change.actor}（{change.source}）{change.what}：{fields}")
        return 0
    year = _year(store, args)
    before = rulebook.load(store, year)
    if cmd == "set":
        rules = rulebook.update(store, parse_assignments(args.assignments), actor, year=year)
    elif cmd == "reset":
        rules = rulebook.reset(store, actor, year)
    elif cmd == "preset":
        rules = rulebook.apply_preset(store, preset_named(args.name), actor, year)
    else:
        rules = before
    where = "各年度通用" if year is None else f"{year}年"
    if cmd != "show":
        changed = rules.changes_from(before)
        print(f"{where}规则没有变化。" if not changed and rules.preset == before.preset else f"已保存{where}规则（{rules.preset}）：" + "；".join(
            f"{FIELDS[k].label} {FIELDS[k].show(getattr(before, k))} → {FIELDS[k].show(getattr(rules, k))}" for k in changed))
    if cmd == "show" and args.json:
        print(json.dumps({"year": year, "preset": rules.preset, "rules": rules.as_dict(), "rules_text": rules.describe()},
                         ensure_ascii=False, indent=2))
    elif cmd == "show":
        print(f"# {where}规则")
        for key, spec in FIELDS.items():
            print(f"{key} = {spec.show(getattr(rules, key))}　# {spec.label}")
        print()
        print("\n".join(rules.describe()))
    return 0
