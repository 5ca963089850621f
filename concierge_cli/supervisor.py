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
from shared.runtime.listen import HandedPort, spawn
from shared.runtime.nats_server import NatsServer

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
    # Its HTTP port, bound by the supervisor and handed down (shared/runtime/listen.py), so no
    # other program can take it between choosing it and the child's start-up.
    port: HandedPort | None = None

    def start(self, cwd: Path) -> None:
        log = open(self.log_path, "ab")
        try:
            self.process = spawn(
                self.spec.command(),
                env={**os.environ, **self.env},
                port=self.port,
                fd_variable=f"{self.spec.env_prefix}LISTEN_FD",
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            log.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        status, body = self._health_answer()
        return status == 200 and self._answered_by_me(body)

    def _answered_by_me(self, body: str) -> bool:
        """Whether an answer naming a pid names this child's. A restarted service binds its
        health port itself (listen.py), so another program may have taken the port meanwhile:
        its 200 must not make this child "ready" (the child then fails to bind and exits)."""
        try:
            pid = json.loads(body).get("pid")
        except (ValueError, AttributeError):
            return True  # not JSON, or not an object: an answer without a pid to compare
        return pid is None or pid == self.pid

    def state(self, tail_chars: int = 2000) -> str:
        """What the process is doing now: exited (with its code), or what its health endpoint
        answers; then its log's last lines. What a start-up that timed out was waiting for."""
        if self.process is not None and not self.alive():
            now = f"exited with code {self.process.returncode}"
        else:
            status, body = self._health_answer()
            now = body if status is None else f"{status} {body}"
            if status == 200 and not self._answered_by_me(body):
                now += f" (another process, not pid {self.pid})"
        tail = self.log_tail(tail_chars)
        return f"{self.spec.name}: {self.health_url} -> {now}\nlast log lines:\n{tail}"

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError as e:
            return f"(no log: {e})"

    def _health_answer(self) -> tuple[int | None, str]:
        """The health endpoint's status and its body; (None, why) without an answer.

        Waits longer than the gateway's own ping timeout (1 s): on a busy machine a /readyz that
        succeeds can take a little over a second, and must not be read as "not ready"."""
        try:
            with urllib.request.urlopen(self.health_url, timeout=READY_PROBE_TIMEOUT_S) as r:
                return r.status, r.read(4000).decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read(4000).decode(errors="replace")
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
    gateway_port: int = 8000  # 0: any free port (test stacks)
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
        # The gateway's and console's sockets, bound before anything starts (a taken port fails
        # at once), until their children take them.
        self._bound: dict[str, HandedPort] = {}

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
        self.config.gateway_port = self._listen(GATEWAY.name, self.config.gateway_port, "--port")
        self.config.web_port = self._listen(WEB.name, self.config.web_port, "--web-port")
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

    def _listen(self, name: str, port: int, option: str) -> int:
        try:
            self._bound[name] = HandedPort(self.config.host, port)
        except OSError as exc:
            raise StackError(
                f"port {port} is already in use: choose another with {option}"
            ) from exc
        return self._bound[name].port

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
        # A service's health port: any free one, bound now.
        handed = self._bound.pop(spec.name, None) or HandedPort(self.config.host)
        port = handed.port
        if spec.is_web:
            env |= self._web_env()
            health = f"{self.console_url}/healthz"
        elif spec.is_gateway:
            env |= {f"{p}HOST": self.config.host, f"{p}PORT": str(port)}
            health = f"{self.api_url}/readyz"
        else:
            env |= {f"{p}HEALTH_PORT": str(port), f"{p}HEALTH_HOST": self.config.host}
            health = f"http://{self.config.host}:{port}/readyz"
        log_path = self.config.data_dir / "logs" / f"{spec.name}.log"
        return Child(spec, env, health, log_path, port=handed)

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
            # Every process started, not only those waited for: a service that was ready and
            # died leaves the gateway waiting for its ping until the timeout.
            for child in (*self.children, *pending):
                if child.process is not None and not child.alive():
                    raise StackError(
                        f"{child.spec.name} exited during start-up (exit code "
                        f"{child.process.returncode}); last log lines:\n{child.log_tail()}"
                    )
            for child in list(pending):
                if child.ready():
                    pending.remove(child)
            if pending and time.monotonic() > deadline:
                raise StackError(
                    f"not ready within {timeout}s: {', '.join(c.spec.name for c in pending)} "
                    f"(logs in {self.config.data_dir / 'logs'})\n{self._states(pending)}"
                )
            time.sleep(0.1)

    def _states(self, pending: list[Child]) -> str:
        """Each pending process's state, then the others' (the gateway is ready only when every
        service answers its ping, so the reason may be in a service's log)."""
        others = [c for c in self.children if all(c is not p for p in pending)]
        return "\n".join([*(c.state() for c in pending), *(c.state(1000) for c in others)])

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
        for handed in [*self._bound.values(), *(c.port for c in self.children if c.port)]:
            handed.close()  # a start that failed before their children started
        self._bound.clear()
        self.lock_path.unlink(missing_ok=True)
