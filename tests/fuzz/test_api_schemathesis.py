"""Schemathesis against the live gateway's OpenAPI document (issue 5 acceptance, issue 7 item 3).

Every operation is fuzzed through real HTTP against the whole stack (tests/fuzz/conftest.py), as
a customer, as an agent, and (for the partner-only webhook operations) with a partner API key.
Each response must: not be a 5xx; have a documented status code; have a documented content
type; match the documented body schema; carry the documented headers. A bounded state machine
then follows the links between operations (ids from one response into the next request).

The cases are generated from docs/openapi.json at collection time (schemathesis' fixture-based
lazy loader does not work with pytest 9: it reads `Node._nodeid`, which pytest 9 removed), and
`test_live_openapi_is_the_checked_in_document` proves that file is what the live gateway serves,
so fuzzing it is fuzzing the live document.

Bounds: FUZZ_EXAMPLES per operation (default 8), derandomized with a fixed seed (FUZZ_SEED), no
shrinking, no coverage phase. The `slow` variant (FUZZ_LONG=1) runs FUZZ_EXAMPLES_SLOW examples
with shrinking and the coverage phase. The SSE streams are not fuzzed: a well-formed request
opens an endless stream (they have their own tests in tests/integration/gateway/test_sse.py).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import ROOT
from tests.fuzz.conftest import (
    FUZZ_EXAMPLES,
    FUZZ_EXAMPLES_SLOW,
    FUZZ_SEED,
    FuzzStack,
    long_only,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
STREAMS = r"/stream$"
PARTNER_PATHS = r"^/v1/webhooks"
REQUEST_TIMEOUT = 20


def _config(*, coverage: bool) -> Any:
    return schemathesis.Config.from_dict(
        {
            "seed": FUZZ_SEED,
            "generation": {
                "database": "none",
                # The credentials are ours: fuzzing the security headers only tests 401s.
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "fuzzing": {"enabled": True},
                "coverage": {"enabled": coverage},
                "stateful": {"enabled": True, "max-steps": 6},
            },
        }
    )


schema = schemathesis.openapi.from_dict(OPENAPI, config=_config(coverage=False)).exclude(
    path_regex=STREAMS
)
partner_schema = schema.include(path_regex=PARTNER_PATHS)
long_schema = schemathesis.openapi.from_dict(OPENAPI, config=_config(coverage=True)).exclude(
    path_regex=STREAMS
)

BOUNDED = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking in CI: a failure prints its case
)
LONG = settings(
    max_examples=FUZZ_EXAMPLES_SLOW,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def bearer(stack: FuzzStack, subject: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token(subject, role)}"}


def call(case: Any, stack: FuzzStack, headers: dict[str, str]) -> None:
    case.call_and_validate(
        base_url=stack.api, headers=headers, checks=CHECKS, timeout=REQUEST_TIMEOUT
    )


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


def test_stateful_links_as_customer(fuzz_stack: FuzzStack) -> None:
    """Chains of calls that follow the links between operations (real ids, not random ones)."""
    headers = bearer(fuzz_stack, "cus_fuzz_links", "customer")

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": fuzz_stack.api, "headers": headers, "timeout": REQUEST_TIMEOUT}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Machine.run(
        settings=settings(
            max_examples=max(3, FUZZ_EXAMPLES),
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
    )


@pytest.mark.slow
@long_only
@long_schema.parametrize()
@LONG
def test_api_long_run(case: Any, fuzz_stack: FuzzStack) -> None:
    call(case, fuzz_stack, bearer(fuzz_stack, "cus_slow", "customer"))
