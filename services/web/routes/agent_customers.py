"""Agents: one customer's claims, orders and messages, and ordering on their behalf."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.formatting import LOCALE_REGION
from services.web.routes.common import Cursor, ObjectId, default_region, section_can_wait
from services.web.session import CurrentAgent
from services.web.views import page_locale, render

router = APIRouter(prefix="/agent/customers")


@router.get("/{customer_id}")
async def customer_view(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                        claims: Cursor = None, orders: Cursor = None,
                        messages: Cursor = None) -> Response:  # fmt: skip
    """Four calls in parallel (contact and three lists), no call per row. Each list is paged on
    its own (`claims`, `orders`, `messages`: that list's cursor): past the newest fifty, older
    ones are one link away."""
    lists = ("/v1/claims", claims), ("/v1/orders", orders), ("/v1/me/messages", messages)
    contact, *pages = await asyncio.gather(
        customer_contact(api, customer_id),
        *(_section(api, path, customer_id, cursor) for path, cursor in lists),
    )
    shown = {"claims": claims, "orders": orders, "messages": messages}
    by_name = dict(zip(shown, pages, strict=True))
    # Where she lives, as her saved formats suggest (not the agent's own formats): the region a
    # label check for her starts with; the agent can change it there.
    region = LOCALE_REGION.get(str((contact or {}).get("locale")),
                               default_region(page_locale(request)))  # fmt: skip
    return render(request, "agent_customer.html", customer_id=customer_id, contact=contact,
                  region=region,
                  **{name: page["items"] for name, page in by_name.items()},
                  next_cursors={name: page.get("next_cursor") for name, page in by_name.items()},
                  unavailable={name: page.get("unavailable") for name, page in by_name.items()},
                  shown=shown)  # fmt: skip


async def _section(api: Gateway, path: str, customer_id: str, cursor: str | None) -> dict[str, Any]:
    """One list of the page, or why it cannot be read just now (its service is away): an agent
    on the phone still sees the customer's other lists."""
    try:
        page: dict[str, Any] = await api.get(path, customer_id=customer_id, limit=50, cursor=cursor)
        return page
    except ApiError as exc:
        if not section_can_wait(exc):
            raise
        return {"items": [], "unavailable": exc}


async def customer_contact(api: Gateway, customer_id: str) -> dict[str, Any] | None:
    """The customer's contact details; None when none were given (or no such customer: the API
    cannot tell them apart); {"unavailable": problem} when they cannot be read just now."""
    try:
        contact: dict[str, Any] = await api.get("/v1/me/contact", customer_id=customer_id)
        return contact
    except ApiError as exc:
        if section_can_wait(exc):
            return {"unavailable": exc}
        if exc.status != 404:
            raise
        return None  # no contact details given yet
