"""The stack under test: `concierge up` as a user runs it, on free ports and a temporary folder.

Only two things differ from `make run`, both for a benchmark's sake and both set through the
environment the processes already read: the per-caller rate limit is lifted (the load comes from
a handful of callers), and the orders service reads a copy of its reference data with deep stock
(thousands of orders must not sell out mid-run). Auth, idempotency, logging and the outbox all run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import psutil

from shared.runtime.nats_server import free_port

ROOT = Path(__file__).resolve().parents[1]
JWT_SECRET = "bench-secret-" + "x" * 40
JWT_ISSUER = "concierge-local"
JWT_AUDIENCE = "concierge-api"
SERVICE_NAMES = ("gateway", "warranty", "orders", "notifications")


def token(subject: str, role: str = "customer", ttl: int = 3600) -> str:
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": JWT_ISSUER, "aud": JWT_AUDIENCE,
              "iat": now, "exp": now + ttl}  # fmt: skip
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"kid": "local"})


def _deep_stock_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "services/orders/data").glob("*.json"):
        shutil.copy(f, folder / f.name)
    path = folder / "warehouses.json"
    data = json.loads(path.read_text())
    for w in data["warehouses"]:
        w["initial_stock"] = {style: 1_000_000 for style in w["initial_stock"]}
    path.write_text(json.dumps(data))
    return folder


def wait_http(url: str, timeout: float, interval: float = 0.05) -> float:
    """Seconds until `url` answers 200 (raises TimeoutError)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url} not ready within {timeout}s")


class UpStack:
    """`concierge up` in a subprocess; `start()` returns the seconds until /readyz answered 200."""

    def __init__(self, folder: Path, wrapper: list[str] | None = None) -> None:
        self.folder = folder
        self.wrapper = wrapper or []  # e.g. a profiler: `py-spy record ... --`
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.nats_monitor_port = free_port()
        self.nats_monitor = f"http://127.0.0.1:{self.nats_monitor_port}"  # nats-server's /varz
        self.process: subprocess.Popen[bytes] | None = None
        self.pids: dict[str, int] = {}
        self.supervisor: int | None = None

    def start(self, timeout: float = 60.0) -> float:
        env = os.environ | {
            "GATEWAY_JWT_SECRET": JWT_SECRET,
            "GATEWAY_JWT_ISSUER": JWT_ISSUER,
            "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000",
            "GATEWAY_RATE_LIMIT_BURST": "1000000",
            "ORDERS_DATA_DIR": str(_deep_stock_data(self.folder / "orders-data")),
        }
        command = [sys.executable, "-m", "concierge_cli.main", "up", "--data-dir",
                   str(self.folder / "var"), "--port", str(self.port), "--nats-port",
                   str(free_port()), "--nats-monitor-port", str(self.nats_monitor_port),
                   "--web-port", str(free_port())]  # fmt: skip
        log = open(self.folder / "up.log", "wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [*self.wrapper, *command], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        log.close()
        try:
            wait_http(f"{self.api}/readyz", timeout)
        except TimeoutError as exc:
            self.stop()
            raise RuntimeError(f"stack not ready; see {self.folder / 'up.log'}") from exc
        elapsed = time.perf_counter() - started
        lock = json.loads((self.folder / "var" / "concierge.lock.json").read_text())
        self.pids = {p["name"]: int(p["pid"]) for p in lock["processes"]}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if "nats-server" in child.name():
                self.pids["nats-server"] = child.pid
            elif "concierge_cli.main" in " ".join(child.cmdline()):
                self.supervisor = child.pid
        return elapsed

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Under a wrapper the supervisor is its child: stop it, and the wrapper ends with it.
        target = self.supervisor if self.wrapper and self.supervisor else self.process.pid
        os.kill(target, signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class RssSampler:
    """Peak resident memory of each process, sampled every `interval` s in a thread. A child
    process of one of them (warranty's OCR process) is a row of its own, `<parent>/<module>`:
    its memory is not in its parent's RSS, and it counts against the per-process budget too."""

    def __init__(self, pids: dict[str, int], interval: float = 0.1) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak: dict[str, int] = dict.fromkeys(pids, 0)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _label(parent: str, child: psutil.Process) -> str:
        command = child.cmdline()
        module = command[command.index("-m") + 1] if "-m" in command[:-1] else child.name()
        return f"{parent}/{module.rsplit('.', 1)[-1]}"

    def _sample(self, name: str, p: psutil.Process) -> None:
        self.peak[name] = max(self.peak.get(name, 0), p.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, p in self.procs.items():
                try:
                    self._sample(name, p)
                    for child in p.children(recursive=True):
                        self._sample(self._label(name, child), child)
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_time(pid: int) -> float:
    """CPU seconds every live thread of `pid` has run: the scheduler's own account, in ns
    (`/proc/<pid>/task/*/schedstat`), where psutil reads the kernel's 10 ms ticks."""
    tasks = Path(f"/proc/{pid}/task")
    return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks.iterdir()) / 1e9


def idle_use(pids: dict[str, int], seconds: float) -> float:
    """Cores the stack's processes use together while nothing is asked of them (timers,
    pollers), over `seconds`. A quiet stack uses about 0.02 core here: over an idle check's
    3 s, psutil's ticks (10 ms per process) are as large as the figure itself."""
    before = {name: run_time(pid) for name, pid in pids.items()}
    time.sleep(seconds)
    # A thread that exits meanwhile takes its run time with it: never count less than nothing.
    return sum(max(0.0, run_time(pid) - before[name]) for name, pid in pids.items()) / seconds


class CpuMeter:
    """CPU seconds each process used between enter and exit."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.used: dict[str, float] = {}

    @staticmethod
    def _cpu(p: psutil.Process) -> float:
        t = p.cpu_times()
        return float(t.user + t.system)

    def __enter__(self) -> CpuMeter:
        self._start = {name: self._cpu(p) for name, p in self.procs.items()}
        return self

    def __exit__(self, *exc: object) -> None:
        self.used = {name: self._cpu(p) - self._start[name] for name, p in self.procs.items()}


class Timeline:
    """Each process's CPU in every `interval` seconds while entered, as ms per wall second
    (`interval` 0: nothing is sampled)."""

    def __init__(self, pids: dict[str, int], interval: float) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.interval = interval
        self.rows: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Timeline:
        if self.interval > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        start = time.perf_counter()
        last = {name: CpuMeter._cpu(p) for name, p in self.procs.items()}
        while not self._stop.wait(self.interval):
            now = {name: CpuMeter._cpu(p) for name, p in self.procs.items()}
            row: dict[str, float] = {"t_s": round(time.perf_counter() - start)}
            row |= {name: round(1000 * (now[name] - last[name]) / self.interval) for name in now}
            self.rows.append(row)
            last = now


def run_loadgen(spec: dict[str, Any]) -> dict[str, Any]:
    """One load run of the Python generator in a fresh process; `generator_cores` in the result
    is its CPU seconds per wall second (from the finished child's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        input=json.dumps(spec).encode(),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"loadgen failed:\n{out.stderr.decode()[-3000:]}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return dict(json.loads(out.stdout)) | {"generator_cores": cpu / wall}


class BareServer:
    """The baseline FastAPI app under uvicorn (uvloop, httptools), like the gateway."""

    def __init__(self, canned: Path | None = None, app: str = "bench.bare_app:app") -> None:
        """`canned`: the gateway's real answers to serve (`canned_answers`); without it the app
        answers a small JSON of its own (enough where only its CPU is measured). `app`: another
        ASGI app to serve the same way (`bench.wake_servers:raw_app`)."""
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.canned = canned
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BareServer:
        command = [sys.executable, "-m", "uvicorn", self.app, "--port",
                   str(self.port), "--loop", "uvloop", "--http", "httptools",
                   "--no-access-log", "--log-level", "warning"]  # fmt: skip
        env = os.environ | ({"BENCH_CANNED": str(self.canned)} if self.canned else {})
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        wait_http(f"{self.url}/docs", 20)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(10)
