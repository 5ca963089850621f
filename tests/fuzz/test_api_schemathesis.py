"""Schemathesis against the live gateway's OpenAPI document (issue 5 acceptance, issue 7 item 3).

Every operation is fuzzed through real HTTP against the whole stack (tests/fuzz/conftest.py), as
a customer, as an agent, and (for the partner-only webhook operations) with a partner API key,
with every check schemathesis runs by default (issue 12): as a customer, that includes
"schema-valid data is accepted" (ST202), so the published constraints must be the enforced
ones. Schemas, checks and bounds: tests/fuzz/openapi_cases.py; the state machines:
test_api_stateful.py.

Bounds: FUZZ_EXAMPLES per operation (default 8), a fixed seed (FUZZ_SEED), no shrinking, no
coverage phase. The `slow` variant (FUZZ_LONG=1) runs FUZZ_EXAMPLES_SLOW examples with shrinking
and the coverage phase (schemathesis' own items: run it without xdist, `-p no:xdist`).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, seed
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzz.conftest import FUZZ_SEED, FuzzStack, long_only
from tests.fuzz.openapi_cases import (
    BOUNDED,
    LONG,
    NOT_FOR_OTHER_ROLES,
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


def _operations(source: Any) -> dict[str, Any]:
    return {result.ok().label: result.ok() for result in source.get_all_operations()}


OPERATIONS = _operations(schema)
PARTNER_OPERATIONS = _operations(partner_schema)


def cases(operation: Any) -> st.SearchStrategy[Any]:
    """The schema's own examples, valid requests and invalid ones (negative mode)."""
    return st.one_of(
        *schema.get_strategies_from_examples(operation),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


# Plain pytest parametrization (one item per operation, unique ids): schemathesis' own
# `@schema.parametrize()` items share one node id under pytest 9, so `pytest -n 2` (CI) ran a
# single operation per test. `@long_schema.parametrize()` below is for runs without xdist.
@pytest.mark.parametrize("label", sorted(OPERATIONS))
@BOUNDED
@seed(FUZZ_SEED)
@given(data=st.data())
def test_api_as_customer(fuzz_stack: FuzzStack, label: str, data: st.DataObject) -> None:
    case = data.draw(cases(OPERATIONS[label]))
    call(case, fuzz_stack, bearer(fuzz_stack, "cus_fuzz", "customer"))


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@BOUNDED
@seed(FUZZ_SEED)
@given(data=st.data())
def test_api_as_agent(fuzz_stack: FuzzStack, label: str, data: st.DataObject) -> None:
    case = data.draw(cases(OPERATIONS[label]))
    call(case, fuzz_stack, bearer(fuzz_stack, "agt_fuzz", "agent"), NOT_FOR_OTHER_ROLES)


@pytest.mark.parametrize("label", sorted(PARTNER_OPERATIONS))
@BOUNDED
@seed(FUZZ_SEED)
@given(data=st.data())
def test_api_as_partner(fuzz_stack: FuzzStack, label: str, data: st.DataObject) -> None:
    case = data.draw(cases(PARTNER_OPERATIONS[label]))
    call(case, fuzz_stack, {"X-API-Key": fuzz_stack.partner_key}, NOT_FOR_OTHER_ROLES)


def test_every_operation_is_fuzzed() -> None:
    documented = {
        f"{method.upper()} {path}"
        for path, item in OPENAPI["paths"].items()
        for method in item
        if not path.endswith("/stream")
    }
    assert set(OPERATIONS) == documented
    assert set(PARTNER_OPERATIONS) == {op for op in documented if " /v1/webhooks" in op}


@pytest.mark.slow
@long_only
@long_schema.parametrize()
@LONG
def test_api_long_run(case: Any, fuzz_stack: FuzzStack) -> None:
    call(case, fuzz_stack, bearer(fuzz_stack, "cus_slow", "customer"))
