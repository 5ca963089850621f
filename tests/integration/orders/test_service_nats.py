"""The orders service in-process against a real nats-server: RPC in, events out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import nats
import pytest

from services.orders.app import build
from services.orders.settings import Settings
from shared.actor import Actor
from shared.contracts import orders as c
from shared.errors import DomainError
from shared.rpc import RpcClient
from tests.support.waiting import eventually

CUSTOMER = Actor(type="customer", id="cust-uk-1")


def fast_settings(nats_url: str, db_url: str, **extra) -> Settings:
    return Settings(
        nats_url=nats_url,
        database_url=db_url,
        relay_sweep_interval=0.1,
        carrier_in_transit_after=0.3,
        carrier_delivered_after=0.6,
        saga_sweep_interval=0.2,
        tracking_poll_interval=0.2,
        payment_retry_delay=0.01,
        **extra,
    )


@pytest.fixture
async def orders(nats_server, sqlite_url) -> AsyncIterator[tuple[RpcClient, object]]:
    rt = build(fast_settings(nats_server.url, sqlite_url))
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    try:
        yield RpcClient(nc, default_timeout=10), nc
    finally:
        await nc.drain()
        await rt.app.stop()


async def order_status(rpc: RpcClient, order_id: str) -> str:
    reply = await rpc.call(c.Subjects.GET_ORDER, {"order_id": order_id}, actor=CUSTOMER)
    return str(reply["status"])


async def test_uk_story_over_nats(orders) -> None:
    rpc, nc = orders
    js = nc.jetstream()
    seen: list[str] = []
    sub = await js.subscribe("orders.>", ordered_consumer=True, cb=partial(_note, seen))

    catalogue = await rpc.call(c.Subjects.CATALOGUE, {"region": "UK"}, actor=CUSTOMER)
    offers = {o["style"]: o for o in catalogue["offers"]}
    assert offers["TC11"]["kind"] == "cross_region" and offers["TC11"]["warehouse"] == "US-NJ"
    assert offers["TC11"]["price"] == "95.82" and offers["TC11"]["delivery_days_min"] == 5
    assert offers["PY01"]["kind"] == "unavailable" and "CITES" in offers["PY01"]["reason"]

    quote = await rpc.call(c.Subjects.QUOTE, {"style": "TC11", "region": "UK"}, actor=CUSTOMER)
    assert [(x["kind"], x["amount"]) for x in quote["lines"]] == [
        ("goods", "60.47"),
        ("shipping", "19.38"),
        ("vat", "15.97"),
    ]
    assert quote["total"] == "95.82" and quote["fx"]["rate"] == "0.7752"

    order = await rpc.call(
        c.Subjects.PLACE_ORDER,
        {"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
        actor=CUSTOMER,
    )
    order_id = order["order_id"]
    await eventually(lambda: _is(rpc, order_id, "delivered"), timeout=20)
    final = await rpc.call(c.Subjects.GET_ORDER, {"order_id": order_id}, actor=CUSTOMER)
    assert final["shipment"]["tracking_number"].startswith("SBX")
    assert [t["status"] for t in final["timeline"]] == [
        "pending",
        "payment_authorized",
        "stock_reserved",
        "shipment_created",
        "confirmed",
        "shipped",
        "delivered",
    ]
    await eventually(lambda: _has(seen, "orders.order.delivered"))
    assert "orders.quote.created" in seen and "orders.order.shipment_created" in seen
    await sub.unsubscribe()


async def test_declined_and_not_found_over_nats(orders) -> None:
    rpc, _ = orders
    quote = await rpc.call(c.Subjects.QUOTE, {"style": "VT02", "region": "UK"}, actor=CUSTOMER)
    assert quote["total"] == "309.48"
    order = await rpc.call(
        c.Subjects.PLACE_ORDER,
        {"quote_id": quote["quote_id"], "payment_token": "tok_declined"},
        actor=CUSTOMER,
    )
    await eventually(lambda: _is(rpc, order["order_id"], "failed"))
    failed = await rpc.call(c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=CUSTOMER)
    assert failed["failure"]["reason_code"] == "payment_declined"
    assert failed["failure"]["advice_code"] == "use_another_card"
    stranger = Actor(type="customer", id="someone-else")
    with pytest.raises(DomainError) as err:
        await rpc.call(c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=stranger)
    assert err.value.code == "order_not_found"
    with pytest.raises(DomainError) as err:
        await rpc.call(c.Subjects.QUOTE, {"style": "PY01", "region": "UK"}, actor=CUSTOMER)
    assert err.value.code == "catalogue_not_available"


async def test_replacement_stock_for_warranty(orders) -> None:
    rpc, _ = orders
    system = Actor(type="system", id="warranty")
    before = await rpc.call(
        c.Subjects.REPLACEMENT_STOCK, {"region": "UK", "style": "VT01"}, actor=system
    )
    assert before == {"region": "UK", "style": "VT01", "warehouse": "UK-LON", "available": 10}
    req = {"claim_id": "clm-1", "region": "UK", "style": "VT01"}
    first = await rpc.call(c.Subjects.RESERVE_REPLACEMENT, req, actor=system)
    again = await rpc.call(c.Subjects.RESERVE_REPLACEMENT, req, actor=system)
    assert first == again
    after = await rpc.call(
        c.Subjects.REPLACEMENT_STOCK, {"region": "UK", "style": "VT01"}, actor=system
    )
    assert after["available"] == 9
    released = await rpc.call(c.Subjects.RELEASE_REPLACEMENT, {"claim_id": "clm-1"}, actor=system)
    assert released == {"released": True}


async def test_waitlist_hears_about_a_new_listing(orders) -> None:
    rpc, nc = orders
    js = nc.jetstream()
    seen: list[dict] = []
    sub = await js.subscribe(
        "orders.waitlist.available", ordered_consumer=True, cb=partial(_keep, seen)
    )
    await rpc.call(c.Subjects.JOIN_WAITLIST, {"style": "PC15", "region": "US"}, actor=CUSTOMER)
    agent = Actor(type="agent", id="ops-1")
    await rpc.call(
        c.Subjects.SET_LISTING, {"style": "PC15", "region": "US", "price": "45.00"}, actor=agent
    )
    await eventually(lambda: _nonempty(seen))
    data = seen[0]["data"]
    assert data["customer_id"] == "cust-uk-1" and data["style"] == "PC15"
    assert data["reason"] == "listed" and data["currency"] == "USD"
    with pytest.raises(DomainError) as err:
        await rpc.call(
            c.Subjects.SET_LISTING, {"style": "PC15", "region": "US", "price": "1"}, actor=CUSTOMER
        )
    assert err.value.code == "orders_operator_only"
    await sub.unsubscribe()


async def _note(seen: list[str], msg) -> None:
    seen.append(msg.subject)


async def _keep(seen: list[dict], msg) -> None:
    import orjson

    seen.append(orjson.loads(msg.data))


async def _is(rpc: RpcClient, order_id: str, status: str) -> bool:
    return await order_status(rpc, order_id) == status


async def _has(seen: list[str], subject: str) -> bool:
    return subject in seen


async def _nonempty(seen: list) -> bool:
    await asyncio.sleep(0)
    return bool(seen)


async def test_a_cart_quote_over_nats(orders) -> None:
    """RPC in with `lines`, the cart quote out (383.99 GBP), its event published on
    orders.cart_quote.created; ordering it runs the saga to delivery, the parcel tracked on its
    own, with one authorization and one parcel event per warehouse."""
    rpc, nc = orders
    js = nc.jetstream()
    seen: list[dict] = []
    sub = await js.subscribe(
        "orders.cart_quote.created", ordered_consumer=True, cb=partial(_keep, seen)
    )
    lines = [{"style": "TC11", "quantity": 1}, {"style": "VT02", "quantity": 1}]
    quote = await rpc.call(c.Subjects.QUOTE, {"region": "UK", "lines": lines}, actor=CUSTOMER)
    assert quote["total"] == "383.99" and quote["fx"]["rate"] == "0.7752"
    assert [(s["warehouse"], s["treatment"]) for s in quote["shipments"]] == [
        ("US-NJ", "ddp_import")
    ]
    again = await rpc.call(c.Subjects.GET_QUOTE, {"quote_id": quote["quote_id"]}, actor=CUSTOMER)
    assert again == quote
    await eventually(lambda: _nonempty(seen))
    assert seen[0]["subject"] == quote["quote_id"]
    assert seen[0]["data"]["total"] == "383.99" and seen[0]["data"]["customer_id"] == "cust-uk-1"
    order = await rpc.call(
        c.Subjects.PLACE_ORDER,
        {"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
        actor=CUSTOMER,
    )
    assert order["cart"]["total"] == "383.99" and order["quote"]["total"] == "383.99"
    await eventually(lambda: _is(rpc, order["order_id"], "delivered"), timeout=20)
    final = await rpc.call(c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=CUSTOMER)
    assert [(p["warehouse"], p["status"]) for p in final["shipments"]] == [("US-NJ", "delivered")]
    with pytest.raises(DomainError) as err:
        await rpc.call(
            c.Subjects.QUOTE, {"region": "UK", "style": "TC11", "lines": lines}, actor=CUSTOMER
        )
    assert err.value.code == "quote_style_or_lines"
    await sub.unsubscribe()
