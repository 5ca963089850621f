"""The order page of a single-style order: what she paid, line by line; a screen reader hears a
short summary when the status changes, not the whole live part; the return form says until
when, from the order service's dates; an expired session during a live refresh sends the whole
page to sign in. Over a stub gateway."""

from __future__ import annotations

import httpx

from tests.support.web.console import StubConsole, problem
from tests.unit.web.test_order_again import DECLINED

DELIVERED = {**DECLINED, "status": "delivered", "failure": None,
             "shipments": [{"warehouse": "US-NJ", "shipment_id": "s-1", "carrier": "sandbox",
                            "tracking_number": "T1", "status": "delivered",
                            "delivered_at": "2099-01-01T10:00:00Z",
                            "returns_close_at": "2099-01-15T10:00:00Z"}],
             "lines": [{**DECLINED["lines"][0], "returnable_quantity": 2}]}  # fmt: skip
FRAGMENT = {"HX-Request": "true"}


def gateway(order: dict):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders/ord-1":
            return httpx.Response(200, json=order)
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    return answer


def test_a_single_order_shows_what_was_paid_line_by_line(stub_console: StubConsole) -> None:
    page = stub_console(gateway(DELIVERED), role="customer").get("/orders/ord-1").text
    assert "What you paid" in page
    for amount in ("£120.94", "£19.38", "£4.21", "£47.11", "£191.64"):
        assert amount in page
    assert "HS code <code>4202.32</code>" in page
    assert "1 USD = 0.7752 GBP" in page and "locked when quoted" in page


def test_only_a_short_summary_is_live_and_the_failure_is_no_alert(
    stub_console: StubConsole,
) -> None:
    me = stub_console(gateway(DECLINED), role="customer")
    page = me.get("/orders/ord-1").text
    live = page.split('id="live"')[1].split(">")[0]
    assert "aria-live" not in live and 'data-live-summary="order-summary"' in live
    assert ('<p id="order-summary" class="sr-only" role="status">Order ord-1: '
            in page)  # fmt: skip
    fragment = me.get("/orders/ord-1", headers=FRAGMENT).text
    assert 'role="alert"' not in fragment
    assert "<span hidden data-summary>Order ord-1:" in fragment
    assert "Your card was declined</span>" in fragment


def test_the_return_form_says_until_when_not_a_count_of_days(stub_console: StubConsole) -> None:
    page = stub_console(gateway(DELIVERED), role="customer").get("/orders/ord-1").text
    assert "Start a return" in page and "Until 15 January 2099." in page
    assert "30 days" not in page


def test_an_expired_session_during_a_live_refresh_sends_the_whole_page_to_sign_in(
    stub_console: StubConsole,
) -> None:
    me = stub_console(lambda _: problem(401, "token_expired"), role="customer")
    refresh = me.get("/orders/ord-1", headers=FRAGMENT, follow_redirects=False)
    assert refresh.status_code == 401 and refresh.text == ""
    assert refresh.headers["HX-Redirect"] == "/sign-in?next=/orders/ord-1"
    # Signed out by then (the session cookie gone): the same.
    refresh = me.get("/orders/ord-1", headers=FRAGMENT, follow_redirects=False)
    assert refresh.status_code == 401 and refresh.headers["HX-Redirect"].startswith("/sign-in")
    page = me.get("/orders/ord-1", follow_redirects=False)  # a whole page: a redirect, as before
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
