"""Exchanges through the service layer: the new item reserved at once, the difference charged at
once or refunded once the parcel is in (landed cost included from another region), and the
customer's choice applied when the parcel never arrives within 30 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.orders.domain.exchanges import ExchangeFallback
from services.orders.domain.ports import AuthorizationStatus
from services.orders.domain.returns import ReturnStatus
from services.orders.service_layer.return_exchanges import ExchangeRequest
from shared.errors import DomainError
from tests.support.orders.records import published
from tests.support.orders.returns import delivered, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack, stock_level

CHARGE, CANCEL = ExchangeFallback.CHARGE_IN_FULL, ExchangeFallback.CANCEL


async def exchange(stack: Stack, bought: str, wanted: str, fallback=CHARGE):
    order = await delivered(stack, bought)
    ret = await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line(bought)], exchange=ExchangeRequest(wanted, fallback)
    )
    return order, ret


async def test_a_dearer_item_from_another_region_is_charged_the_difference_at_once(stack: Stack):
    # TC11 (95.82 paid) earns 95.82 - (19.38 + 3.88 VAT on the shipping kept) = 72.56; the
    # US-only VT02's landed quote is 309.48 (duty and import VAT included): 236.92 is owed.
    before = await stock_level(stack, "US-NJ", "VT02")
    order, ret = await exchange(stack, "TC11", "VT02")
    x = ret.exchange
    assert x is not None and ret.resolution == "exchange"
    assert str(x.terms.credit.amount) == "72.56"
    assert str(x.terms.replacement_total.amount) == "309.48"
    assert x.terms.replacement_from_another_region
    assert (str(x.terms.difference.direction), str(x.terms.difference.amount.amount)) == (
        "charge", "236.92"
    )  # fmt: skip
    assert x.charge_authorization_id is not None
    assert stack.payment.status(x.charge_authorization_id) is AuthorizationStatus.CAPTURED
    assert (await stock_level(stack, "US-NJ", "VT02"))[1] == before[1] + 1  # reserved at once
    # Nothing goes back when the parcel arrives: the customer owed the difference.
    stack.clock.advance(timedelta(seconds=181))
    done = await processing(stack).advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED and done.refund_id is None
    assert order.authorization_id is not None
    assert stack.payment.refunded(order.authorization_id).is_zero()
    [event] = await published(stack, "orders.return.requested")
    assert event["exchange"]["difference"] == "236.92"
    assert event["exchange"]["if_not_returned"] == "charge"


async def test_a_cheaper_item_refunds_the_difference_once_the_parcel_is_in(stack: Stack):
    # VT02 (309.48 paid) earns 286.22; the UK-listed VT01 costs 259.00: 27.22 comes back.
    order, ret = await exchange(stack, "VT02", "VT01")
    assert ret.exchange is not None and ret.exchange.charge_authorization_id is None
    assert str(ret.refund_owed.amount) == "27.22"
    assert order.authorization_id is not None
    worker = processing(stack)
    await worker.advance(ret.return_id)
    assert stack.payment.refunded(order.authorization_id).is_zero()  # not before the scan-in
    stack.clock.advance(timedelta(seconds=181))
    done = await worker.advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED
    assert str(stack.payment.refunded(order.authorization_id).amount) == "27.22"
    [event] = await published(stack, "orders.return.refunded")
    assert event["amount_refunded"] == "27.22" and event["refund"]["total"] == "286.22"


@pytest.mark.parametrize("fallback", [CHARGE, CANCEL])
async def test_a_parcel_that_never_arrives_applies_the_customers_choice(stack: Stack, fallback):
    stack.carrier.return_schedule = (None, None)  # the customer keeps the goods
    _order, ret = await exchange(stack, "TC11", "VT02", fallback)
    x = ret.exchange
    assert x is not None and x.charge_authorization_id is not None
    on_hand, reserved = await stock_level(stack, "US-NJ", "VT02")
    worker = processing(stack)
    stack.clock.advance(timedelta(days=30))
    assert (await worker.advance(ret.return_id)).status is ReturnStatus.AWAITING_PARCEL
    stack.clock.advance(timedelta(minutes=1))
    done = await worker.advance(ret.return_id)
    assert done.status is ReturnStatus.EXPIRED
    [event] = await published(stack, "orders.return.expired")
    if fallback is CHARGE:  # kept at full price: 309.48 - 236.92 already paid = 72.56 more
        assert (event["charged"], event["refunded"]) == ("72.56", None)
        assert await stock_level(stack, "US-NJ", "VT02") == (on_hand - 1, reserved - 1)
    else:  # cancelled: the difference paid goes back, the unit is released
        assert (event["charged"], event["refunded"]) == (None, "236.92")
        assert str(stack.payment.refunded(x.charge_authorization_id).amount) == "236.92"
        assert await stock_level(stack, "US-NJ", "VT02") == (on_hand, reserved - 1)
    again = await worker.advance(ret.return_id)  # run twice: nothing more
    assert again.version == done.version
    assert len(await published(stack, "orders.return.expired")) == 1


async def test_an_exchange_for_an_unavailable_style_changes_nothing(stack: Stack):
    order = await delivered(stack, "VT02")
    with pytest.raises(DomainError) as refused:
        await stack.cases.returns.request_return(
            UK_CUSTOMER, order.order_id, [line("VT02")], exchange=ExchangeRequest("PY01", CHARGE)
        )
    assert refused.value.code == "catalogue_not_available"
    assert not await published(stack, "orders.return.requested")


async def test_a_cancelled_exchange_gives_back_the_difference_and_the_unit(stack: Stack):
    _order, ret = await exchange(stack, "TC11", "VT02")
    x = ret.exchange
    assert x is not None and x.charge_authorization_id is not None
    on_hand, reserved = await stock_level(stack, "US-NJ", "VT02")
    done = await stack.cases.return_cancellation.cancel_return(UK_CUSTOMER, ret.return_id)
    assert done.status is ReturnStatus.CANCELLED
    assert all(stack.carrier.is_cancelled(label.shipment_id) for label in done.labels)
    assert str(stack.payment.refunded(x.charge_authorization_id).amount) == "236.92"
    assert await stock_level(stack, "US-NJ", "VT02") == (on_hand, reserved - 1)
    [event] = await published(stack, "orders.return.cancelled")
    assert event["cancelled_by"] == "customer"
