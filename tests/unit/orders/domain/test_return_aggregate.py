"""The Return aggregate's events and records, from the published API and event docs.

docs/openapi.json and docs/asyncapi.json: a return number looks like `R-3F2A9-C01B7`;
`cancelled_by` is customer, agent or system; `received_by` is parcel_scanned_in or
warehouse_received; `exchange_outcome` is charge_in_full or cancel for an exchange (absent for
a refund); an exchange's `if_not_returned` is the customer's choice, charge or cancel; the
refunded event carries the provider's refund id and the amount paid back. A repeat of a step
changes nothing (docs/returns.md: a second `refund_issued` on a refunded return is a no-op).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.orders.domain import return_events as rev
from services.orders.domain.exchanges import (
    DifferenceDirection,
    Exchange,
    ExchangeFallback,
    PriceDifference,
)
from services.orders.domain.money import Money
from services.orders.domain.order_returns import (
    COUNTS,
    ExchangeRecord,
    Return,
    ReturnLabel,
    return_number,
)
from services.orders.domain.returns import ReturnLine, ReturnReason, ReturnStatus, ReturnTrigger

S, T = ReturnStatus, ReturnTrigger
NOW = datetime(2026, 11, 23, 17, 0)


def gbp(amount: str) -> Money:
    return Money(Decimal(amount), "GBP")


def figures(total: str) -> rev.RefundFigures:
    zero = gbp("0.00")
    return rev.RefundFigures(
        currency="GBP",
        total=gbp(total),
        goods=gbp(total),
        shipping=zero,
        duty=zero,
        vat=zero,
        reclaimable_duty=zero,
        reclaimable_import_vat=zero,
        lines=(),
    )


def exchange(fallback: ExchangeFallback, direction: DifferenceDirection) -> ExchangeRecord:
    terms = Exchange(
        return_id="ret-1",
        replacement_quote_id="q-2",
        fallback=fallback,
        started_at=NOW,
        parcel_deadline=NOW + timedelta(days=30),
        credit=gbp("231.01"),
        replacement_total=gbp("200.00"),
        difference=PriceDifference(direction, gbp("31.01")),
        replacement_from_another_region=False,
    )
    return ExchangeRecord(terms, "VT01", 1, "UK-LON", "res-9")


def a_return(x: ExchangeRecord | None = None) -> Return:
    return Return(
        return_id="ret-1",
        order_id="o-1",
        customer_id="c-1",
        region="UK",
        lines=(ReturnLine("VT02", 1, ReturnReason("changed_mind")),),
        refund=figures("231.01"),
        labels=(),
        created_at=NOW,
        parcel_deadline=NOW + timedelta(days=30),
        resolution="exchange" if x else "refund",
        exchange=x,
    )


def received(r: Return) -> Return:
    r.apply(T.PARCEL_SCANNED_IN, NOW)
    r.pull_events()
    return r


def test_a_return_number_is_r_and_two_groups_of_five_upper_case_characters() -> None:
    for return_id in ("ret-1", "ret-2", "a-much-longer-return-id"):
        number = return_number(return_id)
        assert re.fullmatch(r"R-[0-9A-F]{5}-[0-9A-F]{5}", number), number
        assert number == return_number(return_id)  # stable
    assert return_number("ret-1") != return_number("ret-2")


def test_a_return_cancelled_with_no_actor_named_was_cancelled_by_the_system() -> None:
    r = a_return()
    assert r.apply(T.CUSTOMER_CANCELLED, NOW)
    (event,) = r.pull_events()
    assert isinstance(event, rev.ReturnCancelled) and event.cancelled_by == "system"


def test_the_refund_records_the_providers_id_and_the_amount_paid_back() -> None:
    r = received(a_return())
    assert r.record_refund("re_123", NOW)
    assert (r.status, r.refund_id, r.amount_refunded) == (S.REFUNDED, "re_123", gbp("231.01"))
    (event,) = r.pull_events()
    assert isinstance(event, rev.ReturnRefunded)
    assert (event.refund_id, event.amount_refunded) == ("re_123", gbp("231.01"))


def test_a_second_refund_is_a_no_op() -> None:
    r = received(a_return())
    r.record_refund("re_123", NOW)
    r.pull_events()
    assert r.record_refund("re_456", NOW) is False
    assert (r.refund_id, r.pull_events()) == ("re_123", [])


def test_an_expired_refund_return_names_no_exchange_outcome() -> None:
    r = a_return()
    assert r.expire(NOW, charged=None, refunded=None)
    (event,) = r.pull_events()
    assert isinstance(event, rev.ReturnExpired) and event.exchange_outcome is None


@pytest.mark.parametrize(
    ("fallback", "outcome", "choice"),
    [
        (ExchangeFallback.CHARGE_IN_FULL, "charge_in_full", "charge"),
        (ExchangeFallback.CANCEL, "cancel", "cancel"),
    ],
)
def test_an_expired_exchange_is_settled_as_the_customer_chose(
    fallback: ExchangeFallback, outcome: str, choice: str
) -> None:
    r = a_return(exchange(fallback, DifferenceDirection.REFUND))
    r.opened(NOW)
    (requested,) = r.pull_events()
    assert isinstance(requested, rev.ReturnRequested) and requested.exchange is not None
    assert requested.exchange.if_not_returned == choice
    assert r.expire(NOW, charged=None, refunded=None)
    (event,) = r.pull_events()
    assert isinstance(event, rev.ReturnExpired) and event.exchange_outcome == outcome
    assert r.exchange is not None and r.exchange.outcome == outcome


def test_the_new_items_parcel_is_booked_once() -> None:
    x = exchange(ExchangeFallback.CANCEL, DifferenceDirection.NONE)
    assert x.record_shipment("shp-1", "SBX1", "sbx") is True
    assert x.record_shipment("shp-2", "SBX2", "sbx") is False
    assert x.shipment == ("shp-1", "SBX1", "sbx")


@pytest.mark.parametrize(
    ("status", "open_"),
    [
        (S.AWAITING_PARCEL, True),
        (S.IN_TRANSIT, True),
        (S.RECEIVED, True),
        (S.REFUNDED, False),
        (S.CANCELLED, False),
        (S.EXPIRED, False),
        (S.CONVERTED_TO_CLAIM, False),
    ],
)
def test_the_worker_has_work_until_the_refund_or_the_end(status: ReturnStatus, open_: bool) -> None:
    """docs/returns.md: the worker polls each open return (awaiting its parcel, in transit,
    received and owed its refund); a refunded, cancelled, expired or converted one is done."""
    r = a_return()
    r.status = status
    assert r.is_open is open_


def test_the_requested_event_names_the_labels_carrier_and_tracking_numbers() -> None:
    labels = (
        ReturnLabel("lbl-1", "RET1", "sbx", "UK-LON", ()),
        ReturnLabel("lbl-2", "RET2", "sbx", "US-NJ", ()),
    )
    r = replace(a_return(), labels=labels)
    r.opened(NOW)
    (event,) = r.pull_events()
    assert isinstance(event, rev.ReturnRequested)
    assert (event.carrier, event.tracking_numbers) == ("sbx", ("RET1", "RET2"))


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        (S.AWAITING_PARCEL, True),
        (S.IN_TRANSIT, True),
        (S.RECEIVED, True),
        (S.REFUNDED, True),
        (S.CONVERTED_TO_CLAIM, True),  # the units went to warranty instead
        (S.CANCELLED, False),
    ],
)
def test_units_in_an_earlier_return_count_unless_it_was_cancelled(
    status: ReturnStatus, counts: bool
) -> None:
    """docs/returns.md: units already in an earlier return (not cancelled) cannot be returned
    again. (An expired return is left out: its parcel deadline, 30 days after the request, is
    past the line's own 30-day window, so its units are refused as `return_window_closed`
    whether they count or not.)"""
    assert (status in COUNTS) is counts
