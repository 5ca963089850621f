"""Partner webhooks (Standard Webhooks): endpoints, secret rotation, replays and the delivery log.

Part of the notifications router (routers/notifications.py includes it, under its prefix and tag).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from services.gateway.auth import (
    Agent,
    Principal,
    current_principal,
    partner_principal,
)
from services.gateway.errors import problem_responses
from services.gateway.limits import NewestFirstPosition, Page, Paging
from services.gateway.models import RequestModel, ResponseModel
from services.gateway.partner_keys import PartnerKeyStore, keys_answering
from services.gateway.routers._ask import ask, read_as
from services.gateway.runtime import Rpc, get_runtime
from shared.contracts import notifications as c
from shared.errors import DomainError, ErrorKind, Forbidden

router = APIRouter()

Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


def webhook_manager(action: str) -> Any:
    """Partners whose key allows `action`, and agents (who see every endpoint)."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.type == "agent":
            return principal
        if principal.type != "partner":
            raise Forbidden("Webhooks are managed by partners and agents.", code="role_not_allowed")
        if action not in principal.scopes:
            raise Forbidden(f"The API key does not allow '{action}'.", code="action_not_allowed")
        return principal

    return dependency


Manager = Annotated[Principal, Depends(webhook_manager("webhooks.manage"))]
Replayer = Annotated[Principal, Depends(webhook_manager("webhooks.replay"))]
# Partner webhooks -----------------------------------------------------------------------------


class ReplayBody(RequestModel):
    delivery_id: str | None = Field(default=None, max_length=64, description="One delivery...")
    since: datetime | None = Field(default=None, description="...or all events from this time")
    until: datetime | None = Field(default=None, description="...up to this time.")


HOOK_ERRORS = problem_responses(401, 403, 404, 409, 422, 503, 504)


@router.post("/webhooks", status_code=201, response_model=c.WebhookEndpointCreated, responses=HOOK_ERRORS,
             summary="Register a webhook endpoint; returns its signing secret")  # fmt: skip
async def create_webhook(
    body: c.CreateWebhookRequest, principal: Manager, rpc: Rpc, request: Request
) -> c.WebhookEndpointCreated:
    """Register an HTTPS endpoint for some event types (a partner key only within its own event
    types). The signing secret is returned once; deliveries follow the Standard Webhooks spec.
    An agent registering it for a partner names the partner's key (`partner_key_id`, from
    `GET /v1/partners`): the endpoint is then that partner's, within that key's event types;
    an unknown or revoked key is 422 `partner_key_unknown`.

    **Who may call:** partners whose API key allows `webhooks.manage` (their own endpoints) and support agents (every endpoint).
    """
    owner = await registering_for(principal, body.partner_key_id, get_runtime(request).partner_keys)
    owner.require_events(body.event_types)  # a partner key only subscribes within its scope
    # Only the fields sent: a notifications replica older than `partner_key_id` (its request
    # model forbids unknown fields) still takes a registration that names no partner.
    payload = body.model_dump(mode="json", exclude_unset=True)
    return await ask(
        rpc, c.Subjects.CREATE_WEBHOOK, payload, principal.actor(), c.WebhookEndpointCreated
    )


async def registering_for(
    principal: Principal, partner_key_id: str | None, keys: PartnerKeyStore
) -> Principal:
    """Whose a new endpoint is, as a caller whose event types bound it: the caller, or the
    partner key an agent names. A partner names no key but its own."""
    if partner_key_id is None or partner_key_id == principal.id:
        return principal
    if principal.type != "agent":
        raise Forbidden(
            "A partner registers endpoints for its own key only.", code="partner_key_not_allowed"
        )
    with keys_answering():
        record = await keys.get(partner_key_id)
    if record is None or not record.usable:
        raise DomainError("No partner has that API key (or it was revoked).",
                          code="partner_key_unknown", kind=ErrorKind.INVALID,
                          details={"partner_key_id": partner_key_id})  # fmt: skip
    return partner_principal(record)


class PartnerOut(ResponseModel):
    """A partner's API key as an agent chooses it: never the key itself, nor its hash."""

    key_id: str = Field(description="What `partner_key_id` takes.", examples=["3f2a9c1d0b7e6a54"])
    name: str = Field(description="The partner's name.", examples=["Hale & Sons repairs"])
    event_types: list[str] = Field(description="The event types the key may subscribe to.")
    actions: list[str] = Field(description="What the key may do (`webhooks.manage`, ...).")
    created_at: datetime = Field(description="When the key was issued.")
    revoked_at: datetime | None = Field(default=None, description="Revoked from then on.")


@router.get("/partners", response_model=Page[PartnerOut],
            responses=problem_responses(401, 403, 503, 504),
            summary="Partners' API keys, to register webhook endpoints for (agents)")  # fmt: skip
async def list_partners(principal: Agent, request: Request) -> Page[Any]:
    """Every partner API key (`concierge partner create` issues them), revoked ones too, by name:
    the keys an agent may name as `partner_key_id` when registering an endpoint for a partner.

    **Who may call:** support agents.
    """
    with keys_answering():
        records = await get_runtime(request).partner_keys.list()
    records.sort(key=lambda r: (r.name.lower(), r.created_at))
    return Page.of([PartnerOut.model_validate(r.public()) for r in records], None)


@router.get("/webhooks", response_model=Page[c.WebhookEndpointView], responses=HOOK_ERRORS,
            summary="Your webhook endpoints")  # fmt: skip
async def list_webhooks(principal: Manager, rpc: Rpc) -> Page[Any]:
    """The webhook endpoints the caller may manage, without their secrets.

    **Who may call:** partners whose API key allows `webhooks.manage` (their own endpoints) and support agents (every endpoint).
    """
    data = await ask(rpc, c.Subjects.LIST_WEBHOOKS, {}, principal.actor(), c.WebhookList)
    return Page.of(read_as(c.WebhookEndpointView, data.endpoints), None)


@router.get("/webhooks/{endpoint_id}", response_model=c.WebhookEndpointView, responses=HOOK_ERRORS,
            summary="One webhook endpoint")  # fmt: skip
async def get_webhook(endpoint_id: Id, principal: Manager, rpc: Rpc) -> c.WebhookEndpointView:
    """One webhook endpoint, without its secret (404 if it is not the caller's).

    **Who may call:** partners whose API key allows `webhooks.manage` (their own endpoints) and support agents (every endpoint).
    """
    return await ask(
        rpc,
        c.Subjects.GET_WEBHOOK,
        {"endpoint_id": endpoint_id},
        principal.actor(),
        c.WebhookEndpointView,
    )


@router.delete("/webhooks/{endpoint_id}", status_code=204, response_class=Response,
               responses=HOOK_ERRORS, summary="Delete a webhook endpoint")  # fmt: skip
async def delete_webhook(endpoint_id: Id, principal: Manager, rpc: Rpc) -> Response:
    """Delete an endpoint: nothing more is delivered to it.

    **Who may call:** partners whose API key allows `webhooks.manage` (their own endpoints) and support agents (every endpoint).
    """
    await rpc.call(c.Subjects.DELETE_WEBHOOK, {"endpoint_id": endpoint_id}, actor=principal.actor())
    return Response(status_code=204)


@router.post("/webhooks/{endpoint_id}/rotate-secret", response_model=c.WebhookSecretRotated,
             responses=HOOK_ERRORS, summary="New signing secret; both sign during the overlap")  # fmt: skip
async def rotate_secret(endpoint_id: Id, principal: Manager, rpc: Rpc) -> c.WebhookSecretRotated:
    """A new signing secret, returned once; the old one keeps signing during the overlap.

    **Who may call:** partners whose API key allows `webhooks.manage` (their own endpoints) and support agents (every endpoint).
    """
    return await ask(
        rpc,
        c.Subjects.ROTATE_WEBHOOK_SECRET,
        {"endpoint_id": endpoint_id},
        principal.actor(),
        c.WebhookSecretRotated,
    )


@router.post("/webhooks/{endpoint_id}/replay", response_model=c.ReplayResult, responses=HOOK_ERRORS,
             summary="Send deliveries again, by delivery id or time range")  # fmt: skip
async def replay(
    endpoint_id: Id, body: ReplayBody, principal: Replayer, rpc: Rpc
) -> c.ReplayResult:
    """Queue deliveries again, named by delivery id or by a time range.

    **Who may call:** partners whose API key allows `webhooks.replay` (their own endpoints) and support agents (every endpoint).
    """
    request = c.ReplayWebhookRequest(endpoint_id=endpoint_id, **body.model_dump())
    return await ask(rpc, c.Subjects.REPLAY_WEBHOOK, request, principal.actor(), c.ReplayResult)


@router.get("/webhooks/{endpoint_id}/deliveries", response_model=Page[c.WebhookDeliveryView],
            responses=HOOK_ERRORS, summary="Delivery log (and dead letters) of an endpoint")  # fmt: skip
async def deliveries(
    endpoint_id: Id,
    principal: Replayer,
    rpc: Rpc,
    paging: Paging,
    status: Annotated[
        Literal["pending", "delivered", "dead_letter", "cancelled"] | None,
        Query(description="Only deliveries in this state (`dead_letter`: the dead-letter list)."),
    ] = None,
) -> Page[Any]:
    """Deliveries to an endpoint, newest first; `status=dead_letter` is its dead-letter list.

    **Who may call:** partners whose API key allows `webhooks.replay` (their own endpoints) and support agents (every endpoint).
    """
    request = c.ListWebhookDeliveriesRequest(
        endpoint_id=endpoint_id,
        status=status,
        limit=paging.limit,
        **NewestFirstPosition.of(paging).model_dump(),
    )
    data = await ask(
        rpc, c.Subjects.LIST_WEBHOOK_DELIVERIES, request, principal.actor(), c.WebhookDeliveryList
    )
    items = read_as(c.WebhookDeliveryView, data.deliveries)
    return Page.of(items, NewestFirstPosition.after_page(items, paging.limit))
