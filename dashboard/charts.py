"""Plotly figures: Chinese labels, one colour per light (LEVEL_COLORS), rates in %, money in 万元.

Figures only convert units for plotting (bp → %, 分 → 万元); every figure they show comes from
`monitor`. Hover texts use the exact formatters (fmt_bp, fmt_wan).

Show them with `st.plotly_chart(fig, theme=None, ...)` (THEME). Drawing is most of what a page with
charts costs in the browser, and each figure here is built so that Plotly draws it once:

- no automargin (fixed margins sized for the labels): automargin lays a chart out and draws it a
  second time to fit its labels;
- no template, a fixed `datarevision` and plain lists, not numpy arrays: Streamlit hands every chart
  to Plotly again right after it first appears, as a deep copy. Plotly redraws from scratch when the
  template object is new, when a typed array (what numpy arrays arrive as) is new, or when any data
  array is new and the figure has no `datarevision`; with none of these, the second call finds
  nothing changed. The colours Streamlit's theme would bring are set in the layout instead.

The overview's figures lead somewhere when clicked (dashboard/clicks.py): each point carries what it
stands for — a department, a month, a project code — as customdata[0].
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb

from monitor.money import fmt_bp, fmt_wan
from monitor.status import LEVEL_COLORS, LEVEL_LABELS

THEME = None  # st.plotly_chart(theme=...): the look comes from _layout (see the module docstring)
INK = "#808495"  # text and axis labels, as in Streamlit's chart theme (readable on light and dark)
GRID = "#e6eaf1"
FONT = dict(family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif", size=13,
            color=INK)
SCHEDULE_COLOR = "#444444"
PLAN_COLOR = "#1f77b4"
MAX_DEPARTMENT_BARS = 30


def _label_px(text: str) -> int:
    """About how wide a label is drawn in FONT: CJK characters are square, digits and Latin ~0.6 em."""
    size = int(FONT["size"])  # type: ignore[call-overload]
    return round(sum(size if ord(ch) >= 0x2E80 else 0.6 * size for ch in str(text)))


def _layout(fig: go.Figure, height: int, left: int = 80, bottom: int = 60, top: int = 40, **kw: object) -> go.Figure:
    """Fixed margins sized by the caller for its labels, Streamlit's chart colours, no template, and
    a data revision: what lets Plotly draw the figure once (module docstring). Call it last."""
    fig.layout.template = None
    fig.update_layout(height=height, font=FONT, margin=dict(l=left, r=10, t=top, b=bottom, pad=4),
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
                      hoverlabel=dict(bgcolor="white", bordercolor="#DCD8D4", font=dict(family=FONT["family"], color="#31333F")),
                      **kw)
    axes = dict(automargin=False, tickcolor=GRID, tickfont_size=12, title_font_size=14)
    fig.update_xaxes(showgrid=False, zeroline=False, **axes)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, **axes)
    # Changes whenever the plotted data do, so a figure with new data is still redrawn.
    data = json.dumps([t.to_plotly_json() for t in fig.data], default=str, sort_keys=True, ensure_ascii=False)
    fig.update_layout(datarevision=hashlib.sha1(data.encode()).hexdigest()[:16])
    return fig


# How a clickable chart answers the mouse, set in the figure rather than left to st.plotly_chart's
# on_select, which changes an unset layout in the browser after the chart appears: a click selects the
# point, hover finds the closest one, a drag pans. The axes are fixed, so a drag moves nothing: the
# charts show a whole picture (a zoom is undone by a double click, which would also clear the selection).
CLICKABLE = dict(clickmode="event+select", hovermode="closest", dragmode="pan")


def _clickable(fig: go.Figure) -> go.Figure:
    fig.update_layout(**CLICKABLE)
    fig.update_xaxes(fixedrange=True)
    fig.update_yaxes(fixedrange=True)
    return fig


def _pct(bp: pd.Series) -> pd.Series:
    return pd.to_numeric(bp, errors="coerce") / 100


def _list(values: pd.Series) -> list[object]:
    """A plain list for Plotly (numpy arrays would travel as typed arrays; module docstring)."""
    return [None if pd.isna(v) else v for v in values.tolist()]


def departments(deps: pd.DataFrame, schedule_bp: int) -> tuple[go.Figure, int]:
    """Execution rate per department (worst first) against the 序时进度 line; returns (figure, shown)."""
    d = deps.sort_values(["rate_bp", "department_name"]).head(MAX_DEPARTMENT_BARS).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=_list(_pct(d["rate_bp"])), y=d["department_name"].tolist(), orientation="h",
        marker_color=[LEVEL_COLORS.get(lv, LEVEL_COLORS["none"]) for lv in d["level"]],
        # inside the bar's end where it fits, so a rate just short of 序时进度 does not print over its
        # line; a short bar has it outside. Dark text on the light (yellow, grey) bars.
        text=[fmt_bp(v) for v in d["rate_bp"]], textposition="auto", insidetextanchor="end", cliponaxis=False,
        insidetextfont=dict(color=["#31333F" if lv in ("yellow", "none") else "white" for lv in d["level"]]),
        outsidetextfont=dict(color=INK),
        customdata=[[n, LEVEL_LABELS[lv], fmt_wan(b), fmt_wan(s), r] for n, lv, b, s, r in
                    zip(d["department_name"], d["level"], d["budget_fen"], d["spent_fen"], d["level_reason"])],
        hovertemplate="%{y}<br>执行率 %{text}<br>预算 %{customdata[2]}，累计支出 %{customdata[3]}<br>"
                      "%{customdata[1]}：%{customdata[4]}<br>点击查看该部门的低执行项目<extra></extra>",
        name="预算执行率", showlegend=False,
    ))
    sched = schedule_bp / 100
    fig.add_vline(x=sched, line_dash="dash", line_color=SCHEDULE_COLOR,
                  annotation_text=f"序时进度 {fmt_bp(schedule_bp)}", annotation_position="top")
    top = max([sched, *_pct(d["rate_bp"]).dropna().tolist()]) if len(d) else sched
    fig.update_xaxes(title_text="预算执行率（%）", range=[0, top * 1.18 + 1], ticksuffix="%")
    fig.update_yaxes(title_text=None)
    names = max((_label_px(n) for n in d["department_name"]), default=0)
    return _layout(_clickable(fig), height=110 + 30 * len(d), left=names + 24, top=30), len(d)


def cumulative(curve: pd.DataFrame, month: int, clickable: bool = False) -> go.Figure:
    """Cumulative execution by month (actual up to the monitoring month) against schedule and plan.

    Every point carries its month as customdata[0]; `clickable` (the overview's, dashboard/clicks.py)
    adds what a click needs and says so in the hover.
    """
    months = [f"{m}月" for m in curve["month"]]
    hint = "<br>点击切换到1-%{customdata[0]}月" if clickable else ""
    actual = curve["month"] <= month
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[m for m, a in zip(months, actual) if a], y=_list(_pct(curve.loc[actual, "cum_rate_bp"])), mode="lines+markers",
        name="累计执行率", line=dict(color=LEVEL_COLORS["green"], width=3),
        customdata=[[int(m), fmt_bp(r), fmt_wan(c)] for m, r, c in
                    zip(curve.loc[actual, "month"], curve.loc[actual, "cum_rate_bp"], curve.loc[actual, "cum_spent_fen"])],
        hovertemplate="%{x}：累计执行率 %{customdata[1]}（累计支出 %{customdata[2]}）" + hint + "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        # with markers when clickable: a month after the monitoring point has no point on the actual
        # curve, and Plotly selects only points drawn as markers, not a bare line
        x=months, y=_list(_pct(curve["schedule_bp"])), mode="lines+markers" if clickable else "lines", name="序时进度",
        line=dict(color=SCHEDULE_COLOR, dash="dash"), marker=dict(size=5, color=SCHEDULE_COLOR),
        customdata=[[int(m), fmt_bp(v)] for m, v in zip(curve["month"], curve["schedule_bp"])],
        hovertemplate="%{x}：序时进度 %{customdata[1]}" + hint + "<extra></extra>",
    ))
    if int(curve["cum_plan_fen"].max() or 0) > 0:
        fig.add_trace(go.Scatter(
            x=months, y=_list(_pct(curve["cum_plan_bp"])), mode="lines", name="用款计划",
            line=dict(color=PLAN_COLOR, dash="dot"),
            customdata=[[int(m), fmt_bp(v)] for m, v in zip(curve["month"], curve["cum_plan_bp"])],
            hovertemplate="%{x}：计划累计 %{customdata[1]}" + hint + "<extra></extra>",
        ))
    fig.update_yaxes(title_text="占预算（%）", ticksuffix="%", rangemode="tozero")
    fig.update_xaxes(title_text=None)
    return _layout(_clickable(fig) if clickable else fig, height=360, bottom=36)


def monthly_bars(curve: pd.DataFrame, month: int) -> go.Figure:
    """Spend of each month in 万元, months after the monitoring point greyed out."""
    shown = curve[curve["month"] <= month]
    fig = go.Figure(go.Bar(
        x=[f"{m}月" for m in shown["month"]], y=_list(shown["spent_fen"] / 1_000_000), marker_color=PLAN_COLOR,
        customdata=[fmt_wan(v) for v in shown["spent_fen"]], hovertemplate="%{x}：支出 %{customdata}<extra></extra>",
        name="当月支出",
    ))
    fig.update_yaxes(title_text="当月支出（万元）")
    return _layout(fig, height=360, bottom=36)


def _translucent(hex_color: str, alpha: float) -> str:
    """'#d62728', 0.75 → 'rgba(214,39,40,0.75)'."""
    r, g, b = hex_to_rgb(hex_color)
    return f"rgba({r},{g},{b},{alpha})"


def quadrants(points: pd.DataFrame, x_col: str, x_label: str, x_line_bp: int, line_label: str = "资金绿灯线") -> go.Figure:
    """Money (x) against targets (y = share of indicators on track), coloured by the money light.

    SVG markers and one hover string per point: a few hundred points then cost little to send and
    draw (WebGL would start slowly on office PCs without a usable GPU). The markers have no
    outline: stroking every point costs a quarter of the chart's drawing time. Their transparency is
    in the fill colour, not marker opacity: an SVG element with `opacity` is drawn into a layer of its
    own and then blended, which for 600 points cost about 0.1 s of a browser's first drawing of the
    overview (bench/dashboard_bench); a translucent fill looks the same on a point without outline.
    """
    fig = go.Figure()
    y = _pct(points["share_bp"]).fillna(100.0)  # no judged indicator: targets not behind (quadrant rule)
    hover = (points["project_name"] + "<br>" + points["project_code"] + " · " + points["department_name"]
             + "<br>执行率 " + points["rate_bp"].map(fmt_bp) + "，指标" + points["indicator_level"].map(LEVEL_LABELS)
             + "<br>" + points["quadrant"])
    for level in ("red", "yellow", "green", "none"):
        sel = (points["level"] == level).to_numpy()
        if not sel.any():
            continue
        fig.add_trace(go.Scatter(
            x=_list(_pct(points.loc[sel, x_col])), y=_list(y[sel]), mode="markers", name=f"资金{LEVEL_LABELS[level]}",
            marker=dict(color=_translucent(LEVEL_COLORS[level], 0.75), size=8, line=dict(width=0)),
            customdata=[[code] for code in points.loc[sel, "project_code"]],
            hovertext=hover[sel].tolist(), hovertemplate="%{hovertext}<br>点击打开项目详情<extra></extra>",
        ))
    fig.add_vline(x=x_line_bp / 100, line_dash="dash", line_color=SCHEDULE_COLOR,
                  annotation_text=line_label, annotation_position="top")
    fig.add_hline(y=100, line_dash="dash", line_color=SCHEDULE_COLOR)
    fig.update_xaxes(title_text=x_label)
    fig.update_yaxes(title_text="正常指标占已评判指标（%）", ticksuffix="%", range=[-5, 108])
    return _layout(_clickable(fig), height=440)
