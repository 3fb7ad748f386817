"""Shared fixtures and helpers of the dashboard tests (imported by tests/test_dashboard_*.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `dashboard` is not an installed package
    sys.path.insert(0, str(ROOT))

from monitor.demo import DEMO_ACCOUNTS, DEMO_MONTH, DEMO_YEAR, SEED_PROJECT, create_demo_accounts, load_demo  # noqa: E402
from monitor.store import Store, open_store  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
__all__ = ["DEMO_MONTH", "DEMO_YEAR", "SEED_PROJECT", "demo_db", "login", "make_app", "StreamlitServer"]


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "monitor.duckdb"
    shutil.copy(demo_db_template, path)  # the session demo file of conftest.py
    monkeypatch.setenv("MONITOR_DB", str(path))
    return path


def make_app(month: int | None = DEMO_MONTH, *, user: str | None = "admin", **query: str) -> object:
    """An AppTest of the entrypoint at the demo's monitoring month (None: the app's default), logged in
    as `user` (an account of the database MONITOR_DB names; None: not logged in). AppTest cannot send
    a password form before the first run, so the session starts as the login would leave it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    if user is not None:
        from monitor.access import PAGE
        from monitor.accounts import account_actor

        store = open_store(os.environ["MONITOR_DB"])
        create_demo_accounts(store)  # a test's own small region has none yet (it is a no-op where there are)
        at.session_state["_actor"] = account_actor(store, user, PAGE)
    if month is not None:
        at.query_params["month"] = str(month)
    at.query_params.update(query)
    return at


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StreamlitServer:
    """`streamlit run` of a script on a free port against a database; stop() ends only this process."""

    def __init__(self, db: Path, script: Path = APP, log: Path | None = None):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MONITOR_DB": str(db)}
        self._log = open(log or db.with_suffix(f".{self.port}.log"), "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("streamlit did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


DEMO_PASSWORDS = {name: password for name, _role, password, *_ in DEMO_ACCOUNTS}


def login(pg, url: str, user: str = "admin") -> None:  # type: ignore[no-untyped-def]
    """Log a browser page in through the login form, as a person does."""
    pg.goto(url)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(DEMO_PASSWORDS[user])
    pg.get_by_role("button", name="登录").click()
    pg.locator("[data-testid=stSidebar]").get_by_text("退出登录").wait_for()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    path = tmp_path_factory.mktemp("server") / "monitor.duckdb"
    load_demo(Store(path))
    create_demo_accounts(Store(path))
    server = StreamlitServer(path)
    try:
        yield server
    finally:
        server.stop()
