"""The stack the fuzzers run against: the whole of `concierge up`, on SQLite, one per module.

Same processes as tests/e2e (embedded nats-server, the three services, the gateway), with two
settings compressed for fuzzing: the gateway's per-caller rate limit is raised (schemathesis sends
thousands of requests from one principal; the 429 path has its own tests in tests/unit/gateway)
and the consumers' retry backoff is shortened, so a payload that fails five times reaches the
DLQ in about a second instead of fifteen.

Bounds: `FUZZ_EXAMPLES` (default 8 per operation) and `FUZZ_SEED` (default fixed, so CI runs
are reproducible); the `slow`-marked variants run with `FUZZ_LONG=1` and use
`FUZZ_EXAMPLES_SLOW` (default 200).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.e2e.conftest import (
    JWT_AUDIENCE,
    JWT_ISSUER,
    JWT_SECRET,
    RunningStack,
    local_stack,
)

API_KEY_PEPPER = "fuzz-pepper-" + "p" * 32
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
FUZZ_EXAMPLES_SLOW = int(os.environ.get("FUZZ_EXAMPLES_SLOW", "200"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20261123"))
# The `slow` variants run only when asked: FUZZ_LONG=1 pytest tests/fuzz -m slow
FUZZ_LONG = os.environ.get("FUZZ_LONG", "") not in ("", "0")
long_only = pytest.mark.skipif(not FUZZ_LONG, reason="long fuzzing: set FUZZ_LONG=1")


def bounded_settings(max_examples: int, **extra: Any) -> settings:
    """Hypothesis settings for a bounded, reproducible run against a live stack: derandomized,
    no example database, no shrinking (a failure prints its case), and no deadline or health
    checks (each example is a round trip through real processes)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        **extra,
    )


class FuzzStack(RunningStack):
    """A running stack plus a partner API key allowed every partner action."""

    partner_key: str = ""


def _create_partner_key(nats_url: str) -> str:
    from services.gateway.partner_keys import PARTNER_ACTIONS, PartnerKeyStore
    from services.gateway.runtime import open_buckets
    from services.gateway.settings import GatewaySettings
    from shared.nats_conn import connect

    async def create() -> str:
        settings = GatewaySettings(api_key_pepper=API_KEY_PEPPER)
        nc = await connect(nats_url, name="fuzz-setup")
        try:
            _, kv = await open_buckets(nc.jetstream(), settings)
            store = PartnerKeyStore(kv, API_KEY_PEPPER)
            plain, _ = await store.create("fuzz-partner", ["*.*.*"], sorted(PARTNER_ACTIONS))
            return plain
        finally:
            await nc.drain()

    return asyncio.run(create())


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzStack]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz-stack")
    env = {
        "GATEWAY_JWT_SECRET": JWT_SECRET,
        "GATEWAY_JWT_ISSUER": JWT_ISSUER,
        "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
        "GATEWAY_API_KEY_PEPPER": API_KEY_PEPPER,
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "1000000",
        "GATEWAY_RATE_LIMIT_BURST": "100000",
        "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "NOTIFICATIONS_RETRY_BASE_DELAY": "0.05",
        "WARRANTY_RETRY_BASE_DELAY": "0.05",
        "ORDERS_RETRY_BASE_DELAY": "0.05",
    }
    with local_stack(data_dir, env) as (stack, mail):
        running = FuzzStack(stack.api_url, stack.nats_url, data_dir, mail, stack)
        running.partner_key = _create_partner_key(stack.nats_url)
        yield running
