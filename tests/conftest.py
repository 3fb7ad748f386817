"""Shared fixtures: real DuckDB files built from the committed demo CSV text, and the same demo in a
real PostgreSQL server (a throwaway cluster, tests/pgcluster.py) for the modules marked
`both_stores`, whose tests of `demo_store` then run once on each store."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgcluster import PgCluster, server_bin

from monitor.access import ADMIN
from monitor.demo import DEMO_DIR, create_demo_accounts, load_demo
from monitor.status import Status, compute_status
from monitor.store import Store, open_store


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(Store(path))
    create_demo_accounts(Store(path))
    return path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_stores") is not None
        metafunc.parametrize("store_kind", ["duckdb", "postgresql"] if both else ["duckdb"], indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL server for the whole run; each test gets databases of its own."""
    if server_bin() is None:
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql (make system-deps)")
    with PgCluster() as cluster:
        yield cluster


_DATABASES = itertools.count(1)


@pytest.fixture
def pg_dsn(pg_cluster: PgCluster) -> str:
    """An empty database of this test's own."""
    return pg_cluster.create_database(f"t{next(_DATABASES)}")


@pytest.fixture(scope="session")
def pg_demo_template(pg_cluster: PgCluster, demo_db_template: Path) -> str:
    """A PostgreSQL database holding the demo (the file's rows moved by `monitor migrate`), copied
    for each test by CREATE DATABASE … TEMPLATE (a file copy on the server: milliseconds)."""
    from monitor.transfer import copy_store

    dsn = pg_cluster.create_database("demo_template")
    target = open_store(dsn)
    copy_store(Store(demo_db_template), target)
    target.close()
    return "demo_template"


@pytest.fixture
def demo_store(store_kind: str, demo_db_template: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A private copy of the demo database (tests may write to it): a DuckDB file, or for modules
    marked `both_stores` also a PostgreSQL database."""
    if store_kind == "duckdb":
        path = tmp_path / "monitor.duckdb"
        shutil.copy(demo_db_template, path)
        yield Store(path)
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_demo_template")
    store = open_store(cluster.create_database(f"t{next(_DATABASES)}", template=template))
    yield store
    store.close()


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
