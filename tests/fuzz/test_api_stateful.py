"""Schemathesis state machines on the live gateway: chains of calls that follow the links between
operations, so later calls use real ids (a claim opened, then read, cancelled, walked through
the repair centre's steps; a quote, then ordered, then read and cancelled). Same checks as the
stateless fuzzer (tests/fuzz/openapi_cases.py); bounded by FUZZ_EXAMPLES, long with FUZZ_LONG=1.
"""

from __future__ import annotations

import itertools
import uuid
import warnings
from collections import Counter
from typing import Any

import pytest
from hypothesis.errors import FlakyStrategyDefinition

from services.warranty.domain.labels import encode_gen2
from tests.fuzz.conftest import (
    FUZZ_EXAMPLES,
    FUZZ_EXAMPLES_SLOW,
    FuzzStack,
    bounded_settings,
    long_only,
)
from tests.fuzz.openapi_cases import (
    AGENT_ACTS_FOR,
    REQUEST_TIMEOUT,
    STATEFUL_CHECKS,
    VALID_LABELS,
    agent_linked_schema,
    bearer,
    linked_schema,
    with_fresh_idempotency_key,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


FRESH_ITEMS = itertools.count(1)


def fresh_label() -> str:
    """A label nobody has claimed yet: the same request sequence gets the same answers in every
    example (one open claim per item would otherwise turn a later example's 201 into 409)."""
    n = next(FRESH_ITEMS)
    factory, style = ("SD", "VT02") if n % 2 else ("NJ", "TC11")
    return encode_gen2(factory, 2026, 1 + n % 40, style, 50_000 + n)


def run_state_machine(
    stack: FuzzStack, examples: int, steps: int, role: str = "customer"
) -> Counter[str]:
    """Chains of calls that follow the links between operations (real ids, not random ones).

    Each example acts for a fresh customer with fresh items, so examples do not see each other's
    objects. Stock still runs down across examples; if hypothesis notices that a replayed
    prefix now behaves differently (FlakyStrategyDefinition, a limit of stateful testing against
    a live backend, not an API failure), the run stops early with a warning. Check failures
    (5xx, schema violations) are never swallowed.
    """
    machine_schema = linked_schema if role == "customer" else agent_linked_schema
    agent_headers = bearer(stack, "agt_links", "agent")
    seen: Counter[str] = Counter()

    class Machine(machine_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.customer = f"cus_links_{uuid.uuid4().hex[:12]}"
            self.headers = (
                agent_headers if role == "agent" else bearer(stack, self.customer, "customer")
            )

        def before_call(self, case: Any) -> None:
            body = case.body
            if case.operation.label != "POST /v1/claims" or not isinstance(body, dict):
                return
            if body.get("label_code") in VALID_LABELS:
                body["label_code"] = fresh_label()
            if body.get("customer_id") == AGENT_ACTS_FOR:
                body["customer_id"] = self.customer

        def after_call(self, response: Any, case: Any) -> None:
            seen[f"{case.operation.label} {response.status_code}"] += 1

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {
                "base_url": stack.api,
                "headers": with_fresh_idempotency_key(case, self.headers),
                "timeout": REQUEST_TIMEOUT,
            }

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=STATEFUL_CHECKS)

    try:
        Machine.run(settings=bounded_settings(examples, stateful_step_count=steps))
    except FlakyStrategyDefinition as exc:
        warnings.warn(f"state machine stopped early: {str(exc)[:200]}", stacklevel=1)
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
