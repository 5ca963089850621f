"""Wire <-> plain values: requests into use-case arguments, domain objects into reply models.

Wire types (shared.contracts) stop here: the service layer sees plain values and domain objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.warranty.domain.analytics import BatchRow, Filters, Report
from services.warranty.domain.batches import BatchFlag
from services.warranty.domain.claims import Claim
from services.warranty.domain.errors import WarrantyInputError
from services.warranty.domain.labels import DecodedLabel as DomainLabel
from services.warranty.domain.policy import CoverageDecision
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings, sla_due
from services.warranty.domain.volumes import parse_iso_week
from services.warranty.service_layer.batch_analytics import Analytics
from services.warranty.service_layer.claims import ClaimRequest
from shared.clock import Clock
from shared.contracts import warranty as c
from shared.contracts import warranty_analytics as ca

from .claim_json import Json, claim_json


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


def timeline_view(claim: Claim) -> c.Timeline:
    return c.Timeline(
        claim_id=claim.id,
        entries=[
            c.TimelineEntry(
                at=t.at, from_status=str(t.from_status) if t.from_status else None,  # type: ignore[arg-type]
                to_status=str(t.to_status), actor_type=t.actor.type, actor_id=t.actor.id,  # type: ignore[arg-type]
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


def claim_request(req: c.OpenClaimRequest) -> ClaimRequest:
    return ClaimRequest(
        region=req.region, components=tuple(req.components), cause=req.cause,
        label_code=req.label_code, order_line_id=req.order_line_id, style_code=req.style_code,
        category=req.category, purchase_date=req.purchase_date, description=req.description,
        photo_id=req.photo_id,
    )  # fmt: skip


# --- batch analytics -----------------------------------------------------------------------------


def _week(value: str | None, field: str) -> tuple[int, int] | None:
    if value is None:
        return None
    week = parse_iso_week(value)
    if week is None:
        raise WarrantyInputError(
            f"{value} is not an ISO week.", code="analytics_invalid_week", details={"field": field}
        )
    return week


def filters_from(req: ca.AnalyticsRequest, catalogue: Catalogue) -> Filters:
    """Wire filters -> domain filters; unknown codes and reversed periods are refused (422)."""
    if req.factory is not None and catalogue.factory(req.factory) is None:
        raise WarrantyInputError("No such factory.", code="analytics_unknown_factory",
                                 details={"factory": req.factory})  # fmt: skip
    if req.style is not None and catalogue.style(req.style) is None:
        raise WarrantyInputError("No such style.", code="analytics_unknown_style",
                                 details={"style": req.style})  # fmt: skip
    start, end = _week(req.week_from, "week_from"), _week(req.week_to, "week_to")
    if start and end and start > end:
        raise WarrantyInputError("week_from is after week_to.", code="analytics_invalid_period")
    return Filters(region=req.region, factory=req.factory, style=req.style, week_from=start,
                   week_to=end)  # fmt: skip


def batch_figures(row: BatchRow, flagged: bool) -> ca.BatchFigures:
    b, rate = row.batch, row.rate
    return ca.BatchFigures(
        batch_id=b.batch_id, factory=b.factory, iso_week=b.iso_week, style_code=b.style,
        claims=row.claims, units=row.units, defect_rate=rate.rate if rate else None,
        rate_ci_low=rate.low if rate else None, rate_ci_high=rate.high if rate else None,
        flagged=flagged,
    )  # fmt: skip


def flagged_batch(flag: BatchFlag) -> ca.FlaggedBatch:
    return ca.FlaggedBatch(
        batch_id=flag.batch.batch_id, claims=flag.claims, units=flag.units,
        baseline_rate=flag.baseline, p_value=flag.p_value, q_value=flag.q_value,
        flagged_at=flag.flagged_at,
    )  # fmt: skip


def analytics_report(found: Analytics, *, q: float, min_claims: int) -> ca.AnalyticsReport:
    report: Report = found.report
    sla = report.sla
    return ca.AnalyticsReport(
        as_of=found.as_of,
        batches=[batch_figures(r, r.batch in found.flags) for r in report.batches],
        per_component=report.per_component,
        per_reason=report.per_reason,
        sla=ca.SlaFigures(
            shipped_back=sla.shipped,
            within_promise=sla.within_promise,
            compliance=sla.compliance,
            median_turnaround_hours=sla.median_turnaround_hours,
        ),
        flagged=[flagged_batch(flag) for _, flag in sorted(found.flags.items())],
        q=q,
        min_claims=min_claims,
    )


@dataclass(frozen=True)
class ClaimReplies:
    """Builds the reply models that depend on the catalogue, the timings and the time now."""

    catalogue: Catalogue
    timings: Timings
    clock: Clock

    def claim(self, claim: Claim) -> Json:
        """`c.ClaimView`, in its JSON form (claim_json.py says why)."""
        return claim_json(claim, self.catalogue, self.timings, self.clock.now())

    def claims(self, found: list[Claim], next_offset: int | None) -> Json:
        """`c.ClaimList`, in its JSON form."""
        return {"items": [self.claim(x) for x in found], "next_offset": next_offset}

    def coverage(self, decision: CoverageDecision, label: DomainLabel | None) -> c.CoverageReply:
        return coverage_view(decision, label, self.clock.now())

    def sla_dashboard(self, board: list[Claim]) -> c.SlaDashboard:
        now = self.clock.now()
        items = sorted((sla_item(x, now, self.timings) for x in board), key=lambda i: i.breached_at)
        return c.SlaDashboard(as_of=now, items=items)
