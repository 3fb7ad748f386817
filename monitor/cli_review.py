"""`monitor review --year Y [--month M] [--project CODE] [--json]`: 目标合理性审核 at the command line
(parsing here, one library call; monitor.cli hands over the store and the acting user)."""

from __future__ import annotations

import argparse
import json

from .access import Actor
from .review import REVIEW_RULES, review
from .store import Store

COMMANDS = ("review",)


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    r = sub.add_parser("review", help="目标合理性审核：指标设置是否合理（资金作为数量指标、目标值偏低、指标值无法衡量等）")
    r.add_argument("--year", type=int, required=True)
    r.add_argument("--month", type=int, default=None, help="按该月末的实际完成值审核（默认为监控时点）")
    r.add_argument("--project", default=None, help="只审核该项目（项目编码）")
    r.add_argument("--json", action="store_true", help="输出 JSON（发现的问题列表）")
    r.add_argument("--rules", action="store_true", help="只列出审核规则")


def run(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    if args.rules:
        for rule in REVIEW_RULES:
            print(f"{rule.code}　{rule.title}（{rule.severity}）：{rule.explains}。依据：{rule.source}")
        return 0
    findings = review(store, actor, args.year, args.month, args.project)
    if args.json:
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        return 0
    current = None
    for f in findings:
        if f.project_code != current:
            current = f.project_code
            print(f"\n{f.project_code} {f.project_name}")
        settled = "，目标核对中已纠正" if f.settled else ""
        print(f"  · 指标：{f.indicator_name or '（项目整体）'}")
        print(f"    规则：{f.title}（{f.severity}{settled}）")
        print(f"    依据：{f.evidence}")
        print(f"    建议：{f.suggestion.removeprefix('建议')}")
    projects = len({f.project_code for f in findings})
    print(f"\n共发现目标设置问题{len(findings)}项，涉及{projects}个项目。" if findings else "未发现目标设置问题。")
    return 0
