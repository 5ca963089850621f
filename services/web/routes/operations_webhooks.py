"""Agents: partners' webhook endpoints: register one (its signing secret shown once), see one with
its deliveries, replay them, rotate its secret, delete it.

A signing secret lives only in the answer to the POST that made it: never in an address (the
page names the endpoint's own, so a reload asks for that page, which has no secret), never in
the session cookie (no flash carries it), never in a log line. Every page is `no-store`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.web import problems
from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import (
    Cursor,
    ObjectId,
    back_to,
    confirmed,
    flash_error,
    form_cursor,
    refused_here,
    section_can_wait,
)
from services.web.session import CurrentAgent, Form, flash
from services.web.views import render, see_other

router = APIRouter(prefix="/webhooks")
DeliveryStatus = Literal["pending", "delivered", "dead_letter", "cancelled"]
# Final steps (docs/console.md, "Final steps ask first"): the boxes, in the page's words.
ROTATE_BOX = "Yes, replace the signing secret of {}"
DELETE_BOX = "Yes, delete endpoint {}"
LIST = "/agent/ops#hooks-title"
BRAND = "brand"  # the form's choice of no partner: the brand's own endpoint
# Refused before the API (the page's `required` aside): no partner chosen, no event type ticked.
_UNCHOSEN = (
    ("Choose whom the endpoint is for", "partner_required",
     "A partner (its API key), or the brand's own endpoint."),
    ("Choose at least one event type", "event_types_required",
     "Tick the events this partner receives, or a whole family."),
)  # fmt: skip

# `webhooks_target_refused` (403), by its `details.reason`: the target, not the agent, is refused.
TARGET = {
    "unresolvable": "The URL's host name could not be found: check it for typos",
    "https_required": problems.PLAIN["webhooks_https_required"],
    "scheme": problems.PLAIN["webhooks_invalid_endpoint"],
    "no_host": problems.PLAIN["webhooks_invalid_endpoint"],
    "bad_port": problems.PLAIN["webhooks_invalid_endpoint"],
}
PRIVATE = "The URL points into a private network, which Concierge never calls"


def _worded(exc: ApiError) -> ApiError:
    """The other registration refusals are worded by problems.PLAIN; this one by its reason."""
    if exc.code == "webhooks_target_refused":
        exc.title = TARGET.get(str(exc.details.get("reason")), PRIVATE)
    return exc


async def _families(api: Gateway) -> list[tuple[str, list[tuple[str, str]]]]:
    """The event types a webhook may deliver, from the gateway's AsyncAPI document (the same
    registry the API checks a registration against), grouped by family (`warranty.claim`)."""
    doc = await api.get("/asyncapi.json")
    messages = doc.get("components", {}).get("messages", {})
    families: dict[str, list[tuple[str, str]]] = {}
    for name, summary in sorted((str(m["name"]), str(m.get("summary") or ""))
                                for m in messages.values() if "name" in m):  # fmt: skip
        families.setdefault(name.rpartition(".")[0], []).append((name, summary))
    return sorted(families.items())


async def partners(api: Gateway) -> list[dict[str, Any]] | None:
    """The partners' API keys, by name (GET /v1/partners): whom an endpoint may be registered
    for, and whose each listed endpoint is (its `owner`). None: they cannot be read just now
    (the pages still work, owners shown by id)."""
    try:
        found: list[dict[str, Any]] = (await api.get("/v1/partners"))["items"]
    except ApiError as exc:
        if exc.status == 401 or not (exc.status in (403, 404) or section_can_wait(exc)):
            raise
        return None
    return found


async def _form_page(request: Request, api: Gateway, typed: dict[str, Any] | None = None) -> Response:  # fmt: skip
    """The registration form; `typed`: a refused one as the agent filled it in (422)."""
    families, keys = await asyncio.gather(_families(api), partners(api))
    live = [k for k in keys or [] if not k["revoked_at"]]
    if typed and typed.get("partner_key_id") not in {BRAND, *(k["key_id"] for k in live)}:
        # Revoked meanwhile (or not readable now): chosen again, never another one in its place.
        typed = {**typed, "partner_key_id": ""}
    return render(request, "ops_webhook_new.html", 422 if typed else 200,
                  page="/agent/ops/webhooks/new", families=families, BRAND=BRAND,
                  partners=live, partners_unreadable=keys is None,
                  typed=typed or {"url": "", "description": "", "event_types": []})  # fmt: skip


def _secret_page(request: Request, endpoint_id: str, secret: str,
                 endpoint: dict[str, Any] | None = None, until: str | None = None) -> Response:  # fmt: skip
    # Answered to the POST itself; the address shown is the endpoint's page, which has no secret.
    return render(request, "ops_webhook_secret.html", page=f"/agent/ops/webhooks/{endpoint_id}",
                  endpoint_id=endpoint_id, secret=secret, endpoint=endpoint, until=until)  # fmt: skip


@router.get("/new")
async def new_endpoint(request: Request, user: CurrentAgent, api: Api) -> Response:
    return await _form_page(request, api)


@router.post("")
async def register(request: Request, user: CurrentAgent, api: Api, form: Form) -> Response:
    body = {"url": str(form.get("url") or "").strip()[:2048],
            "event_types": [str(t)[:100] for t in form.getlist("event_types")][:50],
            "description": str(form.get("description") or "").strip()[:500]}  # fmt: skip
    partner = str(form.get("partner_key_id") or "")[:64]
    typed = {**body, "partner_key_id": partner}  # the form as filled in, for a refusal
    if partner != BRAND:  # the brand's own endpoint is this agent's: no key named
        body["partner_key_id"] = partner
    if not partner or not body["event_types"]:
        flash(request, "error", *_UNCHOSEN[0 if not partner else 1])
        return await _form_page(request, api, typed)
    try:
        created = await api.post("/v1/webhooks", body, idempotency_key=str(form.get("form_key")))
    except ApiError as exc:
        refused_here(request, _worded(exc), form.get("form_key"))
        return await _form_page(request, api, typed)
    return _secret_page(request, created["id"], created["secret"], endpoint=created)


def listed(form: FormData) -> tuple[str | None, str | None]:
    """The deliveries list a form on the endpoint's page was on: its state filter (only a known
    state, never echoed into an address otherwise) and page."""
    status = str(form.get("status") or "")
    return (status if status in get_args(DeliveryStatus) else None), (form_cursor(form) or None)


@router.get("/{endpoint_id}")
async def endpoint(request: Request, endpoint_id: ObjectId, user: CurrentAgent, api: Api,
                   status: Annotated[DeliveryStatus | None, Query()] = None,
                   cursor: Cursor = None) -> Response:  # fmt: skip
    return await endpoint_page(request, api, endpoint_id, status, cursor)


async def endpoint_page(request: Request, api: Gateway, endpoint_id: str, status: str | None,
                        cursor: str | None, typed: dict[str, str] | None = None) -> Response:  # fmt: skip
    """One endpoint and its deliveries (paged, filtered by state). `typed`: a refused form (a
    time range as filled in, or {} for a box left unticked), shown again with status 422."""
    hook, deliveries = await asyncio.gather(
        api.get(f"/v1/webhooks/{endpoint_id}"),
        api.get(f"/v1/webhooks/{endpoint_id}/deliveries", status=status, limit=100, cursor=cursor),
    )
    here = back_to(f"/agent/ops/webhooks/{endpoint_id}", status=status, cursor=cursor)
    return render(request, "ops_endpoint.html", 200 if typed is None else 422,
                  endpoint_id=endpoint_id, hook=hook, page=here, status=status, cursor=cursor,
                  deliveries=deliveries["items"], next_cursor=deliveries.get("next_cursor"),
                  typed=typed or {})  # fmt: skip


async def _not_done(request: Request, api: Gateway, endpoint_id: str, form: FormData) -> Response:
    """A final step refused (its box unticked, or by the API): the endpoint's page as it was,
    the same deliveries list, status 422."""
    return await endpoint_page(request, api, endpoint_id, *listed(form), typed={})


@router.post("/{endpoint_id}/replay")
async def replay(request: Request, endpoint_id: ObjectId, user: CurrentAgent, api: Api,
                 form: Form) -> Response:  # fmt: skip
    body = {k: str(form.get(k))[:64] for k in ("delivery_id", "since", "until") if form.get(k)}
    status, cursor = listed(form)
    try:
        result = await api.post(f"/v1/webhooks/{endpoint_id}/replay", body,
                                idempotency_key=str(form.get("form_key")))  # fmt: skip
    except ApiError as exc:
        if "delivery_id" in body:  # one row's button: nothing typed to keep
            flash_error(request, exc)
        else:
            refused_here(request, exc, form.get("form_key"))
            return await endpoint_page(request, api, endpoint_id, status, cursor, body)
    else:
        flash(request, "success", "Replay queued",
              detail=f"{len(result['replayed'])} deliveries will be sent again.")  # fmt: skip
    return see_other(back_to(f"/agent/ops/webhooks/{endpoint_id}", status=status, cursor=cursor))


@router.post("/{endpoint_id}/rotate-secret")
async def rotate_secret(request: Request, endpoint_id: ObjectId, user: CurrentAgent, api: Api,
                        form: Form) -> Response:  # fmt: skip
    if not confirmed(request, form, ROTATE_BOX.format(endpoint_id), "The secret was not replaced"):
        return await _not_done(request, api, endpoint_id, form)
    try:
        rotated = await api.post(f"/v1/webhooks/{endpoint_id}/rotate-secret",
                                 idempotency_key=str(form.get("form_key")))  # fmt: skip
    except ApiError as exc:
        refused_here(request, exc, form.get("form_key"))
        return await _not_done(request, api, endpoint_id, form)
    return _secret_page(request, endpoint_id, rotated["secret"],
                        until=rotated["previous_valid_until"])  # fmt: skip


@router.post("/{endpoint_id}/delete")
async def delete(request: Request, endpoint_id: ObjectId, user: CurrentAgent, api: Api,
                 form: Form) -> Response:  # fmt: skip
    if not confirmed(request, form, DELETE_BOX.format(endpoint_id), "The endpoint was not deleted"):
        return await _not_done(request, api, endpoint_id, form)
    try:
        await api.delete(f"/v1/webhooks/{endpoint_id}", str(form.get("form_key")))
    except ApiError as exc:
        if exc.status != 404:
            refused_here(request, exc, form.get("form_key"))
            return await _not_done(request, api, endpoint_id, form)
        flash_error(request, exc)  # gone already: its page would be a 404
        return see_other(LIST)
    flash(request, "success", "Endpoint deleted",
          detail=f"{endpoint_id} receives nothing more; deliveries still waiting for it were "
          "cancelled.")  # fmt: skip
    return see_other(LIST)
