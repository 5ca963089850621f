"""Customers: the in-app inbox (live), notification preferences, quiet hours, contact, locale."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.contact_form import contact_body, empty_contact
from services.web.deps import Api
from services.web.formatting import LOCALES
from services.web.labels import CHANNELS
from services.web.routes.common import (
    Cursor,
    ObjectId,
    back_to,
    flash_error,
    form_cursor,
    refused_here,
)
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
        return empty_contact(locale)


@router.get("/inbox")
async def inbox(request: Request, user: CurrentCustomer, api: Api, cursor: Cursor = None) -> Response:  # fmt: skip
    page = await api.get("/v1/me/notifications", limit=50, cursor=cursor)
    template = "inbox_live.html" if is_fragment(request) else "inbox.html"
    return render(request, template, items=page["items"], next_cursor=page.get("next_cursor"),
                  cursor=cursor)  # fmt: skip


@router.post("/inbox/{item_id}/read")
async def mark_read(request: Request, item_id: ObjectId, user: CurrentCustomer, api: Api,
                    form: Form) -> Response:  # fmt: skip
    try:
        await api.post(f"/v1/me/notifications/{item_id}/read")
    except ApiError as exc:
        flash_error(request, exc)
    return see_other(back_to("/inbox", cursor=form_cursor(form)))


async def _settings_page(request: Request, api: Gateway, locale: str,
                         contact: dict[str, Any] | None = None,
                         prefs: dict[str, Any] | None = None) -> Response:  # fmt: skip
    """The settings page; a refused form's values (`contact` or `prefs`) are shown as typed, with
    status 422: nothing was saved, and nothing they typed is lost."""
    saved_contact, saved_prefs = await asyncio.gather(
        _contact(api, locale), api.get("/v1/me/preferences")
    )
    kept = contact is not None or prefs is not None
    return render(request, "settings.html", 422 if kept else 200, page="/settings",
                  contact=contact or saved_contact, prefs=prefs or saved_prefs,
                  channels=CHANNELS)  # fmt: skip


@router.get("/settings")
async def settings_page(request: Request, user: CurrentCustomer, api: Api) -> Response:
    return await _settings_page(request, api, user.locale)


@router.post("/settings/contact")
async def save_contact(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    body = contact_body(form, await _contact(api, user.locale))
    try:
        saved = await api.put("/v1/me/contact", body)
    except ApiError as exc:
        refused_here(request, exc)
        return await _settings_page(request, api, user.locale, contact=body)
    set_locale(request, saved["locale"] if saved["locale"] in LOCALES else "en-GB")
    flash(request, "success", "Contact details saved")
    return see_other("/settings")


@router.post("/settings/preferences")
async def save_preferences(request: Request, user: CurrentCustomer, api: Api,
                           form: Form) -> Response:  # fmt: skip
    current = await api.get("/v1/me/preferences")
    start, end = str(form.get("quiet_start") or "")[:8], str(form.get("quiet_end") or "")[:8]
    body: dict[str, Any] = {
        "transactional": [c for c in form.getlist("transactional") if c in CHANNELS],
        "marketing": [c for c in form.getlist("marketing") if c in CHANNELS],
        "kind_overrides": current.get("kind_overrides", {}),
        "quiet_hours": {"start": start, "end": end} if start and end else None,
    }
    if bool(start) != bool(end):  # one end alone would save no quiet hours at all
        flash(request, "error", "Quiet hours need both times", "quiet_hours_incomplete",
              "Give the time they start and the time they end, or clear both.")  # fmt: skip
        return await _settings_page(request, api, user.locale,
                                    prefs={**body, "quiet_hours": {"start": start, "end": end}})  # fmt: skip
    try:
        await api.put("/v1/me/preferences", body)
    except ApiError as exc:
        refused_here(request, exc)
        return await _settings_page(request, api, user.locale, prefs=body)
    flash(request, "success", "Preferences saved")
    return see_other("/settings")
