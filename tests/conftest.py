"""Shared fixtures: real DuckDB files built from the committed demo CSV text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.access import ADMIN
from monitor.demo import DEMO_DIR, create_demo_accounts, load_demo
from monitor.status import Status, compute_status
from monitor.store import Store


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(Store(path))
    create_demo_accounts(Store(path))
    return path


@pytest.fixture
def demo_store(demo_db_template: Path, tmp_path: Path) -> Store:
    """A private copy of the demo database file (tests may write to it)."""
    path = tmp_path / "monitor.duckdb"
    shutil.copy(demo_db_template, path)
    return Store(path)


@pytest.fixture(scope="module")
def demo() -> tuple[Store, Status]:
    """An in-memory demo store and its 1-10月 status, shared by a module's read-only tests."""
    store = Store(":memory:")
    load_demo(store)
    return store, compute_status(store, 2023, 10, actor=ADMIN)


@pytest.fixture
def demo_csv(tmp_path: Path) -> Path:
    """A private copy of the demo CSV folder, for tests that break one cell."""
    out = tmp_path / "csv"
    shutil.copytree(DEMO_DIR, out, ignore=shutil.ignore_patterns("*.py"))
    return out
