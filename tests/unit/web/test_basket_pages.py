"""The basket pages over a stub gateway: pick styles from the catalogue, change units, quote the
basket as one cart (the body the gateway gets), see one parcel per warehouse, and the basket is
emptied once its quote is ordered."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from fastapi.testclient import TestClient

from tests.support.web.console import StubConsole, csrf, problem

OFFER = {"name": "Floral tablet sleeve", "colour": "floral", "category": "tablet_sleeve",
         "kind": "cross_region", "price": "95.82", "currency": "GBP", "warehouse": "US-NJ",
         "ships_from_region": "US", "delivery_days_min": 5, "delivery_days_max": 8}  # fmt: skip
CATALOGUE = {"region": "UK", "currency": "GBP",
             "offers": [{**OFFER, "style": "TC11"}, {**OFFER, "style": "VT02"}]}  # fmt: skip
LINE = {"hs_code": "4202.32", "quantity": 1, "unit_price": "60.47", "goods": "60.47",
        "shipping_share": "4.02", "duty_rate": "0.03", "duty": "1.93"}  # fmt: skip
SHIPMENT = {"warehouse": "US-NJ", "warehouse_name": "New Jersey, United States",
            "ships_from_region": "US", "treatment": "ddp_import",
            "currency": "GBP", "lines": [{**LINE, "style": "TC11"}, {**LINE, "style": "VT02"}],
            "goods": "291.48", "shipping": "19.38", "duty": "9.13", "vat_rate": "0.20",
            "vat": "64.00", "vat_included": "0.00", "total": "383.99", "delivery_days_min": 5,
            "delivery_days_max": 8, "customs": []}  # fmt: skip
CART_QUOTE = {"quote_id": "q-cart-1", "region": "UK", "currency": "GBP", "shipments": [SHIPMENT],
              "total": "383.99", "fx": None, "created_at": "2026-12-05T10:00:00Z",
              "expires_at": "2026-12-05T10:30:00Z"}  # fmt: skip


def gateway(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/v1/catalog":
        return httpx.Response(200, json=CATALOGUE)
    if path == "/v1/quotes" and request.method == "POST":
        body = json.loads(request.content)
        if body.get("lines", [{}])[0].get("style") == "PY01":
            return problem(422, "style_restricted")
        return httpx.Response(201, json=CART_QUOTE)
    if path == "/v1/quotes/q-cart-1":
        return httpx.Response(200, json=CART_QUOTE)
    if path == "/v1/orders" and request.method == "POST":
        return httpx.Response(201, json={"order_id": "ord-1", "status": "pending",
                                         "created_at": datetime.now(UTC).isoformat()})  # fmt: skip
    if path.startswith("/v1/orders/ord-1"):
        return httpx.Response(404, json={"code": "not_found", "title": "Not Found"})
    return httpx.Response(404, json={"code": "not_found", "title": "Not Found"})


def add(client: TestClient, style: str, units: int = 1, region: str = "UK", base: str = ""):
    token = csrf(client.get(f"{base}/shop?region={region}").text)
    form = {"csrf_token": token, "style": style, "quantity": str(units), "region": region}
    return client.post(f"{base}/basket", data=form, follow_redirects=False)


def test_a_customer_fills_quotes_and_orders_a_basket(stub_console: StubConsole,
                                                   gateway_calls: list) -> None:  # fmt: skip
    me = stub_console(gateway, role="customer")
    assert "Basket (empty)" in me.get("/shop?region=UK").text
    assert add(me, "TC11").status_code == 303
    add(me, "VT02", 2)
    shop = me.get("/shop?region=UK").text
    assert "Basket: 3 units for UK" in shop and "Add Floral tablet sleeve to the basket" in shop

    page = me.get("/basket").text
    assert 'name="units-TC11"' in page and 'value="2"' in page
    me.post("/basket/lines", data={"csrf_token": csrf(page), "units-TC11": "1", "units-VT02": "1"})
    quoted = me.post("/basket/quote", data={"csrf_token": csrf(page), "form_key": "k1"},
                     follow_redirects=False)  # fmt: skip
    assert quoted.headers["location"] == "/quotes/q-cart-1"
    sent = json.loads(next(r for r in gateway_calls if r.url.path == "/v1/quotes").content)
    assert sent == {"region": "UK", "customer_id": None,
                    "lines": [{"style": "TC11", "quantity": 1}, {"style": "VT02", "quantity": 1}]}  # fmt: skip

    quote = me.get("/quotes/q-cart-1").text
    assert "Parcel 1 of 1 · from New Jersey, United States (US)" in quote  # its name
    assert "£383.99" in quote and "£64.00" in quote
    assert "duty and import VAT paid at checkout" in quote
    me.post("/orders", data={"csrf_token": csrf(quote), "quote_id": "q-cart-1",
                             "payment_token": "tok_ok", "form_key": "k2"})  # fmt: skip
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_bad_picks_are_refused_with_a_code_and_the_basket_is_unchanged(
    stub_console: StubConsole,
) -> None:
    me = stub_console(gateway, role="customer")
    add(me, "TC11")
    for style, units, region in (("TC11", 50, "UK"), ("<script>", 1, "UK"), ("TC11", 1, "XX")):
        add(me, style, units, region)
        page = me.get("/shop?region=UK").text
        assert "basket_" in page  # the flash names the stable code
        assert "Basket: 1 unit for UK" in page
    token = csrf(me.get("/basket").text)
    answer = me.post("/basket/lines", data={"csrf_token": token, "units-TC11": "lots"})
    assert "basket_quantity_invalid" in answer.text and 'value="1"' in answer.text


def test_a_refused_cart_quote_shows_the_gateways_code_and_keeps_the_basket(
    stub_console: StubConsole,
) -> None:
    me = stub_console(gateway, role="customer")
    add(me, "PY01")
    page = me.get("/basket").text
    after = me.post("/basket/quote", data={"csrf_token": csrf(page), "form_key": "k1"})
    assert after.url.path == "/basket"
    assert "style_restricted" in after.text and "PY01" in after.text


def test_an_agent_keeps_one_basket_per_customer(stub_console: StubConsole,
                                                gateway_calls: list) -> None:  # fmt: skip
    agent = stub_console(gateway, role="agent")
    add(agent, "TC11", base="/agent/customers/cust-a")
    add(agent, "VT02", base="/agent/customers/cust-b")
    assert "TC11" in agent.get("/agent/customers/cust-a/basket").text
    assert "TC11" not in agent.get("/agent/customers/cust-b/basket").text
    page = agent.get("/agent/customers/cust-a/basket").text
    agent.post("/agent/customers/cust-a/basket/quote",
               data={"csrf_token": csrf(page), "form_key": "k1"})  # fmt: skip
    sent = json.loads(next(r for r in gateway_calls if r.url.path == "/v1/quotes").content)
    assert sent["customer_id"] == "cust-a" and sent["lines"] == [{"style": "TC11", "quantity": 1}]


def test_a_post_without_the_csrf_token_changes_nothing(stub_console: StubConsole) -> None:
    me = stub_console(gateway, role="customer")
    refused = me.post("/basket", data={"style": "TC11", "quantity": "1", "region": "UK"})
    assert refused.status_code == 403
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_a_started_return_names_its_refund_as_the_pages_do(stub_console) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/orders/ord-1/returns":
            return httpx.Response(201, json={"return_number": "RET-1",
                                             "refund": {"total": "95.82", "currency": "GBP"}})  # fmt: skip
        return problem(404, "order_not_found")

    customer = stub_console(gateway, role="customer")
    token = csrf(customer.get("/sign-in").text)
    form = {"csrf_token": token, "style": "VT01", "quantity": "1", "reason": "changed_mind",
            "form_key": "k-1"}  # fmt: skip
    customer.post("/orders/ord-1/returns", data=form, follow_redirects=False)
    page = customer.get("/").text  # the one-shot message shows on the next page
    assert "Return RET-1 started" in page
    assert "£95.82 is refunded" in page and "95.82 GBP" not in page


def test_my_orders_names_every_line_of_a_basket_order(stub_console: StubConsole) -> None:
    """A basket order's `quote` is a summary of its first line: the list names every line and
    gives the basket's total, as the order's own page does."""
    cart_lines = [{**LINE, "style": "TC11", "name": "Floral tablet sleeve"},
                  {**LINE, "style": "VT02", "name": "Vintage tote", "quantity": 2}]  # fmt: skip
    basket = {"order_id": "ord-cart", "status": "confirmed", "created_at": "2026-12-05T10:00:00Z",
              "quote": {"name": "Floral tablet sleeve", "quantity": 1, "total": "383.99",
                        "currency": "GBP"},
              "cart": {"shipments": [{**SHIPMENT, "lines": cart_lines}], "total": "383.99",
                       "currency": "GBP"}}  # fmt: skip
    single = {"order_id": "ord-one", "status": "confirmed", "created_at": "2026-12-05T09:00:00Z",
              "quote": {"name": "Chain crossbody", "quantity": 2, "total": "120.00",
                        "currency": "GBP"}, "cart": None}  # fmt: skip

    def orders(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders":
            return httpx.Response(200, json={"items": [basket, single], "next_cursor": None})
        return problem(404, "order_not_found")

    page = stub_console(orders, role="customer").get("/orders").text
    assert "Floral tablet sleeve × 1, Vintage tote × 2" in page and "£383.99" in page
    assert "Chain crossbody × 2" in page


def test_a_sold_out_item_offers_the_waitlist_not_the_basket(stub_console: StubConsole) -> None:
    sold_out = {**OFFER, "style": "TC11", "available": 0}
    in_stock = {**OFFER, "style": "VT02", "name": "Vintage tote", "available": 12}

    def shop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**CATALOGUE, "offers": [sold_out, in_stock]})

    page = stub_console(shop, role="customer").get("/shop?region=UK").text
    assert "Tell me when Floral tablet sleeve is back in stock" in page
    assert "Add Floral tablet sleeve to the basket" not in page
    assert "Add Vintage tote to the basket" in page


def test_an_order_that_failed_for_stock_lets_her_join_the_waitlist(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    order = {"order_id": "ord-1", "status": "failed", "created_at": "2026-12-05T10:00:00Z",
             "timeline": [], "cart": None, "shipment": None,
             "failure": {"message": "Sold out. Join the waitlist and we will tell you when it is back",
                         "reason_code": "stock_insufficient", "advice_code": "join_waitlist",
                         "style": "TC11"},
             "quote": {"region": "UK", "style": "TC11", "name": "Floral tablet sleeve",
                       "quantity": 1, "total": "95.82", "currency": "GBP", "warehouse": "US-NJ",
                       "delivery_days_min": 5, "delivery_days_max": 8}}  # fmt: skip

    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders/ord-1":
            return httpx.Response(200, json=order)
        if request.url.path == "/v1/orders/ord-1/returns":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        if request.url.path == "/v1/waitlist":
            return httpx.Response(201, json={"entry_id": "w-1"})
        return httpx.Response(200, json=CATALOGUE)

    me = stub_console(gateway, role="customer")
    page = me.get("/orders/ord-1").text
    assert 'aria-label="Join the waitlist for Floral tablet sleeve"' in page
    joined_page = me.post("/waitlist", data={"csrf_token": csrf(page), "style": "TC11",
                                             "name": "Floral tablet sleeve", "region": "UK",
                                             "form_key": "k-w"})  # fmt: skip
    joined = [r for r in gateway_calls if r.url.path == "/v1/waitlist"]
    assert json.loads(joined[0].content)["style"] == "TC11"
    assert "when Floral tablet sleeve can be shipped to UK" in joined_page.text


def test_the_basket_names_each_piece_and_its_price(stub_console: StubConsole) -> None:
    me = stub_console(gateway, role="customer")
    add(me, "TC11")
    page = me.get("/basket").text
    assert "Floral tablet sleeve <code>TC11</code>" in page and "£95.82 each, landed" in page
    assert 'aria-label="Remove Floral tablet sleeve TC11"' in page


def test_the_basket_still_shows_its_codes_when_the_catalogue_is_away(
    stub_console: StubConsole,
) -> None:
    def away(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/catalog" and request.headers.get("x-away"):
            return problem(503, "upstream_unavailable")
        return gateway(request)

    me = stub_console(away, role="customer")
    add(me, "TC11")
    me.app.state.http.headers["x-away"] = "1"  # type: ignore[attr-defined]
    page = me.get("/basket")
    assert page.status_code == 200 and "<code>TC11</code>" in page.text
    assert "each, landed" not in page.text
