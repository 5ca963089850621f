"""Issue 20 item 2: a service and the gateway started before NATS wait for it, say so on
/readyz (503 with the reason) and in their logs, and become ready when it comes, without a
restart (the same process id throughout)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from shared.runtime.nats_server import NatsServer, free_port
from tests.support.processes import ServiceProcess, gateway_process, service_process

NOT_READY_FOR_S = 4.0  # how long NATS stays away after the processes started
READY_WITHIN_S = 60.0  # busy shared machine


def readyz(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except OSError:
        return 0, {}


def wait_status(port: int, status: int, timeout: float, reason: str = "") -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got, body = readyz(port)
        if got == status and reason in str(body.get("reason", "")):
            return body
        time.sleep(0.2)
    raise AssertionError(f"/readyz on {port} never answered {status}; last {readyz(port)}")


def launch(proc: ServiceProcess) -> subprocess.Popen[bytes]:
    """Start without waiting for ready (ServiceProcess.start would)."""
    return proc.spawn()


def gateway(nats_url: str, tmp_path: Path) -> ServiceProcess:
    env = {"GATEWAY_NATS_URL": nats_url, "GATEWAY_LOG_FORMAT": "json",
           "GATEWAY_READY_SERVICES": "[]", "CONCIERGE_DATA_DIR": str(tmp_path / "var")}  # fmt: skip
    return gateway_process(env, tmp_path / "gateway.log")


def test_service_and_gateway_wait_for_a_late_nats(tmp_path: Path) -> None:
    # The client port is fixed (the processes are told it before the server exists); the
    # monitoring port is the server's choice when it binds: a port picked here could be taken,
    # while the processes wait, by one of their own connection attempts' ephemeral ports.
    nats = NatsServer(store_dir=tmp_path / "nats", port=free_port(), monitor_port=0)
    service = service_process("tests.integration.runtime.sample_service", "SAMPLE_", nats.url,
                              f"sqlite+aiosqlite:///{tmp_path}/s.db", tmp_path / "s.log")  # fmt: skip
    gw = gateway(nats.url, tmp_path)
    procs = [launch(service), launch(gw)]
    try:
        for proc in (service, gw):
            wait_status(proc.health_port, 503, READY_WITHIN_S, reason="waiting for nats")
        time.sleep(NOT_READY_FOR_S)
        assert all(p.poll() is None for p in procs), "a process gave up instead of waiting"
        nats.start()
        for proc in (service, gw):
            wait_status(proc.health_port, 200, READY_WITHIN_S)
        assert all(p.poll() is None for p in procs), "a process was restarted"
        assert '"dependency": "nats"' in service.logs()  # logged why it waited
        assert "nats.error" in gw.logs()
    finally:
        for proc in (service, gw):
            proc.kill()
        nats.stop()
