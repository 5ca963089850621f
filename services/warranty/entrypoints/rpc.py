"""`rpc.warranty.*`: thin translations between wire models and the use cases."""

from __future__ import annotations

import base64
from typing import Any

from services.warranty.access import ensure_staff
from services.warranty.handlers import ClaimRequest, Handlers
from services.warranty.queries import Queries
from shared.actor import Actor
from shared.contracts import warranty as c
from shared.messaging.glue import RpcRoute

from .views import claim_view, coverage_view, label_view, sla_item, timeline_view


def routes(h: Handlers, q: Queries) -> list[RpcRoute]:
    def view(claim: Any) -> c.ClaimView:
        return claim_view(claim, q.catalogue, q.timings, q.clock())

    async def decode_label(req: c.DecodeLabelRequest, _actor: Actor | None) -> c.DecodedLabel:
        return label_view(q.decode_label(req.code))

    async def policy(_req: Any, _actor: Actor | None) -> dict[str, Any]:
        return q.policy.to_document()

    async def policy_html(_req: Any, _actor: Actor | None) -> c.PolicyHtml:
        return c.PolicyHtml(html=q.policy_html())

    async def check_coverage(req: c.CoverageCheckRequest, _actor: Actor | None) -> c.CoverageReply:
        decision, label = q.check_coverage(
            region=req.region, label_code=req.label_code, style_code=req.style_code,
            category=req.category, purchase_date=req.purchase_date,
        )  # fmt: skip
        return coverage_view(decision, label, q.clock())

    async def open_claim(req: c.OpenClaimRequest, actor: Actor | None) -> c.ClaimView:
        request = ClaimRequest(
            region=req.region, components=tuple(req.components), cause=req.cause,
            label_code=req.label_code, order_line_id=req.order_line_id, style_code=req.style_code,
            category=req.category, purchase_date=req.purchase_date, description=req.description,
        )  # fmt: skip
        return view(await h.open_claim(actor, request, request_id=req.request_id))

    async def get_claim(req: c.ClaimRef, actor: Actor | None) -> c.ClaimView:
        return view(await q.get_claim(actor, req.claim_id))

    async def list_claims(req: c.ListClaimsRequest, actor: Actor | None) -> c.ClaimList:
        found, next_offset = await q.list_claims(
            actor, statuses=req.status, sla=req.sla, customer_id=req.customer_id,
            rma=req.rma, limit=req.limit, offset=req.offset,
        )  # fmt: skip
        return c.ClaimList(items=[view(x) for x in found], next_offset=next_offset)

    async def timeline(req: c.ClaimRef, actor: Actor | None) -> c.Timeline:
        return timeline_view(await q.get_claim(actor, req.claim_id))

    async def rma_pdf(req: c.ClaimRef, actor: Actor | None) -> c.RmaPdf:
        filename, pdf = await q.rma_pdf(actor, req.claim_id)
        return c.RmaPdf(filename=filename, content_base64=base64.b64encode(pdf).decode())

    async def decide(req: c.DecideClaimRequest, actor: Actor | None) -> c.ClaimView:
        return view(await h.decide_claim(actor, req.claim_id, req.approve, req.reason))

    async def cancel(req: c.CancelClaimRequest, actor: Actor | None) -> c.ClaimView:
        return view(await h.cancel_claim(actor, req.claim_id, req.reason))

    async def receipt(req: c.ClaimRef, actor: Actor | None) -> c.ClaimView:
        return view(await h.record_receipt(actor, req.claim_id))

    async def inspection(req: c.ClaimRef, actor: Actor | None) -> c.ClaimView:
        return view(await h.start_inspection(actor, req.claim_id))

    async def repair(req: c.ClaimRef, actor: Actor | None) -> c.ClaimView:
        return view(await h.start_repair(actor, req.claim_id))

    async def replacement(req: c.StartReplacementRequest, actor: Actor | None) -> c.ClaimView:
        claim = await h.start_replacement(
            actor, req.claim_id, req.style_code, req.store_credit, req.credit_amount
        )
        return view(claim)

    async def shipment(req: c.RecordShipmentRequest, actor: Actor | None) -> c.ClaimView:
        return view(await h.record_shipment(actor, req.claim_id, req.carrier, req.tracking_number))

    async def delivery(req: c.ClaimRef, actor: Actor | None) -> c.ClaimView:
        return view(await h.record_delivery(actor, req.claim_id))

    async def current_claim(req: c.ClaimRef, actor: Actor | None) -> c.ClaimView:
        """The reply to a claim change that was applied but never answered: the claim now."""
        return view(await q.get_claim(actor, req.claim_id))

    async def sla_dashboard(_req: Any, actor: Actor | None) -> c.SlaDashboard:
        ensure_staff(actor)
        now = q.clock()
        items = [sla_item(x, now, q.timings) for x in await q.sla_board()]
        items.sort(key=lambda i: i.breached_at)
        return c.SlaDashboard(as_of=now, items=items)

    s = c.Subjects
    return [
        RpcRoute(s.DECODE_LABEL, decode_label, c.DecodeLabelRequest),
        RpcRoute(s.POLICY, policy),
        RpcRoute(s.POLICY_HTML, policy_html),
        RpcRoute(s.CHECK_COVERAGE, check_coverage, c.CoverageCheckRequest),
        # The claim id is derived from the request key: running it again finds the claim.
        RpcRoute(s.OPEN_CLAIM, open_claim, c.OpenClaimRequest, command=True),
        RpcRoute(s.GET_CLAIM, get_claim, c.ClaimRef),
        RpcRoute(s.LIST_CLAIMS, list_claims, c.ListClaimsRequest),
        RpcRoute(s.CLAIM_TIMELINE, timeline, c.ClaimRef),
        RpcRoute(s.RMA_PDF, rma_pdf, c.ClaimRef),
        *(
            RpcRoute(subject, handler, model, command=True, replay=current_claim)
            for subject, handler, model in (
                (s.DECIDE_CLAIM, decide, c.DecideClaimRequest),
                (s.CANCEL_CLAIM, cancel, c.CancelClaimRequest),
                (s.RECORD_RECEIPT, receipt, c.ClaimRef),
                (s.START_INSPECTION, inspection, c.ClaimRef),
                (s.START_REPAIR, repair, c.ClaimRef),
                (s.START_REPLACEMENT, replacement, c.StartReplacementRequest),
                (s.RECORD_SHIPMENT, shipment, c.RecordShipmentRequest),
                (s.RECORD_DELIVERY, delivery, c.ClaimRef),
            )
        ),
        RpcRoute(s.SLA_DASHBOARD, sla_dashboard),
    ]
