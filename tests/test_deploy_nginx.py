"""deploy/nginx.conf is what deploy/nginx_conf.py writes, and nginx accepts what it writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dashboard_support import ROOT

from deploy.nginx_conf import DEFAULT_PORTS, ROUTE_COOKIE, site, standalone

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_the_committed_template_is_the_generators_output_for_the_default_ports() -> None:
    written = subprocess.run([sys.executable, "deploy/nginx_conf.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8") == written.stdout == site()
    for port in DEFAULT_PORTS:
        assert f"server 127.0.0.1:{port} max_fails=1" in written.stdout


def test_three_processes_each_get_an_upstream_line_and_as_many_tries() -> None:
    text = site([9001, 9002, 9003], "127.0.0.1:8088")
    assert [line.split()[1] for line in text.splitlines() if line.strip().startswith("server 127.")] == \
        ["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"]
    assert "proxy_next_upstream_tries 3;" in text and "listen 127.0.0.1:8088;" in text
    assert "hash $monitor_route consistent;" in text and f"$cookie_{ROUTE_COOKIE}" in text
    with pytest.raises(ValueError):
        site([])


@pytest.mark.skipif(NGINX is None, reason="nginx not installed (make system-deps)")
def test_nginx_accepts_the_whole_config_and_the_template_inside_an_http_block(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(standalone([9001, 9002], "127.0.0.1:8088", tmp_path), encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],  # type: ignore[list-item]
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    assert "syntax is ok" in check.stderr
    # as Debian's /etc/nginx/nginx.conf includes conf.d/*.conf inside its http block
    debian = tmp_path / "debian.conf"
    debian.write_text(f"pid {tmp_path}/debian.pid;\nevents {{}}\nhttp {{\n    include {ROOT / 'deploy' / 'nginx.conf'};\n}}\n",
                      encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(debian), "-e", str(tmp_path / "error.log")],  # type: ignore[list-item]
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
