"""Two dashboard processes on one PostgreSQL database behind nginx (issue 14), for the cluster browser
test: a throwaway PostgreSQL cluster (tests/pgcluster.py) with the demo loaded by the command line,
`streamlit run` twice, and nginx of its own (deploy/nginx_conf.py) in a temporary folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dashboard_support import ROOT, StreamlitServer, free_port

from deploy.nginx_conf import Nginx


def missing_binaries() -> str:
    """Why the cluster cannot run here ('' when it can): nginx and PostgreSQL's server come from
    apt-get (`make system-deps`), which needs root."""
    from pgcluster import server_bin

    lacking = [name for name, found in (("nginx", shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
                                        ("PostgreSQL server (initdb)", server_bin())) if not found]
    return f"{' and '.join(lacking)} not installed (make system-deps)" if lacking else ""


@dataclass
class Cluster:
    dsn: str
    servers: list[StreamlitServer]
    proxy: Nginx

    def server_at(self, upstream: str) -> StreamlitServer:
        """The dashboard process nginx names as `127.0.0.1:PORT` in its access log."""
        return next(s for s in self.servers if upstream == f"127.0.0.1:{s.port}")


def monitor(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor.cli", "--db", dsn, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A database of the run's PostgreSQL server (conftest's pg_cluster) with the demo and its accounts
    loaded by the command line, two `streamlit run` on it, nginx in front. Every process is stopped
    at the end, also when starting one of them failed."""
    reason = missing_binaries()
    if reason:
        pytest.skip(reason)
    dsn = request.getfixturevalue("pg_cluster").create_database("cluster_browser")
    loaded = monitor(dsn, "demo", "--if-empty")
    assert loaded.returncode == 0, loaded.stderr
    tmp = tmp_path_factory.mktemp("cluster")
    servers: list[StreamlitServer] = []
    proxy = None
    try:
        for name in ("a", "b"):
            servers.append(StreamlitServer(dsn, log=tmp / f"streamlit_{name}.log"))  # type: ignore[arg-type]
        proxy = Nginx([s.port for s in servers], free_port(), tmp / "nginx")
        yield Cluster(dsn, servers, proxy)
    finally:
        if proxy is not None:
            proxy.stop()
        for s in servers:
            s.stop()  # also after a test killed it: terminating an ended process does nothing
