"""Customers: check an item's warranty from its label, open a claim, follow it to the end."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.web import labels
from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.labels import CAUSES, COMPONENTS, REGIONS
from services.web.routes.agent_customers import customer_contact
from services.web.routes.common import (
    ObjectId,
    back_to,
    confirmed,
    download,
    is_id,
    refused_here,
    start_region,
)
from services.web.session import CurrentCustomer, CurrentUser, Form, flash
from services.web.views import is_fragment, page_locale, render, see_other

router = APIRouter()


@router.get("/warranty")
async def warranty_check(
    request: Request,
    user: CurrentUser,
    api: Api,
    code: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=2)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """One API call: the coverage check decodes the label too (with look-alike corrections).
    An agent checking for a customer (`customer_id`, from the customer's page) also reads whose
    contact details those are, to show beside Open claim."""
    for_customer = customer_id if user.is_agent else None
    return await check_page(request, api, code, region, customer_id=for_customer)


async def _verdict(api: Gateway, code: str | None, region: str) -> tuple[Any, Any]:
    """The coverage verdict for a typed code, or the problem with it (and its facts)."""
    if not (code and code.strip()):
        return None, None
    try:
        return await api.post("/v1/warranty/check",
                              {"region": region, "label_code": code.strip()}), None  # fmt: skip
    except ApiError as exc:
        if exc.status >= 500 or exc.status == 401:  # 401: sign in again (app.py), not inline
            raise
        # The facts behind a refused code (which characters to re-check, the valid readings)
        # are shown with it: "re-check the marked characters" needs them marked.
        return None, {**exc.as_flash(), "details": exc.details}


async def _whose(api: Gateway, customer_id: str | None) -> dict[str, Any] | None:
    """The contact details of the customer an agent acts for: {"missing": True} when there are
    none (a mistyped id looks just like that), None when no customer is named."""
    if customer_id is None:
        return None
    return await customer_contact(api, customer_id) or {"missing": True}


async def check_page(request: Request, api: Gateway, code: str | None, region: str | None,
                     typed: dict[str, Any] | None = None, status_code: int = 200,
                     customer_id: str | None = None,
                     refused: dict[str, Any] | None = None) -> Response:  # fmt: skip
    """The check's page; `typed`: what a refused claim form held, filled in again;
    `customer_id`: the customer an agent acts for; `refused`: a refused claim's details."""
    region = (
        region if region in REGIONS else start_region(request, page_locale(request), customer_id)
    )
    customer_id = customer_id if customer_id and is_id(customer_id) else None
    (verdict, problem), contact = await asyncio.gather(
        _verdict(api, code, region), _whose(api, customer_id)
    )
    # A refused claim form is served at its POST address: the page names its own.
    page = None
    if request.method == "POST":
        page = back_to("/warranty", code=(code or "").strip(), region=region,
                       customer_id=customer_id)  # fmt: skip
    return render(request, "warranty.html", status_code, page=page, code=code or "", region=region,
                  regions=REGIONS, verdict=verdict, problem=problem, components=COMPONENTS,
                  causes=CAUSES, typed=typed or {}, customer_id=customer_id, contact=contact,
                  refused=refused or {})  # fmt: skip


def typed_claim(form: FormData) -> dict[str, Any]:
    """What a claim form held, to fill it in again."""
    return {"components": form.getlist("components"), "cause": form.get("cause"),
            "description": str(form.get("description") or "")[:2000],
            "customer_id": str(form.get("customer_id") or "")[:64]}  # fmt: skip


async def open_claim_from(request: Request, api: Gateway, form: FormData, page: str,
                          customer_id: str | None = None) -> Response:  # fmt: skip
    """Open a claim from a covered verdict; `customer_id` when an agent opens it for them."""
    body: dict[str, Any] = {
        "region": form.get("region"),
        "label_code": form.get("label_code"),
        "components": form.getlist("components"),
        "cause": form.get("cause") or "manufacturing_defect",
        "description": str(form.get("description") or "")[:2000],
        "customer_id": customer_id,
    }
    try:
        claim = await api.post("/v1/claims", body, idempotency_key=str(form.get("form_key")))
    except ApiError as exc:
        refused_here(request, exc, form.get("form_key"))
        # The same check again with the form as they filled it: a refusal never costs them
        # the description they wrote (nothing was opened; the form gets a fresh key). Its
        # details (the claim already open for this item) are shown with it.
        return await check_page(request, api, str(body["label_code"] or ""),
                                str(body["region"] or ""), typed_claim(form), 422,
                                customer_id, exc.details)  # fmt: skip
    # The status in the customer's words (an agent opening it for them reads the same sentence).
    status = labels.claim_status(str(claim["status"]))
    flash(request, "success", "Claim opened", detail=f"Claim {claim['id']}: {status}.")
    return see_other(f"{page}/{claim['id']}")


@router.post("/claims")
async def open_claim(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    return await open_claim_from(request, api, form, "/claims")


@router.get("/claims")
async def my_claims(request: Request, user: CurrentCustomer, api: Api) -> Response:
    page = await api.get("/v1/claims", limit=50)
    return render(request, "claims.html", claims=page["items"])


@router.get("/claims/{claim_id}")
async def claim_page(request: Request, claim_id: ObjectId, user: CurrentCustomer, api: Api) -> Response:  # fmt: skip
    return await _claim_page(request, api, claim_id)


async def _claim_page(request: Request, api: Gateway, claim_id: str,
                      kept_reason: str | None = None) -> Response:  # fmt: skip
    """The claim as it is now; `kept_reason`: a refused cancellation's reason, shown again with
    status 422 (nothing was cancelled, and what she wrote is not lost)."""
    claim, timeline = await asyncio.gather(
        api.get(f"/v1/claims/{claim_id}"), api.get(f"/v1/claims/{claim_id}/timeline")
    )
    template = "claim_live.html" if is_fragment(request) else "claim.html"
    return render(request, template, 200 if kept_reason is None else 422, claim=claim,
                  page=f"/claims/{claim_id}",
                  entries=timeline["entries"], kept_reason=kept_reason)  # fmt: skip


@router.post("/claims/{claim_id}/cancel")
async def cancel_claim(request: Request, claim_id: ObjectId, user: CurrentCustomer, api: Api,
                       form: Form) -> Response:  # fmt: skip
    reason = str(form.get("reason") or "")[:500]
    if not confirmed(request, form, f"Yes, cancel claim {claim_id}"):
        return await _claim_page(request, api, claim_id, reason)
    try:
        await api.post(f"/v1/claims/{claim_id}/cancel", {"reason": reason})
    except ApiError as exc:
        refused_here(request, exc)
        return await _claim_page(request, api, claim_id, reason)
    flash(request, "success", "Claim cancelled")
    return see_other(f"/claims/{claim_id}")


@router.get("/claims/{claim_id}/rma.pdf")
async def rma_form(claim_id: ObjectId, user: CurrentUser, api: Api) -> Response:
    return await download(api, f"/v1/claims/{claim_id}/rma.pdf")


@router.get("/claims/{claim_id}/thank-you-card.pdf")
async def thank_you_card(claim_id: ObjectId, user: CurrentUser, api: Api) -> Response:
    return await download(api, f"/v1/claims/{claim_id}/thank-you-card.pdf")
