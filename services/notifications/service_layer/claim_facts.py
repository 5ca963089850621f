"""What the thank-you note and card need about a claim: the item and what was done to it.

Gathered from the claim's events as they pass, because the card is printed after the claim
events that carry these facts have gone by. Replicas apply a claim's events in any order, so
the merge gives the same facts whatever the order: each fact comes from the one event type that
carries it, and an event that lacks a fact keeps what is known.

The thank-you note is planned by `warranty.claim.shipped_back` but tells what
`repair_started` / `replacement_started` did (the parts, the replacement). When the closing
event is applied first, the note waits here (`closing_event`) and is planned when the started
event is applied: whichever of the two comes second plans it, keyed by the closing event, so
it is planned once and always with its facts.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..domain.incoming import IncomingEvent
from .unit_of_work import Work

CLOSING = "warranty.claim.shipped_back"
STARTED = ("warranty.claim.repair_started", "warranty.claim.replacement_started")
# The claim events from which on a claim's facts are kept.
FIRST_FACTS = (*STARTED, CLOSING)
THANK_YOU = "claim_thank_you"


def _resolution(event: IncomingEvent, known: str) -> str:
    if event.type.endswith("replacement_started"):
        return "replacement"
    if event.type.endswith("repair_started"):
        return "repair"
    if event.data.get("resolution"):
        return "repair" if event.data["resolution"] == "repair" else "replacement"
    return known


def _repair_summary(event: IncomingEvent, known: str | None) -> str | None:
    # Only the repair says what was repaired: a claim's other events also list the components
    # the customer reported, and one applied late must not decide the summary.
    components = event.data.get("components")
    if event.type == "warranty.claim.repair_started" and components:
        return ", ".join(components)
    return known


def _merged(known: dict[str, Any], event: IncomingEvent, now: datetime) -> dict[str, Any]:
    data = event.data
    parts = data.get("parts")
    return {
        "claim_id": data["claim_id"],
        "customer_id": data.get("customer_id") or known.get("customer_id", ""),
        "item_name": data.get("product_name") or known.get("item_name") or "item",
        "resolution": _resolution(event, known.get("resolution", "repair")),
        "parts": parts if parts is not None else known.get("parts", []),
        "replacement_name": data.get("replacement_name")
        or data.get("replacement_style")
        or known.get("replacement_name"),
        "repair_summary": _repair_summary(event, known.get("repair_summary")),
        "created_at": known.get("created_at") or now,
        "started_event_id": event.id if event.type in STARTED else known.get("started_event_id"),
        "closing_event": known.get("closing_event"),
    }


async def remember_claim_facts(work: Work, event: IncomingEvent, now: datetime) -> dict[str, Any]:
    """Merge the event's facts into the claim's; returns them ({} when none are kept).

    Holds the claim's lock until the transaction ends: two replicas applying two events of one
    claim at once must not each merge into the facts as they were before the other."""
    data = event.data
    if not event.type.startswith("warranty.claim.") or "claim_id" not in data:
        return {}
    await work.claim_facts.lock(data["claim_id"])
    known = await work.claim_facts.get(data["claim_id"])
    if not known and event.type not in FIRST_FACTS:
        return {}
    facts = _merged(known, event, now)
    await work.claim_facts.save(facts)
    return facts


def note_must_wait(event: IncomingEvent, facts: dict[str, Any]) -> bool:
    """The closing event arrived before the started event whose facts its note tells."""
    return event.type == CLOSING and bool(facts) and not facts.get("started_event_id")


async def hold_note(work: Work, facts: dict[str, Any], closing: IncomingEvent) -> None:
    """Keep the closing event until the facts its thank-you note needs are in."""
    kept = {"id": closing.id, "type": closing.type, "time": closing.happened.isoformat(),
            "data": json.loads(json.dumps(dict(closing.data), default=_json_value))}  # fmt: skip
    await work.claim_facts.save({**facts, "closing_event": kept})


async def take_waiting_note(work: Work, facts: dict[str, Any]) -> IncomingEvent | None:
    """The closing event whose note waited, once its facts are in (and no longer waiting)."""
    kept = facts.get("closing_event")
    if not kept or not facts.get("started_event_id"):
        return None
    await work.claim_facts.save({**facts, "closing_event": None})
    time = datetime.fromisoformat(kept["time"])
    return IncomingEvent(id=kept["id"], type=kept["type"], time=time, data=kept["data"])


def _json_value(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
