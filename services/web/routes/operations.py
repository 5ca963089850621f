"""Agents: operations: webhook endpoints and their deliveries (dead letters, replay), the event
DLQ (events a consumer gave up on, replayable by agents with the `operations` scope), and
messages held after an interrupted hand-over, to settle."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import ObjectId, flash_error
from services.web.session import CurrentAgent, Form, flash
from services.web.views import render, see_other

router = APIRouter(prefix="/agent/ops")
DeliveryStatus = Literal["pending", "delivered", "dead_letter", "cancelled"]


@router.get("")
async def operations(request: Request, user: CurrentAgent, api: Api,
                     cursor: Annotated[str | None, Query(max_length=512)] = None) -> Response:  # fmt: skip
    hooks, letters = await asyncio.gather(api.get("/v1/webhooks"), _dead_letters(api, cursor))
    return render(request, "ops.html", endpoints=hooks["items"], dead_letters=letters)


async def _dead_letters(api: Gateway, cursor: str | None) -> dict[str, Any]:
    """A page of the DLQ, oldest first, or why this agent cannot see it (no `operations`
    scope: the rest of the page still works)."""
    try:
        page = await api.get("/v1/operations/dead-letters", limit=50, cursor=cursor)
    except ApiError as exc:
        if exc.status != 403:
            raise
        return {"items": [], "refused": exc}
    return {"items": page["items"], "next_cursor": page["next_cursor"], "refused": None}


@router.post("/dead-letters/{letter_id}/replay")
async def replay_dead_letter(request: Request, letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
                             user: CurrentAgent, api: Api, form: Form) -> Response:  # fmt: skip
    try:
        letter = await api.post(f"/v1/operations/dead-letters/{letter_id}/replay",
                                idempotency_key=str(form.get("form_key")))  # fmt: skip
        flash(request, "success", "Event replayed",
              detail=f"{letter['subject']} was published again for {letter['consumer']}.")  # fmt: skip
    except ApiError as exc:
        flash_error(request, exc)
    return see_other("/agent/ops#dlq-title")


@router.get("/webhooks/{endpoint_id}")
async def endpoint(request: Request, endpoint_id: ObjectId, user: CurrentAgent, api: Api,
                   status: Annotated[DeliveryStatus | None, Query()] = None) -> Response:  # fmt: skip
    deliveries = await api.get(f"/v1/webhooks/{endpoint_id}/deliveries", status=status, limit=100)
    return render(request, "ops_endpoint.html", endpoint_id=endpoint_id, status=status,
                  deliveries=deliveries["items"])  # fmt: skip


@router.post("/webhooks/{endpoint_id}/replay")
async def replay(request: Request, endpoint_id: ObjectId, user: CurrentAgent, api: Api,
                 form: Form) -> Response:  # fmt: skip
    body = {k: str(form.get(k)) for k in ("delivery_id", "since", "until") if form.get(k)}
    try:
        result = await api.post(f"/v1/webhooks/{endpoint_id}/replay", body,
                                idempotency_key=str(form.get("form_key")))  # fmt: skip
        flash(request, "success", "Replay queued",
              detail=f"{len(result['replayed'])} deliveries will be sent again.")  # fmt: skip
    except ApiError as exc:
        flash_error(request, exc)
    return see_other(f"/agent/ops/webhooks/{endpoint_id}")


@router.post("/held/{message_id}")
async def settle(request: Request, message_id: ObjectId, user: CurrentAgent, api: Api,
                 form: Form) -> Response:  # fmt: skip
    outcome = str(form.get("outcome"))
    try:
        await api.post(f"/v1/messages/held/{message_id}/resolve", {"outcome": outcome},
                       idempotency_key=str(form.get("form_key")))  # fmt: skip
        flash(
            request,
            "success",
            "Held message settled",
            detail="Recorded as sent." if outcome == "sent" else "It will be sent again.",
        )
    except ApiError as exc:
        flash_error(request, exc)
    return see_other("/agent?tab=held")
