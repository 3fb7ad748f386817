"""Plotly figures drawn to SVG on the server, so a page can show a chart as a plain image.

Why: Plotly.js is a 4.7 MB script. A browser that has not compiled it lately (a first visit, a new
browser profile, an evicted code cache) spends about 1.4 s compiling it on these machines, and then
draws every chart in script; the overview's three charts made it take three times as long as an
empty Streamlit page. The same figures as SVG images cost the browser almost nothing.

How: kaleido (Plotly's own static exporter) drives a headless Chromium. The figures are exactly
those of `dashboard.charts`, so an image and the interactive chart never disagree. Starting the
browser takes about 3 s and each figure about 0.4 s, so rendering runs in one background thread and
a page shows the interactive charts until its images are ready (`render_later`). Without kaleido or
a Chromium the images are simply never ready and the interactive charts stay: nothing breaks.

kaleido's shared browser serves one caller at a time, hence the single worker thread.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor

import plotly.graph_objects as go

log = logging.getLogger(__name__)


def _lower_priority() -> None:
    """Background work must not slow the pages: on Linux a thread's nice value is its own and passes
    to the threads and processes it starts (kaleido's thread, its Chromium; a Chromium running as
    root may raise its own priority again)."""
    if hasattr(os, "nice"):
        os.nice(10)


_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="static-charts", initializer=_lower_priority)
_started = False


def _start() -> None:
    global _started
    if _started:
        return
    import kaleido

    if not os.environ.get("BROWSER_PATH"):
        found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if found:
            os.environ["BROWSER_PATH"] = found
    kaleido.start_sync_server(silence_warnings=True)
    _started = True


def _stop() -> None:
    """After a failure: close kaleido's browser, so the next rendering starts a fresh one."""
    global _started
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    finally:
        _started = False


def to_svg(figures: Mapping[str, tuple[go.Figure, int]]) -> dict[str, str]:
    """Each figure drawn at (its layout height, the given width in px) as SVG text.

    Raises whatever kaleido raises (no Chromium, a browser that died); callers fall back to the
    interactive chart.
    """
    import kaleido

    _start()
    return {name: kaleido.calc_fig_sync(fig.to_plotly_json(), opts={"format": "svg", "width": width,
                                                                     "height": fig.layout.height}).decode("utf-8")
            for name, (fig, width) in figures.items()}


def render_later(figures: Mapping[str, tuple[go.Figure, int]]) -> Future[dict[str, str]]:
    """`to_svg` in the background worker; the future holds the images or the reason there are none."""

    def run() -> dict[str, str]:
        try:
            return to_svg(figures)
        except Exception:
            log.warning("static charts unavailable; the interactive charts are shown instead", exc_info=True)
            if _started:
                _stop()
            raise

    return _worker.submit(run)


def ready(images: Future[dict[str, str]]) -> dict[str, str] | None:
    """The images if they are rendered, else None (still rendering, or never: no Chromium)."""
    if images.done() and images.exception() is None:
        return images.result()
    return None
