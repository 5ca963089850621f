"""Agents: one claim with its evidence (decoded label, review signals, timeline) and exactly the
actions its state allows; a refused action shows the API's problem detail."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.labels import AGENT_ACTIONS
from services.web.routes.common import ObjectId, confirmed, download, is_id, refused_here
from services.web.routes.warranty import check_page, open_claim_from, typed_claim
from services.web.session import CurrentAgent, Form, flash
from services.web.views import is_fragment, render, see_other

router = APIRouter(prefix="/agent/claims")

# Button -> (API step, body built from the form). `approve`/`reject` share the decision call.
STEPS: dict[str, str] = {
    "approve": "decision", "reject": "decision", "receive": "receipt",
    "start_inspection": "inspection", "start_repair": "repair",
    "start_replacement": "replacement", "issue_store_credit": "replacement",
    "ship_back": "shipment", "deliver": "delivery", "cancel": "cancel",
}  # fmt: skip
# Steps nothing brings back, and the box each asks to tick (the page shows the same words).
FINAL = {
    "cancel": ("Yes, cancel claim {}", "Nothing was cancelled"),
    "reject": ("Yes, reject claim {}", "The claim was not rejected"),
    "issue_store_credit": ("Yes, close claim {} with store credit", "No store credit was issued"),
}

# The inspection's plan (`resolution.kind`) names the way forward: the one step of repair or
# replacement it matches (store credit: neither, as no part and no stock was found).
PLAN_STEP = {"repair": "start_repair", "replace_same": "start_replacement",
             "replace_other": "start_replacement", "awaiting_customer_choice": "start_replacement",
             "store_credit": "issue_store_credit"}  # fmt: skip
REPAIR_OR_REPLACE = ("start_repair", "start_replacement")
# The carrier the ship-back form starts with, by the claim's region (the repair centre's usual
# one); empty where there is none to assume, for the agent to type.
CARRIERS = {"UK": "Royal Mail", "US": "UPS"}


def offered_steps(claim: dict[str, Any]) -> list[str]:
    """The steps the claim's state allows, of repair and replacement only the one its plan
    names; without a plan (none was made), every step the state allows. Store credit stays
    offered as the state allows: the policy's last resort, and the way on when the stock moved
    since the inspection (the API refuses a repair whose parts are gone)."""
    allowed = list(claim.get("allowed_actions") or [])
    planned = PLAN_STEP.get(str((claim.get("resolution") or {}).get("kind")))
    if planned is None:
        return allowed
    return [step for step in allowed if step not in REPAIR_OR_REPLACE or step == planned]


def _body(action: str, form: Any) -> dict[str, Any] | None:
    text = lambda name: str(form.get(name) or "").strip()  # noqa: E731
    if action in ("approve", "reject"):
        return {"approve": action == "approve", "reason": text("reason")}
    if action == "start_replacement":
        return {"style_code": text("style_code").upper() or None}
    if action == "issue_store_credit":
        return {"store_credit": True, "credit_amount": text("credit_amount") or None}
    if action == "ship_back":
        return {"carrier": text("carrier"), "tracking_number": text("tracking_number")}
    if action == "cancel":
        return {"reason": text("reason")}
    return None


def _typed(action: str, form: Any) -> dict[str, Any]:
    """What a step's form held, as typed (not as sent: the style is upper-cased for the API)."""
    fields = ("reason", "style_code", "credit_amount", "carrier", "tracking_number")
    return {"action": action, **{name: str(form.get(name) or "")[:500] for name in fields
                                 if form.get(name) is not None}}  # fmt: skip


async def _decoded_label(api: Gateway, claim: dict[str, Any]) -> dict[str, Any] | None:
    code = claim["item"].get("label_code")
    if not code:
        return None
    try:
        result: dict[str, Any] = await api.post("/v1/labels/decode", {"code": code})
        return result
    except ApiError:
        return None  # the claim page stays useful without it


@router.post("")
async def open_for_customer(request: Request, user: CurrentAgent, api: Api, form: Form) -> Response:
    """An agent on the phone opens the claim for the customer (the API records who did)."""
    customer_id = str(form.get("customer_id") or "").strip()
    if not is_id(customer_id):
        flash(request, "error", "Which customer?", "customer_id_missing",
              "Type the customer's id to open the claim for them.")  # fmt: skip
        return await check_page(request, api, str(form.get("label_code") or ""),
                                str(form.get("region") or ""), typed_claim(form), 422)  # fmt: skip
    return await open_claim_from(request, api, form, "/agent/claims", customer_id)


@router.get("/{claim_id}")
async def claim_page(request: Request, claim_id: ObjectId, user: CurrentAgent, api: Api) -> Response:  # fmt: skip
    return await _claim_page(request, api, claim_id)


async def _claim_page(request: Request, api: Gateway, claim_id: str,
                      typed: dict[str, Any] | None = None) -> Response:  # fmt: skip
    """The claim as it is now; `typed`: a refused step's form as the agent filled it in, shown
    again with status 422 (nothing was done, and what they wrote is not lost)."""
    claim, timeline = await asyncio.gather(
        api.get(f"/v1/claims/{claim_id}"), api.get(f"/v1/claims/{claim_id}/timeline")
    )
    steps = offered_steps(claim)
    if is_fragment(request):
        return render(request, "agent_claim_live.html", claim=claim, entries=timeline["entries"],
                      actions=AGENT_ACTIONS, allowed=steps, carriers=CARRIERS)  # fmt: skip
    label = await _decoded_label(api, claim)
    return render(request, "agent_claim.html", 422 if typed else 200, claim=claim,
                  page=f"/agent/claims/{claim_id}", allowed=steps,
                  entries=timeline["entries"], label=label, actions=AGENT_ACTIONS,
                  typed=typed or {}, carriers=CARRIERS)  # fmt: skip


@router.get("/{claim_id}/photo")
async def evidence_photo(claim_id: ObjectId, user: CurrentAgent, api: Api) -> Response:
    """The label photo the claim was opened from, served from the console's origin (the page's
    CSP allows images from 'self' only); the API decides who may see it."""
    photo = await download(api, f"/v1/claims/{claim_id}/photo")
    photo.headers["Cache-Control"] = "private, no-store"
    return photo


@router.post("/{claim_id}/{action}")
async def act(request: Request, claim_id: ObjectId, action: str, user: CurrentAgent, api: Api,
              form: Form) -> Response:  # fmt: skip
    if action not in STEPS:
        flash(request, "error", "Unknown action", "unknown_action", action[:40])
        return see_other(f"/agent/claims/{claim_id}")
    box, undone = FINAL.get(action, ("", ""))
    if box and not confirmed(request, form, box.format(claim_id), undone):
        return await _claim_page(request, api, claim_id, _typed(action, form))
    try:
        claim = await api.post(f"/v1/claims/{claim_id}/{STEPS[action]}", _body(action, form),
                               idempotency_key=str(form.get("form_key")))  # fmt: skip
    except ApiError as exc:
        refused_here(request, exc, form.get("form_key"))
        return await _claim_page(request, api, claim_id, _typed(action, form))
    flash(request, "success", AGENT_ACTIONS.get(action, action),
          detail=f"Claim {claim_id} is now {claim['status'].replace('_', ' ')}.")  # fmt: skip
    return see_other(f"/agent/claims/{claim_id}")
