"""The signed-in user's API client, as a FastAPI dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.web.api import Gateway
from services.web.session import CurrentUser


def gateway(request: Request, user: CurrentUser) -> Gateway:
    # One shared connection pool; the token is per request, never cached between users.
    return Gateway(request.app.state.http, user.token)


Api = Annotated[Gateway, Depends(gateway)]
