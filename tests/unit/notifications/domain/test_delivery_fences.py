"""The fence a write carries (deliveries.py): a poisoned message is parked only while it is still
where the worker found it, in the status and at the attempt count it had then."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain.deliveries import DeliveryStatus, Fence, Message
from shared.errors import InvalidTransition

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def message(status: DeliveryStatus, attempts: int) -> Message:
    return Message(
        id="m-1", event_id="e-1", event_type="orders.order.shipped", kind="order_shipped",
        channel="email", recipient="c1", customer_id="c1", address="c1@example.com",
        subject="", text_body="", html_body="", short_text="", status=status,
        attempts=attempts, send_at=AT, created_at=AT,
    )  # fmt: skip


def test_a_fence_where_found_is_the_rows_own_status_and_attempts() -> None:
    fence = Fence.where_found(message(DeliveryStatus.SENDING, 2))
    assert fence == Fence((DeliveryStatus.SENDING,), 2)
    fence.check(DeliveryStatus.FAILED)  # a leased message may be parked as failed
    with pytest.raises(InvalidTransition):
        Fence.where_found(message(DeliveryStatus.SENT, 1)).check(DeliveryStatus.FAILED)


S = DeliveryStatus
# from -> to: may a write move a row so (the contract in deliveries.py, typed out by hand).
# In-app messages are stored delivered when planned; no write ever moves a row there.
MAY_MOVE = {
    S.PENDING: {S.SENDING, S.PENDING, S.FAILED, S.SENT},
    S.SENDING: {S.SENT, S.PENDING, S.FAILED, S.HELD},
    S.HELD: {S.SENT, S.PENDING},
    S.SENT: set(),
    S.DELIVERED: set(),
    S.FAILED: set(),
}


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("to", list(S))
def test_each_move_is_allowed_or_refused_as_the_table_says(start: S, to: S) -> None:
    fence = Fence((start,), 1)
    if to in MAY_MOVE[start]:
        fence.check(to)
    else:
        with pytest.raises(InvalidTransition):
            fence.check(to)
