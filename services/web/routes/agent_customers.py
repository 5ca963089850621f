"""Agents: one customer's claims, orders and messages, her contact details, and ordering on her
behalf."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.contact_form import contact_body, empty_contact
from services.web.deps import Api
from services.web.formatting import LOCALE_REGION
from services.web.routes.common import (
    Cursor,
    ObjectId,
    confirmed,
    default_region,
    refused_here,
    section_can_wait,
)
from services.web.session import CurrentAgent, Form, flash
from services.web.views import page_locale, render, see_other

router = APIRouter(prefix="/agent/customers")
# A customer with nothing on record is most often an id misheard on the phone: details saved
# under it would make a customer nobody is, found first by her email from then on.
NEW_CONTACT_BOX = "Yes, {} is the caller's customer id (checked with her)"


@router.get("/{customer_id}")
async def customer_view(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                        claims: Cursor = None, orders: Cursor = None,
                        messages: Cursor = None) -> Response:  # fmt: skip
    return await _customer_page(request, api, customer_id, claims, orders, messages)


@router.post("/{customer_id}/contact")
async def save_contact(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                       form: Form) -> Response:  # fmt: skip
    """Her contact details as she gives them on the phone (a first email address, so the RMA
    form and each step reach her; a corrected number). A refusal comes back on her page with
    what was typed (422); nothing was saved."""
    current = await customer_contact(api, customer_id)
    if current is not None and "unavailable" in current:
        # Not written over what cannot be read just now (her app's push tokens would be lost).
        refused_here(request, current["unavailable"])
        typed = contact_body(form, empty_contact(page_locale(request)))
        return await _customer_page(request, api, customer_id, typed=typed)
    body = contact_body(form, current or empty_contact(page_locale(request)))
    if current is None and not confirmed(request, form, NEW_CONTACT_BOX.format(customer_id),
                                         "The contact details were not saved"):  # fmt: skip
        return await _customer_page(request, api, customer_id, typed=body)
    try:
        await api.put("/v1/me/contact", body, customer_id=customer_id)
    except ApiError as exc:
        refused_here(request, exc)
        return await _customer_page(request, api, customer_id, typed=body)
    flash(request, "success", f"Contact details saved for {customer_id}")
    return see_other(f"/agent/customers/{customer_id}")


async def _customer_page(request: Request, api: Gateway, customer_id: str,
                         claims: str | None = None, orders: str | None = None,
                         messages: str | None = None,
                         typed: dict[str, Any] | None = None) -> Response:  # fmt: skip
    """Four calls in parallel (contact and three lists), no call per row. Each list is paged on
    its own (`claims`, `orders`, `messages`: that list's cursor): past the newest fifty, older
    ones are one link away. `typed`: a refused contact form, shown as it was filled in."""
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
    form = typed or (contact if contact and "unavailable" not in contact else None)
    return render(request, "agent_customer.html", 422 if typed else 200, customer_id=customer_id,
                  contact=contact, region=region,
                  form=form or empty_contact(page_locale(request)), refused=bool(typed),
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
