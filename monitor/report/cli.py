"""`monitor report …` and `monitor table …`: argument handling for the exports (parsing is in monitor.cli)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..access import Actor
from ..errors import MonitorError
from ..status import compute_status
from ..store import Store


def run(store: Store, args: argparse.Namespace, actor: Actor) -> int:
    from ..snapshots import frozen_store

    # a closed month is reported as it was closed: the same text however the data moved on since
    store = frozen_store(store, args.year, args.month) or store
    status = compute_status(store, args.year, args.month, actor=actor)
    if args.command == "table":
        return _table(store, status, args)
    return _report(store, status, args)


def _report(store: Store, status, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from .bundle import write_reports_zip
    from .department import department_report
    from .docx_base import split_basis
    from .project import project_report

    basis = split_basis(getattr(args, "basis", None) or [])
    commissioner = getattr(args, "commissioner", None)
    if args.all:
        out = _zip_path(Path(args.out), status.year, status.month)
        n = write_reports_zip(out, store, status, issuer=args.issuer, report_date=args.date, basis=basis,
                              commissioner=commissioner)
        print(f"已生成{n}个项目的监控报告（zip）：{out}")
        return 0
    out = _file(args.out, ".docx")
    if args.project:
        data = project_report(store, status, args.project, issuer=args.issuer, report_date=args.date, basis=basis,
                              commissioner=commissioner)
        out.write_bytes(_with_toc_pages(data, getattr(args, "toc_update", False)))
        print(f"已生成项目绩效运行监控报告：{out}")
    else:
        data = department_report(store, status, args.department, report_date=args.date, issuer=args.issuer, basis=basis)
        out.write_bytes(_with_toc_pages(data, getattr(args, "toc_update", False)))
        print(f"已生成{args.department}监控通报：{out}")
    return 0


def _with_toc_pages(data: bytes, wanted: bool) -> bytes:
    """Laid out by LibreOffice when asked and installed (目录 page numbers, the chart where it leaves
    no blank); otherwise Word updates the 目录 on opening."""
    from . import toc

    if not wanted:
        return data
    if not toc.available():
        print("未安装 LibreOffice，未经排版：目录页码在用 Word 打开时选择更新域即可生成。")
        return data
    try:
        return toc.update_toc(data)
    except MonitorError as exc:
        print(f"LibreOffice 排版未完成（{exc}）；目录页码在用 Word 打开时选择更新域即可生成。")
        return data


def _table(store: Store, status, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from .table import Signature, monitoring_table

    out = _file(args.out, ".xlsx")
    sign = Signature(args.filler, args.reviewer, args.phone, args.date)  # 填表人/审核人/联系电话/填报日期
    if args.all:
        data = monitoring_table(store, status, signature=sign)
    elif args.project:
        status.project(args.project)  # a clear 「没有项目编码为…」 rather than an empty workbook
        data = monitoring_table(store, status, [args.project], signature=sign)
    else:
        data = monitoring_table(store, status, department=args.department, signature=sign)
    out.write_bytes(data)
    print(f"已生成绩效目标执行监控表：{out}")
    return 0


def _file(path: str, suffix: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise MonitorError(f"输出路径「{out}」是一个文件夹，请给出{suffix}文件名")
    if out.suffix.lower() != suffix:
        raise MonitorError(f"输出文件应以{suffix}结尾：{out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _zip_path(out: Path, year: int, month: int) -> Path:
    """--all --out DIR writes DIR/<年>年1-<m>月绩效运行监控报告.zip; a path ending in .zip is used as is."""
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        return out
    out.mkdir(parents=True, exist_ok=True)
    return out / f"{year}年1-{month}月绩效运行监控报告.zip"
