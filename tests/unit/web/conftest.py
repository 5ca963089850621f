"""Fixtures: a console app whose gateway is a stub, signed in through its own local sign-in form
(tests/support/web/console.py), for page tests that need no running stack."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.web.console import StubConsole
from tests.support.web.console import stub_console as build_stub_console


@pytest.fixture
def gateway_calls() -> list[httpx.Request]:
    return []


@pytest.fixture
def stub_console(gateway_calls: list[httpx.Request]) -> Iterator[StubConsole]:
    """`stub_console(handler, role=..., locale=..., no_operations=...)`: a signed-in client."""
    with build_stub_console(gateway_calls) as signed_in:
        yield signed_in
