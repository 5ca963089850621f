"""Agents: operations: webhook endpoints and their deliveries (dead letters, replay), the event
DLQ (events a consumer gave up on, replayable by agents with the `operations` scope), and
messages held after an interrupted hand-over, to settle."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes import operations_webhooks
from services.web.routes.agent import held_list
from services.web.routes.common import (
    Cursor,
    ObjectId,
    back_to,
    confirmed,
    flash_error,
    form_cursor,
    section_can_wait,
)
from services.web.session import CurrentAgent, Form, flash
from services.web.views import render, see_other

router = APIRouter(prefix="/agent/ops")
router.include_router(operations_webhooks.router)  # register, one endpoint, rotate, delete
# Recording a held message as sent cannot be undone (it is never handed over again): the box
# to tick, in the page's words (held_list.html).
SENT_BOX = "Yes, message {} was sent"


@router.get("")
async def operations(request: Request, user: CurrentAgent, api: Api,
                     cursor: Cursor = None) -> Response:  # fmt: skip
    hooks, letters, keys = await asyncio.gather(
        api.get("/v1/webhooks"), _dead_letters(api, cursor), operations_webhooks.partners(api)
    )
    return render(request, "ops.html", endpoints=hooks["items"], dead_letters=letters,
                  partner_names={k["key_id"]: k["name"] for k in keys or []},
                  cursor=cursor)  # fmt: skip


async def _dead_letters(api: Gateway, cursor: str | None) -> dict[str, Any]:
    """A page of the DLQ, oldest first, or why this agent cannot see it now: no `operations`
    scope, or the event bus not answering (503), which is when the rest of this page (the
    webhook endpoints, their replay) is needed most, so it still works."""
    try:
        page = await api.get("/v1/operations/dead-letters", limit=50, cursor=cursor)
    except ApiError as exc:
        if exc.status != 403 and not section_can_wait(exc):
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
    return see_other(back_to("/agent/ops", "#dlq-title", cursor=form_cursor(form)))


@router.post("/held/{message_id}")
async def settle(request: Request, message_id: ObjectId, user: CurrentAgent, api: Api,
                 form: Form) -> Response:  # fmt: skip
    outcome = str(form.get("outcome"))
    if outcome == "sent" and not confirmed(request, form, SENT_BOX.format(message_id),
                                           "Nothing was recorded"):  # fmt: skip
        return await held_list(request, api, form_cursor(form) or None, 422)
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
    return see_other(back_to("/agent", "#held-title", tab="held", cursor=form_cursor(form)))
