"""Customers: the in-app inbox (live), notification preferences, quiet hours, contact, locale."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.labels import CHANNELS
from services.web.routes.common import ObjectId, flash_error
from services.web.session import CurrentCustomer, Form, flash, set_locale
from services.web.views import is_fragment, render, see_other

router = APIRouter()


async def _contact(api: Gateway, locale: str) -> dict[str, Any]:
    """The saved contact details, or an empty form for a customer who has none yet."""
    try:
        contact: dict[str, Any] = await api.get("/v1/me/contact")
        return contact
    except ApiError as exc:
        if exc.status != 404:
            raise
        return {"name": "", "email": None, "phone": None, "push_tokens": [], "locale": locale,
                "time_zone": None}  # fmt: skip


@router.get("/inbox")
async def inbox(request: Request, user: CurrentCustomer, api: Api) -> Response:
    page = await api.get("/v1/me/notifications", limit=50)
    template = "inbox_live.html" if is_fragment(request) else "inbox.html"
    return render(request, template, items=page["items"])


@router.post("/inbox/{item_id}/read")
async def mark_read(request: Request, item_id: ObjectId, user: CurrentCustomer, api: Api,
                    form: Form) -> Response:  # fmt: skip
    try:
        await api.post(f"/v1/me/notifications/{item_id}/read")
    except ApiError as exc:
        flash_error(request, exc)
    return see_other("/inbox")


@router.get("/settings")
async def settings_page(request: Request, user: CurrentCustomer, api: Api) -> Response:
    contact, preferences = await asyncio.gather(
        _contact(api, user.locale), api.get("/v1/me/preferences")
    )
    return render(request, "settings.html", contact=contact, prefs=preferences, channels=CHANNELS)


@router.post("/settings/contact")
async def save_contact(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    current = await _contact(api, user.locale)
    body: dict[str, Any] = {
        "name": str(form.get("name") or ""),
        "email": str(form.get("email") or "") or None,
        "phone": str(form.get("phone") or "") or None,
        "push_tokens": current.get("push_tokens", []),  # managed by the mobile app, kept as is
        "locale": str(form.get("locale") or "en-GB"),
        "time_zone": str(form.get("time_zone") or "") or None,
    }
    try:
        saved = await api.put("/v1/me/contact", body)
        set_locale(request, saved["locale"] if saved["locale"] in ("en-GB", "en-US") else "en-GB")
        flash(request, "success", "Contact details saved")
    except ApiError as exc:
        flash_error(request, exc)
    return see_other("/settings")


@router.post("/settings/preferences")
async def save_preferences(request: Request, user: CurrentCustomer, api: Api,
                           form: Form) -> Response:  # fmt: skip
    current = await api.get("/v1/me/preferences")
    start, end = str(form.get("quiet_start") or ""), str(form.get("quiet_end") or "")
    body: dict[str, Any] = {
        "transactional": [c for c in form.getlist("transactional") if c in CHANNELS],
        "marketing": [c for c in form.getlist("marketing") if c in CHANNELS],
        "kind_overrides": current.get("kind_overrides", {}),
        "quiet_hours": {"start": start, "end": end} if start and end else None,
    }
    try:
        await api.put("/v1/me/preferences", body)
        flash(request, "success", "Preferences saved")
    except ApiError as exc:
        flash_error(request, exc)
    return see_other("/settings")
