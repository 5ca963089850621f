"""Story 2 through the public HTTP API only: the UK customer who wants a US-only item.

She browses the UK catalogue (region is her choice, nothing redirects her), sees the US-only
floral tablet sleeve as a cross-region offer, gets GBP quotes that match a hand computation on
both sides of the £135 threshold, orders with a test card, and the order runs to delivered with
stock reserved in US-NJ and a shipment carrying customs data; every step is on the ORDERS
stream. The python-skin satchel is unavailable to her with the CITES reason, and she can join
the waitlist. A declined card ends the order `failed` with what to do instead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import orjson
import pytest

from tests.support.e2e.api import (
    FAST_ORDERS,
    environment,
    post,
    stream_events,
    wait_for_status,
    wait_until,
)

pytestmark = pytest.mark.e2e

STEPS = ["pending", "payment_authorized", "stock_reserved", "shipment_created", "confirmed",
         "shipped", "delivered"]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def fast_carrier() -> Iterator[None]:
    """Compress the sandbox carrier's schedule for this module's stack only."""
    with environment(FAST_ORDERS):
        yield


def order_url(order_id: str) -> str:
    return f"/v1/orders/{order_id}"


def assert_notifications_logged(running_stack, request_id: str, timeout: float = 20) -> None:
    """The notifications service applied the order's events under the request's id."""

    def applied() -> list[dict]:
        lines = [orjson.loads(x) for x in running_stack.log("notifications").splitlines()
                 if x.startswith("{")]  # fmt: skip
        return [line for line in lines if line.get("event") == "events.applied" and (
            line.get("correlation_id") == request_id
            or request_id in (line.get("correlation_ids") or []))]  # fmt: skip

    assert wait_until(applied, timeout), "no events.applied line names the request"


def test_uk_customer_buys_a_us_only_item(running_stack):
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")

    r = me.get("/v1/catalog", params={"region": "UK"})
    assert r.status_code == 200, r.text
    offers = {o["style"]: o for o in r.json()["offers"]}
    assert r.json()["currency"] == "GBP"
    tc11 = offers["TC11"]
    assert tc11["kind"] == "cross_region" and tc11["warehouse"] == "US-NJ"
    assert (tc11["delivery_days_min"], tc11["delivery_days_max"]) == (5, 8)
    assert offers["PY01"]["kind"] == "unavailable"
    assert offers["PY01"]["reason_code"] == "restricted_material"
    assert "CITES" in offers["PY01"]["reason"]
    assert offers["VT01"]["kind"] == "local" and offers["VT01"]["price"] == "259.00"

    # Below £135: 78 USD x 0.7752 = 60.4656 -> 60.47; shipping 25 x 0.7752 = 19.38;
    # VAT 20% x (60.47 + 19.38) = 15.97; no duty; total 95.82.
    r = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"})
    assert r.status_code == 201, r.text
    quote = r.json()
    assert {x["kind"]: x["amount"] for x in quote["lines"]} == {
        "goods": "60.47", "shipping": "19.38", "vat": "15.97"}  # fmt: skip
    assert quote["total"] == "95.82" and quote["currency"] == "GBP"
    assert quote["fx"]["rate"] == "0.7752" and quote["fx"]["as_of"] == "2026-11-20"

    # Above £135: 298 x 0.7752 = 231.0096 -> 231.01; duty 3% x (231.01 + 19.38) = 7.51;
    # import VAT 20% x (250.39 + 7.51 = 257.90) = 51.58; total 309.48.
    r = post(me, "/v1/quotes", {"style": "VT02", "region": "UK"})
    assert r.status_code == 201, r.text
    assert {x["kind"]: x["amount"] for x in r.json()["lines"]} == {
        "goods": "231.01", "shipping": "19.38", "duty": "7.51", "vat": "51.58"}  # fmt: skip
    assert r.json()["total"] == "309.48"

    request_id = f"corr-{uuid.uuid4().hex[:12]}"
    r = me.post("/v1/orders", json={"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
                headers={"Idempotency-Key": uuid.uuid4().hex, "X-Request-ID": request_id})  # fmt: skip
    assert r.status_code == 201, r.text
    order_id = r.json()["order_id"]
    order = wait_for_status(me, order_url(order_id), "delivered")
    assert order["status"] == "delivered", order
    assert [t["status"] for t in order["timeline"]] == STEPS
    assert order["quote"]["warehouse"] == "US-NJ" and order["quote"]["total"] == "95.82"
    assert order["shipment"]["tracking_number"]

    timeline = me.get(f"/v1/orders/{order_id}/timeline").json()
    assert [t["status"] for t in timeline["timeline"]] == STEPS

    events = asyncio.run(
        stream_events(running_stack.nats_url, "orders.order.>", "ORDERS", order_id)
    )
    assert [e["type"] for e in events] == [f"orders.order.{s}" for s in ("placed", *STEPS[1:])]
    # Issue 12 item 10: every saga step, run later in the background, names the request.
    assert {e["correlationid"] for e in events} == {request_id}
    assert_notifications_logged(running_stack, request_id)
    reserved = next(e for e in events if e["type"] == "orders.order.stock_reserved")
    assert reserved["data"]["warehouse"] == "US-NJ"
    customs = next(e for e in events if e["type"] == "orders.order.shipment_created")
    assert customs["data"]["customs"] == {
        "hs_code": "4202.32", "origin_country": "VN", "quantity": 1,
        "declared_value": "60.47", "currency": "GBP", "incoterm": "DDP"}  # fmt: skip

    stranger = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    assert stranger.get(f"/v1/orders/{order_id}").status_code == 404

    r = post(me, "/v1/waitlist", {"style": "PY01", "region": "UK"})
    assert r.status_code == 201, r.text


def test_declined_card_fails_with_what_to_do(running_stack):
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    quote = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"}).json()
    r = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_declined"})
    assert r.status_code == 201, r.text
    order = wait_for_status(me, order_url(r.json()["order_id"]), "failed")
    assert order["status"] == "failed", order
    assert order["failure"]["reason_code"] == "payment_declined"
    assert order["failure"]["advice_code"] == "use_another_card"


def test_agent_places_the_order_for_her_in_chat(running_stack):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    agent = running_stack.client("agent-chat-1", role="agent")
    quote = post(agent, "/v1/quotes", {"style": "TC11", "region": "UK", "customer_id": customer})
    assert quote.status_code == 201, quote.text
    r = post(agent, "/v1/orders", {"quote_id": quote.json()["quote_id"],
                                   "payment_token": "tok_ok", "customer_id": customer})  # fmt: skip
    assert r.status_code == 201, r.text
    mine = running_stack.client(customer).get(f"/v1/orders/{r.json()['order_id']}").json()
    assert mine["customer_id"] == customer and mine["placed_by_agent"] is True


def test_uk_customer_quotes_a_cart_across_two_warehouses(running_stack):
    """Her cart of a UK-listed JR01 and the US-only TC11 + VT02 is quoted as two shipments:
    UK-LON local, and US-NJ DDP import whose figures are the worked example's (383.99 GBP).
    She orders it: one order, two parcels each tracked on its own, delivered when both are."""
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    lines = [{"style": s, "quantity": 1} for s in ("JR01", "TC11", "VT02")]
    r = post(me, "/v1/quotes", {"region": "UK", "lines": lines})
    assert r.status_code == 201, r.text
    quote = r.json()
    local, imported = quote["shipments"]
    assert (local["warehouse"], local["treatment"], local["total"]) == ("UK-LON", "local", "159.00")
    assert (imported["warehouse"], imported["treatment"]) == ("US-NJ", "ddp_import")
    assert [x["style"] for x in imported["lines"]] == ["TC11", "VT02"]
    assert (imported["duty"], imported["vat"], imported["total"]) == ("9.13", "64.00", "383.99")
    assert quote["total"] == "542.99" and quote["fx"]["rate"] == "0.7752"
    assert me.get(f"/v1/quotes/{quote['quote_id']}").json() == quote
    order = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    assert order.status_code == 201, order.text
    assert order.json()["cart"]["total"] == "542.99"
    final = wait_for_status(me, order_url(order.json()["order_id"]), "delivered")
    assert final["status"] == "delivered", final
    assert [(p["warehouse"], p["status"]) for p in final["shipments"]] == [
        ("UK-LON", "delivered"),
        ("US-NJ", "delivered"),
    ]
    assert all(p["delivered_at"] for p in final["shipments"])
    assert [x["order_id"] for x in me.get("/v1/orders").json()["items"]] == [final["order_id"]]


def test_the_worked_example_is_ordered_through_the_api(running_stack):
    """TC11 + VT02 to the UK from US-NJ: 383.99 GBP quoted, ordered, confirmed, shipped and
    delivered; the order shows its one parcel and the cart it was placed from."""
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    lines = [{"style": s, "quantity": 1} for s in ("TC11", "VT02")]
    quote = post(me, "/v1/quotes", {"region": "UK", "lines": lines}).json()
    assert quote["total"] == "383.99"
    r = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    assert r.status_code == 201, r.text
    final = wait_for_status(me, order_url(r.json()["order_id"]), "delivered")
    assert [t["status"] for t in final["timeline"]] == STEPS
    assert final["quote"]["total"] == final["cart"]["total"] == "383.99"
    (parcel,) = final["shipments"]
    assert (parcel["warehouse"], parcel["status"]) == ("US-NJ", "delivered")
