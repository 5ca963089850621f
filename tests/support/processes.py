"""Start, wait for and kill real service processes in tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from shared.runtime.listen import HandedPort, spawn

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServiceProcess:
    module: str
    env: dict[str, str]
    log_path: Path
    health_port: int
    process: subprocess.Popen[bytes] | None = None
    # The health (or HTTP) port bound here and handed down as `fd_variable`: another program
    # cannot take it between choosing it and the process's start-up (shared/runtime/listen.py).
    handed: HandedPort | None = None
    fd_variable: str = ""

    def start(self, timeout: float = 20.0) -> ServiceProcess:
        self.spawn()
        self.wait_ready(timeout)
        return self

    def spawn(self) -> subprocess.Popen[bytes]:
        """Start without waiting for ready."""
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        args = [sys.executable, "-m", self.module]
        log = open(self.log_path, "ab")
        try:
            self.process = spawn(
                args,
                env=env,
                port=self.handed,
                fd_variable=self.fd_variable,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        return self.process

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.module} exited ({self.process.returncode}):\n{self.logs()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.health_port}/readyz", timeout=1
                ) as r:
                    # A service's answer names its pid (the gateway's does not): a 200 from
                    # another program on the port is not this process being ready.
                    pid = json.loads(r.read()).get("pid", self.process.pid)
                    if r.status == 200 and pid == self.process.pid:
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.module} not ready in {timeout}s:\n{self.logs()[-3000:]}")

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def terminate(self, timeout: float = 15.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return int(self.process.returncode)

    def wait_exit(self, timeout: float = 20.0) -> int:
        assert self.process is not None
        return int(self.process.wait(timeout))


def service_process(
    module: str, prefix: str, nats_url: str, db_url: str, log_path: Path, **extra: str
) -> ServiceProcess:
    handed = HandedPort("127.0.0.1")
    env = {
        f"{prefix}NATS_URL": nats_url,
        f"{prefix}DATABASE_URL": db_url,
        f"{prefix}HEALTH_PORT": str(handed.port),
        f"{prefix}LOG_FORMAT": "json",
        f"{prefix}RETRY_BASE_DELAY": "0.05",
        f"{prefix}RELAY_SWEEP_INTERVAL": "0.2",
        **extra,
    }
    return ServiceProcess(
        module, env, log_path, handed.port, handed=handed, fd_variable=f"{prefix}LISTEN_FD"
    )


def gateway_process(env: dict[str, str], log_path: Path) -> ServiceProcess:
    """The gateway with `env`, on a port bound here and handed down (GATEWAY_PORT names it)."""
    handed = HandedPort("127.0.0.1")
    env = {**env, "GATEWAY_PORT": str(handed.port)}
    return ServiceProcess(
        "services.gateway",
        env,
        log_path,
        handed.port,
        handed=handed,
        fd_variable="GATEWAY_LISTEN_FD",
    )
