"""Small pieces the page modules share."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.web.api import ApiError, Gateway
from services.web.formatting import LOCALE_REGION
from services.web.session import chosen_region, flash

# Same shape as the gateway's ids: nothing else is ever put into an API path. At least one
# character is not a dot: httpx resolves `.` and `..` path segments before sending, so
# `/v1/claims/.` would reach `/v1/claims` (the list), not a claim.
ID_PATTERN = r"^[A-Za-z0-9_.:-]*[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$"
ObjectId = Annotated[str, Path(max_length=64, pattern=ID_PATTERN)]


def is_id(text: str) -> bool:
    return len(text) <= 64 and re.match(ID_PATTERN, text) is not None


# A page of a list the gateway pages: its opaque cursor, as a query parameter or a form field.
Cursor = Annotated[str | None, Query(max_length=512)]


def form_cursor(form: FormData) -> str:
    """The page of the list a form was on (an opaque cursor the gateway checks)."""
    return str(form.get("cursor") or "")[:512]


def back_to(path: str, fragment: str = "", **params: str | None) -> str:
    """Where an action on a paged or filtered list sends the agent back: the same page of the
    same list (the cursor and filter the form carried), not its first page."""
    kept = {name: value[:512] for name, value in params.items() if value}
    return path + (f"?{urlencode(kept)}" if kept else "") + fragment


def default_region(locale: str) -> str:
    """The region readers of `locale`'s formats most likely shop in."""
    return LOCALE_REGION.get(locale, "UK")


def start_region(request: Request, locale: str, customer_id: str | None = None) -> str:
    """The region a page starts with: the one last chosen in the shop for this customer (the
    signed-in one, or the one an agent acts for), else the one `locale`'s formats suggest."""
    return chosen_region(request, customer_id) or default_region(locale)


def flash_error(request: Request, exc: ApiError) -> None:
    if exc.status >= 500 and exc.code == "gateway_unreachable":
        raise exc
    flash(request, "error", exc.title, exc.code, exc.detail)


# A service behind the gateway briefly away (502, 503, 504) or too many requests (429). Not
# 500: that is a bug, which the error page shows with its reference instead of a blank.
BRIEFLY_AWAY = frozenset({429, 502, 503, 504})


def refused_here(request: Request, exc: ApiError, form_key: object = None) -> None:
    """A refusal the page shows next to the form as it was filled in (what was sent, or a
    service briefly away: either way nothing typed is lost). Signing in again (401), a bug
    (500: the error page, with the reference to quote) and an unreachable gateway are the
    app's to answer, not the form's."""
    if exc.status == 401 or (exc.status >= 500 and exc.status not in BRIEFLY_AWAY):
        raise exc
    if exc.status >= 500:
        # It may have been done before the answer was lost (a timeout): the form sent again
        # carries the same key, so the gateway answers it once, never twice.
        request.state.form_key = form_key
    flash_error(request, exc)  # raises for an unreachable gateway


def section_can_wait(exc: ApiError) -> bool:
    """One part of a page whose service is briefly away: that part says so and the rest of the
    page still works. An unreachable gateway fails every part, so the page does too."""
    return exc.status in BRIEFLY_AWAY and exc.code != "gateway_unreachable"


def confirmed(request: Request, form: FormData, box: str, undone: str = "Nothing was cancelled") -> bool:  # fmt: skip
    """A final step (cancelling a claim or an order, rejecting a claim, closing it with store
    credit, recording a held message as sent: nothing brings it back) is taken only with its
    box ticked. The page's box asks first; a post without it (no HTML validation, a crafted
    form) is refused here with `undone` as its title, and the API is not called."""
    if form.get("confirm") == "yes":
        return True
    flash(request, "error", undone, "confirmation_required",
          f"Tick “{box}” to confirm: it cannot be undone.")  # fmt: skip
    return False


async def download(api: Gateway, path: str, **params: str) -> Response:
    upstream = await api.get_bytes(path, **params)
    return Response(
        upstream.content,
        media_type=upstream.headers.get("content-type", "application/octet-stream"),
        headers={"Content-Disposition": upstream.headers.get("content-disposition", "inline")},
    )
