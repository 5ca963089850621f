"""Notifications: the customer's contact details, preferences, inbox and message log; the
thank-you card; partner webhook endpoints (Standard Webhooks) with replay and delivery log."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field

from services.gateway.auth import (
    Agent,
    CustomerIdQuery,
    CustomerOrAgent,
    Principal,
    acting_customer,
    current_principal,
)
from services.gateway.errors import problem_responses
from services.gateway.limits import NewestFirstPosition, Page, Paging
from services.gateway.models import RequestModel
from services.gateway.routers import _webhooks as webhooks
from services.gateway.routers._ask import ask, read_as
from services.gateway.routers._contact import EMAIL_PATTERN, PHONE_PATTERN, ContactBody
from services.gateway.routers._preferences import PreferencesBody
from services.gateway.runtime import Rpc
from services.gateway.sse import Streams
from services.gateway.sse_docs import INBOX_EVENTS_RESPONSE, STREAM_ERRORS
from shared.contracts import notifications as c

router = APIRouter(prefix="/v1", tags=["notifications"])

Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


AnyCaller = Annotated[Principal, Depends(current_principal)]


# Customer side ------------------------------------------------------------------------------


CONTACT_ERRORS = problem_responses(401, 403, 404, 422, 503, 504)


@router.get("/me/contact", response_model=c.ContactView, responses=CONTACT_ERRORS,
            summary="Your contact details")  # fmt: skip
async def get_contact(
    principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.ContactView:
    acting = acting_customer(principal, customer_id)
    return await ask(
        rpc,
        c.Subjects.GET_CONTACT,
        {"customer_id": acting.customer_id},
        acting.actor,
        c.ContactView,
    )


@router.put("/me/contact", response_model=c.ContactView, responses=CONTACT_ERRORS,
            summary="Set your contact details (email, phone, push tokens, locale)")  # fmt: skip
async def put_contact(
    body: ContactBody, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.ContactView:
    acting = acting_customer(principal, customer_id)
    request = c.PutContactRequest(**body.model_dump(), customer_id=acting.customer_id)
    return await ask(rpc, c.Subjects.PUT_CONTACT, request, acting.actor, c.ContactView)


@router.get("/me/preferences", response_model=c.PreferencesView, responses=CONTACT_ERRORS,
            summary="Your notification preferences")  # fmt: skip
async def get_preferences(
    principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.PreferencesView:
    acting = acting_customer(principal, customer_id)
    return await ask(
        rpc,
        c.Subjects.GET_PREFERENCES,
        {"customer_id": acting.customer_id},
        acting.actor,
        c.PreferencesView,
    )


@router.put("/me/preferences", response_model=c.PreferencesView, responses=CONTACT_ERRORS,
            summary="Choose channels per category and quiet hours")  # fmt: skip
async def put_preferences(
    body: PreferencesBody, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.PreferencesView:
    acting = acting_customer(principal, customer_id)
    request = c.PutPreferencesRequest(**body.model_dump(), customer_id=acting.customer_id)
    return await ask(rpc, c.Subjects.PUT_PREFERENCES, request, acting.actor, c.PreferencesView)


@router.get("/me/notifications", response_model=Page[c.InboxItem], responses=CONTACT_ERRORS,
            summary="Your in-app inbox, newest first")  # fmt: skip
async def list_inbox(
    principal: CustomerOrAgent,
    rpc: Rpc,
    paging: Paging,
    unread_only: Annotated[bool, Query(description="Only unread items.")] = False,
    customer_id: CustomerIdQuery = None,
) -> Page[Any]:
    acting = acting_customer(principal, customer_id)
    request = c.ListInboxRequest(
        customer_id=acting.customer_id,
        unread_only=unread_only,
        limit=paging.limit,
        **NewestFirstPosition.of(paging).model_dump(),
    )
    page = await ask(rpc, c.Subjects.LIST_INBOX, request, acting.actor, c.InboxPage)
    items = read_as(c.InboxItem, page.items)
    return Page.of(items, NewestFirstPosition.after_page(items, paging.limit))


@router.post("/me/notifications/{item_id}/read", response_model=c.InboxItem,
             responses=CONTACT_ERRORS, summary="Mark an inbox item read")  # fmt: skip
async def mark_read(
    item_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.InboxItem:
    acting = acting_customer(principal, customer_id)
    request = c.MarkReadRequest(item_id=item_id, customer_id=acting.customer_id)
    return await ask(rpc, c.Subjects.MARK_READ, request, acting.actor, c.InboxItem)


@router.get("/me/notifications/stream", responses={200: INBOX_EVENTS_RESPONSE, **STREAM_ERRORS},
            summary="Live inbox: a server-sent event per message delivered")  # fmt: skip
async def inbox_stream(
    principal: CustomerOrAgent,
    streams: Streams,
    customer_id: CustomerIdQuery = None,
) -> Any:
    acting = acting_customer(principal, customer_id)
    return streams.inbox(acting.customer_id)


@router.get("/me/messages", response_model=Page[c.MessageView], responses=CONTACT_ERRORS,
            summary="Delivery log of every message sent to you, per channel")  # fmt: skip
async def list_messages(
    principal: CustomerOrAgent, rpc: Rpc, paging: Paging, customer_id: CustomerIdQuery = None
) -> Page[Any]:
    acting = acting_customer(principal, customer_id)
    request = c.ListMessagesRequest(
        customer_id=acting.customer_id,
        limit=paging.limit,
        **NewestFirstPosition.of(paging).model_dump(),
    )
    log = await ask(rpc, c.Subjects.LIST_MESSAGES, request, acting.actor, c.MessageLog)
    items = read_as(c.MessageView, log.messages)
    return Page.of(items, NewestFirstPosition.after_page(items, paging.limit, key="message_id"))


# Agents: finding the customer on a call ----------------------------------------------------------


@router.get("/customers", response_model=Page[c.CustomerMatch],
            responses=problem_responses(401, 403, 422, 503, 504),
            summary="Find customers by email address or phone number (agents)")  # fmt: skip
async def find_customers(
    principal: Agent,
    rpc: Rpc,
    email: Annotated[str | None, Query(max_length=320, pattern=EMAIL_PATTERN,
                                       description="Her email address, in any case.")] = None,
    phone: Annotated[str | None, Query(max_length=32, pattern=PHONE_PATTERN,
                                       description="Her number, E.164; spaces and dashes ignored.")] = None,
) -> Page[Any]:  # fmt: skip
    """The customers whose contact details have this email address or phone number: a caller
    gives those, not her customer id. Exactly one of `email` and `phone`
    (`notifications_lookup_needs_one` otherwise). At most 20, the most recently updated first;
    one page, no cursor.

    **Who may call:** support agents.
    """
    request = c.FindCustomersRequest(email=email, phone=phone)
    found = await ask(rpc, c.Subjects.FIND_CUSTOMERS, request, principal.actor(), c.CustomerMatches)
    return Page.of(read_as(c.CustomerMatch, found.customers), None)


# Agents: messages held after an interrupted hand-over -----------------------------------------


class ResolveHeldBody(RequestModel):
    outcome: Literal["sent", "resend"] = Field(
        description="`sent`: the provider's records show it went out (recorded, not resent); "
        "`resend`: they do not (sent again on the next delivery pass)."
    )


@router.get("/messages/held", response_model=Page[c.HeldMessageView],
            responses=problem_responses(401, 403, 503, 504),
            summary="Messages held for a decision after an interrupted hand-over (agents)")  # fmt: skip
async def list_held_messages(principal: Agent, rpc: Rpc, paging: Paging) -> Page[Any]:
    request = c.ListHeldMessagesRequest(
        limit=paging.limit, **NewestFirstPosition.of(paging).model_dump()
    )
    held = await ask(rpc, c.Subjects.LIST_HELD_MESSAGES, request, principal.actor(), c.HeldMessages)
    items = read_as(c.HeldMessageView, held.messages)
    return Page.of(items, NewestFirstPosition.after_page(items, paging.limit, key="message_id"))


@router.post("/messages/held/{message_id}/resolve", response_model=c.HeldMessageView,
             responses=problem_responses(401, 403, 404, 409, 422, 503, 504),
             summary="Settle a held message: it was sent, or send it again (agents)")  # fmt: skip
async def resolve_held_message(
    message_id: Id, body: ResolveHeldBody, principal: Agent, rpc: Rpc
) -> Any:
    request = c.ResolveHeldMessageRequest(message_id=message_id, outcome=body.outcome)
    held = await ask(
        rpc, c.Subjects.RESOLVE_HELD_MESSAGE, request, principal.actor(), c.HeldMessage
    )
    return c.HeldMessageView.model_validate(held.model_dump())


@router.get(
    "/claims/{claim_id}/thank-you-card.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(401, 404, 503, 504)},
    summary="The printable thank-you card packed with a repaired or replaced item",
)
async def thank_you_card(claim_id: Id, principal: AnyCaller, rpc: Rpc) -> Response:
    payload = {"claim_id": claim_id}
    card = await ask(
        rpc, c.Subjects.THANK_YOU_CARD, payload, principal.actor(), c.ThankYouCardReply
    )
    return Response(
        base64.b64decode(card.pdf_base64),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{card.filename}"'},
    )


# Partner webhooks, after the customer and agent routes (routers/_webhooks.py).
router.include_router(webhooks.router)
