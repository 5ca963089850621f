"""Domain objects -> wire models (shared.contracts.warranty). Wire types stop at entrypoints/."""

from __future__ import annotations

from datetime import datetime

from services.warranty.adapters.events import rma_form_path
from services.warranty.domain.claims import Claim
from services.warranty.domain.labels import DecodedLabel as DomainLabel
from services.warranty.domain.policy import CoverageDecision
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings, sla_due
from shared.contracts import warranty as c


def label_view(label: DomainLabel) -> c.DecodedLabel:
    product = label.product
    return c.DecodedLabel(
        generation=label.generation,  # type: ignore[arg-type]
        code=label.code,
        factory=c.FactoryInfo(
            code=label.factory.code, country=label.factory.country, name=label.factory.name
        ),
        year=label.year,
        week=label.week,
        manufacture_date=label.manufacture_date,
        style_code=label.style_code,
        product=c.ProductInfo(
            style=product.code, name=product.name, category=product.category,  # type: ignore[arg-type]
            colour=product.colour,
        ) if product else None,
        serial=label.serial,
        correction=c.CorrectionInfo(
            applied=label.correction.applied,
            original=label.correction.original,
            corrected=label.correction.corrected,
            changes=[
                c.CharChangeInfo(position=ch.position, part=ch.part, read=ch.read, corrected=ch.corrected)
                for ch in label.correction.changes
            ],
        ),
    )  # fmt: skip


def coverage_view(
    decision: CoverageDecision, label: DomainLabel | None, checked_on: datetime
) -> c.CoverageReply:
    return c.CoverageReply(
        covered=decision.covered, rule=decision.rule, start_rule=decision.start_rule,
        policy_version=decision.policy_version, category=decision.category,  # type: ignore[arg-type]
        region=decision.region,  # type: ignore[arg-type]
        coverage_start=decision.coverage_start, coverage_end=decision.coverage_end,
        months=decision.months, floor_applied=decision.floor_applied,
        reasons=list(decision.reasons), checked_on=checked_on.date(),
        label=label_view(label) if label else None,
    )  # fmt: skip


def sla_view(claim: Claim, now: datetime, timings: Timings) -> c.SlaInfo:
    status = claim.sla(now, timings)
    if claim.received_at is None:
        return c.SlaInfo(status=str(status))  # type: ignore[arg-type]
    due = sla_due(claim.received_at, timings)
    return c.SlaInfo(status=str(status), at_risk_at=due.at_risk_at, breached_at=due.breached_at)  # type: ignore[arg-type]


def claim_view(claim: Claim, catalogue: Catalogue, timings: Timings, now: datetime) -> c.ClaimView:
    item, rma, decision = claim.item, claim.rma, claim.decision
    style = catalogue.style(item.style_code) if item.style_code else None
    return c.ClaimView.model_validate({
        "id": claim.id, "customer_id": claim.customer_id, "status": str(claim.status),
        "region": claim.region,
        "item": {
            "key": item.key, "category": item.category, "label_code": item.label_code,
            "order_line_id": item.order_line_id, "style_code": item.style_code,
            "product_name": style.name if style else None,
            "manufacture_date": item.manufacture_date, "purchase_date": item.purchase_date,
        },
        "components": list(claim.components), "cause": claim.cause,
        "description": claim.description, "submitted_at": claim.submitted_at,
        "decision": {
            "covered": decision.covered, "rule": decision.rule,
            "policy_version": decision.policy_version, "reasons": list(decision.reasons),
        } if decision else None,
        "review_reasons": list(claim.review_reasons),
        "rma": {
            "number": rma.number, "issued_at": rma.issued_at, "expires_at": rma.expires_at,
            "reminder_due_at": rma.reminder_due_at,
            "ship_to": {"region": rma.repair_centre.region, "name": rma.repair_centre.name,
                        "address": rma.repair_centre.address},
            "form_path": rma_form_path(claim.id),
        } if rma else None,
        "received_at": claim.received_at,
        "sla": sla_view(claim, now, timings),
        "resolution": dict(claim.resolution) if claim.resolution else None,
        "shipment": {
            "carrier": claim.shipment.carrier, "tracking_number": claim.shipment.tracking_number,
            "shipped_at": claim.shipped_at,
        } if claim.shipment else None,
        "version": claim.version,
        "allowed_actions": claim.allowed_actions(),
    })  # fmt: skip


def timeline_view(claim: Claim) -> c.Timeline:
    return c.Timeline(
        claim_id=claim.id,
        entries=[
            c.TimelineEntry(
                at=t.at, from_status=str(t.from_status) if t.from_status else None,  # type: ignore[arg-type]
                to_status=str(t.to_status), actor_type=t.actor.kind, actor_id=t.actor.id,  # type: ignore[arg-type]
                reason=t.reason,
            )
            for t in claim.transitions
        ],
    )  # fmt: skip


def sla_item(claim: Claim, now: datetime, timings: Timings) -> c.SlaItem:
    assert claim.received_at is not None
    due = sla_due(claim.received_at, timings)
    return c.SlaItem(
        claim_id=claim.id, status=str(claim.status), region=claim.region,  # type: ignore[arg-type]
        received_at=claim.received_at, at_risk_at=due.at_risk_at, breached_at=due.breached_at,
        sla=str(claim.sla(now, timings)),  # type: ignore[arg-type]
    )  # fmt: skip
