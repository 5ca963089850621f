"""Registry of every event type: subject, payload model and whether partners may see it.

Each producer's contract module registers its events with `@event("warranty.claim.approved")`.
The registry feeds the JSON Schema snapshots (contract tests), the AsyncAPI document and the
consumers' payload validation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=type[BaseModel])


@dataclass(frozen=True)
class EventSpec:
    type: str  # also the NATS subject (type: ignore below: a field named `type`)
    model: type[BaseModel]  # type: ignore[valid-type]
    partner_visible: bool
    summary: str


EVENT_TYPES: dict[str, EventSpec] = {}

PRODUCER_MODULES = (
    "shared.contracts.warranty",
    "shared.contracts.warranty_analytics",
    "shared.contracts.orders",
    "shared.contracts.carts",
    "shared.contracts.notifications",
)


def event(type_: str, *, partner_visible: bool = False) -> Callable[[M], M]:
    """Class decorator registering a payload model as the data of event type `type_`."""

    def register(model: M) -> M:
        if type_ in EVENT_TYPES and EVENT_TYPES[type_].model is not model:
            raise ValueError(f"event type {type_} registered twice")
        summary = (model.__doc__ or type_).strip().splitlines()[0]
        EVENT_TYPES[type_] = EventSpec(type_, model, partner_visible, summary)
        return model

    return register


def load_all() -> dict[str, EventSpec]:
    """Import every producer's contract module so the registry is complete."""
    for name in PRODUCER_MODULES:
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return EVENT_TYPES
