"""The embedded demo data: the committed CSV files in data/demo, imported through the normal path."""

from __future__ import annotations

from pathlib import Path

from .importer import ImportReport, import_path
from .store import Store

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_YEAR = 2023
DEMO_MONTH = 10
SEED_PROJECT = "360104-ZGH-2023-001"


def load_demo(store: Store, only_if_empty: bool = False) -> ImportReport | None:
    """Import the demo data; idempotent, since import replaces rows by their natural keys."""
    if only_if_empty and not store.is_empty():
        return None
    report = import_path(store, DEMO_DIR)
    # the demo is the 1-10月 round of seed 004, although seed 000's units report the whole year
    store.set_monitoring_point(DEMO_YEAR, DEMO_MONTH)
    return report
