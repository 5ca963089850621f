"""The return part of a delivered order's page: it offers only what can still go back, as the
order service counts it (each line's `returnable_quantity`: a line sent back in full is gone,
units are capped at what is left), sends a faulty item to the warranty check instead of a reason
the API always refuses, says by when a parcel must arrive, and a refused return comes back as it
was filled in."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from services.web.returnable import returnable_lines, returns_closed_on
from tests.support.web.console import StubConsole, csrf, problem

ORDER = {"order_id": "ord-1", "status": "delivered", "created_at": "2026-12-01T10:00:00Z",
         "quote": {"style": "VT02", "name": "Vintage tote", "quantity": 2, "total": "240.00",
                   "currency": "GBP", "region": "UK", "warehouse": "UK-LDN",
                   "delivery_days_min": 1, "delivery_days_max": 3},
         "cart": None, "shipment": None, "failure": None, "agent_id": None,
         "shipments": [], "timeline": [{"status": "delivered", "at": "2026-12-03T10:00:00Z"}],
         "lines": [{"style": "VT02", "name": "Vintage tote", "warehouse": "UK-LDN", "quantity": 2,
                    "returnable_quantity": 2}]}  # fmt: skip
REFUND = {"total": "120.00", "goods": "100.00", "duty": "0.00", "vat": "20.00",
          "shipping": "0.00", "currency": "GBP", "reclaimable_duty": "0.00",
          "reclaimable_import_vat": "0.00"}  # fmt: skip


def a_return(status: str, units: int) -> dict:
    return {"return_number": "R-1", "status": status, "refund": REFUND, "labels": [],
            "lines": [{"style": "VT02", "quantity": units, "reason": "changed_mind"}],
            "parcel_deadline": "2027-01-04T10:00:00Z", "agent_id": None,
            "amount_refunded": None}  # fmt: skip


def left(units: int, order: dict = ORDER) -> dict:
    """The order as the API answers it when `units` of its line can still go back."""
    return {**order, "lines": [{**order["lines"][0], "returnable_quantity": units}]}


def gateway(returns: list, refusal: httpx.Response | None = None,  # type: ignore[no-untyped-def]
            order: dict = ORDER):  # fmt: skip
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and refusal is not None:
            return refusal
        if request.url.path == "/v1/orders/ord-1":
            return httpx.Response(200, json=order)
        if request.url.path == "/v1/orders/ord-1/returns":
            return httpx.Response(200, json={"items": returns, "next_cursor": None})
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    return answer


def test_the_units_left_are_the_order_services_count_not_the_consoles(
    stub_console: StubConsole,
) -> None:
    """Which returns hold units (cancelled and expired ones do not) is the order service's
    rule: the page offers the line's `returnable_quantity` whatever the returns list holds."""
    assert returnable_lines(left(1))[0]["left"] == 1
    assert returnable_lines(left(0)) == []
    me = stub_console(gateway([], order=left(1)), role="customer")
    assert 'name="quantity" min="1" max="1"' in me.get("/orders/ord-1").text
    me = stub_console(gateway([a_return("refunded", 1)], order=left(2)), role="customer")
    assert 'name="quantity" min="1" max="2"' in me.get("/orders/ord-1").text


def test_the_form_offers_what_is_left_and_sends_faults_to_warranty(
    stub_console: StubConsole,
) -> None:
    page = (
        stub_console(gateway([a_return("awaiting_parcel", 1)], order=left(1)), role="customer")
        .get("/orders/ord-1")
        .text
    )
    assert 'name="quantity" min="1" max="1"' in page
    assert 'value="faulty"' not in page and 'href="/warranty"' in page
    assert "Arrives by" in page and "4 January 2027" in page


def test_an_order_sent_back_in_full_offers_no_return(stub_console: StubConsole) -> None:
    me = stub_console(gateway([a_return("received", 2)], order=left(0)), role="customer")
    page = me.get("/orders/ord-1").text
    assert "Start a return" not in page and "already being sent back" in page


def test_an_expired_return_says_why_there_was_no_refund(stub_console: StubConsole) -> None:
    page = (
        stub_console(gateway([a_return("expired", 2)]), role="customer").get("/orders/ord-1").text
    )
    assert "did not reach us by 4 January 2027" in page and "Start a return" in page


def test_a_refused_return_keeps_the_form_and_reads_plainly(stub_console: StubConsole) -> None:
    closed = problem(
        409, "return_window_closed", details={"closed_at": "2027-01-02T10:00:00+00:00"}
    )
    me = stub_console(gateway([], closed), role="customer")
    form = {"csrf_token": csrf(me.get("/orders/ord-1").text), "form_key": "k", "style": "VT02",
            "quantity": "2", "reason": "wrong_size_or_fit"}  # fmt: skip
    page = me.post("/orders/ord-1/returns", data=form)
    assert page.status_code == 422
    assert "The time to send this item back has run out" in page.text
    assert "Returns for it closed on 2 January 2027." in page.text and "30 days" not in page.text
    assert 'value="wrong_size_or_fit" selected' in page.text and 'value="2" data-kept' in page.text
    assert '<select name="reason" data-kept>' in page.text  # a live refresh waits for her
    assert 'data-page="/orders/ord-1"' in page.text


def test_a_closed_return_window_offers_no_return_and_says_when_it_closed(
    stub_console: StubConsole,
) -> None:
    parcel = {"warehouse": "UK-LDN", "status": "delivered", "delivered_at": "2026-10-01T10:00:00Z",
              "returns_close_at": "2026-10-31T10:00:00Z"}  # fmt: skip
    closed = {**ORDER, "shipments": [parcel]}
    assert returnable_lines(closed, now=datetime(2026, 11, 1, tzinfo=UTC)) == []
    assert returnable_lines(closed, now=datetime(2026, 10, 30, tzinfo=UTC))[0]["left"] == 2
    assert returns_closed_on(closed, now=datetime(2026, 10, 30, tzinfo=UTC)) is None

    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders/ord-1":
            return httpx.Response(200, json=closed)
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    page = stub_console(gateway, role="customer").get("/orders/ord-1").text
    assert (
        "Start a return" not in page and "Returns for this order closed on 31 October 2026" in page
    )
