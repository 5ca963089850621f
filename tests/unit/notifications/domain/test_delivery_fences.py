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
