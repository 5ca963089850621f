"""Schemathesis state machines on the live gateway: chains of calls that follow the links between
operations, so later calls use real ids (a claim opened, then read, cancelled, walked through
the repair centre's steps; a quote, then ordered, then read and cancelled). Same checks as the
stateless fuzzer (tests/fuzz/openapi_cases.py); bounded by FUZZ_EXAMPLES, long with FUZZ_LONG=1.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.conftest import FUZZ_EXAMPLES, FUZZ_EXAMPLES_SLOW, FuzzStack, long_only
from tests.fuzz.openapi_cases import (
    CHECKS,
    REQUEST_TIMEOUT,
    agent_linked_schema,
    bearer,
    linked_schema,
    with_fresh_idempotency_key,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def run_state_machine(
    stack: FuzzStack, examples: int, steps: int, role: str = "customer"
) -> Counter[str]:
    """Chains of calls that follow the links between operations (real ids, not random ones)."""
    machine_schema = linked_schema if role == "customer" else agent_linked_schema
    headers = bearer(stack, f"{role}_links_{examples}", role)
    seen: Counter[str] = Counter()

    class Machine(machine_schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            seen[f"{case.operation.label} {response.status_code}"] += 1

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {
                "base_url": stack.api,
                "headers": with_fresh_idempotency_key(case, headers),
                "timeout": REQUEST_TIMEOUT,
            }

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Machine.run(
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
    )
    print("stateful calls by operation and status:", dict(sorted(seen.items())))  # -s shows it
    return seen


def test_stateful_links_as_customer(fuzz_stack: FuzzStack) -> None:
    seen = run_state_machine(fuzz_stack, examples=2 * FUZZ_EXAMPLES, steps=8)
    assert any(key.endswith(" 201") for key in seen), "no chain got past its first request"


def test_stateful_links_as_agent(fuzz_stack: FuzzStack) -> None:
    seen = run_state_machine(fuzz_stack, examples=2 * FUZZ_EXAMPLES, steps=10, role="agent")
    assert any(key.endswith(" 201") for key in seen), "no chain got past its first request"


@pytest.mark.slow
@long_only
@pytest.mark.parametrize("role", ["customer", "agent"])
def test_stateful_long_run(fuzz_stack: FuzzStack, role: str) -> None:
    run_state_machine(fuzz_stack, examples=FUZZ_EXAMPLES_SLOW, steps=12, role=role)
