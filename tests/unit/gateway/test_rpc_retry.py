"""RidingRpc (services/gateway/rpc_retry.py): what it retries, and what it never retries."""

from __future__ import annotations

from typing import Any

import pytest
from nats.errors import NoRespondersError

from services.gateway.rpc_retry import RidingRpc
from shared.contracts.orders import Subjects
from shared.rpc import UpstreamTimeout, UpstreamUnavailable


class Flaky:
    """Fails the first `failures` calls with `error`, then answers."""

    default_timeout = 1.0

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    async def call(self, subject: str, payload: Any = None, **options: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return {"ok": subject}


def no_responders() -> UpstreamUnavailable:
    try:
        raise UpstreamUnavailable("nobody") from NoRespondersError()
    except UpstreamUnavailable as exc:
        return exc


async def test_no_responders_is_retried_until_someone_answers() -> None:
    rpc = Flaky(no_responders(), failures=3)
    assert await RidingRpc(rpc).call("rpc.x.op", {}) == {"ok": "rpc.x.op"}
    assert rpc.calls == 4


async def test_a_timeout_is_retried_once_only_with_a_request_id() -> None:
    with pytest.raises(UpstreamTimeout):
        await RidingRpc(Flaky(UpstreamTimeout("slow"), failures=1)).call("rpc.x.op", {"a": 1})
    rpc = Flaky(UpstreamTimeout("slow"), failures=1)
    assert await RidingRpc(rpc).call("rpc.x.op", {"request_id": "r1"}) == {"ok": "rpc.x.op"}
    with pytest.raises(UpstreamTimeout):
        await RidingRpc(Flaky(UpstreamTimeout("slow"), failures=2)).call(
            "rpc.x.op", {"request_id": "r1"}
        )


async def test_a_service_refusal_is_not_retried() -> None:
    rpc = Flaky(UpstreamUnavailable("a service said unavailable"), failures=1)
    with pytest.raises(UpstreamUnavailable):
        await RidingRpc(rpc).call("rpc.x.op", {"request_id": "r1"})
    assert rpc.calls == 1


async def test_a_timeout_of_an_idempotent_operation_is_retried_once() -> None:
    rpc = Flaky(UpstreamTimeout("slow"), failures=1)
    body = {"quote_id": "q1", "payment_token": "tok_ok"}
    assert await RidingRpc(rpc).call(Subjects.PLACE_ORDER, body) == {"ok": Subjects.PLACE_ORDER}
