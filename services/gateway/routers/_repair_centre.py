"""Warranty, for agents and the repair centre: decisions on flagged claims, the repair-centre
steps (receipt, inspection, repair or replacement, shipment, delivery) and the SLA board.

Part of the warranty router (routers/warranty.py includes it, under its prefix and tag)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from services.gateway.auth import Agent, Principal
from services.gateway.errors import problem_responses
from services.gateway.models import RequestModel
from services.gateway.routers._ask import ask
from services.gateway.routers._claims import AgentClaimOut, ClaimId, ClaimOut, claim_view
from services.gateway.runtime import Rpc
from shared.contracts import warranty as c

router = APIRouter()
S = c.Subjects


class DecisionBody(RequestModel):
    approve: bool = Field(description="Approve the claim (true) or reject it (false).")
    reason: str = Field(min_length=1, max_length=500, examples=["Gift; confirmed by phone."],
                        description="Why, for the claim's timeline.")  # fmt: skip


class ReplacementBody(RequestModel):
    style_code: str | None = Field(default=None, max_length=8, pattern=r"^[A-Z0-9]{4}$",
                                   examples=["VT01"], description="Another style the customer chose.")  # fmt: skip
    store_credit: bool = Field(default=False, description="Settle with store credit instead.")
    credit_amount: Decimal | None = Field(default=None, gt=0, max_digits=10, decimal_places=2,
                                          examples=["231.01"],
                                          description="With store_credit, only when the style has no "
                                          "price in the customer's region.")  # fmt: skip


class ShipmentBody(RequestModel):
    carrier: str = Field(min_length=1, max_length=60, examples=["UPS"],
                         description="Carrier taking the item back to the customer.")  # fmt: skip
    tracking_number: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9-]+$",
                                 examples=["1Z999AA10123456784"],
                                 description="Carrier's tracking number.")  # fmt: skip


@router.post("/claims/{claim_id}/decision", response_model=AgentClaimOut,
             responses=problem_responses(401, 403, 404, 409, 422, 503, 504),
             summary="Agents: approve or reject a claim flagged for review")  # fmt: skip
async def decide_claim(
    claim_id: ClaimId, body: DecisionBody, principal: Agent, rpc: Rpc
) -> ClaimOut:
    request = c.DecideClaimRequest(claim_id=claim_id, approve=body.approve, reason=body.reason)
    return await ask(rpc, S.DECIDE_CLAIM, request, principal.actor(), claim_view(principal))


async def _centre_action(
    subject: str, payload: dict[str, Any], principal: Principal, rpc: Any
) -> ClaimOut:
    return await ask(rpc, subject, payload, principal.actor(), claim_view(principal))


_CENTRE = problem_responses(401, 403, 404, 409, 422, 503, 504)


@router.post("/claims/{claim_id}/receipt", response_model=AgentClaimOut, responses=_CENTRE,
             summary="Repair centre: the item arrived (starts the one-week clock)")  # fmt: skip
async def record_receipt(claim_id: ClaimId, principal: Agent, rpc: Rpc) -> ClaimOut:
    return await _centre_action(S.RECORD_RECEIPT, {"claim_id": claim_id}, principal, rpc)


@router.post("/claims/{claim_id}/inspection", response_model=AgentClaimOut, responses=_CENTRE,
             summary="Repair centre: inspection started (returns the repair-or-replace plan)")  # fmt: skip
async def start_inspection(claim_id: ClaimId, principal: Agent, rpc: Rpc) -> ClaimOut:
    return await _centre_action(S.START_INSPECTION, {"claim_id": claim_id}, principal, rpc)


@router.post("/claims/{claim_id}/repair", response_model=AgentClaimOut, responses=_CENTRE,
             summary="Repair centre: repair with matching parts (reserves them)")  # fmt: skip
async def start_repair(claim_id: ClaimId, principal: Agent, rpc: Rpc) -> ClaimOut:
    return await _centre_action(S.START_REPAIR, {"claim_id": claim_id}, principal, rpc)


@router.post("/claims/{claim_id}/replacement", response_model=AgentClaimOut, responses=_CENTRE,
             summary="Repair centre: replace the item, or settle with store credit")  # fmt: skip
async def start_replacement(
    claim_id: ClaimId, body: ReplacementBody, principal: Agent, rpc: Rpc
) -> ClaimOut:
    payload = {
        "claim_id": claim_id,
        "style_code": body.style_code,
        "store_credit": body.store_credit,
        "credit_amount": str(body.credit_amount) if body.credit_amount is not None else None,
    }
    return await _centre_action(S.START_REPLACEMENT, payload, principal, rpc)


@router.post("/claims/{claim_id}/shipment", response_model=AgentClaimOut, responses=_CENTRE,
             summary="Repair centre: shipped back, with tracking")  # fmt: skip
async def record_shipment(
    claim_id: ClaimId, body: ShipmentBody, principal: Agent, rpc: Rpc
) -> ClaimOut:
    payload = {
        "claim_id": claim_id,
        "carrier": body.carrier,
        "tracking_number": body.tracking_number,
    }
    return await _centre_action(S.RECORD_SHIPMENT, payload, principal, rpc)


@router.post("/claims/{claim_id}/delivery", response_model=AgentClaimOut, responses=_CENTRE,
             summary="Repair centre: delivered to the customer (closes the claim)")  # fmt: skip
async def record_delivery(claim_id: ClaimId, principal: Agent, rpc: Rpc) -> ClaimOut:
    return await _centre_action(S.RECORD_DELIVERY, {"claim_id": claim_id}, principal, rpc)


@router.get("/warranty/sla", response_model=c.SlaDashboard, responses=problem_responses(401, 403, 503, 504),
            summary="Agents: claims at the repair centre, most urgent first")  # fmt: skip
async def sla_board(principal: Agent, rpc: Rpc) -> c.SlaDashboard:
    return await ask(rpc, S.SLA_DASHBOARD, {}, principal.actor(), c.SlaDashboard)
