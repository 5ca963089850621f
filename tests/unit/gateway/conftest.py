"""Fixtures: a gateway app on fakes (no NATS) with the test-only routes of tests/support/gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from services.gateway.settings import GatewaySettings
from tests.support.gateway.harness import Harness, make_settings


@pytest.fixture
def settings() -> GatewaySettings:
    return make_settings()


@pytest.fixture
def harness(settings: GatewaySettings) -> Harness:
    return Harness(settings)


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(harness.app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
async def aclient(harness: Harness) -> AsyncIterator[httpx.AsyncClient]:
    async with harness.app.router.lifespan_context(harness.app):
        transport = httpx.ASGITransport(app=harness.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
