"""The 通报's section 年终自评得分预估: grades per department (or unit) and the projects' previewed scores.

The figures come from monitor.score_preview, the same as `monitor score` and the dashboard's card, so
a 通报 and a page never disagree; the method's sentence is printed under the tables.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from .. import score
from ..score_preview import preview
from ..status import Status
from . import docx_base as D
from .phrases import missing, pct, plain

GRADE_WORDS = [w for _, w in score.GRADES] + [score.NO_GRADE]


def _pts(h: object) -> str:
    return "—" if missing(h) else f"{int(h) // 100}.{int(h) % 100:02d}"  # type: ignore[call-overload]


def write_scores(w: D.DocWriter, status: Status, codes: Collection[str], labelled: pd.DataFrame, name: str,
                 by_department: bool, max_rows: int) -> None:
    """Grade counts per department (the region's 通报) or unit (a department's), then every project by
    its previewed total, lowest first, cut at `max_rows`."""
    pv = preview(status, codes, labelled=labelled)
    p = pv.projects
    if p.empty:
        w.para("本期无纳入监控的项目。")
        return
    counts = {g: int((p["grade"] == g).sum()) for g in GRADE_WORDS}
    w.para(f"按{pv.method.name}测算，{name}纳入监控的{len(p)}个项目中，预计年终自评等级为优的{counts['优']}个、良{counts['良']}个、"
           f"中{counts['中']}个、差{counts['差']}个" + (f"，无法预估的{counts[score.NO_GRADE]}个（没有可计分的绩效指标）" if counts[score.NO_GRADE] else "")
           + "。预算执行率得分按预计年底执行率计算，绩效指标得分按各指标预计全年完成率计算，均为预估，供提前发现问题之用。")
    key = "department_name" if by_department else "unit_name"
    noun = "部门" if by_department else "单位"
    table = score.grade_counts(p, p[key].astype("string")).sort_index()
    w.caption(f"各{noun}项目年终自评预计等级")
    rows = [[i + 1, group, int(r.sum()), *(int(r[g]) for g in GRADE_WORDS)] for i, (group, r) in enumerate(table.iterrows())]
    rows.append(["合计", "", len(p), *(counts[g] for g in GRADE_WORDS)])
    w.table([D.Col("序号", 1.1), D.Col(noun, 4.6, left=True), D.Col("项目数", 1.6), D.Col("优", 1.4), D.Col("良", 1.4),
             D.Col("中", 1.4), D.Col("差", 1.4), D.Col("无法预估", 1.8)], rows)

    ordered = p.assign(_missing=p["total_h"].isna()).sort_values(["_missing", "total_h", "project_code"], kind="stable")
    w.caption("项目年终自评得分预估（按预计总分由低到高）")
    rows = []
    for i, r in enumerate(ordered.head(max_rows).itertuples(index=False)):
        cut = [f"扣{_pts(r.deduction_h)}"] if r.deduction_h else []
        if r.capped:
            cut.append(f"封顶{_pts(r.cap_h)}")
        rows.append([i + 1, r.unit_name, r.project_name, pct(r.projected_bp), _pts(r.exec_h), _pts(r.ind_h),
                     "、".join(cut) or "—", _pts(r.total_h), r.grade])
    w.table([D.Col("序号", 0.9), D.Col("单位", 2.4, left=True), D.Col("项目名称", 3.2, left=True), D.Col("预计年底执行率", 1.7),
             D.Col("执行率得分（分）", 1.5), D.Col("指标得分（分）", 1.5), D.Col("扣分/封顶（分）", 1.6),
             D.Col("预计总分（分）", 1.5), D.Col("等级", 1.1)], rows, font_pt=D.WIDE_TABLE_PT)
    if len(ordered) > max_rows:
        w.note(f"注：共{len(ordered)}个项目，本表列出预计总分最低的{max_rows}个；命令 monitor score 可列出全部项目的预估得分。")
    w.note(f"计分方法：{plain(pv.method.describe())}。")
