"""Live status streams from JetStream: filtering by object, resumption with Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from httpx_sse import aconnect_sse

from services.gateway.sse import stream_events
from services.gateway.sse_feed import in_app_delivery_for, order_or_its_returns
from shared.contracts.envelope import RawEvent, new_event_id
from tests.support.gateway.deliveries import delivered
from tests.support.gateway.live import LiveGateway


async def publish(
    js: Any, verb: str, claim_id: str, kind: str = "warranty.claim", **data: Any
) -> int:
    event = RawEvent(
        id=new_event_id(),
        source="/concierge/" + kind.split(".")[0],
        type=f"{kind}.{verb}",
        subject=claim_id,
        time="2026-01-15T09:30:00Z",
        data=data,
    )
    ack = await js.publish(
        event.type, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id}
    )
    return int(ack.seq)


async def take(agen: Any, n: int, timeout: float = 5.0) -> list[Any]:
    out: list[Any] = []

    async def run() -> None:
        async for item in agen:
            if item.comment is None:  # skip heartbeats
                out.append(item)
                if len(out) == n:
                    return

    await asyncio.wait_for(run(), timeout)
    return out


async def test_stream_events_filters_by_claim_and_resumes(gateway: LiveGateway) -> None:
    js = gateway.nc.jetstream()
    s1 = await publish(js, "opened", "claim-A")
    await publish(js, "opened", "claim-B")
    s3 = await publish(js, "approved", "claim-A")

    agen = stream_events(js, "WARRANTY", "warranty.claim.*", "claim-A", 0, heartbeat_seconds=0.2)
    events = await take(agen, 2)
    await agen.aclose()
    assert [e.id for e in events] == [str(s1), str(s3)]
    assert [e.event for e in events] == ["warranty.claim.opened", "warranty.claim.approved"]
    assert json.loads(events[1].data)["subject"] == "claim-A"

    # Reconnect after the first event: only what came later, and new events live.
    agen = stream_events(js, "WARRANTY", "warranty.claim.*", "claim-A", s1, heartbeat_seconds=0.2)
    first = await take(agen, 1)
    assert [e.id for e in first] == [str(s3)]
    s5 = await publish(js, "shipped", "claim-A")
    live = await take(agen, 1)
    await agen.aclose()
    assert [e.id for e in live] == [str(s5)]


async def test_stream_events_allow_list_of_types(gateway: LiveGateway) -> None:
    js = gateway.nc.jetstream()
    await publish(js, "flagged", "claim-T", review_reasons=["many claims"])  # agent-only
    visible = await publish(js, "approved", "claim-T")
    agen = stream_events(
        js,
        "WARRANTY",
        "warranty.claim.*",
        "claim-T",
        0,
        heartbeat_seconds=0.2,
        types={"warranty.claim.approved"},
    )
    events = await take(agen, 1)
    await agen.aclose()
    assert [e.id for e in events] == [str(visible)]


async def test_new_connection_starts_at_the_end_with_a_ready_position(gateway: LiveGateway) -> None:
    js = gateway.nc.jetstream()
    old = await publish(js, "opened", "claim-N")
    agen = stream_events(js, "WARRANTY", "warranty.claim.*", "claim-N", None, heartbeat_seconds=0.2)
    ready = await asyncio.wait_for(agen.__anext__(), 3)
    assert (ready.event, ready.id) == ("ready", str(old))
    new = await publish(js, "approved", "claim-N")
    live = await take(agen, 1)
    await agen.aclose()
    assert [e.id for e in live] == [str(new)]


async def test_stream_events_sends_heartbeats(gateway: LiveGateway) -> None:
    agen = stream_events(
        gateway.nc.jetstream(),
        "WARRANTY",
        "warranty.claim.*",
        "nothing",
        0,
        heartbeat_seconds=0.1,
    )
    item = await asyncio.wait_for(agen.__anext__(), 3)
    await agen.aclose()
    assert item.comment == "heartbeat"


async def test_sse_endpoint_over_http(gateway: LiveGateway, served: str) -> None:
    js = gateway.nc.jetstream()
    s1 = await publish(js, "opened", "claim-H")
    await publish(js, "opened", "claim-other")
    s3 = await publish(js, "approved", "claim-H")
    async with httpx.AsyncClient(base_url=served, timeout=5) as client:
        denied = await client.get("/v1/test/claims/claim-H/stream")
        assert denied.status_code == 401
        headers = {**gateway.auth(), "Last-Event-ID": str(s1)}
        async with aconnect_sse(
            client, "GET", "/v1/test/claims/claim-H/stream", headers=headers
        ) as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            got = []
            async for sse in source.aiter_sse():
                got.append((sse.id, sse.event))
                break
    assert got == [(str(s3), "warranty.claim.approved")]


async def test_in_app_notifications_of_one_customer(gateway: LiveGateway) -> None:
    js = gateway.nc.jetstream()

    await delivered(js, "cust-A", "email")
    await delivered(js, "cust-B", "in_app")
    mine = await delivered(js, "cust-A", "in_app")
    agen = stream_events(
        js,
        "NOTIFICATIONS",
        "notifications.message.delivered",
        None,
        0,
        heartbeat_seconds=0.2,
        match=in_app_delivery_for("cust-A"),
    )
    events = await take(agen, 1)
    await agen.aclose()
    assert [e.id for e in events] == [str(mine)]


async def test_an_orders_stream_with_its_returns(gateway: LiveGateway) -> None:
    """`GET /v1/orders/{id}/stream?returns=true`: the order's events and those of its returns
    (whose subject is the return, carrying the order's id); not another order's, nor a quote's."""
    js = gateway.nc.jetstream()
    placed = await publish(js, "placed", "ord-A", "orders.order")
    await publish(js, "placed", "ord-B", "orders.order")
    await publish(js, "created", "ord-A", "orders.quote")  # a quote whose id looks the same
    await publish(js, "requested", "ret-2", "orders.return", order_id="ord-B")
    refunded = await publish(js, "refunded", "ret-1", "orders.return", order_id="ord-A")
    agen = stream_events(js, "ORDERS", "orders.>", None, 0, heartbeat_seconds=0.2,
                         match=order_or_its_returns("ord-A"))  # fmt: skip
    events = await take(agen, 2)
    await agen.aclose()
    assert [(e.id, e.event) for e in events] == [
        (str(placed), "orders.order.placed"), (str(refunded), "orders.return.refunded")
    ]  # fmt: skip
