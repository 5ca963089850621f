"""Schemathesis against the live gateway's OpenAPI document (issue 5 acceptance, issue 7 item 3).

Every operation is fuzzed through real HTTP against the whole stack (tests/fuzz/conftest.py), as
a customer, as an agent, and (for the partner-only webhook operations) with a partner API key.
Each response must: not be a 5xx; have a documented status code; have a documented content
type; match the documented body schema; carry the documented headers. Schemas, checks and
bounds: tests/fuzz/openapi_cases.py; the state machines: test_api_stateful.py.

Bounds: FUZZ_EXAMPLES per operation (default 8), a fixed seed (FUZZ_SEED), no shrinking, no
coverage phase. The `slow` variant (FUZZ_LONG=1) runs FUZZ_EXAMPLES_SLOW examples with shrinking
and the coverage phase.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fuzz.conftest import FuzzStack, long_only
from tests.fuzz.openapi_cases import (
    BOUNDED,
    LONG,
    OPENAPI,
    bearer,
    call,
    long_schema,
    partner_schema,
    schema,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def test_live_openapi_is_the_checked_in_document(fuzz_stack: FuzzStack) -> None:
    live = httpx.get(f"{fuzz_stack.api}/openapi.json", timeout=10).json()
    assert live == OPENAPI, "docs/openapi.json is stale: run `concierge docs`"


@schema.parametrize()
@BOUNDED
def test_api_as_customer(case: Any, fuzz_stack: FuzzStack) -> None:
    call(case, fuzz_stack, bearer(fuzz_stack, "cus_fuzz", "customer"))


@schema.parametrize()
@BOUNDED
def test_api_as_agent(case: Any, fuzz_stack: FuzzStack) -> None:
    call(case, fuzz_stack, bearer(fuzz_stack, "agt_fuzz", "agent"))


@partner_schema.parametrize()
@BOUNDED
def test_api_as_partner(case: Any, fuzz_stack: FuzzStack) -> None:
    call(case, fuzz_stack, {"X-API-Key": fuzz_stack.partner_key})


@pytest.mark.slow
@long_only
@long_schema.parametrize()
@LONG
def test_api_long_run(case: Any, fuzz_stack: FuzzStack) -> None:
    call(case, fuzz_stack, bearer(fuzz_stack, "cus_slow", "customer"))
