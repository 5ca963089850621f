"""The bytes an event is published as, and its id (shared/messaging/outbox.py, envelope.py).

`encode_event` serializes in one pass with pydantic-core; these pin it to the bytes the
previous encoding (orjson over `model_dump(mode="json")`) gave, so a consumer, a stored outbox
row or a JetStream duplicate check sees no difference.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest
from pydantic import BaseModel

from shared.contracts.envelope import AnyEvent, CloudEvent, RawEvent, make_event, new_event_id
from shared.messaging.outbox import encode_event


class Payload(BaseModel):
    amount: Decimal
    at: datetime
    text: str
    lines: list[dict[str, Any]]
    ratio: float
    missing: str | None = None


def typed_event() -> CloudEvent[Any]:
    return make_event(
        type="orders.order.placed",
        source="/concierge/orders",
        subject="ord_1",
        correlation_id="corr-1",
        time=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=-5))),
        data=Payload(
            amount=Decimal("1234.50"),
            at=datetime(2026, 12, 5, tzinfo=UTC),
            text='Zoë ☃ "quoted" \\ \n\t\u2028 <tag>',
            lines=[{"qty": 2, "price": "10.00", "ok": True, "none": None, "f": 1e-7}],
            ratio=0.1 + 0.2,
        ),
    )


def extra_attribute_event() -> CloudEvent[Any]:
    return AnyEvent(id="e1", source="/s", type="t.x.y", subject="s", time=datetime.now(UTC),
                    data={"n": 2**53, "nested": {"a": [1, 2.5, None]}}, traceparent="00-ab")  # fmt: skip


def received_event() -> RawEvent:
    return RawEvent.model_validate_json(orjson.dumps(typed_event().model_dump(mode="json")))


@pytest.mark.parametrize("build", [typed_event, extra_attribute_event, received_event])
def test_an_event_is_encoded_to_the_same_bytes_as_before(build):
    event = build()
    assert encode_event(event) == orjson.dumps(event.model_dump(mode="json"))
    assert RawEvent.model_validate_json(encode_event(event)).model_dump() == (
        RawEvent.model_validate(event.model_dump()).model_dump()
    )


def test_event_ids_are_32_random_hex_digits():
    ids = {new_event_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
