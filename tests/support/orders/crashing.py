"""Kill the orders process at a named crash point, restart it, and watch what the restart does.

The crash tests in tests/integration/orders share one shape: start `services.orders` with
`CONCIERGE_CRASH_AT` set (it exits 137 there, SIGKILL semantics: no cleanup, no flush), drive
it over NATS until it dies, look at the database, start it again without the crash point, and
wait for the order or return to reach its end. This module is that shape, once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats

from shared.actor import Actor
from shared.contracts import orders as c
from shared.rpc import RpcClient
from tests.support.processes import ServiceProcess, service_process
from tests.support.waiting import eventually

CUSTOMER = Actor(type="customer", id="cust-uk-1")
# The sandbox carrier and the sweeps on a compressed clock, so a saga ends in seconds.
FAST_SAGA = {
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "0.3",
    "ORDERS_CARRIER_DELIVERED_AFTER": "0.6",
    "ORDERS_SAGA_SWEEP_INTERVAL": "0.2",
    "ORDERS_TRACKING_POLL_INTERVAL": "0.2",
}
FAST_RETURNS = {
    "ORDERS_CARRIER_RETURN_PICKED_UP_AFTER": "0.3",
    "ORDERS_CARRIER_RETURN_SCANNED_IN_AFTER": "0.6",
    "ORDERS_RETURN_SWEEP_INTERVAL": "0.2",
    "ORDERS_RETURN_POLL_INTERVAL": "0.2",
}


@dataclass
class CrashingOrders:
    """The orders process that will die at its crash point, and the one started after it."""

    nats_url: str
    db_url: str
    log: Path
    settings: dict[str, str]
    rpc: RpcClient
    first: ServiceProcess
    restarted: list[ServiceProcess] = field(default_factory=list)

    def wait_crash(self, timeout: float = 20) -> None:
        """The first process reached its crash point and died as a SIGKILL would leave it."""
        assert self.first.wait_exit(timeout) == 137, self.first.logs()[-2000:]

    def restart(self, **settings: str) -> ServiceProcess:
        """A new orders process over the same database, without the crash point."""
        process = service_process(
            "services.orders", "ORDERS_", self.nats_url, self.db_url, self.log,
            **{**self.settings, **settings},
        ).start()  # fmt: skip
        self.restarted.append(process)
        return process

    async def call(self, subject: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = await self.rpc.call(subject, body, actor=CUSTOMER)
        return answer

    async def place(self, quote_request: dict[str, Any]) -> dict[str, Any]:
        """Quote, then order with a card the sandbox accepts."""
        quote = await self.call(c.Subjects.QUOTE, quote_request)
        body = {"quote_id": quote["quote_id"], "payment_token": "tok_ok"}
        return await self.call(c.Subjects.PLACE_ORDER, body)

    async def order_when(
        self, order_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 30
    ) -> dict[str, Any]:
        """The order as soon as `done(order)` holds (fails after `timeout`)."""

        async def reached() -> dict[str, Any] | None:
            got = await self.call(c.Subjects.GET_ORDER, {"order_id": order_id})
            return got if done(got) else None

        found: dict[str, Any] = await eventually(reached, timeout=timeout)
        return found

    async def order_reaches(self, order_id: str, status: str, timeout: float = 30) -> dict:
        return await self.order_when(order_id, lambda o: o["status"] == status, timeout)


@asynccontextmanager
async def orders_crashing_at(
    crash_at: str, nats_url: str, tmp_path: Path, **settings: str
) -> AsyncIterator[CrashingOrders]:
    """An orders process (SQLite in `tmp_path`) that exits 137 at `crash_at`; every process
    started here is stopped on the way out."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}"
    log = tmp_path / "orders.log"
    first = service_process(
        "services.orders", "ORDERS_", nats_url, db_url, log,
        CONCIERGE_CRASH_AT=crash_at, **settings,
    ).start()  # fmt: skip
    nc = await nats.connect(nats_url)
    run = CrashingOrders(nats_url, db_url, log, settings, RpcClient(nc, default_timeout=10), first)
    try:
        yield run
    finally:
        for process in run.restarted:
            process.terminate()
        first.kill()
        await nc.drain()
