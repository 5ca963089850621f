"""With LOG_FORMAT=json every line a process writes is JSON, FastStream's own
logger, uvicorn's and the libraries' included: real processes (a service and the gateway) on a
real nats-server, started, used, stopped with SIGTERM, and every line of their stdout and stderr
parsed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.runtime.nats_server import NatsServer, free_port


def spawn(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", module],
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def wait_ready(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), "a process exited during start-up"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready in {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def non_json_lines(log: Path) -> list[str]:
    bad = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if not isinstance(parsed, dict) or "event" not in parsed:
            bad.append(line)
    return bad


def test_every_line_of_every_process_is_json(nats_server: NatsServer, tmp_path: Path) -> None:
    port = free_port()
    common = {"CONCIERGE_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    warranty_log, gateway_log = tmp_path / "warranty.log", tmp_path / "gateway.log"
    warranty = spawn("services.warranty", {**common, "WARRANTY_NATS_URL": nats_server.url,
                     "WARRANTY_LOG_FORMAT": "json", "WARRANTY_LOG_LEVEL": "DEBUG",
                     "WARRANTY_HEALTH_PORT": str(free_port())}, warranty_log)  # fmt: skip
    gateway = spawn("services.gateway", {**common, "GATEWAY_NATS_URL": nats_server.url,
                    "GATEWAY_LOG_FORMAT": "json", "GATEWAY_PORT": str(port),
                    "GATEWAY_READY_SERVICES": '["warranty"]'}, gateway_log)  # fmt: skip
    try:
        api = f"http://127.0.0.1:{port}"
        wait_ready(f"{api}/readyz", [warranty, gateway])
        httpx.get(f"{api}/v1/warranty/policy", timeout=10)  # an RPC through both processes
        httpx.get(f"{api}/v1/claims", headers={"Authorization": "Bearer x.y.z"}, timeout=10)
        httpx.get(f"{api}/nowhere", timeout=10)
    finally:
        stop(gateway)
        stop(warranty)
    for log in (warranty_log, gateway_log):
        lines = log.read_text(errors="replace").splitlines()
        assert len(lines) > 3, f"{log.name}: too few lines to prove anything"
        assert non_json_lines(log) == [], f"{log.name} has lines that are not JSON"
    faststream = [json.loads(line) for line in warranty_log.read_text().splitlines()
                  if '"faststream"' in line]  # fmt: skip
    assert any(e["event"].startswith("FastStream app start") for e in faststream)


PROBE = """
import logging, structlog
from shared.logging import configure_logging
configure_logging("probe", "json", "INFO")
logging.getLogger("uvicorn.error").warning("port %s busy", 8000)
logging.getLogger("faststream").warning("FastStream app starting...")
logging.getLogger("alembic.runtime.migration").info("chatty at INFO: not shown")
structlog.get_logger().info("probe.done", n=1)
"""


def test_stdlib_loggers_render_like_structlog() -> None:
    """In a process of its own: logging configuration is process-wide."""
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    lines = [json.loads(line) for line in result.stderr.splitlines() if line]
    assert [(e["event"], e.get("logger")) for e in lines] == [
        ("port 8000 busy", "uvicorn.error"),
        ("FastStream app starting...", "faststream"),
        ("probe.done", None),
    ]
    assert {e["service"] for e in lines} == {"probe"}
