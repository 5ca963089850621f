"""Warranty: label decoding, the published policy, coverage checks, claims and the repair centre."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from services.gateway.auth import (
    CustomerIdQuery,
    CustomerOrAgent,
    Principal,
    acting_customer,
    current_principal,
)
from services.gateway.errors import problem_responses
from services.gateway.idempotency import request_idempotency_key
from services.gateway.limits import InvalidCursor, Page, Paging
from services.gateway.models import NOT_BLANK_PATTERN, RequestModel, optional_body_is_an_object
from services.gateway.routers import _repair_centre as repair_centre
from services.gateway.routers._ask import ask, read_as
from services.gateway.routers._claims import (
    AgentClaimOut,
    ClaimId,
    ClaimOut,
    claim_view,
    timeline_seen_by,
)
from services.gateway.routers._label_code import LABEL_CODE_DESCRIPTION, LabelCode
from services.gateway.runtime import Rpc
from services.gateway.sse import Streams
from services.gateway.sse_docs import CLAIM_EVENTS_RESPONSE, STREAM_ERRORS
from shared.contracts import warranty as c

router = APIRouter(prefix="/v1", tags=["warranty"])
# Same for every retry with one Idempotency-Key: lets the service deduplicate a create whose
# response the gateway never stored (it died in between).
RequestId = Annotated[str | None, Depends(request_idempotency_key)]

AnyCaller = Annotated[Principal, Depends(current_principal)]
S = c.Subjects


# --- models ------------------------------------------------------------------------------------


class DecodeBody(RequestModel):
    code: LabelCode


def _present(*fields: str) -> dict[str, Any]:
    not_blank = {"type": "string", "pattern": NOT_BLANK_PATTERN}
    return {"required": list(fields), "properties": dict.fromkeys(fields, not_blank)}


class CoverageBody(RequestModel, c.CoverageCheckRequest):
    """Give the label code (no receipt needed) or the style, plus the customer's region."""

    # The contract's rule, published: something to check (a label, a style or a category).
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                _present("label_code"),
                # Without a label there is no manufacture date: the start is the purchase date.
                _present("style_code", "purchase_date"),
                {
                    "required": ["category", "purchase_date"],
                    "properties": {
                        "category": {"type": "string"},
                        "purchase_date": {"type": "string"},
                    },
                },
            ]
        }
    )

    label_code: LabelCode | None = Field(default=None, description=LABEL_CODE_DESCRIPTION)


def _offset(position: dict[str, Any] | None) -> int:
    """The claims list's position is an offset; any other cursor names no page of it."""
    offset = (position or {}).get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidCursor("The cursor is not one this API returned.")
    return offset


class OpenClaimBody(RequestModel, c.OpenClaimRequest):
    # The contract's rule, published: a label code, or an order line with its style and date.
    model_config = ConfigDict(
        json_schema_extra={
            # Without a label there is no manufacture date: the start is the purchase date.
            "anyOf": [
                _present("label_code"),
                _present("order_line_id", "style_code", "purchase_date"),
            ]
        }
    )

    label_code: LabelCode | None = Field(default=None, description=LABEL_CODE_DESCRIPTION)
    customer_id: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Agents only: the customer the claim is opened for.",
    )  # fmt: skip
    # The gateway sets the contract's request_id from the caller and the Idempotency-Key: it is
    # neither published nor accepted from clients.
    request_id: SkipJsonSchema[None] = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_request_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "request_id" in data:
            raise PydanticCustomError("extra_forbidden", "request_id is set by the gateway")
        return data


class TimelineOut(c.Timeline):
    """Every step of a claim; agents also see who took each step. To its owner the step to
    `needs_review` reads "An agent checks this claim before it goes on." (the reasons are for
    agents)."""

    entries: list[c.TimelineEntry] | list[c.TimelineEntryView] = Field(  # type: ignore[assignment]
        description="Steps, oldest first."
    )


class CancelBody(RequestModel):
    """Optional: why the customer withdraws the claim."""

    reason: str = Field(default="", max_length=500, examples=["Found the receipt of a repair"],
                        description="Why the claim is withdrawn, for its timeline.")  # fmt: skip


# --- labels and policy -------------------------------------------------------------------------


@router.post("/labels/decode", response_model=c.DecodedLabel,
             responses=problem_responses(401, 422, 503, 504), summary="Decode a label code")  # fmt: skip
async def decode_label(body: DecodeBody, principal: AnyCaller, rpc: Rpc) -> c.DecodedLabel:
    request = c.DecodeLabelRequest(code=body.code)
    return await ask(rpc, S.DECODE_LABEL, request, principal.actor(), c.DecodedLabel)


@router.get("/warranty/policy", responses=problem_responses(503, 504),
            summary="The published warranty policy (machine-readable, versioned; public)")  # fmt: skip
async def policy(rpc: Rpc) -> dict[str, Any]:
    # Public on purpose: the policy must be easy to find before anyone has an account.
    data: dict[str, Any] = await rpc.call(S.POLICY, {})
    return data


@router.get("/warranty/policy.html", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}}, **problem_responses(503, 504)},
            summary="The published warranty policy as a readable page (public)")  # fmt: skip
async def policy_html(rpc: Rpc) -> HTMLResponse:
    page = await ask(rpc, S.POLICY_HTML, {}, None, c.PolicyHtml)
    return HTMLResponse(page.html)


@router.post("/warranty/check", response_model=c.CoverageReply,
             responses=problem_responses(401, 422, 503, 504),
             summary="Is an item under warranty (with or without a receipt)?")  # fmt: skip
async def check_coverage(body: CoverageBody, principal: AnyCaller, rpc: Rpc) -> c.CoverageReply:
    request = c.CoverageCheckRequest.model_validate(body.model_dump())
    return await ask(rpc, S.CHECK_COVERAGE, request, principal.actor(), c.CoverageReply)


# --- claims ------------------------------------------------------------------------------------


@router.post("/claims", status_code=201, response_model=ClaimOut | AgentClaimOut,
             responses=problem_responses(401, 403, 404, 409, 422, 503, 504),
             summary="Open a warranty claim")  # fmt: skip
async def open_claim(
    body: OpenClaimBody, principal: CustomerOrAgent, rpc: Rpc, request_id: RequestId
) -> ClaimOut:
    acting = acting_customer(principal, body.customer_id)
    request = c.OpenClaimRequest.model_validate(
        body.model_dump(exclude={"customer_id"}) | {"request_id": request_id}
    )
    return await ask(rpc, S.OPEN_CLAIM, request, acting.actor, claim_view(principal))


RmaQuery = Annotated[
    str | None,
    Query(max_length=32, pattern=r"^RMA-[A-Z0-9-]+$", examples=["RMA-20261123-7K3QX9"],
          description="Only the claim with this RMA number (a customer: only their own)."),
]  # fmt: skip
ClaimOrder = Annotated[
    Literal["newest", "oldest"],
    Query(description="By when the claim was opened: `newest` first (the default), or `oldest` "
          "first (a review queue, served in turn)."),
]  # fmt: skip


@router.get("/claims", response_model=Page[AgentClaimOut] | Page[ClaimOut],
            responses=problem_responses(401, 403, 404, 422, 503, 504),
            summary="List claims (customers: their own; agents: all, filterable)")  # fmt: skip
async def list_claims(
    principal: CustomerOrAgent,
    rpc: Rpc,
    paging: Paging,
    customer_id: CustomerIdQuery = None,
    status: Annotated[list[c.ClaimStatus] | None, Query(max_length=14)] = None,
    sla: Annotated[
        Literal["at_risk", "breached"] | None, Query(description="Turnaround at risk or breached.")
    ] = None,
    rma: RmaQuery = None,
    order: ClaimOrder = "newest",
) -> Page[Any]:
    actor = (
        principal.actor()
        if principal.type == "agent"
        else acting_customer(principal, customer_id).actor
    )
    offset = _offset(paging.after)
    request = c.ListClaimsRequest(
        status=status, sla=sla, rma=rma, order=order,
        customer_id=customer_id if principal.type == "agent" else None,
        limit=paging.limit, offset=max(offset, 0),
    )  # fmt: skip
    page = await ask(rpc, S.LIST_CLAIMS, request, actor, c.ClaimList)
    items = read_as(claim_view(principal), page.items)
    return Page.of(items, {"offset": page.next_offset} if page.next_offset is not None else None)


@router.get("/claims/{claim_id}", response_model=ClaimOut | AgentClaimOut,
            responses=problem_responses(401, 403, 404, 503, 504), summary="One claim")  # fmt: skip
async def get_claim(claim_id: ClaimId, principal: CustomerOrAgent, rpc: Rpc) -> ClaimOut:
    payload = {"claim_id": claim_id}
    return await ask(rpc, S.GET_CLAIM, payload, principal.actor(), claim_view(principal))


@router.get("/claims/{claim_id}/timeline", response_model=TimelineOut,
            responses=problem_responses(401, 403, 404, 503, 504),
            summary="Every step of a claim: who, when, why")  # fmt: skip
async def timeline(claim_id: ClaimId, principal: CustomerOrAgent, rpc: Rpc) -> TimelineOut:
    data = await ask(rpc, S.CLAIM_TIMELINE, {"claim_id": claim_id}, principal.actor(), c.Timeline)
    return TimelineOut(claim_id=data.claim_id, entries=timeline_seen_by(principal, data.entries))


@router.get("/claims/{claim_id}/rma.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}},
                       **problem_responses(401, 403, 404, 409, 503, 504)},
            summary="The return authorisation form (PDF with a QR code of the RMA number)")  # fmt: skip
async def rma_pdf(claim_id: ClaimId, principal: CustomerOrAgent, rpc: Rpc) -> Response:
    pdf = await ask(rpc, S.RMA_PDF, {"claim_id": claim_id}, principal.actor(), c.RmaPdf)
    return Response(base64.b64decode(pdf.content_base64), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{pdf.filename}"'})  # fmt: skip


@router.get("/claims/{claim_id}/stream", responses={200: CLAIM_EVENTS_RESPONSE, **STREAM_ERRORS},
            summary="Live status of a claim (Server-Sent Events)")  # fmt: skip
async def claim_stream(
    claim_id: ClaimId,
    principal: CustomerOrAgent,
    rpc: Rpc,
    streams: Streams,
) -> Any:
    await rpc.call(S.GET_CLAIM, {"claim_id": claim_id}, actor=principal.actor())
    return streams.claim(claim_id)


@router.post("/claims/{claim_id}/cancel", response_model=ClaimOut | AgentClaimOut,
             dependencies=[Depends(optional_body_is_an_object)],  # `null` is not "no body"
             responses=problem_responses(401, 403, 404, 409, 422, 503, 504),
             summary="Withdraw a claim (before the item reaches the repair centre)")  # fmt: skip
async def cancel_claim(
    claim_id: ClaimId,
    principal: CustomerOrAgent,
    rpc: Rpc,
    body: Annotated[CancelBody | None, Body()] = None,
) -> ClaimOut:
    """Like order cancel, no body is needed; an optional JSON body may give a `reason`."""
    reason = body.reason if body is not None else ""
    request = c.CancelClaimRequest(claim_id=claim_id, reason=reason)
    return await ask(rpc, S.CANCEL_CLAIM, request, principal.actor(), claim_view(principal))


# Agents and the repair centre, after the claim routes (routers/_repair_centre.py).
router.include_router(repair_centre.router)
