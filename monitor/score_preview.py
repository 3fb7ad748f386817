"""The year-end score preview of a monitoring status: monitor.score over the status's projections.

The status has every figure the score needs (the projected execution rate of each project, the
projected annual value of each indicator); the indicator's 一级, comparison, nature, weight and
qualitative word come with its labels, read for the projects asked about only (a page's shown rows,
one project, a report's scope) or, for the whole region, the status's own labelled rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from . import score
from .errors import NotFound
from .status import Status

_INDICATOR_COLUMNS = ["indicator_id", "project_code", "seq", "name", "level1", "op", "nature", "weight", "actual_status",
                      "target_micro", "projected_micro"]


@dataclass(frozen=True)
class Preview:
    """The scores of some projects of a status: indicator rows and project rows (see monitor.score)."""

    method: score.Method
    indicators: pd.DataFrame  # score.indicator_scores
    projects: pd.DataFrame  # score.project_scores, with project_name, department_name, unit_name

    def project(self, code: str) -> score.ProjectScore:
        if not bool((self.projects["project_code"] == code).any()):
            raise NotFound(f"没有项目编码为「{code}」的项目")
        return score.project_score(self.indicators, self.projects, code, self.method)


def preview(status: Status, codes: Collection[str] | None = None, labelled: pd.DataFrame | None = None) -> Preview:
    """The preview of the projects `codes` of `status` (None: all of them), under the status's rules.
    `labelled`: those projects' labelled indicator rows when the caller has read them already."""
    method = score.method_of(status.rules.score_method)
    figures = status.project_figures
    if codes is not None:
        wanted = set(codes)
        unknown = wanted - set(figures["project_code"])
        if unknown:
            raise NotFound(f"{status.year}年没有项目编码为「{'、'.join(sorted(unknown))}」的项目（或不在本账户范围内）")
        figures = figures[figures["project_code"].isin(wanted).to_numpy(dtype=bool)]
        if labelled is not None:
            rows = labelled[labelled["project_code"].isin(wanted).to_numpy(dtype=bool)]
        elif wanted:
            rows = status.labelled_projects(wanted)
        else:
            rows = status.indicator_figures.iloc[0:0].assign(name="", level1="", op="", nature="", weight=None, actual_status=None)
    else:
        rows = status.indicator_rows if labelled is None else labelled
    inds = score.indicator_scores(rows[_INDICATOR_COLUMNS].reset_index(drop=True), method)
    totals = score.project_scores(inds, figures[["project_code", "projected_bp"]].reset_index(drop=True), method)
    names = figures[["project_code", "project_name", "department_name", "unit_name"]].reset_index(drop=True)
    totals = pd.concat([names.drop(columns="project_code"), totals], axis=1)
    return Preview(method, inds, totals)
