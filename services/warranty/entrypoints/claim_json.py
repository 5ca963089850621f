"""A claim's reply, `ClaimView`, built as the JSON-ready dict the contract's own dump gives.

The profile of GET /v1/claims/{id} showed the reply paying pydantic twice for data this service
has just read and checked: validating the nested `ClaimView` it built, then dumping it back to
plain values for the wire; and the gateway validates the same reply again into its response
model. Here the values are written in their JSON form directly (a UTC time as pydantic writes it,
"...Z"); tests/unit/warranty/entrypoints/test_claim_json.py pins that the contract's validate
and dump give back exactly this dict, and these bytes, for claims in every state.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.warranty.adapters.wire import rma_form_path
from services.warranty.domain.claims import Claim
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings, sla_due
from shared.contracts import warranty as c

Json = dict[str, Any]


def _at(value: datetime | None) -> str | None:
    """An aware time as pydantic's JSON has it: ISO 8601, UTC written "Z"."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sla(claim: Claim, now: datetime, timings: Timings) -> Json:
    status = str(claim.sla(now, timings))
    if claim.received_at is None:
        return {"status": status, "at_risk_at": None, "breached_at": None}
    due = sla_due(claim.received_at, timings)
    return {
        "status": status,
        "at_risk_at": _at(due.at_risk_at),
        "breached_at": _at(due.breached_at),
    }


def _item(claim: Claim, catalogue: Catalogue) -> Json:
    item = claim.item
    style = catalogue.style(item.style_code) if item.style_code else None
    return {
        "key": item.key, "category": item.category, "label_code": item.label_code,
        "order_line_id": item.order_line_id, "style_code": item.style_code,
        "product_name": style.name if style else None,
        "manufacture_date": _day(item.manufacture_date), "purchase_date": _day(item.purchase_date),
    }  # fmt: skip


def _rma(claim: Claim) -> Json | None:
    rma = claim.rma
    if rma is None:
        return None
    centre = rma.repair_centre
    return {
        "number": rma.number, "issued_at": _at(rma.issued_at), "expires_at": _at(rma.expires_at),
        "reminder_due_at": _at(rma.reminder_due_at),
        "ship_to": {"region": centre.region, "name": centre.name, "address": centre.address},
        "form_path": rma_form_path(claim.id),
    }  # fmt: skip


def _resolution(claim: Claim) -> Json | None:
    # A free-form plan in the database: the contract fills its defaults and drops the rest.
    if not claim.resolution:
        return None
    return c.ResolutionInfo.model_validate(dict(claim.resolution)).model_dump(mode="json")


def claim_json(claim: Claim, catalogue: Catalogue, timings: Timings, now: datetime) -> Json:
    """`ClaimView` of `claim`, in its JSON form, in the contract's field order."""
    decision, shipment = claim.decision, claim.shipment
    return {
        "id": claim.id, "status": str(claim.status), "region": claim.region,
        "item": _item(claim, catalogue), "components": list(claim.components),
        "cause": claim.cause, "description": claim.description,
        "submitted_at": _at(claim.submitted_at),
        "decision": {
            "covered": decision.covered, "rule": decision.rule,
            "policy_version": decision.policy_version, "reasons": list(decision.reasons),
        } if decision else None,
        "rma": _rma(claim), "received_at": _at(claim.received_at),
        "sla": _sla(claim, now, timings), "resolution": _resolution(claim),
        "shipment": {
            "carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
            "shipped_at": _at(claim.shipped_at),
        } if shipment else None,
        "evidence_photo": {
            "photo_id": claim.evidence_photo_id, "path": f"/v1/claims/{claim.id}/photo",
        } if claim.evidence_photo_id else None,
        "version": claim.version, "customer_id": claim.customer_id,
        "review_reasons": list(claim.review_reasons), "allowed_actions": claim.allowed_actions(),
    }  # fmt: skip
