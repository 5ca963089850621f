"""Composition root of the console: settings, the API client, sessions, routes, error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.web import problems
from services.web.alarm import AlarmCache
from services.web.api import ApiError
from services.web.session import (
    AgentsOnly,
    CsrfRefused,
    OperationsOnly,
    SignInRequired,
    sign_in_again_url,
)
from services.web.settings import WebSettings
from services.web.views import HERE, is_fragment, render

log = structlog.get_logger()
SIGNED_OUT_EVENT = "retry: 3000\n\nevent: problem\ndata: signed_out\n\n"

# Pages carry one person's claims, orders and messages: no shared cache may keep them, and no
# other site may frame or script them.
SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]  # fmt: skip


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(base_url=settings.gateway_url,
                                     timeout=settings.gateway_timeout_seconds) as client:  # fmt: skip
            app.state.http = client
            yield

    app = FastAPI(title="Concierge console", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)  # fmt: skip
    app.state.settings = settings
    app.state.alarms = AlarmCache()
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie="concierge_console",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _add_access_pages(app)
    _add_failure_pages(app)
    from services.web.routes import register

    register(app)
    return app


def _add_access_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, _: Exception) -> Response:
        return sign_in_again(request)

    @app.exception_handler(AgentsOnly)
    async def agents_only(request: Request, _: Exception) -> HTMLResponse:
        return error_page(request, 404, "page_not_found", "Page not found",
                          "There is no such page for your account.")  # fmt: skip

    @app.exception_handler(OperationsOnly)
    async def operations_only(request: Request, _: Exception) -> HTMLResponse:
        return error_page(request, 403, "scope_required", problems.title_for("scope_required", 403),
                          "Batch analytics and production volumes are for agents who run "
                          "operations. Ask your team lead for the operations permission.")  # fmt: skip

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: Exception) -> HTMLResponse:
        return error_page(request, 403, "csrf_token_missing", "This form has expired",
                          "Reload the page and send the form again.")  # fmt: skip


def _add_failure_pages(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, ApiError)
        if exc.status == 401:  # the token expired: sign in again, then come back
            request.session.clear()
            return sign_in_again(request)  # type: ignore[return-value]
        return error_page(request, exc.status, exc.code, exc.title, exc.detail,
                          exc.correlation_id)  # fmt: skip

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: Exception) -> HTMLResponse:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        title = "Page not found" if status == 404 else "Request refused"
        return error_page(request, status, f"http_{status}", title, "")

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: Exception) -> HTMLResponse:
        return error_page(request, 422, "invalid_input", "Some input was not valid",
                          "Check the form and try again.")  # fmt: skip

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTMLResponse:
        # Logged with its traceback for operators; the page says only that it failed.
        log.exception("web.unhandled_error", path=request.url.path)
        return error_page(request, 500, "internal_error", "Something went wrong",
                          "The console could not show this page. Try again in a moment.")  # fmt: skip


def sign_in_again(request: Request) -> Response:
    """To the sign-in page, then back. A live part's refresh (htmx, `HX-Request`) would follow
    a redirect itself and swap the sign-in page into the part: it is told to send the whole
    page there instead (`HX-Redirect`; a 401, which htmx swaps nowhere). A live stream
    (EventSource) would follow it too, find a page where it expects events and stop without a
    word: it is told `signed_out`, and console.js refreshes the part, which goes as above."""
    if request.url.path.startswith("/live/"):
        return Response(SIGNED_OUT_EVENT, media_type="text/event-stream")
    url = sign_in_again_url(request)
    if is_fragment(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status: int, code: str, title: str, detail: str,
               reference: str = "") -> HTMLResponse:  # fmt: skip
    return render(request, "error.html", status_code=status,
                  error={"status": status, "code": code, "title": title, "detail": detail,
                         "reference": reference})  # fmt: skip
