"""Agents: the queue, in tabs (review, repair centre by urgency, held messages) and search."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import Cursor, back_to, is_id, section_can_wait
from services.web.session import CurrentAgent
from services.web.views import render, see_other

router = APIRouter(prefix="/agent")
Tab = Literal["review", "centre", "held", "search"]


@router.get("")
async def queue(request: Request, user: CurrentAgent, api: Api,
                tab: Annotated[Tab, Query()] = "review",
                cursor: Cursor = None) -> Response:  # fmt: skip
    """One API call per tab: the list the tab shows, nothing per row; and, on the tabs about
    claims, the turnaround alarm in the header (two counts)."""
    if tab == "held":
        return await held_list(request, api, cursor)
    data: dict[str, Any] = {}
    if tab == "review":
        # Served in turn: the claim waiting longest first, and past the first hundred the rest
        # are one link away (a queue that hid its oldest claims would hide the longest waits).
        page, data["alarm"] = await asyncio.gather(
            api.get("/v1/claims", status="needs_review", order="oldest", limit=100,
                    cursor=cursor),
            sla_alarm(api),
        )  # fmt: skip
        data["claims"], data["claims_next"] = page["items"], page.get("next_cursor")
    elif tab == "centre":
        data["board"], data["alarm"] = await asyncio.gather(
            api.get("/v1/warranty/sla"), sla_alarm(api)
        )
    else:
        data["alarm"] = await sla_alarm(api)
    return render(request, "agent_queue.html", tab=tab, cursor=cursor, **data)


async def sla_alarm(api: Gateway) -> dict[str, Any]:
    """How many claims at the repair centre are late, and how many more are at risk of missing
    the one-week turnaround (`?sla=at_risk` counts the late ones too), so the queue raises the
    alarm before the week slips; a hundred of either reads "100+". A service briefly away
    blanks only this line."""
    try:
        risky, late = await asyncio.gather(
            api.get("/v1/claims", sla="at_risk", limit=100),
            api.get("/v1/claims", sla="breached", limit=100),
        )
    except ApiError as exc:
        if not section_can_wait(exc):
            raise
        return {"unavailable": exc}

    def count(page: dict[str, Any], less: int = 0) -> str:
        shown = len(page["items"])
        # Two reads a moment apart: a claim turning late between them is not counted twice.
        return f"{shown}+" if page.get("next_cursor") else str(max(0, shown - less))

    return {"late": count(late), "at_risk": count(risky, len(late["items"]))}


async def held_list(request: Request, api: Gateway, cursor: str | None,
                    status_code: int = 200) -> Response:  # fmt: skip
    """Queue > Held messages at the page `cursor` names; 422: a settling the console refused
    (its box left unticked), shown on the list it came from, whose address the page names."""
    # Paged: past the first hundred, older held messages are one link away, never hidden.
    page = await api.get("/v1/messages/held", limit=100, cursor=cursor)
    return render(request, "agent_queue.html", status_code, tab="held", cursor=cursor,
                  page=back_to("/agent", tab="held", cursor=cursor),
                  held=page["items"], held_next=page.get("next_cursor"))  # fmt: skip


@router.get("/search")
async def search(
    request: Request,
    user: CurrentAgent,
    api: Api,
    kind: Annotated[Literal["claim", "rma", "customer", "order"], Query()] = "claim",
    q: Annotated[str, Query(max_length=64)] = "",
    customer: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Straight to the object: a claim id, an RMA number, a customer id, or an order id (its
    customer's id may be given too, and is then checked)."""
    q, customer = q.strip(), customer.strip()
    problem = None
    if not is_id(q):
        problem = "Type an id: letters, digits and - _ . : only."
    elif kind == "customer":
        return see_other(f"/agent/customers/{q}")
    elif kind == "order":
        owner = customer if is_id(customer) else await _order_owner(api, q)
        if owner:
            return see_other(f"/agent/customers/{owner}/orders/{q}")
        problem = f"No order {q}."
    elif kind == "rma":
        claim_id = await _claim_by_rma(api, q.upper())
        if claim_id:
            return see_other(f"/agent/claims/{claim_id}")
        problem = f"No claim has RMA number {q} (they read RMA-YYYYMMDD-XXXXXX)."
    else:
        try:
            await api.get(f"/v1/claims/{q}")
            return see_other(f"/agent/claims/{q}")
        except ApiError as exc:
            if exc.status != 404:
                raise
            problem = f"No claim {q}."
    return render(request, "agent_queue.html", tab="search", problem=problem, kind=kind, q=q,
                  customer=customer, status_code=404 if problem else 200)  # fmt: skip


async def _claim_by_rma(api: Gateway, rma: str) -> str | None:
    try:
        found = (await api.get("/v1/claims", rma=rma, limit=1))["items"]
    except ApiError as exc:
        if exc.status != 422:  # 422: not shaped like an RMA number
            raise
        return None
    return str(found[0]["id"]) if found else None


async def _order_owner(api: Gateway, order_id: str) -> str | None:
    """The customer of an order found by its id alone (agents may read any order)."""
    try:
        return str((await api.get(f"/v1/orders/{order_id}"))["customer_id"])
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None
