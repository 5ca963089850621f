"""Small pieces the page modules share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.session import flash

# Same shape as the gateway's ids: nothing else is ever put into an API path.
ObjectId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


def default_region(locale: str) -> str:
    return "US" if locale == "en-US" else "UK"


def flash_error(request: Request, exc: ApiError) -> None:
    if exc.status >= 500 and exc.code == "gateway_unreachable":
        raise exc
    flash(request, "error", exc.title, exc.code, exc.detail)


async def download(api: Gateway, path: str, **params: str) -> Response:
    upstream = await api.get_bytes(path, **params)
    return Response(
        upstream.content,
        media_type=upstream.headers.get("content-type", "application/octet-stream"),
        headers={"Content-Disposition": upstream.headers.get("content-disposition", "inline")},
    )
