"""Agents: operations: webhook endpoints and their deliveries (dead letters, replay), and
messages held after an interrupted hand-over, to settle."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.web.api import ApiError
from services.web.deps import Api
from services.web.routes.common import ObjectId, flash_error
from services.web.session import CurrentAgent, Form, flash
from services.web.views import render, see_other

router = APIRouter(prefix="/agent/ops")
DeliveryStatus = Literal["pending", "delivered", "dead_letter", "cancelled"]


@router.get("")
async def operations(request: Request, user: CurrentAgent, api: Api) -> Response:
    endpoints = (await api.get("/v1/webhooks"))["items"]
    return render(request, "ops.html", endpoints=endpoints)


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
