"""The console's pages, one module per area."""

from __future__ import annotations

from fastapi import FastAPI

from services.web.routes import (
    agent,
    agent_claims,
    agent_customers,
    analytics,
    auth,
    basket,
    home,
    live,
    me,
    operations,
    returns,
    shop,
    warranty,
)


def register(app: FastAPI) -> None:
    for module in (home, auth, warranty, shop, me, live, agent, agent_claims, agent_customers,
                   operations, analytics, returns, basket):  # fmt: skip
        app.include_router(module.router)
