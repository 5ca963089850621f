"""Every domain event is published as its contract model, on the subject the registry gives it."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from services.orders.adapters import wire
from services.orders.domain import events as ev
from services.orders.domain import return_events as rev
from services.orders.domain.money import Money
from shared.contracts.registry import EVENT_TYPES, load_all


def concrete_events() -> set[type]:
    """Every event class the domain can publish (the dataclasses with an `occurred_at`)."""
    found = set()
    for module in (ev, rev):
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                names = (
                    {f.name for f in fields(value)}
                    if hasattr(value, "__dataclass_fields__")
                    else set()
                )
                if "occurred_at" in names and value not in (ev.OrderEvent, rev.ReturnEvent):
                    found.add(value)
    return found


def test_every_event_class_has_a_registered_contract() -> None:
    load_all()
    registered = {spec.model: spec.type for spec in EVENT_TYPES.values()}
    assert set(wire.MAPPINGS) == concrete_events()
    for kind, mapping in wire.MAPPINGS.items():
        assert mapping.model in registered, kind.__name__
        assert wire.subject_of(mapping.model) == registered[mapping.model]


def test_a_listing_change_is_published_on_its_contract_subject(now: datetime) -> None:
    event = ev.ListingChanged(
        style="TC11", region="UK", price=Money.of("65.00", "GBP"), occurred_at=now
    )
    envelope = wire.to_cloud_event(event)
    assert (envelope.type, envelope.subject, envelope.time) == (
        "orders.listing.changed",
        "TC11",
        now,
    )
    assert envelope.data == {
        "style": "TC11",
        "region": "UK",
        "listed": True,
        "price": "65.00",
        "currency": "GBP",
    }
    delisted = ev.ListingChanged(style="TC11", region="UK", price=None, occurred_at=now)
    assert wire.payload(delisted) == {
        "style": "TC11",
        "region": "UK",
        "listed": False,
        "price": None,
        "currency": None,
    }
