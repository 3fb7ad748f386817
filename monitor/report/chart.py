"""The cumulative-spend chart: 累计执行率 month by month against 序时进度 (and the 用款计划).

A zip of a thousand reports draws a thousand charts, and drawing axes, ticks and CJK labels is
most of matplotlib's cost. So one figure per thread draws its furniture once (per y-range and
legend variant) into a cached background, and each project only restores that background, draws
its three lines and label on top (blitting), and encodes the pixels as PNG.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # reports are rendered on servers and in tests: never open a window

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402  (a matplotlib dependency)

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "Microsoft YaHei", "SimHei", "SimSun")


@lru_cache(maxsize=1)
def cjk_font() -> font_manager.FontProperties | None:
    """The first installed CJK face, so axis labels show Chinese instead of boxes."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return font_manager.FontProperties(family=family)
    return None


@dataclass(frozen=True)
class Curve:
    """Percentages for months 1..12; None where a month has no figure (after the monitoring month)."""

    spent_pct: list[float | None]
    schedule_pct: list[float]
    plan_pct: list[float | None] | None
    month: int  # the monitoring month, marked on the chart


class _Canvas:
    def __init__(self) -> None:
        fp = self.font = cjk_font()
        self.fig = Figure(figsize=(6.4, 2.8), dpi=100)
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.ax = self.fig.add_subplot(111)
        months = list(range(1, 13))
        (self.schedule,) = ax.plot(months, [0] * 12, color="#7f7f7f", linestyle="--", linewidth=1.4, label="序时进度")
        (self.plan,) = ax.plot(months, [0] * 12, color="#1f77b4", linestyle=":", linewidth=1.4, label="用款计划")
        (self.spent,) = ax.plot(months, [0] * 12, color="#d62728", marker="o", markersize=3.5, linewidth=2, label="累计执行率")
        self.marker = ax.axvline(10, color="#bbbbbb", linewidth=0.8)
        self.label = ax.text(10, 0, "", fontproperties=fp, fontsize=8, color="#d62728", ha="right", va="bottom",
                             bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        for artist in (self.schedule, self.plan, self.spent, self.marker, self.label):
            artist.set_animated(True)  # drawn per project, never into the background
        ax.set_xlim(0.5, 12.5)
        ax.set_xticks(months)
        ax.set_xticklabels([f"{m}月" for m in months], fontproperties=fp, fontsize=8)
        ax.set_ylabel("占调整后预算（%）", fontproperties=fp, fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self.ax.set_ylim(0, 110)
        self.fig.tight_layout(pad=0.4)
        self._backgrounds: dict[tuple[float, bool], object] = {}

    def _background(self, top: float, with_plan: bool):  # type: ignore[no-untyped-def]
        key = (top, with_plan)
        if key not in self._backgrounds:
            self.ax.set_ylim(0, top)
            handles = [self.spent, self.schedule] + ([self.plan] if with_plan else [])
            leg = self.ax.legend(handles=handles, loc="upper left", frameon=False, prop=self.font)
            for t in leg.get_texts():
                t.set_fontsize(8)
            self.canvas.draw()
            self._backgrounds[key] = self.canvas.copy_from_bbox(self.fig.bbox)
        self.ax.set_ylim(0, top)
        return self._backgrounds[key]

    def draw(self, c: Curve) -> bytes:
        months = list(range(1, 13))
        nan = float("nan")
        spent = [nan if v is None else v for v in c.spent_pct]
        has_plan = c.plan_pct is not None and any(v for v in c.plan_pct if v is not None)
        highest = max([v for v in spent if v == v] + list(c.schedule_pct) + [100.0]
                      + ([v for v in (c.plan_pct or []) if v is not None]))
        top = 110.0 if highest <= 100 else math.ceil(highest * 1.1 / 10) * 10  # few distinct backgrounds
        self.canvas.restore_region(self._background(top, bool(has_plan)))
        self.schedule.set_data(months, c.schedule_pct)
        self.spent.set_data(months, spent)
        self.plan.set_data(months, [nan if v is None else v for v in (c.plan_pct or [None] * 12)])
        self.marker.set_xdata([c.month, c.month])
        at = spent[c.month - 1] if 1 <= c.month <= 12 else nan
        self.label.set_position((c.month - 0.15, 0 if at != at else at + top * 0.02))
        self.label.set_text("" if at != at else f"{c.month}月末 {at:.2f}%")
        for artist in (self.marker, self.schedule) + ((self.plan,) if has_plan else ()) + (self.spent, self.label):
            self.ax.draw_artist(artist)
        buf = io.BytesIO()
        Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1) \
            .convert("RGB").save(buf, format="PNG", optimize=False, compress_level=3)
        return buf.getvalue()


_local = threading.local()


def render_curve(curve: Curve) -> bytes:
    """PNG bytes of the chart (one canvas per thread: Streamlit serves sessions on threads)."""
    canvas = getattr(_local, "canvas", None)
    if canvas is None:
        canvas = _local.canvas = _Canvas()
    return canvas.draw(curve)
