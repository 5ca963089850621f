"""wrk, the compiled HTTP load generator: run it, parse its report, measure its own CPU.

A Python client tops out at a few hundred requests per second per core, below what a bare
FastAPI app serves, so HTTP throughput is measured with wrk (Debian's `wrk`). Its CPU is read
from the kernel's accounting of finished children (getrusage), so a run where the generator
itself needs a big share of the 2 cores can be flagged instead of reported.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "wrk is not installed: `sudo apt-get install wrk` (Debian/Ubuntu package `wrk`)"
ORDERS_SCRIPT = Path(__file__).with_name("wrk_orders.lua")
THREADS, CONNECTIONS = 2, 32

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_QUANTITY = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")


class WrkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    exhausted_threads: int = 0
    generator_cores: float = 0.0  # CPU seconds of wrk per wall second (1.0 = one core busy)

    @property
    def ok(self) -> int:
        return max(0, self.requests - self.non_2xx)

    @property
    def ok_rate(self) -> float:
        """Successful (2xx/3xx) requests per second; errors never count as throughput."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0


def duration_ms(text: str) -> float:
    """wrk's duration notation (`850.00us`, `3.73ms`, `1.02s`, `2.00m`) in milliseconds."""
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(report: str) -> WrkResult:
    """The figures of one `wrk --latency` report (raises ValueError when it has none)."""
    done = re.search(r"(\d+) requests in ([\d.]+\w+)", report)
    if done is None:
        raise ValueError(f"no request count in wrk's report:\n{report}")
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)[ \t]*$", report, re.MULTILINE))
    if set(percentiles) != {"50", "99"}:
        raise ValueError(
            f"no latency distribution in wrk's report (run it with --latency):\n{report}"
        )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    exhausted = re.search(r"bench: exhausted_threads=(\d+)", report)
    return WrkResult(
        requests=int(done.group(1)),
        seconds=duration_ms(done.group(2)) / 1000,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
        p50_ms=duration_ms(percentiles["50"]),
        p99_ms=duration_ms(percentiles["99"]),
        exhausted_threads=int(exhausted.group(1)) if exhausted else 0,
    )


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing(INSTALL_HINT)
    return path


def command(url: str, seconds: float, headers: dict[str, str], script_args: list[str] | None,
            threads: int = THREADS, connections: int = CONNECTIONS) -> list[str]:  # fmt: skip
    """The wrk command line; `script_args` runs bench/wrk_orders.lua with those arguments."""
    cmd = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           "--latency", "--timeout", "10s"]  # fmt: skip
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if script_args is not None:
        cmd += ["-s", str(ORDERS_SCRIPT), url, "--", *script_args]
    else:
        cmd.append(url)
    return cmd


def run(cmd: list[str]) -> WrkResult:
    """Run wrk to the end; its CPU share comes from the children's rusage around the run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result = parse(out.stdout)
    return WrkResult(**{**result.__dict__, "generator_cores": cpu / wall if wall > 0 else 0.0})
