"""A stack that does not become ready says why: what each process's health endpoint answers, and
its log's last lines (a CI run once reported only "not ready within 90s: gateway", with the logs
in a temporary folder nobody could read afterwards; the next one showed the gateway waiting for
the orders service's ping, whose own log was not shown)."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from concierge_cli.stack import GATEWAY, SERVICES, ProcessSpec
from concierge_cli.supervisor import Child, Stack, StackConfig, StackError

WAITING = b'{"status":"unavailable","checks":{"started":false},"reason":"waiting for kv buckets"}'
ORDERS = SERVICES[1]

Serve = Callable[[int, bytes], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """An HTTP server answering every GET with (status, body); returns its /readyz URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(status: int, body: bytes) -> str:
        class Answer(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/readyz"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def sleepers() -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))
        return started[-1]

    yield start
    for process in started:
        process.kill()
        process.wait()


def _child(spec: ProcessSpec, url: str, tmp_path: Path, log: str) -> Child:
    log_path = tmp_path / f"{spec.name}.log"
    log_path.write_text(log)
    return Child(spec, {}, url, log_path)


def test_the_timeout_names_the_answer_and_the_log(
    serve: Serve, sleepers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    url = serve(503, WAITING)
    child = _child(GATEWAY, url, tmp_path, '{"event": "dependency.waiting"}\n')
    child.process = sleepers()
    with pytest.raises(StackError) as refused:
        Stack(StackConfig(data_dir=tmp_path), cwd=tmp_path)._wait_ready([child], 0.3)
    message = str(refused.value)
    assert message.startswith("not ready within 0.3s: gateway")
    assert f"{url} -> 503" in message
    assert "waiting for kv buckets" in message  # the body of the answer
    assert "dependency.waiting" in message  # the log's last lines


def test_the_timeout_shows_the_services_the_gateway_waits_for(
    serve: Serve, sleepers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    orders = _child(ORDERS, serve(200, b'{"status":"ready"}'), tmp_path, '{"event": "saga.x"}\n')
    gateway = _child(GATEWAY, serve(503, b'{"checks":{"rpc.orders":false}}'), tmp_path, "")
    orders.process, gateway.process = sleepers(), sleepers()
    stack = Stack(StackConfig(data_dir=tmp_path), cwd=tmp_path)
    stack.children = [orders, gateway]
    with pytest.raises(StackError) as refused:
        stack._wait_ready([gateway], 0.3)
    message = str(refused.value)
    assert message.startswith("not ready within 0.3s: gateway ")
    assert '"rpc.orders":false' in message
    assert "orders: " in message and "saga.x" in message  # the orders log, though it was ready


def test_a_service_that_dies_after_it_was_ready_fails_the_start_at_once(
    serve: Serve, sleepers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    orders = _child(ORDERS, serve(200, b"{}"), tmp_path, "OSError: address already in use\n")
    gateway = _child(GATEWAY, serve(503, b"{}"), tmp_path, "")
    orders.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    orders.process.wait()
    gateway.process = sleepers()
    stack = Stack(StackConfig(data_dir=tmp_path), cwd=tmp_path)
    stack.children = [orders, gateway]
    with pytest.raises(StackError) as refused:
        stack._wait_ready([gateway], 30)  # raised at once, not after the timeout
    message = str(refused.value)
    assert message.startswith("orders exited during start-up (exit code 3)")
    assert "address already in use" in message


def test_a_ready_answer_from_another_process_is_not_the_child_being_ready(
    serve: Serve, sleepers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """A service's health port is chosen free before the service binds it; a program that took
    it first and answers 200 must not make the child ready."""
    child = _child(ORDERS, "", tmp_path, "")
    child.process = sleepers()
    child.health_url = serve(200, b'{"status":"ready","pid":%d}' % (child.process.pid + 1))
    assert child.ready() is False
    assert f"(another process, not pid {child.process.pid})" in child.state()
    child.health_url = serve(200, b'{"status":"ready","pid":%d}' % child.process.pid)
    assert child.ready() is True


def test_a_process_that_does_not_answer_says_so(tmp_path: Path) -> None:
    child = _child(GATEWAY, "http://127.0.0.1:9/readyz", tmp_path, "")  # discard port: refused
    assert child.ready() is False
    assert "no answer" in child.state()
