"""Start page, health, the published warranty policy and the reader's locale."""

from __future__ import annotations

import html
import re

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from markupsafe import Markup

from services.web.api import ApiError, Gateway
from services.web.formatting import LOCALES
from services.web.session import Form, current_user, set_locale
from services.web.views import render, see_other

router = APIRouter()
BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
TABLE = re.compile(r"(?:<h2>(?P<title>[^<]*)</h2>\s*)?(?P<table><table\b.*?</table>)", re.S | re.I)


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"


@router.get("/readyz", response_class=PlainTextResponse)
async def readyz(request: Request) -> Response:
    """Ready when the gateway answers: every page needs it."""
    try:
        await Gateway(request.app.state.http, None).get_bytes("/healthz")
    except ApiError:
        return PlainTextResponse("gateway unreachable", status_code=503)
    return PlainTextResponse("ok")


@router.get("/")
async def home(request: Request) -> Response:
    user = current_user(request)
    return see_other("/agent" if user.is_agent else "/start")


@router.get("/start")
async def start(request: Request) -> Response:
    current_user(request)
    return render(request, "start.html")


@router.get("/policy")
async def policy(request: Request) -> Response:
    """The published policy, public like the API's: easy to find before anyone signs in."""
    response = await Gateway(request.app.state.http, None).get_bytes("/v1/warranty/policy.html")
    match = BODY.search(response.text)
    # Generated and escaped by the warranty service from its own policy document.
    content = Markup(scrolling_tables(match.group(1) if match else ""))
    return render(request, "policy.html", policy_html=content)


def scrolling_tables(policy: str) -> str:
    """Each table of the policy in a region of its own that scrolls sideways: its seven columns
    do not fit a phone, and the page itself must not scroll sideways. The region takes the
    keyboard focus (a scrolling region with nothing focusable in it is out of a keyboard
    user's reach) and is named by the heading above the table."""

    def wrap(found: re.Match[str]) -> str:
        title = found.group("title")
        heading = f"<h2>{title}</h2>" if title is not None else ""
        name = html.escape(html.unescape(title or "Table"), quote=True)
        return (f'{heading}<div class="scroll-x" role="region" aria-label="{name}" '
                f'tabindex="0">{found.group("table")}</div>')  # fmt: skip

    return TABLE.sub(wrap, policy)


@router.post("/locale")
async def change_locale(request: Request, form: Form) -> Response:
    locale = str(form.get("locale"))
    if locale in LOCALES:
        set_locale(request, locale)
    back = str(form.get("next") or "/")
    return see_other(back if back.startswith("/") and not back.startswith("//") else "/")
