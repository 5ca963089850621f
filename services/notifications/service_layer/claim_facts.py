"""What the thank-you note and card need later about a claim: the item and what was done to it.

Gathered from the claim's events as they pass, because the card is printed after the claim
events that carry these facts have gone by.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.incoming import IncomingEvent
from .unit_of_work import Work

# The claim events from which on a claim's facts are kept.
FIRST_FACTS = (
    "warranty.claim.repair_started",
    "warranty.claim.replacement_started",
    "warranty.claim.shipped_back",
)


def _resolution(event: IncomingEvent, known: str) -> str:
    if event.type.endswith("replacement_started"):
        return "replacement"
    if event.type.endswith("repair_started"):
        return "repair"
    if event.data.get("resolution"):
        return "repair" if event.data["resolution"] == "repair" else "replacement"
    return known


async def remember_claim_facts(work: Work, event: IncomingEvent, now: datetime) -> None:
    data = event.data
    if not event.type.startswith("warranty.claim.") or "claim_id" not in data:
        return
    known = await work.claim_facts.get(data["claim_id"])
    if not known and event.type not in FIRST_FACTS:
        return
    parts = data.get("parts")
    await work.claim_facts.save(
        {
            "claim_id": data["claim_id"],
            "customer_id": data.get("customer_id") or known.get("customer_id", ""),
            "item_name": data.get("product_name") or known.get("item_name") or "item",
            "resolution": _resolution(event, known.get("resolution", "repair")),
            "parts": parts if parts is not None else known.get("parts", []),
            "replacement_name": data.get("replacement_name")
            or data.get("replacement_style")
            or known.get("replacement_name"),
            "repair_summary": known.get("repair_summary")
            or (", ".join(data["components"]) if data.get("components") else None),
            "created_at": known.get("created_at") or now,
        }
    )
