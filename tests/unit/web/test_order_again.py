"""After an order fails (story 2), there is a way to try again: the failed order offers its own
items on a fresh quote (the basket was emptied when it was paid), paying an old quote again says
it was ordered before instead of "Order placed", and a quote whose price lapsed offers a new
quote (beside Pay, or instead of it once the API refused it). Over a stub gateway."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.web.console import StubConsole, csrf, problem

NOW = datetime.now(UTC)
QUOTE = {"quote_id": "q-1", "region": "UK", "style": "TC11", "name": "Floral tablet sleeve",
         "quantity": 2, "offer_kind": "cross_region", "warehouse": "US-NJ",
         "ships_from_region": "US", "currency": "GBP", "total": "191.64",
         "lines": [{"kind": "goods", "description": "Floral tablet sleeve", "amount": "120.94",
                    "unit_price": "60.47", "quantity": 2},
                   {"kind": "shipping", "description": "International shipping",
                    "amount": "19.38"},
                   {"kind": "duty", "description": "Import duty", "amount": "4.21",
                    "rate": "0.03", "base": "140.32"},
                   {"kind": "vat", "description": "UK VAT", "amount": "47.11", "rate": "0.20",
                    "base": "144.53"}],
         "tax_treatment": "duty_and_import_vat",
         "fx": {"source": "USD", "target": "GBP", "rate": "0.7752", "snapshot_rate": "0.7600",
                "margin": "0.02", "as_of": "2026-12-05"},
         "delivery_days_min": 5, "delivery_days_max": 8,
         "customs": {"hs_code": "4202.32", "origin_country": "VN", "quantity": 2,
                     "declared_value": "120.94", "currency": "GBP", "incoterm": "DDP"},
         "created_at": NOW.isoformat(), "expires_at": (NOW + timedelta(minutes=30)).isoformat()}  # fmt: skip
DECLINED = {"order_id": "ord-1", "status": "failed", "created_at": "2026-12-05T10:00:00Z",
            "timeline": [], "cart": None, "shipment": None, "shipments": [], "agent_id": None,
            "failure": {"message": "Your card was declined", "reason_code": "payment_declined",
                        "advice_code": "use_another_card", "style": None},
            "quote": QUOTE,
            "lines": [{"style": "TC11", "name": "Floral tablet sleeve", "warehouse": "US-NJ",
                       "quantity": 2, "returnable_quantity": 0}]}  # fmt: skip


def cart_order(failure: dict) -> dict:
    lines = [{"style": "TC11", "name": "Floral tablet sleeve", "warehouse": "US-NJ",
              "quantity": 1, "returnable_quantity": 0},
             {"style": "VT02", "name": "Vintage tote", "warehouse": "US-NJ", "quantity": 2,
              "returnable_quantity": 0}]  # fmt: skip
    shipment = {"warehouse": "US-NJ", "currency": "GBP", "treatment": "ddp_import",
                "lines": [{**line, "goods": "1.00", "duty": "0.00"} for line in lines],
                "shipping": "1.00", "vat": "1.00", "total": "9.00", "delivery_days_min": 5,
                "delivery_days_max": 8}  # fmt: skip
    return {**DECLINED, "failure": failure, "lines": lines,
            "cart": {"region": "UK", "currency": "GBP", "total": "9.00",
                     "shipments": [shipment]}}  # fmt: skip


def gateway(order: dict, quote: dict = QUOTE, placed: dict | None = None):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/orders/ord-1":
            return httpx.Response(200, json=order)
        if path == "/v1/orders/ord-1/returns":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        if path == "/v1/quotes" and request.method == "POST":
            return httpx.Response(201, json={**quote, "quote_id": "q-new"})
        if path.startswith("/v1/quotes/"):
            return httpx.Response(200, json=quote)
        if path == "/v1/orders" and request.method == "POST":
            # 201: this payment placed it; 200: the quote's earlier order (the gateway's rule).
            return httpx.Response(201 if placed else 200, json=placed or order)
        return httpx.Response(200, json={"region": "UK", "currency": "GBP", "offers": [],
                                         "items": [], "next_cursor": None})  # fmt: skip

    return answer


def sent_quotes(calls: list[httpx.Request]) -> list[dict]:
    return [json.loads(r.content) for r in calls
            if r.url.path == "/v1/quotes" and r.method == "POST"]  # fmt: skip


def again(me, page: str, button: str, base: str = ""):  # type: ignore[no-untyped-def]
    """Post the page's quote-again form whose button reads `button`."""
    form = page.split(f">{button}</button>")[0].rsplit("<form", 1)[1]
    fields: dict[str, list[str]] = {}
    for field in form.split("<input")[1:]:
        name, value = (
            field.split('name="')[1].split('"')[0],
            field.split('value="')[1].split('"')[0],
        )
        fields.setdefault(name, []).append(value)
    assert f'action="{base}/quotes"' in form
    return me.post(f"{base}/quotes", data=fields, follow_redirects=False)


def test_a_declined_order_quotes_the_same_items_again(stub_console: StubConsole,
                                                      gateway_calls: list) -> None:  # fmt: skip
    me = stub_console(gateway(DECLINED), role="customer")
    page = me.get("/orders/ord-1").text
    assert "Order the same items again" in page and "choose another card there" in page
    answer = again(me, page, "Order the same items again")
    assert answer.headers["location"] == "/quotes/q-new"
    assert sent_quotes(gateway_calls) == [{"style": "TC11", "region": "UK", "quantity": 2,
                                          "customer_id": None}]  # fmt: skip


def test_a_failed_cart_offers_its_lines_or_the_rest_without_the_sold_out_one(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    sold_out = {"message": "Sold out", "reason_code": "stock_insufficient",
                "advice_code": "join_waitlist", "style": "VT02"}  # fmt: skip
    agent = stub_console(gateway(cart_order(sold_out)), role="agent")
    base = "/agent/customers/cust-a"
    page = agent.get(f"{base}/orders/ord-1").text
    assert "· Vintage tote <code" in page  # the item by its name, not only its code
    assert 'aria-label="Join the waitlist for Vintage tote"' in page
    again(agent, page, "Order the other items", base)
    assert sent_quotes(gateway_calls)[-1] == {"style": "TC11", "region": "UK", "quantity": 1,
                                              "customer_id": "cust-a"}  # fmt: skip
    declined = {**DECLINED["failure"]}
    agent = stub_console(gateway(cart_order(declined)), role="agent")
    page = agent.get(f"{base}/orders/ord-1").text
    again(agent, page, "Order the same items again", base)
    assert sent_quotes(gateway_calls)[-1] == {
        "region": "UK", "customer_id": "cust-a",
        "lines": [{"style": "TC11", "quantity": 1}, {"style": "VT02", "quantity": 2}]}  # fmt: skip


def test_paying_a_quote_already_ordered_says_so_and_keeps_the_basket(
    stub_console: StubConsole,
) -> None:
    """The orders service answers a quote paid again with its earlier order: not "Order
    placed", but what became of it, and the way to a fresh quote."""
    me = stub_console(gateway(DECLINED), role="customer")
    token = csrf(me.get("/shop?region=UK").text)
    me.post("/basket", data={"csrf_token": token, "style": "TC11", "quantity": "2",
                             "region": "UK"})  # fmt: skip
    me.post("/basket/quote", data={"csrf_token": token, "form_key": "k0"})  # basket quote q-new
    paid = me.post("/orders", data={"csrf_token": token, "quote_id": "q-new",
                                    "payment_token": "tok_ok", "form_key": "k1"})  # fmt: skip
    assert paid.url.path == "/orders/ord-1"
    assert "Order placed" not in paid.text
    assert "This quote was already ordered, and that order failed" in paid.text
    assert "placed from it on 5 December 2026" in paid.text
    assert "Order the same items again" in paid.text
    assert "Basket: 2 units for UK" in me.get("/shop?region=UK").text


def test_a_fresh_order_is_placed_and_empties_its_basket(stub_console: StubConsole) -> None:
    fresh = {**DECLINED, "status": "pending", "failure": None, "created_at": NOW.isoformat()}
    me = stub_console(gateway(DECLINED, placed=fresh), role="customer")
    token = csrf(me.get("/shop?region=UK").text)
    me.post("/basket", data={"csrf_token": token, "style": "TC11", "region": "UK"})
    me.post("/basket/quote", data={"csrf_token": token, "form_key": "k0"})
    paid = me.post("/orders", data={"csrf_token": token, "quote_id": "q-new",
                                    "payment_token": "tok_ok", "form_key": "k1"})  # fmt: skip
    assert "Order placed" in paid.text
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_a_lapsed_quote_offers_a_new_quote_beside_pay(stub_console: StubConsole,
                                                     gateway_calls: list) -> None:  # fmt: skip
    """Pay stays while only the console's clock says the price lapsed (a quote paid before is
    answered with its order: tests/unit/web/test_pay_again.py); the API's refusal removes it."""
    lapsed = {**QUOTE, "expires_at": (NOW - timedelta(minutes=1)).isoformat()}
    me = stub_console(gateway(DECLINED, quote=lapsed), role="customer")
    page = me.get("/quotes/q-1").text
    assert "Pay £191.64 and order" in page and "The price was locked until" in page
    assert again(me, page, "Get a new quote").headers["location"] == "/quotes/q-new"
    assert sent_quotes(gateway_calls)[-1]["quantity"] == 2

    # The API's clock says it lapsed before the console's does: the refusal offers it too.
    def refuses(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders":
            return problem(410, "quote_expired")
        return gateway(DECLINED)(request)

    me = stub_console(refuses, role="customer")
    page = me.get("/quotes/q-1").text
    assert "Pay £191.64 and order" in page
    refused = me.post("/orders", data={"csrf_token": csrf(page), "quote_id": "q-1",
                                       "payment_token": "tok_ok", "form_key": "k"})  # fmt: skip
    assert "quote_expired" in refused.text and "Get a new quote" in refused.text
    assert "Pay £" not in refused.text


def test_a_refused_quote_keeps_the_units_and_says_why(stub_console: StubConsole,
                                                      gateway_calls: list) -> None:  # fmt: skip
    offer = {"style": "TC11", "name": "Floral tablet sleeve", "kind": "cross_region",
             "price": "95.82", "currency": "GBP", "colour": "floral", "category": "sleeve"}  # fmt: skip

    def shop(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/quotes":
            return problem(422, "catalogue_not_available")
        return httpx.Response(200, json={"region": "UK", "currency": "GBP", "offers": [offer]})

    me = stub_console(shop, role="customer")
    token = csrf(me.get("/shop?region=UK").text)
    form = {"csrf_token": token, "style": "TC11", "region": "UK", "form_key": "k"}
    typed = me.post("/quotes", data={**form, "quantity": "2.5"})
    assert typed.status_code == 422 and "quote_invalid_quantity" in typed.text
    assert "Choose a whole number of units, from 1 to 20" in typed.text
    assert 'id="qty-TC11" name="quantity" type="number" min="1" max="20" value="2.5"' in typed.text
    assert sent_quotes(gateway_calls) == []  # nothing the API could read was sent
    refused = me.post("/quotes", data={**form, "quantity": "3"})
    assert refused.status_code == 422 and "catalogue_not_available" in refused.text
    assert 'max="20" value="3"' in refused.text and 'data-page="/shop?region=UK"' in refused.text
