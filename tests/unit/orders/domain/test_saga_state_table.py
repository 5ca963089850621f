"""The order saga does what its spec says for every (status, action) pair, and every failure
reason tells the customer what to do. The spec is typed out by hand from cross-border.md in
tests/support/orders/saga_spec.py, never derived from `saga.TRANSITIONS`.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from services.orders.adapters.wire import payload
from services.orders.domain.quotes import Quote, create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.saga import FailureReason, OrderStatus
from tests.support.orders.saga_spec import (
    PAIRS,
    S,
    check_code_table_has_no_move_the_spec_lacks,
    check_pair,
    check_spec_table_is_complete,
    check_status,
    order_in,
)


@pytest.fixture
def quote(ref: ReferenceData, now: datetime) -> Quote:
    return create_quote(
        ref, quote_id="q-1", style="TC11", region="UK", quantity=1, now=now, customer_id="c-1"
    )


def test_the_spec_table_names_every_status_and_every_action_once():
    check_spec_table_is_complete()


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_status_and_action(status, action, quote, now):
    check_pair(status, action, quote, now)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_what_each_status_means(status, quote, now):
    check_status(status, quote, now)


def test_code_table_has_no_move_the_spec_lacks():
    """Belt and braces: a move in the code's table that no action of the spec allows."""
    check_code_table_has_no_move_the_spec_lacks()


# Every reason an order can fail, with what the customer is told they can do (cross-border.md:
# "a failed order ends `failed` with a reason the customer can act on").
FAILURES = {
    FailureReason.PAYMENT_DECLINED: ("use_another_card", "use another card"),
    FailureReason.PAYMENT_UNAVAILABLE: ("try_again_later", "try again"),
    FailureReason.OUT_OF_STOCK: ("join_waitlist", "waitlist"),
    FailureReason.QUOTE_EXPIRED: ("request_new_quote", "new quote"),
    FailureReason.CARRIER_REFUSED: ("contact_support", "contact us"),
}


@pytest.mark.parametrize("reason", list(FailureReason))
def test_every_failure_reason_says_what_to_do(reason, quote, now):
    advice, words = FAILURES[reason]
    order = order_in(S.PAYMENT_AUTHORIZED, quote, now)
    order.pull_events()
    order.fail(reason, now)
    [event] = order.pull_events()
    data = payload(event)
    assert (data["reason_code"], data["advice_code"]) == (str(reason), advice)
    assert words in data["message"].lower()
    assert order.failure is not None and order.failure.message == data["message"]
