"""`null` is refused where a body is optional: each such operation declares the check, and the
app refuses to build with one that does not (it is no longer an app-wide dependency solved on
every request)."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Body, Depends
from fastapi.testclient import TestClient

from services.gateway.app import create_app
from services.gateway.auth import CustomerOrAgent
from services.gateway.models import RequestModel, optional_body_is_an_object
from tests.support.gateway.harness import Harness, make_settings


class Note(RequestModel):
    text: str = ""


def _router(checked: bool) -> APIRouter:
    router = APIRouter(prefix="/v1/test")
    extra = [Depends(optional_body_is_an_object)] if checked else []

    @router.post("/notes", dependencies=extra)
    async def note(
        principal: CustomerOrAgent, body: Annotated[Note | None, Body()] = None
    ) -> dict[str, str]:
        return {"text": body.text if body else ""}

    @router.post("/required")
    async def required(body: Note, principal: CustomerOrAgent) -> dict[str, str]:
        return {"text": body.text}

    return router


def test_an_optional_body_without_the_null_check_does_not_build() -> None:
    with pytest.raises(RuntimeError, match="/v1/test/notes: an optional body needs"):
        create_app(make_settings(), routers=[_router(checked=False)])


def test_the_declared_check_refuses_null_and_keeps_no_body_and_objects() -> None:
    harness = Harness(make_settings())

    async def factory(_: object) -> object:
        return harness.runtime

    app = create_app(harness.settings, runtime_factory=factory, routers=[_router(checked=True)])  # type: ignore[arg-type]
    headers = {**harness.auth(), "Content-Type": "application/json"}
    with TestClient(app) as client:
        refused = client.post("/v1/test/notes", headers=headers, content=b"null")
        assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
        assert client.post("/v1/test/notes", headers=headers, content=b"").json() == {"text": ""}
        ok = client.post("/v1/test/notes", headers=headers, json={"text": "hi"})
        assert ok.json() == {"text": "hi"}
        # A required body refuses null as before (FastAPI: the body is missing).
        assert client.post("/v1/test/required", headers=headers, content=b"null").status_code == 422


def test_every_product_operation_builds_with_the_rule() -> None:
    create_app(make_settings())  # raises if one optional body lacks the check
