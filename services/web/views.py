"""Rendering: Jinja2 templates with the signed-in user, the CSRF token, a one-shot message and
formatters bound to the reader's locale."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from services.web import formatting, labels
from services.web.session import OPERATIONS, csrf_token, pop_flash

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html
templates.env.globals["labels"] = labels


class Formats:
    """`fmt.money(...)`, `fmt.day(...)`, `fmt.moment(...)` in templates, in one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def money(self, amount: Any, currency: str | None) -> str:
        return formatting.money(amount, currency, self.locale)

    def country(self, code: str | None) -> str:
        return formatting.country(code, self.locale)

    def rate(self, value: str | None) -> str:
        return formatting.rate(value, self.locale)

    def percent(self, value: str | None) -> str:
        return formatting.percent(value, self.locale)

    def share(self, value: float | None, digits: int = 2) -> str:
        return formatting.share(value, self.locale, digits)

    def count(self, value: int | float | None) -> str:
        return formatting.count(value, self.locale)

    def probability(self, value: float | None) -> str:
        return formatting.probability(value, self.locale)

    def day(self, value: Any) -> str:
        return formatting.day(value, self.locale)

    def moment(self, value: Any) -> str:
        return formatting.moment(value, self.locale)


def page_locale(request: Request) -> str:
    return str(request.session.get("locale") or request.app.state.settings.default_locale)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`page`: for a page rendered in answer to a form's POST (a refusal shown with the form as
    it was filled in), the address of the page itself, which the browser is told to show: the
    POST's own address only takes posts (reloading it, or coming back to it after changing the
    formats or signing in again, would be a 405)."""
    session = request.session
    signed_in = bool(session.get("token"))
    query = f"?{request.url.query}" if request.url.query else ""
    base = {
        "page_url": context.pop("page", None) or request.url.path + query,
        "request": request,
        "fmt": Formats(page_locale(request)),
        "csrf_token": csrf_token(request),
        # A fresh key per rendered form: sending that form twice does the work once.
        "form_key": getattr(request.state, "form_key", None) or uuid.uuid4().hex,
        # A live fragment never shows (so never consumes) the message meant for the full page.
        "flash": None if is_fragment(request) else pop_flash(request),
        "me": _me(session) if signed_in else None,
        "nav_alarm": context.pop("nav_alarm", None) or _kept_alarm(request),
        "settings": request.app.state.settings,
    }
    return templates.TemplateResponse(request, template, {**base, **context},
                                      status_code=status_code)  # fmt: skip


def _me(session: dict[str, Any]) -> dict[str, Any]:
    """Who is signed in, as the page header and navigation need it."""
    scopes = str(session.get("scopes") or "").split()
    return {"subject": session.get("sub"), "role": session.get("role"),
            "operations": OPERATIONS in scopes}  # fmt: skip


def _kept_alarm(request: Request) -> dict[str, Any] | None:
    """An agent's turnaround counts read within the last ALARM_SECONDS, shown in the menu at once;
    None: the menu loads them after the page (services/web/alarm.py)."""
    session = request.session
    if session.get("role") != "agent" or not session.get("token"):
        return None
    kept: dict[str, Any] | None = request.app.state.alarms.get(str(session["token"]))
    return kept


def is_fragment(request: Request) -> bool:
    """htmx asks for the live part of a page only (`HX-Request`)."""
    return request.headers.get("HX-Request") == "true"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
