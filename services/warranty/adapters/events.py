"""Domain claim events -> CloudEvents with the public payloads of shared.contracts.warranty."""

from __future__ import annotations

from typing import Any

from services.warranty.domain.claims import Claim, ClaimEvent
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings, sla_status
from shared.contracts.envelope import CloudEvent, make_event
from shared.contracts.warranty import EVENT_MODELS, SOURCE, claim_subject
from shared.logging import current_correlation_id


def rma_form_path(claim_id: str) -> str:
    return f"/v1/claims/{claim_id}/rma.pdf"


def _facts(claim: Claim, catalogue: Catalogue, timings: Timings) -> dict[str, Any]:
    """Every business fact an event of this claim may carry (each payload keeps its own)."""
    item = claim.item
    style = catalogue.style(item.style_code) if item.style_code else None
    facts: dict[str, Any] = {
        "claim_id": claim.id,
        "customer_id": claim.customer_id,
        "region": claim.region,
        "style_code": item.style_code,
        "product_name": style.name if style else None,
        "label_code": item.label_code,
        "order_line_id": item.order_line_id,
        "category": item.category,
        "components": list(claim.components),
        "cause": claim.cause,
    }
    if claim.decision is not None:
        d = claim.decision
        # Codes only: the sentences (and an agent's own words) stay in this service.
        codes = list(d.reason_codes or (d.rule,))
        facts |= {"rule": d.rule, "policy_version": d.policy_version, "reasons": codes}
    if claim.rma is not None:
        centre = claim.rma.repair_centre
        facts |= {
            "rma_number": claim.rma.number,
            "rma_expires_at": claim.rma.expires_at,
            "repair_centre_region": centre.region,
            "repair_centre_name": centre.name,
            "repair_centre_address": centre.address,
            "rma_form_path": rma_form_path(claim.id),
        }
    if claim.received_at is not None:
        facts |= {
            "received_at": claim.received_at,
            "promised_by": claim.received_at + timings.breach_after,
        }
    facts |= _resolution_facts(claim, catalogue)
    if claim.shipment is not None:
        facts |= {
            "carrier": claim.shipment.carrier,
            "tracking_number": claim.shipment.tracking_number,
            "sla": str(
                sla_status(claim.received_at, claim.shipped_at or claim.submitted_at,
                           shipped_at=claim.shipped_at, timings=timings)
            ),
        }  # fmt: skip
    if claim.transitions:
        facts["cancelled_by"] = claim.transitions[-1].actor.kind
    return facts


def _resolution_facts(claim: Claim, catalogue: Catalogue) -> dict[str, Any]:
    resolution = claim.resolution
    if not resolution:
        return {}
    replacement = resolution.get("replacement_style")
    style = catalogue.style(replacement) if replacement else None
    return {
        "resolution": resolution.get("kind"),
        "parts": resolution.get("parts") or [],
        "replacement_style": replacement,
        "replacement_name": style.name if style else None,
        "reservation_id": resolution.get("reservation_id"),
        "amount": resolution.get("credit_amount"),
        "currency": resolution.get("credit_currency"),
    }


def _codes_of(event: ClaimEvent) -> dict[str, Any]:
    """The codes this very event decided with (an agent's decision, a review's rules)."""
    if "reason_codes" in event.data:
        return {"reasons": list(event.data["reason_codes"])}
    if event.name == "flagged":
        return {"review_reasons": list(event.data.get("review_codes") or ())}
    return {}


def to_cloud_events(
    claim: Claim, events: list[ClaimEvent], catalogue: Catalogue, timings: Timings
) -> list[CloudEvent[Any]]:
    facts = _facts(claim, catalogue, timings)
    correlation_id = current_correlation_id()
    out = []
    for event in events:
        model = EVENT_MODELS[event.name]
        data = model.model_validate(
            facts
            | _codes_of(event)
            | {"status": str(event.status), "occurred_at": event.occurred_at}
        )
        out.append(
            make_event(
                type=claim_subject(event.name),
                source=SOURCE,
                subject=claim.id,
                data=data,
                correlation_id=correlation_id,
                # Stable per claim version: a retried handler cannot publish a second copy.
                event_id=f"{claim.id}.{event.seq}",
                time=event.occurred_at,
            )
        )
    return out
