"""Fault injection on a running stack: SIGKILL a process (the watchdog restarts it, as
`concierge up` does), restart the NATS server on the same store and ports, and pause a process
(SIGSTOP) for longer than its consumers' ack wait, then resume it (SIGCONT).

Child processes are (re)started from the event loop's thread: `concierge up` children die with
the thread that forked them (PR_SET_PDEATHSIG), so never from a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from concierge_cli.supervisor import Child, Stack
from shared.messaging.glue import EventRoute

ACK_WAIT_S = EventRoute.__dataclass_fields__["ack_wait_s"].default  # the consumers' ack wait


@dataclass
class FaultRecord:
    fault: str
    target: str
    started: float
    recovered_s: float | None = None
    note: str = ""


class Clients(Protocol):
    """The load's side of a fault (load.LoadGenerator): set while a request waits for its
    answer, and how many attempts so far failed and were retried."""

    busy: asyncio.Event
    failed_attempts: int


@dataclass
class FaultInjector:
    stack: Stack
    clients: Clients | None = None
    log: list[FaultRecord] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # deaths the injector did not cause
    _expected_deaths: set[str] = field(default_factory=set)
    _watchdog: asyncio.Task[None] | None = None

    def child(self, name: str) -> Child:
        return next(c for c in self.stack.children if c.spec.name == name)

    # Watchdog ------------------------------------------------------------------------------------
    def start_watchdog(self) -> None:
        self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def stop_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            try:
                await self._watchdog
            except asyncio.CancelledError:
                pass

    async def _watch(self) -> None:
        while True:
            self.restart_dead()
            await asyncio.sleep(0.2)

    def restart_dead(self) -> None:
        for child in self.stack.children:
            if child.process is not None and not child.alive():
                name = child.spec.name
                if name in self._expected_deaths:
                    self._expected_deaths.discard(name)
                else:
                    armed = child.env.get("CONCIERGE_CRASH_AT", "")
                    self.crashes.append(f"{name} exited {child.process.returncode} {armed}".strip())
                # A crash point fires in a process's first life only, or it would fire forever.
                child.env.pop("CONCIERGE_CRASH_AT", None)
        self.stack.restart_dead_children()

    # Faults --------------------------------------------------------------------------------------
    async def kill(self, name: str, ready_timeout: float = 90.0) -> FaultRecord:
        child = self.child(name)
        record = FaultRecord("sigkill", name, time.time())
        self.log.append(record)
        assert child.process is not None
        self._expected_deaths.add(name)
        child.process.kill()
        await asyncio.to_thread(child.process.wait)
        self.restart_dead()
        await self.wait_ready([child], ready_timeout)
        record.recovered_s = round(time.time() - record.started, 2)
        return record

    async def kill_mid_request(self, name: str, tries: int = 3, wait: float = 15.0) -> FaultRecord:
        """SIGKILL while a client request is in flight, so that a client feels the fault: its
        connection breaks and it retries. A quiet moment of a light load could otherwise take the
        whole outage, and a reply already on the wire is not felt, so a kill that no client
        felt is repeated, up to `tries` times."""
        clients = self.clients
        if clients is None:
            return await self.kill(name)
        for _ in range(tries):
            before = clients.failed_attempts
            with contextlib.suppress(TimeoutError):  # no request at all: the kill goes on
                await asyncio.wait_for(clients.busy.wait(), wait)
            record = await self.kill(name)
            if clients.failed_attempts > before:
                return record
            record.note = "no client request felt it"
        return record

    async def restart_nats(self, ready_timeout: float = 90.0) -> FaultRecord:
        nats = self.stack.nats
        assert nats is not None
        record = FaultRecord("nats_restart", "nats-server", time.time())
        self.log.append(record)
        await asyncio.to_thread(nats.stop)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(nats.start, 30.0)
        await self.wait_ready(self.stack.children, ready_timeout)
        record.recovered_s = round(time.time() - record.started, 2)
        return record

    async def pause(self, name: str, seconds: float | None = None) -> FaultRecord:
        """SIGSTOP for longer than the ack wait: its pulled, unacked events are redelivered."""
        seconds = seconds if seconds is not None else ACK_WAIT_S + 5.0
        child = self.child(name)
        assert child.process is not None
        record = FaultRecord("sigstop", name, time.time(), note=f"{seconds:.0f}s paused")
        self.log.append(record)
        os.kill(child.process.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            os.kill(child.process.pid, signal.SIGCONT)
        await self.wait_ready([child], 60.0)
        record.recovered_s = round(time.time() - record.started, 2)
        return record

    async def wait_ready(self, children: list[Child], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(children)
        while pending:
            ready = await asyncio.gather(*(asyncio.to_thread(c.ready) for c in pending))
            pending = [c for c, ok in zip(pending, ready, strict=True) if not ok]
            if pending and time.monotonic() > deadline:
                names = ", ".join(c.spec.name for c in pending)
                raise AssertionError(f"not ready {timeout}s after a fault: {names}")
            if pending:
                await asyncio.sleep(0.25)

    def summary(self) -> list[dict[str, Any]]:
        return [vars(r) for r in self.log]


async def run_schedule(
    injector: FaultInjector, *, gap: float = 4.0, warmup: float = 8.0, rounds: int = 1
) -> None:
    """Each fault once per round, in turn, with load running meanwhile."""
    await asyncio.sleep(warmup)
    for _ in range(rounds):
        for name in ("warranty", "orders", "notifications"):
            await injector.kill(name)
            await asyncio.sleep(gap)
        await injector.kill_mid_request("gateway")
        await asyncio.sleep(gap)
        await injector.restart_nats()
        await asyncio.sleep(gap)
        await injector.pause("notifications")
        await asyncio.sleep(gap)
