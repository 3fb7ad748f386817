"""Whatever goes wrong, a user sees a calm Chinese message, never a traceback or a server detail."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from dashboard_support import demo_db, make_app  # noqa: F401

pytestmark = pytest.mark.usefixtures("demo_db")


def test_an_unexpected_error_shows_an_error_id_not_a_traceback(monkeypatch: pytest.MonkeyPatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from monitor import views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("/secret/path/to/monitor.duckdb pid 4242")

    monkeypatch.setattr(views, "filter_projects", broken)
    at = make_app().run()
    at.switch_page("pages/low_execution.py").run()
    assert not at.exception
    message = at.error[0].value
    assert "页面出错了（错误编号" in message and "secret" not in message and "Traceback" not in message
    eid = message.split("错误编号 ")[1][:8]
    assert any(eid in r.getMessage() and "secret" in r.getMessage() for r in caplog.records)  # the details go to the log


def test_a_page_opened_while_another_process_writes_says_so_and_keeps_showing_what_it_has(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app().run()  # a first visit fills the caches
    fresh = make_app()  # a second browser, logged in before the file is taken
    assert "72.13%" in " ".join(m.value for m in at.markdown)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(demo_db)!r})
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        os.utime(demo_db)  # what the import's writing does to the file: the page must look again
        at.run()
        assert not at.exception and not at.error
        assert any("数据正在导入或写入中，页面显示的是写入前的数据" in i.value for i in at.info)
        assert "72.13%" in " ".join(m.value for m in at.markdown)
        fresh.run()  # a new session with nothing of its own cached: a notice, not a traceback
        assert not fresh.exception
        assert any("正被另一个程序写入" in i.value for i in [*fresh.info, *fresh.error]) or "72.13%" in " ".join(
            m.value for m in fresh.markdown)
    finally:
        holder.kill()


def test_the_server_listens_on_this_machine_only_unless_configured(demo_db) -> None:  # type: ignore[no-untyped-def]
    """Issue 16 item 7: `streamlit run` with the shipped config answers on 127.0.0.1 and not on the
    machine's network address (a reverse proxy with TLS serves users; README「部署」)."""
    import socket
    import urllib.request

    from dashboard_support import StreamlitServer

    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False).stdout.split()
    outside = next((a for a in out if "." in a and not a.startswith("127.")), None)
    if outside is None:
        pytest.skip("this machine has no network address besides loopback")
    server = StreamlitServer(demo_db)
    try:
        with urllib.request.urlopen(server.url + "/_stcore/health", timeout=10) as r:
            assert r.status == 200
        with pytest.raises(OSError), socket.create_connection((outside, server.port), timeout=3):
            pass
    finally:
        server.stop()
