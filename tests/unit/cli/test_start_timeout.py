"""A stack that does not become ready says why: what each pending process's health endpoint
answers, and its log's last lines (a CI run once reported only "not ready within 90s: gateway",
with the logs in a temporary folder nobody could read afterwards)."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from concierge_cli.stack import GATEWAY
from concierge_cli.supervisor import Child, Stack, StackConfig, StackError

WAITING = b'{"status":"unavailable","checks":{"started":false},"reason":"waiting for kv buckets"}'


class _Unready(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(WAITING)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def unready_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unready)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/readyz"
    server.shutdown()


def test_the_timeout_names_the_answer_and_the_log(unready_url: str, tmp_path: Path) -> None:
    log_path = tmp_path / "gateway.log"
    log_path.write_text('{"event": "dependency.waiting", "what": "kv buckets"}\n')
    child = Child(GATEWAY, {}, unready_url, log_path)
    child.process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(StackError) as refused:
            Stack(StackConfig(data_dir=tmp_path), cwd=tmp_path)._wait_ready([child], 0.3)
    finally:
        child.process.kill()
        child.process.wait()
    message = str(refused.value)
    assert message.startswith("not ready within 0.3s: gateway")
    assert f"{unready_url} -> 503" in message
    assert "waiting for kv buckets" in message  # the body of the answer
    assert "dependency.waiting" in message  # the log's last lines


def test_a_process_that_does_not_answer_says_so(tmp_path: Path) -> None:
    log_path = tmp_path / "gateway.log"
    log_path.write_text("")
    child = Child(GATEWAY, {}, "http://127.0.0.1:9/readyz", log_path)  # discard port: refused
    assert child.ready() is False
    assert "no answer" in child.why_not_ready()
