"""Story 2 continued, through the public HTTP API only: the UK customer sends back the VT02 she
bought from the US. The order runs to delivered (sandbox carrier), she asks for a return and
gets a free label declared as returned goods with the refund breakdown; nothing is paid until
the carrier scans the parcel in; then the refund is paid once and `orders.return.refunded`
carries the figures to the penny, with the duty and import VAT the brand can reclaim.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import orjson
import pytest
from httpx_sse import connect_sse

from tests.support.e2e.api import FAST_ORDERS, FAST_RETURNS, environment, post, stream_events
from tests.support.e2e.api import wait_for_status as wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def fast_carrier() -> Iterator[None]:
    """Compress the sandbox carrier's schedules for this module's stack only."""
    with environment(FAST_ORDERS, FAST_RETURNS):
        yield


def return_events(nats_url: str, return_id: str) -> list[dict]:
    return asyncio.run(stream_events(nats_url, "orders.return.>", "ORDERS", return_id))


def test_uk_customer_returns_the_us_item_and_is_refunded_by_the_rule(running_stack):
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    quote = post(me, "/v1/quotes", {"style": "VT02", "region": "UK"}).json()
    assert quote["total"] == "309.48"
    order = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    assert order.status_code == 201, order.text
    order_id = order.json()["order_id"]
    url = f"/v1/orders/{order_id}/returns"
    body = {"lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]}
    early = post(me, url, body)
    if early.status_code == 409:  # asked before delivery: refused with a stable code
        assert early.json()["code"] == "return_not_delivered"
    assert wait_for(me, f"/v1/orders/{order_id}", "delivered")["status"] == "delivered"

    stranger = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    assert post(stranger, url, body).status_code == 404
    r = post(me, url, body)
    assert r.status_code == 201, r.text
    ret = r.json()
    # Paid 309.48; keeping nothing still costs the shipping 19.38 and 20% VAT on it (3.88).
    assert ret["refund"] | {"lines": None} == {
        "currency": "GBP", "total": "286.22", "goods": "231.01", "shipping": "0.00",
        "duty": "7.51", "vat": "47.70", "reclaimable_duty": "7.51",
        "reclaimable_import_vat": "51.58", "lines": None}  # fmt: skip
    [label] = ret["labels"]
    assert label["warehouse"] == "US-NJ" and label["tracking_number"]
    assert label["customs"] == [{
        "hs_code": "4202.21", "origin_country": label["customs"][0]["origin_country"],
        "description": label["customs"][0]["description"], "quantity": 1,
        "declared_value": "231.01", "currency": "GBP", "procedure": "returned_goods"}]  # fmt: skip

    done = wait_for(me, f"/v1/returns/{ret['return_id']}", "refunded")
    assert done["status"] == "refunded", done
    assert done["amount_refunded"] == "286.22" and done["refund_id"]
    events = return_events(running_stack.nats_url, ret["return_id"])
    types = [e["type"] for e in events]
    assert types[0] == "orders.return.requested" and types[-1] == "orders.return.refunded"
    assert types.count("orders.return.refunded") == 1
    assert "orders.return.received" in types
    refunded = events[-1]["data"]
    assert refunded["amount_refunded"] == "286.22" and refunded["order_id"] == order_id
    assert refunded["refund"]["reclaimable_duty"] == "7.51"
    assert refunded["refund"]["reclaimable_import_vat"] == "51.58"
    assert refunded["refund"]["lines"][0]["total"] == "286.22"

    # The live stream replays the return's events from the start (Last-Event-ID 0), its own only.
    stream = f"/v1/returns/{ret['return_id']}/stream"
    assert stranger.get(stream).status_code == 404
    seen = []
    with connect_sse(me, "GET", stream, headers={"Last-Event-ID": "0"}, timeout=10) as sse:
        for item in sse.iter_sse():
            seen.append(item.event)
            assert orjson.loads(item.data)["subject"] == ret["return_id"]
            if item.event == "orders.return.refunded":
                break
    assert seen == types


def test_the_worked_example_vt02_return_refunds_exactly_288_17(running_stack):
    """Acceptance (issue 17): TC11 + VT02 to the UK from US-NJ is 383.99 GBP; returning the VT02
    refunds exactly what the rule gives (docs/returns.md): 288.17."""
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    cart = {"region": "UK", "lines": [{"style": "TC11", "quantity": 1},
                                      {"style": "VT02", "quantity": 1}]}  # fmt: skip
    quote = post(me, "/v1/quotes", cart).json()
    assert quote["total"] == "383.99" and quote["currency"] == "GBP"
    order = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    assert order.status_code == 201, order.text
    order_id = order.json()["order_id"]
    assert wait_for(me, f"/v1/orders/{order_id}", "delivered")["status"] == "delivered"
    body = {"lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]}
    r = post(me, f"/v1/orders/{order_id}/returns", body)
    assert r.status_code == 201, r.text
    ret = r.json()
    assert ret["refund"] | {"lines": None} == {
        "currency": "GBP", "total": "288.17", "goods": "231.01", "shipping": "0.00",
        "duty": "9.13", "vat": "48.03", "reclaimable_duty": "7.39",
        "reclaimable_import_vat": "50.75", "lines": None}  # fmt: skip
    done = wait_for(me, f"/v1/returns/{ret['return_id']}", "refunded")
    assert done["status"] == "refunded" and done["amount_refunded"] == "288.17", done
    events = return_events(running_stack.nats_url, ret["return_id"])
    [refunded] = [e["data"] for e in events if e["type"] == "orders.return.refunded"]
    assert refunded["amount_refunded"] == "288.17"
    assert (refunded["refund"]["reclaimable_duty"], refunded["refund"]["reclaimable_import_vat"]) \
        == ("7.39", "50.75")  # fmt: skip
