"""`monitor score`: the year-end self-evaluation score previewed from the projections at a month
(parsing lives here, one library call; monitor.cli hands over the store and the acting user)."""

from __future__ import annotations

import argparse
import json

from .access import Actor
from .score import ProjectScore
from .score_preview import preview
from .status import compute_status
from .store import Store

COMMANDS = ("score",)


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("score", help="年终自评得分预估：按预计年底执行率和指标预计完成率测算得分和等级")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--month", type=int, required=True, help="监控月份（按1-该月的数据预计全年）")
    s.add_argument("--project", help="只看该项目（列出每个指标的得分）")
    s.add_argument("--json", action="store_true", help="输出 JSON（分值单位为分，比率单位为%%）")


def _pts(d: object) -> str:
    return "—" if d is None else f"{d}分"


def _line(p: ProjectScore, name: str) -> str:
    if p.total is None:
        return f"{p.project_code} {name}：无法预估（没有可计分的绩效指标）；预算执行率得分{_pts(p.execution_score)}"
    extra = f" − 扣分{_pts(p.deductions)}（{p.deducted}项指标超额30%及以上）" if p.deducted else ""
    cap = f"；预计执行率{p.execution_rate}%，总分不超过{_pts(p.cap)}" + ("（已封顶）" if p.capped else "") if p.cap is not None else ""
    return (f"{p.project_code} {name}：预计{_pts(p.total)}（{p.grade}）= 预算执行率得分{_pts(p.execution_score)}"
            f" + 绩效指标得分{_pts(p.indicator_score)}{extra}{cap}")


def run(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    st = compute_status(store, args.year, args.month, actor=actor)
    pv = preview(st, None if args.project is None else [args.project])
    names = dict(zip(pv.projects["project_code"], pv.projects["project_name"], strict=True))
    codes = [args.project] if args.project else sorted(names)
    scores = [pv.project(c) for c in codes]
    if args.json:
        print(json.dumps({"year": st.year, "month": st.month, "method": pv.method.name, "method_key": pv.method.key,
                          "method_text": pv.method.describe(), "unit_points": "分", "unit_rate": "%",
                          "projects": [p.to_dict() | {"project_name": names[p.project_code]} for p in scores]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{st.year}年1-{st.month}月 年终自评得分预估（{pv.method.name}）")
    for p in scores:
        print(_line(p, names[p.project_code]))
        if args.project:
            for i in p.indicators:
                comp = "—" if i.completion is None else f"{i.completion}%"
                score = "不计分" if i.score is None else f"{i.score}分"
                mark = "（超额30%及以上，扣分）" if i.deducted else ""
                print(f"  {i.level1} / {i.name}：分值{i.weight}分，预计完成率{comp}，得分{score}{mark}；{i.rule}")
    print(pv.method.describe())
    return 0
