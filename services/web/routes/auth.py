"""Sign-in: OpenID Connect where an issuer is configured; "sign in as" with WEB_ENV=local only.

Either way the session ends up holding a token the gateway verifies on every call: the console
never decides on its own who may see what. The role read from the token only chooses which pages
to offer; the gateway refuses an agent call made with a customer's token regardless.
"""

from __future__ import annotations

import time
from typing import Annotated

import jwt
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.web import oidc
from services.web.api import ApiError, Gateway
from services.web.formatting import LOCALES
from services.web.routes.common import is_id
from services.web.session import Form, Role, set_locale, sign_in, sign_out
from services.web.settings import WebSettings
from services.web.views import render, see_other

router = APIRouter()
# Local agents may read and replay the event DLQ (gateway scope `operations`); in production the
# identity provider decides which agents get it.
LOCAL_AGENT_SCOPES = "operations"


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would hand the session to another host.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def local_scopes(role: str, without_operations: bool) -> str:
    # Unticked "without the operations permission" keeps the default: a local agent also runs
    # the stack. Ticked, the console shows what an agent without the scope sees.
    return LOCAL_AGENT_SCOPES if role == "agent" and not without_operations else ""


def mint_local_token(settings: WebSettings, subject: str, role: Role, scopes: str) -> str:
    """The same token `concierge token` prints (gateway's local HS256 secret)."""
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": settings.local_jwt_issuer,
              "aud": settings.local_jwt_audience, "iat": now,
              "exp": now + settings.local_token_ttl_seconds}  # fmt: skip
    if scopes:
        claims["scope"] = scopes
    return jwt.encode(claims, settings.local_jwt_secret, algorithm="HS256",
                      headers={"kid": settings.local_jwt_key_id})  # fmt: skip


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    settings: WebSettings = request.app.state.settings
    return render(request, "sign_in.html", next=_safe_next(next),
                  local=settings.sign_in_as_enabled, oidc=bool(settings.oidc_issuer))  # fmt: skip


@router.post("/sign-in/local")
async def sign_in_local(request: Request, form: Form) -> Response:
    settings: WebSettings = request.app.state.settings
    if not settings.sign_in_as_enabled:
        return render(request, "error.html", status_code=404,
                      error={"status": 404, "code": "page_not_found", "title": "Page not found",
                             "detail": ""})  # fmt: skip
    subject = str(form.get("subject", "")).strip()
    role = str(form.get("role", "customer"))
    locale = str(form.get("locale", settings.default_locale))
    if not is_id(subject) or role not in ("customer", "agent") or locale not in LOCALES:
        return render(request, "sign_in.html", status_code=422, next=_safe_next(
            str(form.get("next"))), local=True, oidc=bool(settings.oidc_issuer),
            problem="Use letters, digits, '-', '_', '.' or ':' for the id (up to 64).")  # fmt: skip
    scopes = local_scopes(role, form.get("no_operations") == "1")
    token = mint_local_token(settings, subject, role, scopes)  # type: ignore[arg-type]
    sign_in(request, token, subject, role, locale, scopes)  # type: ignore[arg-type]
    return see_other(_safe_next(str(form.get("next") or "/")))


@router.get("/sign-in/oidc")
async def sign_in_oidc(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    settings: WebSettings = request.app.state.settings
    url = await oidc.authorization_url(request, settings, _safe_next(next))
    return see_other(url)


@router.get("/auth/callback")
async def oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
    settings: WebSettings = request.app.state.settings
    result = await oidc.finish(request, settings, code, state)
    sign_in(request, result.token, result.subject, result.role, settings.default_locale,
            result.scopes)  # fmt: skip
    if result.role == "customer":
        await _use_saved_locale(request, result.token)
    return see_other(result.next)


async def _use_saved_locale(request: Request, token: str) -> None:
    """A customer reads dates, times and the shop in the language and formats she saved, not
    the server's default: a US customer signing in gets US formats and the US catalogue."""
    try:
        contact = await Gateway(request.app.state.http, token).get("/v1/me/contact")
    except ApiError:  # nothing saved yet, or the API is away: the default stands
        return
    if isinstance(contact, dict) and contact.get("locale") in LOCALES:
        set_locale(request, contact["locale"])


@router.post("/sign-out")
async def sign_out_now(request: Request, form: Form) -> Response:
    sign_out(request)
    return see_other("/sign-in")
