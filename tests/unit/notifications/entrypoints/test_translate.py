"""The consumer's edge: a CloudEvent becomes a typed incoming event only through its contract."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.entrypoints.translate import incoming_event
from shared.contracts.envelope import RawEvent
from shared.contracts.registry import load_all
from shared.errors import DomainError

load_all()
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
WAITLIST = {"entry_id": "e1", "customer_id": "c1", "style": "TC11", "item_name": "Sleeve",
            "region": "UK", "reason": "listed", "price": "60.47", "currency": "GBP"}  # fmt: skip


def raw(type_: str, data: dict) -> RawEvent:
    return RawEvent(id="ev-1", source="/t", type=type_, subject="s", time=NOW, data=data)


def test_a_valid_event_carries_exactly_the_fields_its_contract_read():
    """The use cases get the id, type, time and the payload as the contract model gives it."""
    event = incoming_event(raw("orders.waitlist.available", WAITLIST))
    assert (event.id, event.type, event.time) == ("ev-1", "orders.waitlist.available", NOW)
    assert dict(event.data) == WAITLIST


def test_an_unregistered_event_type_is_poison():
    """No producer registered it: it can never apply, and is refused with a stable code."""
    with pytest.raises(DomainError) as refused:
        incoming_event(raw("orders.fuzz.exploded", {}))
    assert refused.value.code == "unknown_event_type"


def test_a_payload_its_contract_refuses_is_poison():
    """Half a fact is not acted on: a payload the contract refuses is refused with its reason."""
    with pytest.raises(DomainError) as refused:
        incoming_event(raw("orders.waitlist.available", WAITLIST | {"customer_id": 42}))
    assert refused.value.code == "invalid_event_payload"
