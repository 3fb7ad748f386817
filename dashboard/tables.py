"""Display frames: Chinese headers, lights as icon + word, money in 万元 and rates in % as numbers
(so a column still sorts as a number) with the column formats that show them to two/four places."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from monitor.errors import Problem
from monitor.money import fmt_bp, fmt_wan
from monitor.status import LEVEL_COLORS, LEVEL_LABELS

WAN = st.column_config.NumberColumn(format="%.4f")
PCT = st.column_config.NumberColumn(format="%.2f%%")
PP = st.column_config.NumberColumn(format="%.2f")


def _word(level: str) -> str:
    return f"{'○' if level == 'none' else '●'} {LEVEL_LABELS.get(level, level)}"


_COLOR_OF_WORD = {_word(lv): LEVEL_COLORS[lv] for lv in LEVEL_COLORS}


def _light(levels: pd.Series) -> list[str]:
    return [_word(lv) for lv in levels]


# Written/unwritten notes as a coloured dot and a word, like the lights: ✅/✏️ are emoji, which many
# office PCs show as empty boxes.
NOTE_WRITTEN, NOTE_MISSING = "● 已填写", "○ 未填写"
_NOTE_COLORS = {NOTE_WRITTEN: LEVEL_COLORS["green"], NOTE_MISSING: LEVEL_COLORS["red"]}


def _light_style(value: object) -> str:
    color = _COLOR_OF_WORD.get(value) or _NOTE_COLORS.get(value)  # type: ignore[arg-type]
    # only a light (or a note state) gets a colour: any other cell keeps the table's own text colour,
    # which "color: inherit" would not (st.dataframe paints it invisible)
    return f"color: {color}; font-weight: 600" if color else ""


def styled(frame: pd.DataFrame) -> object:
    """The frame with its light columns (headers ending in 灯, and 说明) in the light's colour."""
    cols = [c for c in frame.columns if str(c).endswith("灯") or c == "说明"]
    return frame.style.map(_light_style, subset=cols)


def _wan(fen: pd.Series) -> pd.Series:
    return pd.to_numeric(fen, errors="coerce") / 1_000_000


def _pct(bp: pd.Series) -> pd.Series:
    return pd.to_numeric(bp, errors="coerce") / 100


def projects(frame: pd.DataFrame, noted: frozenset[str]) -> tuple[pd.DataFrame, dict[str, object]]:
    """Who and how far behind first, so a 绩效科 user sees them without scrolling on a 1366 px laptop:
    light, name, department, unit, rate, gap, idle money, indicator light, the reason; details after."""
    out = pd.DataFrame({
        "资金灯": _light(frame["level"]),
        "项目名称": frame["project_name"].to_numpy(),
        "主管部门": frame["department_name"].to_numpy(),
        "预算单位": frame["unit_name"].to_numpy(),
        "执行率": _pct(frame["rate_bp"]).to_numpy(),
        "落后(个百分点)": _pct(frame["gap_bp"]).to_numpy(),
        "沉淀资金(万元)": _wan(frame["idle_fen"]).to_numpy(),
        "指标灯": _light(frame["indicator_level"]),
        "预计灯": _light(frame["projection_level"]),
        "判定依据": frame["level_reason"].to_numpy(),
        "说明": [NOTE_WRITTEN if c in noted else NOTE_MISSING for c in frame["project_code"]],
        "预算(万元)": _wan(frame["budget_fen"]).to_numpy(),
        "累计支出(万元)": _wan(frame["spent_fen"]).to_numpy(),
        "预计年底执行率": _pct(frame["projected_bp"]).to_numpy(),
        "象限": frame["quadrant"].to_numpy(),
        "综合灯": _light(frame["combined_level"]),  # 合肥's money × targets light (rules.describe says how)
        "项目编码": frame["project_code"].to_numpy(),
    })
    # widths that fit the key columns, 判定依据 included, in the 905 px a 1366 px laptop leaves beside the
    # sidebar (measured in Chromium); long names and reasons are cut with the whole text on hover
    config = {"资金灯": st.column_config.TextColumn(width=60), "项目名称": st.column_config.TextColumn(pinned=True, width=140),
              "主管部门": st.column_config.TextColumn(width=84), "预算单位": st.column_config.TextColumn(width=96),
              "执行率": st.column_config.NumberColumn(format="%.2f%%", width=62),
              "落后(个百分点)": st.column_config.NumberColumn(format="%.2f", width=66, help="落后序时进度的个百分点数"),
              "沉淀资金(万元)": st.column_config.NumberColumn(format="%.4f", width=92),
              "指标灯": st.column_config.TextColumn(width=60),
              # the third light, 全年预计完成情况预警: 判定依据 gave up the 60 px it takes
              "预计灯": st.column_config.TextColumn(width=60, help=PROJECTION_HELP),
              "判定依据": st.column_config.TextColumn(width=150),
              "说明": st.column_config.TextColumn(width=72), "预算(万元)": WAN, "累计支出(万元)": WAN, "预计年底执行率": PCT}
    return out, config


PROJECTION_HELP = "全年预计完成情况预警：按年底预计执行率和各指标全年预计完成值对照年度目标判定（规则见设置页）"


def indicators(inds: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "一级指标": inds["level1"].to_numpy(),
        "二级指标": inds["level2"].to_numpy(),
        "三级指标": inds["name"].to_numpy(),
        "年度目标值": inds["target_text"].to_numpy(),
        "本阶段目标值": inds["stage_text"].fillna("—").to_numpy(),
        "实际完成值": inds["actual_text"].fillna("未填报").to_numpy(),
        "完成率": [fmt_bp(None if pd.isna(v) else int(v)) for v in inds["completion_bp"]],
        "灯": _light(inds["level"]),
        "判定依据": inds["level_reason"].to_numpy(),
    })


def warnings(items: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, object]]:
    """Key columns first (who, what, why, what to do), then the rest; money rows carry their idle
    money as text so indicator rows show a blank there rather than "None"."""
    idle = [fmt_wan(None if pd.isna(v) else int(v), unit=False) if k == "资金" else "" for k, v in zip(items["kind"], items["idle_fen"])]
    out = pd.DataFrame({
        "灯": _light(items["level"]),
        "预计灯": _light(items["projection_level"]),
        "主管部门": items["department_name"].to_numpy(),
        "预算单位": items["unit_name"].to_numpy(),
        "项目名称": items["project_name"].to_numpy(),
        "事项": [n if n else "项目资金" for n in items["indicator_name"]],
        "预警原因": items["reason"].to_numpy(),
        "建议措施": items["suggested_measure"].to_numpy(),
        "说明": [NOTE_WRITTEN if h else NOTE_MISSING for h in items["has_note"]],
        "沉淀资金(万元)": idle,
        "建议原因": items["suggested_cause"].to_numpy(),
        "项目编码": items["project_code"].to_numpy(),
    })
    # as in `projects`: who, what, why and what to do fit a 1366 px laptop's 905 px beside the sidebar
    # (预计灯, the third light, took 30 px each from the reason and the measure)
    return out, {"灯": st.column_config.TextColumn(width=60), "预计灯": st.column_config.TextColumn(width=60, help=PROJECTION_HELP),
                 "主管部门": st.column_config.TextColumn(width=84),
                 "预算单位": st.column_config.TextColumn(width=96), "项目名称": st.column_config.TextColumn(width=130),
                 "事项": st.column_config.TextColumn(width=120), "预警原因": st.column_config.TextColumn(width=160),
                 "建议措施": st.column_config.TextColumn(width=160), "说明": st.column_config.TextColumn(width=72),
                 "沉淀资金(万元)": st.column_config.TextColumn(width=100)}


def problems(items: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame({
        "文件": [p.file for p in items],
        "工作表": [p.sheet for p in items],
        "行": [str(p.row) if p.row is not None else "" for p in items],
        "列": [p.column or "" for p in items],
        "问题": [p.message for p in items],
    })


def projections(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "预测口径": [b + ("（采用）" if u else "") for b, u in zip(frame["basis"], frame["used"])],
        "预计全年支出": [fmt_wan(None if pd.isna(v) else int(v)) for v in frame["fen"]],
        "预计年底执行率": [fmt_bp(None if pd.isna(v) else int(v)) for v in frame["rate_bp"]],
    })


def department_rows(deps: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, object]]:
    out = pd.DataFrame({
        "资金灯": _light(deps["level"]),
        "主管部门": deps["department_name"].to_numpy(),
        "项目数": deps["projects"].to_numpy(),
        "预算(万元)": _wan(deps["budget_fen"]).to_numpy(),
        "累计支出(万元)": _wan(deps["spent_fen"]).to_numpy(),
        "执行率": _pct(deps["rate_bp"]).to_numpy(),
        "落后序时进度(个百分点)": _pct(deps["gap_bp"]).to_numpy(),
        "沉淀资金(万元)": _wan(deps["idle_fen"]).to_numpy(),
        "红灯项目": deps["red"].to_numpy(), "黄灯项目": deps["yellow"].to_numpy(), "绿灯项目": deps["green"].to_numpy(),
        "判定依据": deps["level_reason"].to_numpy(),
    })
    return out, {"预算(万元)": WAN, "累计支出(万元)": WAN, "沉淀资金(万元)": WAN, "执行率": PCT, "落后序时进度(个百分点)": PP}
