"""Agents: the queue, in tabs (review, repair centre by urgency, held messages) and search."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import Cursor, back_to, is_id, section_can_wait
from services.web.session import CurrentAgent, Form, User
from services.web.views import render, see_other

router = APIRouter(prefix="/agent")
Tab = Literal["review", "centre", "held", "search"]
SearchKind = Literal["claim", "rma", "customer", "order", "email", "phone"]
SEARCH_KINDS = get_args(SearchKind)
# What a search answers shows this address, not the POST's (services/web/views.py::render).
SEARCH_PAGE = "/agent?tab=search"
CALLER_WORDS = {"email": "the email address", "phone": "the phone number"}
CALLER_SHAPE = {
    "email": "Type the whole email address, like name@example.co.uk.",
    "phone": "Type the number with its country code, like +44 7700 900123.",
}
# The repair centre narrowed to the claims the alarm counts (late, or at risk of being late).
SlaFilter = Annotated[Literal["due"] | None, Query()]
DUE = ("breached", "at_risk")


@router.get("")
async def queue(request: Request, user: CurrentAgent, api: Api,
                tab: Annotated[Tab, Query()] = "review",
                cursor: Cursor = None, sla: SlaFilter = None) -> Response:  # fmt: skip
    """One API call per tab: the list the tab shows, nothing per row; and, on the tabs about
    claims, the turnaround alarm in the header (two counts, read afresh: the menu's kept
    counts are brought up to date with them)."""
    if tab == "held":
        return await held_list(request, api, cursor)
    data = await _claims_tab(api, tab, cursor)
    request.app.state.alarms.put(user.token, data["alarm"])
    if sla and "board" in data:
        data["board"]["items"] = [i for i in data["board"]["items"] if i.get("sla") in DUE]
    return render(request, "agent_queue.html", tab=tab, cursor=cursor, sla=sla, **data)


async def _claims_tab(api: Gateway, tab: str, cursor: str | None) -> dict[str, Any]:
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
    return data


@router.get("/alarm")
async def menu_alarm(request: Request, user: CurrentAgent, api: Api) -> Response:
    """The menu's turnaround count, loaded by htmx after each agent page (services/web/alarm.py):
    the kept counts, or read now. Anything but signing in again leaves the plain link to the
    queue (never an error page in the menu, nor a retry that would ask again and again)."""
    alarm = await _kept_or_read(request, user, api)
    return render(request, "alarm_nav.html", nav_alarm=alarm or {"unavailable": True})


async def _kept_or_read(request: Request, user: User, api: Gateway) -> dict[str, Any] | None:
    cache = request.app.state.alarms
    alarm: dict[str, Any] | None = cache.get(user.token)
    if alarm is None:
        try:
            alarm = await sla_alarm(api)
        except ApiError as exc:
            if exc.status == 401:
                raise
            return None
        cache.put(user.token, alarm)
    return alarm


async def sla_alarm(api: Gateway) -> dict[str, Any]:
    """How many claims at the repair centre are late, and how many more are at risk of missing
    the one-week turnaround (`?sla=at_risk` counts the late ones too), so the queue and the menu
    raise the alarm before the week slips; a hundred of either reads "100+". A service briefly
    away blanks only the alarm ({"unavailable": the problem})."""
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
async def search_form(user: CurrentAgent) -> Response:
    """The search's address from when it was a GET form: to the form, whatever the query held
    (an old bookmark or a link finds the form, and nothing in its query is searched for)."""
    return see_other(SEARCH_PAGE)


@router.post("/search")
async def search(request: Request, user: CurrentAgent, api: Api, form: Form) -> Response:
    """Straight to the object: a claim id, an RMA number, a customer id, or an order id (its
    customer's id may be given too, and is then checked); or the customer a caller is, by the
    email address or phone number she gives (several customers sharing one are listed).

    Posted, not a GET: what is typed here is often a caller's email address or phone number,
    which an address would keep in the browser's history and in every proxy's access log. One
    match is a redirect to an address of ids only; anything else is this POST's answer, which
    names the search tab as its address (`page`): a reload asks for the form, not the post."""
    kind, q, customer = _search_terms(form)
    problem = None
    if kind in ("email", "phone"):
        return await _find_caller(request, api, kind, q)
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
    return render(request, "agent_queue.html", 404 if problem else 200, tab="search",
                  page=SEARCH_PAGE, problem=problem, kind=kind, q=q,
                  customer=customer)  # fmt: skip


def _search_terms(form: FormData) -> tuple[str, str, str]:
    """What to find, as typed (trimmed); an unknown kind is a claim id, the form's default. The
    value is cut one past the longest email address (320): the page echoes no more than that,
    and the API still refuses it as malformed (an id is checked here, at most 64)."""
    kind = str(form.get("kind") or "claim")
    q = str(form.get("q") or "")[:321].strip()
    customer = str(form.get("customer") or "")[:65].strip()
    return (kind if kind in SEARCH_KINDS else "claim"), q, customer


async def _find_caller(request: Request, api: Gateway, kind: str, q: str) -> Response:
    """One customer: her page. Several (a family's shared address): the list to choose from.
    None, or a malformed address or number: the search again, saying so."""
    matches: list[dict[str, Any]] = []
    problem: str | None
    try:
        matches = (await api.get("/v1/customers", **{kind: q}))["items"]
    except ApiError as exc:
        if exc.status != 422:
            raise
        problem, status = CALLER_SHAPE[kind], 422
    else:
        if len(matches) == 1:
            return see_other(f"/agent/customers/{matches[0]['customer_id']}")
        problem = None if matches else f"No customer has {CALLER_WORDS[kind]} {q}."
        status = 200 if matches else 404
    return render(request, "agent_queue.html", status, tab="search", page=SEARCH_PAGE,
                  problem=problem, kind=kind, q=q, matches=matches)  # fmt: skip


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
