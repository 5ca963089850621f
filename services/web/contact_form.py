"""The contact-details form, as a customer fills it in Settings and an agent on the phone fills
it for her (`PUT /v1/me/contact`, with `customer_id` for an agent): the same fields, bounds and
kept values for both."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from services.web.formatting import ZONES


def empty_contact(locale: str) -> dict[str, Any]:
    """The form for a customer who has no contact details yet."""
    return {"name": "", "email": None, "phone": None, "push_tokens": [], "locale": locale,
            "time_zone": None}  # fmt: skip


def contact_body(form: FormData, current: dict[str, Any]) -> dict[str, Any]:
    """The PUT's body from the form. The API replaces the whole record, so what the form does not
    show is carried over from `current`: the push tokens the mobile app registered (never typed
    by a person) and, where the form has no such field, the time zone."""
    locale = str(form.get("locale") or current.get("locale") or "en-GB")[:16]
    return {
        "name": str(form.get("name") or "")[:200],
        "email": str(form.get("email") or "").strip()[:320] or None,
        "phone": str(form.get("phone") or "").strip()[:32] or None,
        "push_tokens": current.get("push_tokens", []),
        "locale": locale,
        "time_zone": str(_time_zone(form, current, locale) or "")[:64] or None,
    }


def _time_zone(form: FormData, current: dict[str, Any], locale: str) -> object:
    """The zone typed, or the one kept. The service stores the zone a language implies when none
    was given (en-GB: London), so a kept zone that is merely the old language's default goes
    with it: from en-GB to en-US without a zone typed, quiet hours follow New York, not London."""
    if "time_zone" in form:
        return form.get("time_zone")
    kept = current.get("time_zone")
    if locale != current.get("locale") and kept == ZONES.get(str(current.get("locale"))):
        return None  # the service fills in the new language's zone
    return kept
