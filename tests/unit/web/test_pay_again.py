"""Paying again never orders twice (story 2, after a review): a quote whose price lapsed by the
console's clock keeps *Pay* (the orders service answers a quote ordered before with that order,
expired or not), only the API's `quote_expired` leaves *Get a new quote* alone; a repeat payment
that finds a live earlier order empties the basket; a basket quoted again as one style is still
the basket's quote; a cancelled earlier order offers its items again. Over a stub gateway."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from itertools import count

import httpx
import pytest
from fastapi.testclient import TestClient

from services.web import formatting, reorder, returnable
from services.web.formatting import instant
from services.web.routes import shop
from tests.support.web.console import StubConsole, csrf, problem
from tests.unit.web.test_order_again import DECLINED, NOW, QUOTE, again

LAPSED = {**QUOTE, "expires_at": (NOW - timedelta(minutes=1)).isoformat()}
EARLIER = {**DECLINED, "status": "confirmed", "failure": None,
           "created_at": (NOW - timedelta(minutes=40)).isoformat()}  # fmt: skip


def orders_service(earlier: dict | None = None, quote: dict = QUOTE):  # type: ignore[no-untyped-def]
    """Quotes q-1, q-2, … as asked; paying answers with `earlier` (a quote ordered before),
    else a fresh pending order."""
    ids = count(1)

    def answer(request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/v1/quotes" and method == "POST":
            return httpx.Response(201, json={**quote, "quote_id": f"q-{next(ids)}"})
        if path.startswith("/v1/quotes/"):
            return httpx.Response(200, json=quote)
        if path == "/v1/orders" and method == "POST":
            fresh = {**DECLINED, "status": "pending", "failure": None,
                     "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
            # 201: this payment placed it; 200: the quote's earlier order (the gateway's rule).
            return httpx.Response(200 if earlier else 201, json=earlier or fresh)
        if path == "/v1/orders/ord-1":
            return httpx.Response(200, json=earlier or DECLINED)
        if path == "/v1/orders/ord-1/returns":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return httpx.Response(200, json={"region": "UK", "currency": "GBP", "offers": []})

    return answer


def payment_refused(status: int, code: str):  # type: ignore[no-untyped-def]
    """The orders service above, whose POST /v1/orders is refused with this problem."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders":
            return problem(status, code)
        return orders_service()(request)

    return answer


def basket_quoted(me: TestClient, units: int = 2) -> str:
    """TC11 × `units` in the basket, quoted as the basket's own quote (q-1); the CSRF token."""
    token = csrf(me.get("/shop?region=UK").text)
    me.post("/basket", data={"csrf_token": token, "style": "TC11", "quantity": str(units),
                             "region": "UK"})  # fmt: skip
    me.post("/basket/quote", data={"csrf_token": token, "form_key": "k0"})
    return token


def pay(me: TestClient, token: str, quote_id: str, key: str = "k1"):  # type: ignore[no-untyped-def]
    return me.post("/orders", data={"csrf_token": token, "quote_id": quote_id,
                                    "payment_token": "tok_ok", "form_key": key})  # fmt: skip


def test_a_quote_lapsed_by_the_clock_keeps_pay_which_finds_her_earlier_order(
    stub_console: StubConsole,
) -> None:
    """Paid at minute 29, back on the quote at minute 31: Pay is still there (beside a new
    quote), and pressing it goes to her order, charging nothing again."""
    me = stub_console(orders_service(EARLIER, quote=LAPSED), role="customer")
    page = me.get("/quotes/q-1").text
    assert "Pay £191.64 and order" in page and "Get a new quote" in page
    assert "already paid" in page  # she is told Pay finds that order
    paid = pay(me, csrf(page), "q-1")
    assert paid.url.path == "/orders/ord-1" and "This quote was already ordered" in paid.text


def test_only_the_apis_quote_expired_leaves_get_a_new_quote_alone(
    stub_console: StubConsole,
) -> None:
    me = stub_console(orders_service(quote=LAPSED), role="customer")
    page = me.get("/quotes/q-1?expired=1").text
    assert "Pay £" not in page and "This price is no longer locked" in page
    assert "Get a new quote" in page


@pytest.mark.parametrize("status, minutes", [("confirmed", 40), ("pending", 10),
                                             ("delivered", 60 * 24)])  # fmt: skip
def test_a_repeat_payment_finding_a_live_order_empties_the_basket(
    stub_console: StubConsole, status: str, minutes: int
) -> None:
    """The first payment timed out but placed the order; paying again finds it: the basket is
    done with, so quoting it again cannot order the same items twice."""
    earlier = {**EARLIER, "status": status,
               "created_at": (NOW - timedelta(minutes=minutes)).isoformat()}  # fmt: skip
    me = stub_console(orders_service(earlier), role="customer")
    token = basket_quoted(me)
    paid = pay(me, token, "q-1")
    assert "Nothing was charged again" in paid.text and "Order placed" not in paid.text
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_a_repeat_payment_finding_a_cancelled_order_keeps_the_basket(
    stub_console: StubConsole,
) -> None:
    cancelled = {**EARLIER, "status": "cancelled"}
    me = stub_console(orders_service(cancelled), role="customer")
    pay(me, basket_quoted(me), "q-1")
    assert "Basket: 2 units for UK" in me.get("/shop?region=UK").text


def test_a_one_item_basket_quoted_again_is_still_the_baskets_quote(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """Basket 2 × TC11, its quote lapsed, Get a new quote (a single-style quote), paid: the
    basket is emptied as its first quote would have emptied it."""
    me = stub_console(orders_service(quote=LAPSED), role="customer")
    token = basket_quoted(me)
    page = me.get("/quotes/q-1?expired=1").text
    assert again(me, page, "Get a new quote").headers["location"] == "/quotes/q-2"
    assert "Order placed" in pay(me, token, "q-2").text
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_a_cancelled_earlier_order_offers_its_items_again(stub_console: StubConsole,
                                                          gateway_calls: list) -> None:  # fmt: skip
    cancelled = {**EARLIER, "status": "cancelled"}
    me = stub_console(orders_service(cancelled), role="customer")
    paid = pay(me, csrf(me.get("/quotes/q-1").text), "q-1")
    assert "that order was cancelled" in paid.text and "Order the same items again" in paid.text
    assert again(me, paid.text, "Order the same items again").headers["location"] == "/quotes/q-1"


def test_a_sold_out_earlier_order_points_to_the_waitlist_not_a_fresh_quote(
    stub_console: StubConsole,
) -> None:
    sold_out = {**DECLINED, "failure": {"message": "Sold out", "reason_code": "stock_insufficient",
                                        "advice_code": "join_waitlist", "style": None}}  # fmt: skip
    me = stub_console(orders_service(sold_out), role="customer")
    paid = pay(me, csrf(me.get("/quotes/q-1").text), "q-1")
    assert "that order failed" in paid.text and "waitlist" in paid.text.split("</main>")[0]
    flash = paid.text.split('class="flash error"')[1].split("</div>")[0]
    assert "same items on a fresh quote" not in flash and "waitlist" in flash


def test_the_apis_times_are_read_in_one_place() -> None:
    assert instant("2026-12-05T10:00:00Z") == datetime(2026, 12, 5, 10, tzinfo=UTC)
    assert instant("2026-12-05T11:00:00+01:00") == datetime(2026, 12, 5, 10, tzinfo=UTC)
    assert instant("2026-12-05T10:00:00") == datetime(2026, 12, 5, 10, tzinfo=UTC)  # naive: UTC
    assert instant(None) is None and instant("") is None and instant("soon") is None
    for module in (reorder, returnable, shop, formatting):
        uses = inspect.getsource(module).count("fromisoformat(")
        assert uses <= (2 if module is formatting else 0), module  # instant, and a date


def test_an_expired_quote_refused_by_the_api_is_still_told_so(stub_console: StubConsole) -> None:
    me = stub_console(payment_refused(410, "quote_expired"), role="customer")
    refused = pay(me, csrf(me.get("/quotes/q-1").text), "q-1")
    assert refused.url.query == b"expired=1" or "expired=1" in str(refused.url)
    assert "Pay £" not in refused.text and "Get a new quote" in refused.text
