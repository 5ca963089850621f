"""`concierge up`: one embedded nats-server, three services, the gateway and the console.

Children run in their own session (Ctrl-C reaches only the supervisor, which stops them
console and gateway first, services next, NATS last) and die with the supervisor even if it is SIGKILLed
(PR_SET_PDEATHSIG), so no process is left behind. A lock file in the data folder makes a second
`concierge up` report the running stack instead of starting a second one on the same files.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from concierge_cli.stack import GATEWAY, SERVICES, WEB, ProcessSpec
from shared.runtime.nats_server import NatsServer, free_port, port_is_free

LOCK_NAME = "concierge.lock.json"
READY_PROBE_TIMEOUT_S = 3.0


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Child:
    spec: ProcessSpec
    env: dict[str, str]
    health_url: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self, cwd: Path) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.spec.command(),
            cwd=cwd,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        return self._health_answer()[0] == 200

    def why_not_ready(self) -> str:
        """What the health endpoint answers now, and the log's last lines: what a start-up that
        timed out was waiting for."""
        status, body = self._health_answer()
        answer = body if status is None else f"{status} {body}"
        return (
            f"{self.spec.name}: {self.health_url} -> {answer}\nlast log lines:\n{self.log_tail()}"
        )

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def _health_answer(self) -> tuple[int | None, str]:
        """The health endpoint's status and the start of its body; (None, why) without an answer.

        Waits longer than the gateway's own ping timeout (1 s): on a busy machine a /readyz that
        succeeds can take a little over a second, and must not be read as "not ready"."""
        try:
            with urllib.request.urlopen(self.health_url, timeout=READY_PROBE_TIMEOUT_S) as r:
                return r.status, r.read(600).decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read(600).decode(errors="replace")
        except OSError as e:
            return None, f"no answer ({e})"

    def stop(self, timeout: float = 15.0) -> int | None:
        if not self.alive():
            return self.process.returncode if self.process else None
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@dataclass
class StackConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    nats_url: str | None = None
    nats_port: int = 4322
    nats_monitor_port: int = 8322
    gateway_port: int = 8000
    web_port: int = 0  # 0: any free port (test stacks); `concierge up` asks for 8080
    nats_extra_config: str = ""
    nats_go_max_procs: int | None = 1  # the embedded server shares the cores with the services
    extra_env: dict[str, str] = field(default_factory=dict)


class StackError(RuntimeError):
    pass


class Stack:
    def __init__(self, config: StackConfig, cwd: Path) -> None:
        self.config = config
        self.cwd = cwd
        self.nats: NatsServer | None = None
        self.children: list[Child] = []
        self.lock_path = config.data_dir / LOCK_NAME

    # Lock ------------------------------------------------------------------------------------

    def running_stack(self) -> dict[str, object] | None:
        """The lock of a live stack on this data folder, or None (a stale lock is removed)."""
        if not self.lock_path.exists():
            return None
        try:
            lock = json.loads(self.lock_path.read_text())
            os.kill(int(lock["pid"]), 0)
            return dict(lock)
        except (ValueError, KeyError, ProcessLookupError, PermissionError, json.JSONDecodeError):
            self.lock_path.unlink(missing_ok=True)
            return None

    def write_lock(self) -> None:
        self.lock_path.write_text(json.dumps(self.describe(), indent=2))

    def describe(self) -> dict[str, object]:
        return {
            "pid": os.getpid(),
            "nats_url": self.nats_url,
            "nats_monitor": self.nats.monitor_url if self.nats else None,
            "api": self.api_url,
            "console": self.console_url,
            "processes": [
                {"name": c.spec.name, "pid": c.pid, "health": c.health_url, "log": str(c.log_path)}
                for c in self.children
            ],
        }

    @property
    def nats_url(self) -> str:
        return self.config.nats_url or (self.nats.url if self.nats else "")

    @property
    def api_url(self) -> str:
        return f"http://{self.config.host}:{self.config.gateway_port}"

    @property
    def console_url(self) -> str:
        return f"http://{self.config.host}:{self.config.web_port}"

    # Start -----------------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        (self.config.data_dir / "logs").mkdir(exist_ok=True)
        self.write_lock()  # claimed before anything starts, so a concurrent `up` backs off
        if self.config.web_port == 0:
            self.config.web_port = free_port(self.config.host)
        for port, option in ((self.config.gateway_port, "--port"),
                             (self.config.web_port, "--web-port")):  # fmt: skip
            if not port_is_free(port, self.config.host):
                raise StackError(f"port {port} is already in use: choose another with {option}")
        if self.config.nats_url is None:
            self.nats = NatsServer(
                store_dir=self.config.data_dir / "nats",
                port=self.config.nats_port,
                monitor_port=self.config.nats_monitor_port,
                host=self.config.host,
                extra_config=self.config.nats_extra_config,
                go_max_procs=self.config.nats_go_max_procs,
            )
            self.nats.start()
        self.children = [self._child(spec) for spec in (*SERVICES, GATEWAY, WEB)]
        # All at once: the gateway imports and binds while the services migrate; its /readyz
        # answers 200 only once every service answers, so readiness keeps the same order.
        for child in self.children:
            child.start(self.cwd)
        self.write_lock()
        self._wait_ready(self.children[:-2], timeout)
        self._wait_ready(self.children[-2:], timeout)

    def _child(self, spec: ProcessSpec) -> Child:
        p = spec.env_prefix
        env = {
            f"{p}NATS_URL": self.nats_url,
            f"{p}ENV": "local",
            f"{p}LOG_FORMAT": "json",
            "CONCIERGE_DATA_DIR": str(self.config.data_dir),
            **self.config.extra_env,
        }
        # Links in customer messages (RMA form, tracking) point at this stack's gateway.
        env.setdefault("NOTIFICATIONS_PUBLIC_BASE_URL", self.api_url)
        if spec.is_web:
            env |= self._web_env()
            return Child(spec, env, f"{self.console_url}/healthz",
                         self.config.data_dir / "logs" / f"{spec.name}.log")  # fmt: skip
        if spec.is_gateway:
            env |= {f"{p}HOST": self.config.host, f"{p}PORT": str(self.config.gateway_port)}
            health = f"{self.api_url}/readyz"
        else:
            port = free_port(self.config.host)
            env |= {f"{p}HEALTH_PORT": str(port), f"{p}HEALTH_HOST": self.config.host}
            health = f"http://{self.config.host}:{port}/readyz"
        return Child(spec, env, health, self.config.data_dir / "logs" / f"{spec.name}.log")

    def _web_env(self) -> dict[str, str]:
        """The console calls this stack's gateway; its local "sign in as" page signs tokens the
        way the gateway checks them (same secret, issuer and audience)."""
        env = {"WEB_HOST": self.config.host, "WEB_PORT": str(self.config.web_port),
               "WEB_GATEWAY_URL": self.api_url}  # fmt: skip
        settings = {**os.environ, **self.config.extra_env}
        for name in ("SECRET", "ISSUER", "AUDIENCE", "KEY_ID"):
            if f"GATEWAY_JWT_{name}" in settings:
                env[f"WEB_LOCAL_JWT_{name}"] = settings[f"GATEWAY_JWT_{name}"]
        return env

    def _wait_ready(self, children: list[Child], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(children)
        while pending:
            for child in list(pending):
                if not child.alive():
                    raise StackError(
                        f"{child.spec.name} exited during start-up; last log lines:\n"
                        f"{child.log_tail()}"
                    )
                if child.ready():
                    pending.remove(child)
            if pending and time.monotonic() > deadline:
                names = ", ".join(c.spec.name for c in pending)
                details = "\n".join(c.why_not_ready() for c in pending)
                raise StackError(
                    f"not ready within {timeout}s: {names} "
                    f"(logs in {self.config.data_dir / 'logs'})\n{details}"
                )
            time.sleep(0.1)

    # Run and stop ------------------------------------------------------------------------------

    def restart_dead_children(self) -> list[str]:
        """Bring back a child that died (a crash is logged, then the child restarts)."""
        restarted = []
        for child in self.children:
            if child.process is not None and not child.alive():
                child.restarts += 1
                child.start(self.cwd)
                restarted.append(child.spec.name)
        if restarted:
            self.write_lock()
        return restarted

    def stop(self) -> None:
        """Console and gateway first (no new requests), then the services (drain), then NATS."""
        for child in reversed(self.children):
            child.stop()
        if self.nats is not None:
            self.nats.stop()
        self.lock_path.unlink(missing_ok=True)
