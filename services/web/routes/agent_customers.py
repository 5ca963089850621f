"""Agents: one customer's claims, orders and messages, and ordering on their behalf."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import ObjectId
from services.web.session import CurrentAgent
from services.web.views import render

router = APIRouter(prefix="/agent/customers")


@router.get("/{customer_id}")
async def customer_view(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api) -> Response:  # fmt: skip
    """Four calls in parallel (contact and three lists), no call per row."""
    contact, claims, orders, messages = await asyncio.gather(
        _contact(api, customer_id),
        api.get("/v1/claims", customer_id=customer_id, limit=50),
        api.get("/v1/orders", customer_id=customer_id, limit=50),
        api.get("/v1/me/messages", customer_id=customer_id, limit=50),
    )
    return render(request, "agent_customer.html", customer_id=customer_id, contact=contact,
                  claims=claims["items"], orders=orders["items"], messages=messages["items"])  # fmt: skip


async def _contact(api: Gateway, customer_id: str) -> dict[str, Any] | None:
    try:
        contact: dict[str, Any] = await api.get("/v1/me/contact", customer_id=customer_id)
        return contact
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None  # no contact details given yet
