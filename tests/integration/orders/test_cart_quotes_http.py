"""Cart quotes through HTTP: the gateway's orders router over the orders service's real RPC
handlers and a real database (the `client` fixture, conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.orders.gateway import auth
from tests.support.orders.records import counts_now
from tests.support.orders.stack import Stack

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
WORKED = {
    "region": "UK",
    "lines": [{"style": "TC11", "quantity": 1}, {"style": "VT02", "quantity": 1}],
}


@SQLITE
def test_the_worked_example_comes_to_383_99_gbp(client, stack: Stack) -> None:
    """TC11 + VT02 to the UK from US-NJ: one DDP shipment, every figure of the rule to the
    penny, one total, one locked rate; GET answers the same quote."""
    http, settings = client
    me = auth(settings, "cust-uk-1")
    created = http.post("/v1/quotes", json=WORKED, headers=me)
    assert created.status_code == 201, created.text
    quote = created.json()
    assert (quote["region"], quote["currency"], quote["total"]) == ("UK", "GBP", "383.99")
    assert (quote["fx"]["source"], quote["fx"]["target"], quote["fx"]["rate"]) == (
        "USD",
        "GBP",
        "0.7752",
    )
    (shipment,) = quote["shipments"]
    assert (shipment["warehouse"], shipment["ships_from_region"]) == ("US-NJ", "US")
    assert shipment["treatment"] == "ddp_import"
    figures = {k: shipment[k] for k in ("goods", "shipping", "duty", "vat", "total")}
    assert figures == {
        "goods": "291.48",
        "shipping": "19.38",
        "duty": "9.13",
        "vat": "64.00",
        "total": "383.99",
    }
    again = http.get(f"/v1/quotes/{quote['quote_id']}", headers=me)
    assert again.status_code == 200 and again.json() == quote


@SQLITE
def test_the_worked_example_s_lines_share_shipping_and_carry_customs(client, stack: Stack) -> None:
    """Each line's share of the shipping and its duty; each line's customs declaration."""
    http, settings = client
    quote = http.post("/v1/quotes", json=WORKED, headers=auth(settings, "cust-uk-1")).json()
    (shipment,) = quote["shipments"]
    lines = [
        (x["style"], x["goods"], x["shipping_share"], x["duty_rate"], x["duty"])
        for x in shipment["lines"]
    ]
    assert lines == [
        ("TC11", "60.47", "4.02", "0.027", "1.74"),
        ("VT02", "231.01", "15.36", "0.03", "7.39"),
    ]
    customs = [
        (c["style"], c["hs_code"], c["declared_value"], c["incoterm"]) for c in shipment["customs"]
    ]
    assert customs == [("TC11", "4202.32", "60.47", "DDP"), ("VT02", "4202.21", "231.01", "DDP")]


@SQLITE
def test_a_mixed_cart_is_a_local_and_an_import_shipment(client, stack: Stack) -> None:
    """A UK-listed JR01 and a US-only VT02: UK-LON local (its VAT-inclusive price, no customs)
    and US-NJ DDP import (duty and import VAT, customs data)."""
    http, settings = client
    body = {
        "region": "UK",
        "lines": [{"style": "JR01", "quantity": 1}, {"style": "VT02", "quantity": 1}],
    }
    quote = http.post("/v1/quotes", json=body, headers=auth(settings, "cust-uk-1")).json()
    local, imported = quote["shipments"]
    assert (local["warehouse"], local["treatment"], local["total"]) == ("UK-LON", "local", "159.00")
    assert (local["vat"], local["vat_included"], local["customs"]) == ("0.00", "26.50", [])
    assert (imported["warehouse"], imported["treatment"]) == ("US-NJ", "ddp_import")
    assert (imported["duty"], imported["vat"], imported["total"]) == ("7.51", "51.58", "309.48")
    assert [c["hs_code"] for c in imported["customs"]] == ["4202.21"]
    assert quote["total"] == "468.48"


@SQLITE
def test_the_single_style_body_keeps_its_answer(client, stack: Stack) -> None:
    """Without `lines` the quote is the single-style one, shaped as before (no shipments)."""
    http, settings = client
    q = http.post(
        "/v1/quotes", json={"style": "VT02", "region": "UK"}, headers=auth(settings, "c1")
    )
    assert q.status_code == 201, q.text
    assert q.json()["total"] == "309.48" and q.json()["style"] == "VT02"
    assert "shipments" not in q.json()


def _lines(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"style": s, "quantity": n} for s, n in pairs]


BAD = [
    pytest.param(_lines(*((f"S{i:02d}", 1) for i in range(21))), "cart_too_many_lines", id="21"),
    pytest.param(_lines(("TC11", 1), ("TC11", 2)), "cart_duplicate_style", id="duplicate"),
    pytest.param(_lines(("TC11", 0)), "quote_invalid_quantity", id="quantity-0"),
    pytest.param(_lines(("TC11", 1), ("ZZ99", 1)), "catalogue_unknown_style", id="unknown"),
    pytest.param([], "cart_empty", id="empty"),
]


@SQLITE
@pytest.mark.parametrize(("lines", "code"), BAD)
def test_a_bad_cart_gets_422_with_its_code_and_changes_nothing(
    client, stack: Stack, lines: list[dict[str, Any]], code: str
) -> None:
    """Every broken cart rule is a 422 problem with the rule's stable code; nothing stored."""
    http, settings = client
    before = counts_now(stack)
    r = http.post("/v1/quotes", json={"region": "UK", "lines": lines}, headers=auth(settings, "c1"))
    assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert counts_now(stack) == before


@SQLITE
def test_style_and_lines_together_get_422(client, stack: Stack) -> None:
    """A body is either one style or a cart: both (or neither) is quote_style_or_lines."""
    http, settings = client
    me = auth(settings, "c1")
    before = counts_now(stack)
    both = http.post("/v1/quotes", json={**WORKED, "style": "TC11"}, headers=me)
    assert (both.status_code, both.json()["code"]) == (422, "quote_style_or_lines")
    neither = http.post("/v1/quotes", json={"region": "UK"}, headers=me)
    assert (neither.status_code, neither.json()["code"]) == (422, "quote_style_or_lines")
    assert counts_now(stack) == before


def _order_the_worked_example(http, me: dict[str, str]) -> tuple[dict, dict]:
    quote = http.post("/v1/quotes", json=WORKED, headers=me).json()
    placed = http.post(
        "/v1/orders", json={"quote_id": quote["quote_id"], "payment_token": "tok_ok"}, headers=me
    )
    assert placed.status_code == 201, placed.text
    return quote, placed.json()


@SQLITE
def test_the_worked_example_becomes_a_pending_order_of_one_parcel(client, stack: Stack) -> None:
    """The 383.99 GBP cart quote becomes an order: the quote and cart inside it, one parcel's
    lines from US-NJ, nothing returnable before delivery."""
    http, settings = client
    quote, order = _order_the_worked_example(http, auth(settings, "cust-uk-1"))
    assert (order["status"], order["quote"]["total"], order["cart"]["total"]) == (
        "pending",
        "383.99",
        "383.99",
    )
    assert order["cart"]["shipments"] == quote["shipments"] and order["shipments"] == []
    assert [(x["style"], x["warehouse"], x["quantity"], x["returnable_quantity"])
            for x in order["lines"]] == [("TC11", "US-NJ", 1, 0), ("VT02", "US-NJ", 1, 0)]  # fmt: skip


@SQLITE
def test_the_worked_example_is_confirmed_shipped_and_delivered(client, stack: Stack) -> None:
    """The order's parcel followed through confirmation, shipping and delivery over HTTP, and
    its return window opened on delivery."""
    http, settings = client
    me = auth(settings, "cust-uk-1")
    _, order = _order_the_worked_example(http, me)
    order_id = order["order_id"]
    http.portal.call(stack.runner.saga.advance, order_id)  # type: ignore[union-attr]
    confirmed = http.get(f"/v1/orders/{order_id}", headers=me).json()
    assert confirmed["status"] == "confirmed"
    (parcel,) = confirmed["shipments"]
    assert (parcel["warehouse"], parcel["status"], parcel["delivered_at"]) == (
        "US-NJ",
        "booked",
        None,
    )
    assert parcel["returns_close_at"] is None  # not delivered yet: no window
    assert [(x["style"], x["returnable_quantity"]) for x in confirmed["lines"]] == [
        ("TC11", 0), ("VT02", 0)
    ]  # fmt: skip
    stack.clock.advance(timedelta(minutes=5))
    http.portal.call(stack.runner.tracking.track, order_id)  # type: ignore[union-attr]
    delivered = http.get(f"/v1/orders/{order_id}", headers=me).json()
    assert delivered["status"] == "delivered"
    (parcel,) = delivered["shipments"]
    assert parcel["status"] == "delivered" and parcel["delivered_at"] is not None
    closes = datetime.fromisoformat(parcel["returns_close_at"])
    # the packaged return window, through the RPC and the gateway
    assert closes - datetime.fromisoformat(parcel["delivered_at"]) == timedelta(days=30)
    assert [(x["style"], x["name"], x["returnable_quantity"]) for x in delivered["lines"]] == [
        ("TC11", "Floral tablet sleeve 11-inch", 1), ("VT02", "Voyager travel tote, luggage brown", 1)
    ]  # fmt: skip
    timeline = [t["status"] for t in delivered["timeline"]]
    assert timeline[-3:] == ["confirmed", "shipped", "delivered"]


@SQLITE
def test_a_mixed_cart_is_ordered_as_two_parcels_each_with_its_treatment(
    client, stack: Stack
) -> None:
    """A UK-listed item (local, UK-LON) and a US-only item (DDP import, US-NJ): two shipments in
    the quote, two parcels in the order, each with its own tracking."""
    http, settings = client
    me = auth(settings, "cust-uk-1")
    body = {
        "region": "UK",
        "lines": [{"style": "JR01", "quantity": 1}, {"style": "VT02", "quantity": 1}],
    }
    quote = http.post("/v1/quotes", json=body, headers=me).json()
    assert [(s["warehouse"], s["treatment"]) for s in quote["shipments"]] == [
        ("UK-LON", "local"),
        ("US-NJ", "ddp_import"),
    ]
    order = http.post(
        "/v1/orders", json={"quote_id": quote["quote_id"], "payment_token": "tok_ok"}, headers=me
    ).json()
    http.portal.call(stack.runner.saga.advance, order["order_id"])  # type: ignore[union-attr]
    confirmed = http.get(f"/v1/orders/{order['order_id']}", headers=me).json()
    assert confirmed["status"] == "confirmed"
    parcels = confirmed["shipments"]
    assert [(p["warehouse"], p["status"]) for p in parcels] == [
        ("UK-LON", "booked"),
        ("US-NJ", "booked"),
    ]
    assert len({p["tracking_number"] for p in parcels}) == 2
    # Each line, and the headline (its first line), names the product, not just its code.
    lines = [x for s in confirmed["cart"]["shipments"] for x in s["lines"]]
    assert [(x["style"], x["name"]) for x in lines] == [
        ("JR01", "Juniper crossbody"),
        ("VT02", "Voyager travel tote, luggage brown"),
    ]
    assert (confirmed["quote"]["style"], confirmed["quote"]["name"]) == (
        "JR01",
        "Juniper crossbody",
    )


@SQLITE
def test_quantity_beside_lines_is_refused_not_ignored(client, stack: Stack) -> None:
    """`quantity` belongs to a single style: sent with `lines` it is a 422 with a stable code,
    and nothing is stored."""
    http, settings = client
    me = auth(settings, "cust-uk-1")
    before = counts_now(stack)
    r = http.post("/v1/quotes", json={**WORKED, "quantity": 2}, headers=me)
    assert (r.status_code, r.json()["code"]) == (422, "quote_quantity_with_lines"), r.text
    assert counts_now(stack) == before
    single = http.post(
        "/v1/quotes", json={"style": "TC11", "region": "UK", "quantity": 2}, headers=me
    )
    assert single.status_code == 201 and single.json()["quantity"] == 2


@SQLITE
def test_a_retried_cart_quote_is_the_same_quote(client, stack: Stack) -> None:
    """The same Idempotency-Key and body twice: one quote stored, the same answer."""
    http, settings = client
    me = {**auth(settings, "cust-uk-1"), "Idempotency-Key": "cart-quote-1"}
    first = http.post("/v1/quotes", json=WORKED, headers=me)
    again = http.post("/v1/quotes", json=WORKED, headers=me)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert counts_now(stack)["quotes"] == 1


@SQLITE
def test_an_agent_quotes_a_cart_for_a_customer(client, stack: Stack) -> None:
    """An agent names the customer; the customer then reads the quote, a stranger cannot."""
    http, settings = client
    agent = auth(settings, "agent-7", role="agent")
    body = {**WORKED, "customer_id": "cust-uk-9"}
    quote = http.post("/v1/quotes", json=body, headers=agent)
    assert quote.status_code == 201, quote.text
    path = f"/v1/quotes/{quote.json()['quote_id']}"
    assert http.get(path, headers=auth(settings, "cust-uk-9")).json()["total"] == "383.99"
    assert http.get(path, headers=auth(settings, "cust-other")).status_code == 404
