"""`concierge status`: streams, consumers and their lag, DLQ size, services answering pings, and
customer messages held for an agent after an interrupted hand-over."""

from __future__ import annotations

import asyncio
from typing import Any

from nats.aio.client import Client

from shared.actor import Actor
from shared.contracts import notifications as nc_contracts
from shared.contracts.system import ping_subject
from shared.messaging.streams import ALL_STREAMS, DLQ
from shared.rpc import RpcClient

SERVICES = ("warranty", "orders", "notifications")


async def collect(nc: Client) -> dict[str, Any]:
    js = nc.jetstream()
    streams: list[dict[str, Any]] = []
    for spec in ALL_STREAMS:
        try:
            info = await js.stream_info(spec.name)
        except Exception as exc:
            streams.append({"stream": spec.name, "error": str(exc)})
            continue
        consumers = await js.consumers_info(spec.name)
        streams.append(
            {
                "stream": spec.name,
                "messages": info.state.messages,
                "bytes": info.state.bytes,
                "replicas": info.config.num_replicas,
                "consumers": [
                    {
                        "name": c.name,
                        "pending": c.num_pending,
                        "ack_pending": c.num_ack_pending,
                        "redelivered": c.num_redelivered,
                    }
                    for c in consumers
                ],
            }
        )
    rpc = RpcClient(nc, default_timeout=1.0)

    async def ping(service: str) -> dict[str, Any]:
        try:
            return {"service": service, **(await rpc.call(ping_subject(service))), "up": True}
        except Exception as exc:
            return {"service": service, "up": False, "error": str(exc)}

    services = await asyncio.gather(*(ping(s) for s in SERVICES))
    dlq = next((s for s in streams if s["stream"] == DLQ.name), {})
    return {
        "streams": streams,
        "services": list(services),
        "dlq_size": dlq.get("messages", 0),
        "held_messages": await _held_messages(rpc),
    }


HELD_PAGE = 500


async def _held_messages(rpc: RpcClient) -> int | str:
    """How many messages wait for an agent (`concierge notify held` lists them)."""
    try:
        reply = await rpc.call(
            nc_contracts.Subjects.LIST_HELD_MESSAGES,
            {"limit": HELD_PAGE},
            actor=Actor(type="agent", id="concierge-status"),
        )
    except Exception as exc:
        return f"unknown ({exc})"
    held = len(reply["messages"])
    return f"{held}+" if held == HELD_PAGE else held
