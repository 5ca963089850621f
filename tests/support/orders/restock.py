"""The operator's restocking during a load run (`rpc.orders.replenish`, as an agent), shared by
the chaos and scale suites so that orders never run dry: every phase of a run then exercises
payment, shipping and delivery under faults (issue 18 item 4)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import nats

from shared.actor import Actor
from shared.contracts.orders import Subjects as OrdersSubjects
from shared.rpc import RpcClient


async def keep_stocked(
    nats_url: str,
    stocked: Callable[[], Iterable[tuple[str, str]]],
    stop: asyncio.Event,
    *,
    every: float = 5.0,
    units: int = 40,
    operator: str = "load-operator",
) -> int:
    """Add `units` of each (warehouse, style) every `every` seconds until `stop`; returns how
    many restocks went through. A call lost to a fault is simply made again at the next tick."""
    servers = nats_url.split(",")  # a cluster: every node, credentials in each URL
    nc = await nats.connect(servers, max_reconnect_attempts=-1, reconnect_time_wait=0.5)
    rpc, actor = RpcClient(nc), Actor(type="agent", id=operator)
    done = 0
    try:
        while not stop.is_set():
            for warehouse, style in sorted(stocked()):
                request = {"warehouse": warehouse, "style": style, "quantity": units}
                try:
                    await rpc.call(OrdersSubjects.REPLENISH, request, actor=actor, timeout=3)
                    done += 1
                except Exception:  # a fault is in progress: next tick
                    pass
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass
    finally:
        await nc.close()
    return done
