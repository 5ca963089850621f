"""`rpc.warranty.*`: parse the contract request, call the use case with plain values, reply.

Routes are registered per group of use cases; translate.py builds every reply model.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from services.warranty.domain.claim_access import ensure_staff
from services.warranty.domain.ports import PhotoOutbox
from services.warranty.service_layer.batch_analytics import BatchAnalytics
from services.warranty.service_layer.claim_evidence import ClaimEvidence
from services.warranty.service_layer.claim_queries import ClaimQueries
from services.warranty.service_layer.claims import ClaimCases
from services.warranty.service_layer.label_photos import LabelPhotos
from services.warranty.service_layer.labels_coverage import LabelsAndCoverage
from services.warranty.service_layer.repair_centre import RepairCentre
from shared.actor import Actor
from shared.contracts import label_photos as lp
from shared.contracts import warranty as c
from shared.contracts import warranty_analytics as ca
from shared.messaging.glue import RpcRoute

from .claim_json import Json
from .translate import ClaimReplies, analytics_report, claim_request, filters_from, label_view
from .translate import timeline_view as timeline_reply


@dataclass(frozen=True)
class UseCases:
    labels: LabelsAndCoverage
    claims: ClaimCases
    queries: ClaimQueries
    repair_centre: RepairCentre


def routes(uc: UseCases, replies: ClaimReplies) -> list[RpcRoute]:
    return [
        *label_routes(uc.labels, replies),
        *claim_routes(uc.claims, uc.queries, replies),
        *claim_change_routes(uc.claims, uc.repair_centre, uc.queries, replies),
    ]


def label_routes(uc: LabelsAndCoverage, replies: ClaimReplies) -> list[RpcRoute]:
    async def decode_label(req: c.DecodeLabelRequest, _actor: Actor | None) -> c.DecodedLabel:
        return label_view(uc.decode_label(req.code))

    async def policy(_req: Any, _actor: Actor | None) -> dict[str, Any]:
        return uc.policy_document()

    async def policy_html(_req: Any, _actor: Actor | None) -> c.PolicyHtml:
        return c.PolicyHtml(html=uc.policy_html())

    async def check_coverage(req: c.CoverageCheckRequest, _actor: Actor | None) -> c.CoverageReply:
        decision, label = uc.check_coverage(
            region=req.region, label_code=req.label_code, style_code=req.style_code,
            category=req.category, purchase_date=req.purchase_date,
        )  # fmt: skip
        return replies.coverage(decision, label)

    s = c.Subjects
    return [
        RpcRoute(s.DECODE_LABEL, decode_label, c.DecodeLabelRequest),
        RpcRoute(s.POLICY, policy),
        RpcRoute(s.POLICY_HTML, policy_html),
        RpcRoute(s.CHECK_COVERAGE, check_coverage, c.CoverageCheckRequest),
    ]


def label_photo_routes(
    photos: LabelPhotos, evidence: ClaimEvidence, outbox: PhotoOutbox
) -> list[RpcRoute]:
    async def read_label(req: lp.ReadLabelRequest, actor: Actor | None) -> lp.LabelPhotoReading:
        uploaded_by = actor.customer_id if actor else None
        done = await photos.read_handed_over(req.object_name, req.sha256, uploaded_by)
        found = done.reading
        return lp.LabelPhotoReading(
            read_text=found.raw_text, confidence=found.confidence,
            candidates=list(found.candidates), label=label_view(found.label),
            photo_id=done.photo_id,
        )  # fmt: skip

    async def claim_photo(req: c.ClaimRef, actor: Actor | None) -> lp.ClaimPhotoHandOut:
        photo = await evidence.claim_photo(actor, req.claim_id)
        name, sha256 = await outbox.give(photo.data)
        return lp.ClaimPhotoHandOut(object_name=name, sha256=sha256,
                                    content_type=photo.content_type)  # fmt: skip

    return [
        RpcRoute(lp.Subjects.READ_LABEL, read_label, lp.ReadLabelRequest),
        RpcRoute(lp.Subjects.CLAIM_PHOTO, claim_photo, c.ClaimRef),
    ]


def claim_routes(claims: ClaimCases, q: ClaimQueries, replies: ClaimReplies) -> list[RpcRoute]:
    async def open_claim(req: c.OpenClaimRequest, actor: Actor | None) -> Json:
        claim = await claims.open_claim(actor, claim_request(req), request_id=req.request_id)
        return replies.claim(claim)

    async def get_claim(req: c.ClaimRef, actor: Actor | None) -> Json:
        return replies.claim(await q.claim_now(actor, req.claim_id))

    async def list_claims(req: c.ListClaimsRequest, actor: Actor | None) -> Json:
        found, next_offset = await q.list_claims(
            actor, statuses=req.status, sla=req.sla, customer_id=req.customer_id,
            rma=req.rma, limit=req.limit, offset=req.offset, oldest_first=req.order == "oldest",
        )  # fmt: skip
        return replies.claims(found, next_offset)

    async def timeline(req: c.ClaimRef, actor: Actor | None) -> c.Timeline:
        return timeline_reply(await q.get_claim(actor, req.claim_id))

    async def rma_pdf(req: c.ClaimRef, actor: Actor | None) -> c.RmaPdf:
        filename, pdf = await q.rma_pdf(actor, req.claim_id)
        return c.RmaPdf(filename=filename, content_base64=base64.b64encode(pdf).decode())

    async def sla_dashboard(_req: Any, actor: Actor | None) -> c.SlaDashboard:
        ensure_staff(actor)
        return replies.sla_dashboard(await q.sla_board())

    s = c.Subjects
    return [
        # The claim id is derived from the request key: running it again finds the claim.
        RpcRoute(s.OPEN_CLAIM, open_claim, c.OpenClaimRequest, command=True),
        RpcRoute(s.GET_CLAIM, get_claim, c.ClaimRef),
        RpcRoute(s.LIST_CLAIMS, list_claims, c.ListClaimsRequest),
        RpcRoute(s.CLAIM_TIMELINE, timeline, c.ClaimRef),
        RpcRoute(s.RMA_PDF, rma_pdf, c.ClaimRef),
        RpcRoute(s.SLA_DASHBOARD, sla_dashboard),
    ]


Command = tuple[str, Any, type[c.ClaimRef]]  # subject, handler returning the claim, request


def claim_change_routes(
    claims: ClaimCases, centre: RepairCentre, q: ClaimQueries, replies: ClaimReplies
) -> list[RpcRoute]:
    """Commands on an existing claim; a repeat that was applied but never answered gets the
    claim as it is now."""

    async def current_claim(req: c.ClaimRef, actor: Actor | None) -> Json:
        return replies.claim(await q.get_claim(actor, req.claim_id))

    return [
        RpcRoute(subject, _replying(change, replies), model, command=True, replay=current_claim)
        for subject, change, model in (*_decisions(claims), *_repair_centre_steps(centre))
    ]


def _decisions(claims: ClaimCases) -> list[Command]:
    async def decide(req: c.DecideClaimRequest, actor: Actor | None) -> Any:
        return await claims.decide_claim(actor, req.claim_id, req.approve, req.reason)

    async def cancel(req: c.CancelClaimRequest, actor: Actor | None) -> Any:
        return await claims.cancel_claim(actor, req.claim_id, req.reason)

    s = c.Subjects
    return [(s.DECIDE_CLAIM, decide, c.DecideClaimRequest),
            (s.CANCEL_CLAIM, cancel, c.CancelClaimRequest)]  # fmt: skip


def _repair_centre_steps(centre: RepairCentre) -> list[Command]:
    async def receipt(req: c.ClaimRef, actor: Actor | None) -> Any:
        return await centre.record_receipt(actor, req.claim_id)

    async def inspection(req: c.ClaimRef, actor: Actor | None) -> Any:
        return await centre.start_inspection(actor, req.claim_id)

    async def repair(req: c.ClaimRef, actor: Actor | None) -> Any:
        return await centre.start_repair(actor, req.claim_id)

    async def replacement(req: c.StartReplacementRequest, actor: Actor | None) -> Any:
        return await centre.start_replacement(
            actor, req.claim_id, req.style_code, req.store_credit, req.credit_amount
        )

    async def shipment(req: c.RecordShipmentRequest, actor: Actor | None) -> Any:
        return await centre.record_shipment(actor, req.claim_id, req.carrier, req.tracking_number)

    async def delivery(req: c.ClaimRef, actor: Actor | None) -> Any:
        return await centre.record_delivery(actor, req.claim_id)

    s = c.Subjects
    return [
        (s.RECORD_RECEIPT, receipt, c.ClaimRef),
        (s.START_INSPECTION, inspection, c.ClaimRef),
        (s.START_REPAIR, repair, c.ClaimRef),
        (s.START_REPLACEMENT, replacement, c.StartReplacementRequest),
        (s.RECORD_SHIPMENT, shipment, c.RecordShipmentRequest),
        (s.RECORD_DELIVERY, delivery, c.ClaimRef),
    ]


def _replying(change: Any, replies: ClaimReplies) -> Any:
    """The claim a change returns, as its reply model."""

    async def handler(req: Any, actor: Actor | None) -> Json:
        return replies.claim(await change(req, actor))

    return handler


def analytics_routes(uc: BatchAnalytics) -> list[RpcRoute]:
    async def upload(req: ca.UploadVolumesRequest, actor: Actor | None) -> ca.VolumesUploaded:
        done = await uc.upload_volumes(actor, req.csv)
        return ca.VolumesUploaded(rows=done.rows, newly_flagged=done.newly_flagged)

    async def analytics(req: ca.AnalyticsRequest, actor: Actor | None) -> ca.AnalyticsReport:
        found = await uc.analytics(actor, filters_from(req, uc.catalogue))
        return analytics_report(found, q=uc.q, min_claims=uc.min_claims)

    async def chart(req: ca.AnalyticsRequest, actor: Actor | None) -> ca.DefectRateChart:
        svg = await uc.defect_rate_chart(actor, filters_from(req, uc.catalogue))
        return ca.DefectRateChart(svg=svg)

    s = ca.Subjects
    return [
        RpcRoute(s.UPLOAD_VOLUMES, upload, ca.UploadVolumesRequest),
        RpcRoute(s.BATCH_ANALYTICS, analytics, ca.AnalyticsRequest),
        RpcRoute(s.DEFECT_RATE_CHART, chart, ca.AnalyticsRequest),
    ]
