"""What the API fuzzers share: the OpenAPI document, the schemathesis schemas (stateless, and
the linked ones the state machines walk), realistic bodies, checks, bounds and the call helper.

The cases are generated from docs/openapi.json at collection time (schemathesis' fixture-based
lazy loader does not work with pytest 9: it reads `Node._nodeid`, which pytest 9 removed);
`test_live_openapi_is_the_checked_in_document` proves that file is what the live gateway serves.
The SSE streams are left out: a well-formed request opens an endless stream (they have their own
tests in tests/integration/gateway/test_sse.py).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.warranty.domain.labels import encode_gen2
from tests.e2e.conftest import ROOT
from tests.fuzz.conftest import (
    FUZZ_EXAMPLES,
    FUZZ_EXAMPLES_SLOW,
    FUZZ_SEED,
    FuzzStack,
    bounded_settings,
)
from tests.fuzz.domain_verdicts import only_domain_verdicts, operations_config
from tests.fuzz.idempotency_keys import unique_key

OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text())
# Every check schemathesis runs by default (issue 12: the acceptance run uses them all): not a
# 5xx, documented status, content type, headers and body, schema-valid data accepted (ST202),
# schema-invalid data refused, and the rest of its defaults.
CHECKS: list[Any] | None = None
# Agents must name the customer they act for (`customer_id`), which the same operation does not
# ask of customers: one schema serves both roles, so for agents and partners a schema-valid
# request without it is rightly refused and ST202 does not apply. Every other default check does.
NOT_FOR_OTHER_ROLES = [positive_data_acceptance, only_domain_verdicts]
# The state machines walk chains of real objects as both roles: the response checks only.
STATEFUL_CHECKS: list[Any] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
STREAMS = r"/stream$"
STYLES = ["VT01", "VT02", "JR01", "CC01", "TC11", "PC15", "DJ27", "PY01", "ZZ99"]
REGIONS = ["US", "UK", "EU"]
# Real labels (distinct items: one open claim per item), one as read with look-alikes, one with a
# bad check character; made recently, so most are under warranty.
LABELS = [
    *(encode_gen2(f, 2026, w, s, n) for f, w, s, n in zip(
        ["SD", "NJ", "FI", "MA"] * 10, range(1, 41), ["VT02", "TC11", "JR01", "CC01"] * 10,
        range(100, 140), strict=True)),
    "sd 2S51 vto2 0o12o z",
    "SD-2551-VT02-0013OZ",
]  # fmt: skip
VALID_LABELS = frozenset(LABELS[:-1])
TOKENS = ["tok_ok", "tok_declined", "tok_unknown"]
COMPONENTS = ["handles", "straps", "piping", "stitching", "zips", "hardware", "lining", "zip"]
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
            "operations": operations_config(),
            "phases": {
                "examples": {"enabled": True},
                "fuzzing": {"enabled": True},
                "coverage": {"enabled": coverage},
                "stateful": {"enabled": True, "max-steps": 6},
            },
        }
    )


def _with_links(document: dict[str, Any]) -> dict[str, Any]:
    """The checked-in document plus the one link dependency analysis cannot infer (the quote id
    goes into the order's body), so the state machine can order what it was quoted."""
    document = copy.deepcopy(document)
    quoted = document["paths"]["/v1/quotes"]["post"]["responses"]["201"]
    quoted["links"] = {
        "OrderTheQuote": {
            "operationId": "place_order_v1_orders_post",
            "requestBody": {"quote_id": "$response.body#/quote_id", "payment_token": "tok_ok"},
        }
    }
    return document


schema = schemathesis.openapi.from_dict(OPENAPI, config=_config(coverage=False)).exclude(
    path_regex=STREAMS
)
# The customer's objects only: with every operation in it, the machine spends its few steps on
# roots that cannot start a chain (agent-only, partner-only, operational endpoints).
linked_schema = (
    schemathesis.openapi.from_dict(_with_links(OPENAPI), config=_config(coverage=False))
    .exclude(path_regex=r"^(?!/v1/(claims|orders|quotes))")
    .exclude(path_regex=STREAMS)
)

# Besides random bodies, bodies a storefront would send, so chains get past validation and
# reach the services (a quote for a listed style, a claim for a real label, a real order).
REALISTIC_BODIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "POST /v1/quotes": st.fixed_dictionaries(
        {"style": st.sampled_from(STYLES), "region": st.sampled_from(REGIONS)},
        optional={"quantity": st.integers(1, 4)},
    ),
    "POST /v1/claims": st.fixed_dictionaries(
        {
            "region": st.sampled_from(REGIONS),
            "label_code": st.sampled_from(LABELS),
            "components": st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3),
        },
        optional={"description": st.text(max_size=40)},
    ),
    "POST /v1/orders": st.fixed_dictionaries(
        {"quote_id": st.just("q-unknown"), "payment_token": st.sampled_from(TOKENS)}
    ),
}


def _realistic_bodies(context: Any, body: Any) -> st.SearchStrategy[Any]:
    realistic = REALISTIC_BODIES.get(context.operation.label)
    if realistic is None:
        return st.just(body)
    return st.one_of(realistic, realistic, st.just(body))  # two in three realistic


linked_schema.hook("flatmap_body")(_realistic_bodies)

# The repair centre's side: an agent opens claims for a customer and walks them through
# decision, receipt, inspection, repair or replacement, shipment and delivery.
AGENT_ACTS_FOR = "cus_agent_links"
agent_linked_schema = (
    schemathesis.openapi.from_dict(_with_links(OPENAPI), config=_config(coverage=False))
    .exclude(path_regex=r"^(?!/v1/claims)")
    .exclude(path_regex=STREAMS)
)


def _agent_bodies(context: Any, body: Any) -> st.SearchStrategy[Any]:
    if context.operation.label != "POST /v1/claims":
        return st.just(body)
    realistic = REALISTIC_BODIES["POST /v1/claims"].map(
        lambda b: {**b, "customer_id": AGENT_ACTS_FOR}
    )
    return st.one_of(realistic, realistic, st.just(body))


agent_linked_schema.hook("flatmap_body")(_agent_bodies)
# `include()` selects nothing out once the config has `[[operations]]` (schemathesis 4.32):
# the filters are written as excludes of what does not match.
partner_schema = schema.exclude(path_regex=f"^(?!{PARTNER_PATHS.lstrip('^')})")
long_schema = schemathesis.openapi.from_dict(OPENAPI, config=_config(coverage=True)).exclude(
    path_regex=STREAMS
)

BOUNDED = bounded_settings(FUZZ_EXAMPLES)
LONG = settings(
    max_examples=FUZZ_EXAMPLES_SLOW,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def bearer(stack: FuzzStack, subject: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token(subject, role)}"}


def with_fresh_idempotency_key(case: Any, headers: dict[str, str]) -> dict[str, str]:
    """Generated Idempotency-Keys repeat ("0", "00"...) across different requests to one
    operation, and the gateway rightly answers 422 `idempotency_key_reused`: most POSTs would
    never reach a service. Keep the generated key as a prefix and make it unique."""
    key = (case.headers or {}).get("Idempotency-Key")
    if key is None:
        return headers
    return {**headers, "Idempotency-Key": unique_key(key)}


def call(
    case: Any, stack: FuzzStack, headers: dict[str, str], excluded: list[Any] | None = None
) -> None:
    case.call_and_validate(
        base_url=stack.api,
        headers=with_fresh_idempotency_key(case, headers),
        checks=CHECKS,
        additional_checks=[c for c in [only_domain_verdicts] if c not in (excluded or [])],
        excluded_checks=excluded,
        timeout=REQUEST_TIMEOUT,
    )
