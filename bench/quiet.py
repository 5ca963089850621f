"""Is the stack idle, and is the machine quiet? Checked before every measurement.

A figure is only worth reporting when (1) every process of the stack has stopped working on
what an earlier run left behind (sagas, outbox rows, messages) and (2) nothing else on the
machine competes for its 2 cores. (1) is waited for; (2) cannot be waited for, so it is
measured and printed next to each row, and a busy machine marks the run as "not a result".
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import psutil

IDLE_CPU = 0.05  # of one core, per stack process: what an idle service spends on timers
QUIET_SECONDS = 3.0  # how long every process must stay below IDLE_CPU
OTHERS_LIMIT = 0.25  # cores used by processes outside the stack (and outside the bench)


@dataclass
class IdleWatch:
    """Decides from CPU samples (cores per process) when the stack has been idle long enough."""

    threshold: float = IDLE_CPU
    needed_s: float = QUIET_SECONDS
    quiet_for: float = 0.0
    busiest: tuple[str, float] = ("-", 0.0)
    quiet_cpu_s: float = 0.0  # CPU seconds of all the processes during the current quiet streak

    def add(self, sample: dict[str, float], seconds: float) -> bool:
        """Record `seconds` of CPU use per process; True once idle for `needed_s` in a row."""
        name, cpu = max(sample.items(), key=lambda kv: kv[1], default=("-", 0.0))
        self.busiest = (name, cpu)
        if cpu < self.threshold:
            self.quiet_for += seconds
            self.quiet_cpu_s += sum(sample.values()) * seconds
        else:
            self.quiet_for, self.quiet_cpu_s = 0.0, 0.0
        return self.quiet_for >= self.needed_s

    @property
    def idle_cores(self) -> float:
        """What the idle stack uses (timers, pollers), summed over its processes."""
        return self.quiet_cpu_s / self.quiet_for if self.quiet_for else 0.0


@dataclass(frozen=True)
class IdleCheck:
    idle: bool
    waited_s: float
    busiest: str
    busiest_cores: float
    others_cores: float  # CPU used by everything outside the stack while waiting
    load: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))
    idle_cores: float = 0.0  # the stack's own use while idle (IdleWatch.idle_cores)

    @property
    def machine_quiet(self) -> bool:
        return machine_quiet(self.others_cores)

    def describe(self) -> str:
        stack = (
            f"stack idle after {self.waited_s:.0f} s"
            if self.idle
            else f"stack NOT idle after {self.waited_s:.0f} s ({self.busiest} "
            f"{self.busiest_cores:.2f} core)"
        )
        machine = "machine quiet" if self.machine_quiet else "MACHINE BUSY"
        return f"{stack}; {machine} (others {self.others_cores:.2f} core)"


def machine_quiet(others_cores: float, limit: float = OTHERS_LIMIT) -> bool:
    return others_cores <= limit


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def describe_load(load: tuple[float, float, float]) -> str:
    return f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"


def _cpu(proc: psutil.Process) -> float:
    try:
        t = proc.cpu_times()
        return float(t.user + t.system)
    except psutil.Error:
        return 0.0


def _busy_cores_total() -> float:
    t = psutil.cpu_times()
    return float(t.user + t.system + t.nice + getattr(t, "irq", 0) + getattr(t, "softirq", 0))


def _tree_cpu() -> float:
    """CPU seconds of this process and every descendant, including reaped children (wrk, the
    Python generator) through the children_* fields."""
    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


class OthersMeter:
    """Cores used by processes outside this bench's process tree between enter and exit."""

    cores: float = 0.0

    def __enter__(self) -> OthersMeter:
        self._start = (time.perf_counter(), _busy_cores_total(), _tree_cpu())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, busy, ours = time.perf_counter(), _busy_cores_total(), _tree_cpu()
        elapsed = max(1e-9, wall - self._start[0])
        self.cores = max(0.0, (busy - self._start[1]) - (ours - self._start[2])) / elapsed


def wait_idle(pids: dict[str, int], timeout: float = 60.0, interval: float = 0.5,
              watch: IdleWatch | None = None) -> IdleCheck:  # fmt: skip
    """Wait until every process in `pids` is idle (IdleWatch), at most `timeout` seconds."""
    watch = watch or IdleWatch()
    procs = {name: psutil.Process(pid) for name, pid in pids.items()}
    last = {name: _cpu(p) for name, p in procs.items()}
    start = time.perf_counter()
    idle = False
    with OthersMeter() as others:
        while time.perf_counter() - start < timeout:
            time.sleep(interval)
            now = {name: _cpu(p) for name, p in procs.items()}
            sample = {name: (now[name] - last[name]) / interval for name in procs}
            last = now
            if watch.add(sample, interval):
                idle = True
                break
    name, cpu = watch.busiest
    return IdleCheck(idle, time.perf_counter() - start, name, cpu, others.cores, load_average(),
                     watch.idle_cores)  # fmt: skip
