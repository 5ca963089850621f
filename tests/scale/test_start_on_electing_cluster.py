"""Issue 20: a gateway and every service start on a cluster that is still electing leaders, and
become ready without a restart.

Deterministic: of the compose cluster's three nodes (deploy/nats, R3 streams) only nats-1 runs
when the processes start. One node of three has no quorum, so no JetStream metadata leader can
be elected: every JetStream request (stream and KV declarations, consumers) fails or times out,
as on a cluster still electing after it booted. While that lasts, each process must stay up,
answer /readyz 503 with what it waits for, and log why (`dependency.waiting`). Then the other
two nodes start, the cluster elects its leaders, and each process must become ready: the same
OS process, never restarted.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.deploy.launchers import compose_nats_cluster
from tests.scale.stack import PASSWORDS, SERVICES, _gateway
from tests.support.processes import ServiceProcess, service_process

pytestmark = [pytest.mark.e2e]

WAITING_TIMEOUT_S = 120.0  # Python processes starting together on a busy 2-core machine
READY_TIMEOUT_S = 240.0


def _readyz(proc: ServiceProcess) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{proc.health_port}/readyz", timeout=2) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except OSError as exc:
        return 0, repr(exc)


def _all_waiting(procs: dict[str, ServiceProcess]) -> dict[str, tuple[int, str]]:
    """Until every process is up, not ready, and has logged what it waits for."""
    deadline = time.monotonic() + WAITING_TIMEOUT_S
    while True:
        seen = {name: _readyz(proc) for name, proc in procs.items()}
        for name, proc in procs.items():
            if proc.process is None:  # its start, submitted to the pool, has not run yet
                continue
            assert proc.process.poll() is None, (
                f"{name} exited while the cluster had no quorum:\n{proc.logs()[-2000:]}"
            )
            assert seen[name][0] != 200, f"{name} ready without a JetStream quorum: {seen[name]}"
        if all(procs[name].process is not None and status == 503
               and "dependency.waiting" in procs[name].logs()
               for name, (status, _) in seen.items()):  # fmt: skip
            return seen
        assert time.monotonic() < deadline, f"not all waiting: {seen}"
        time.sleep(0.5)


def _processes(nats_url: str, workdir: Path) -> dict[str, ServiceProcess]:
    procs = {}
    for name in SERVICES:
        database = f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
        replicas = {f"{name.upper()}_STREAM_REPLICAS": "3"}
        log = workdir / f"{name}.log"
        procs[name] = service_process(
            f"services.{name}", f"{name.upper()}_", nats_url, database, log, **replicas
        )
    procs["gateway"] = _gateway(nats_url, workdir, 0)
    return procs


@pytest.mark.timeout(420)
def test_every_process_starts_on_a_cluster_still_electing_leaders(tmp_path: Path) -> None:
    with compose_nats_cluster(tmp_path, PASSWORDS, held=("nats-2", "nats-3")) as nodes:
        password = PASSWORDS["NATS_SERVICE_PASSWORD"]
        nats_url = ",".join(
            f"nats://concierge:{password}@127.0.0.1:{n.client}" for n in nodes.values()
        )
        procs = _processes(nats_url, tmp_path)
        with ThreadPoolExecutor(len(procs)) as pool:
            starting = {
                name: pool.submit(proc.start, READY_TIMEOUT_S) for name, proc in procs.items()
            }
            try:
                waiting = _all_waiting(procs)
                print("\nwith one node of three:", json.dumps(waiting, indent=1))
                started = time.monotonic()
                for name in ("nats-2", "nats-3"):
                    launch = nodes[name].launch
                    assert launch is not None
                    launch()
                for future in starting.values():
                    future.result()  # RuntimeError if it exited or never became ready
                print(f"all ready {time.monotonic() - started:.1f}s after the quorum returned")
                pids = {name: proc.process.pid for name, proc in procs.items() if proc.process}
                assert len(pids) == len(procs)  # one OS process each: nothing was restarted
                for name, proc in procs.items():
                    assert _readyz(proc)[0] == 200, name
            finally:
                for proc in procs.values():
                    proc.kill()
