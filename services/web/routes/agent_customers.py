"""Agents: one customer's claims, orders and messages, and ordering on their behalf."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.deps import Api
from services.web.routes.common import ObjectId
from services.web.session import CurrentAgent
from services.web.views import render

router = APIRouter(prefix="/agent/customers")


@router.get("/{customer_id}")
async def customer_view(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api) -> Response:  # fmt: skip
    """Three list calls in parallel, no call per row."""
    claims, orders, messages = await asyncio.gather(
        api.get("/v1/claims", customer_id=customer_id, limit=50),
        api.get("/v1/orders", customer_id=customer_id, limit=50),
        api.get("/v1/me/messages", customer_id=customer_id, limit=50),
    )
    return render(request, "agent_customer.html", customer_id=customer_id,
                  claims=claims["items"], orders=orders["items"], messages=messages["items"])  # fmt: skip
