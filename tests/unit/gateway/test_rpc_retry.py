"""RidingRpc (services/gateway/rpc_retry.py): what it retries, and what it never retries."""

from __future__ import annotations

from typing import Any

import pytest
from nats.errors import NoRespondersError

from services.gateway.rpc_retry import RidingRpc
from shared.contracts.orders import Subjects
from shared.errors import DomainError
from shared.rpc import (
    KeptRequest,
    UpstreamTimeout,
    UpstreamUnavailable,
    current_kept_request,
    keep_request_in_service,
    release_kept_request,
    reset_request_key,
    set_request_key,
)


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


async def test_a_timeout_inside_a_keyed_request_is_retried_once() -> None:
    """Issue 20: the reply lost with a NATS node's connection; every RPC of a request with an
    Idempotency-Key carries the key, and a service answers a repeat with its first reply."""
    from shared.rpc import reset_request_key, set_request_key

    token = set_request_key("caller-and-key")
    try:
        rpc = Flaky(UpstreamTimeout("reply lost"), failures=1)
        assert await RidingRpc(rpc).call("rpc.x.op", {"a": 1}) == {"ok": "rpc.x.op"}
        assert rpc.calls == 2
    finally:
        reset_request_key(token)


async def test_a_timeout_of_a_read_is_retried_once_and_a_keyless_post_is_not() -> None:
    from services.gateway.rpc_retry import mark_request, unmark_request

    for method, retried in (("GET", True), ("HEAD", True), ("POST", False), ("DELETE", False)):
        token = mark_request(method)
        try:
            rpc = Flaky(UpstreamTimeout("reply lost"), failures=1)
            if retried:
                assert await RidingRpc(rpc).call("rpc.x.get", {"a": 1}) == {"ok": "rpc.x.get"}
            else:
                with pytest.raises(UpstreamTimeout):
                    await RidingRpc(rpc).call("rpc.x.op", {"a": 1})
            assert rpc.calls == (2 if retried else 1), method
        finally:
            unmark_request(token)


async def test_the_retry_stays_inside_the_requests_deadline() -> None:
    """The second attempt gets what is left of RPC timeout + margin, never a fresh budget."""
    import asyncio

    from services.gateway import rpc_retry

    seen: list[float] = []

    class Slow(Flaky):
        async def call(self, subject: str, payload: Any = None, **options: Any) -> Any:
            seen.append(options["timeout"] or self.default_timeout)
            await asyncio.sleep(0.3)
            return await super().call(subject, payload, **options)

    original = rpc_retry.DEADLINE_MARGIN_SECONDS
    rpc_retry.DEADLINE_MARGIN_SECONDS = 0.0  # type: ignore[misc]
    try:
        rpc = Slow(UpstreamTimeout("reply lost"), failures=1)
        rpc.default_timeout = 1.0
        assert await RidingRpc(rpc).call("rpc.x.op", {"request_id": "r1"}) == {"ok": "rpc.x.op"}
        assert seen[0] == 1.0 and seen[1] <= 0.75  # 1 s deadline, 0.3 s already spent
    finally:
        rpc_retry.DEADLINE_MARGIN_SECONDS = original  # type: ignore[misc]


class ReplayingAfterTimeout:
    """Times out once, then answers as a service replaying that attempt: marks the kept
    request replayed (as RpcClient does on `X-Replayed`) and answers, or refuses."""

    default_timeout = 1.0

    def __init__(self, refusal: Exception | None = None) -> None:
        self.refusal, self.calls = refusal, 0

    async def call(self, subject: str, payload: Any = None, **options: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise UpstreamTimeout("slow")
        kept = current_kept_request()
        assert kept is not None
        kept.replayed = True
        if self.refusal is not None:
            raise self.refusal
        return {"ok": subject}


@pytest.mark.parametrize("refusal", [None, DomainError("expired", code="quote_expired")])
async def test_a_replay_of_its_own_timed_out_attempt_is_not_a_replay_to_the_client(
    refusal: Exception | None,
) -> None:
    kept = KeptRequest("fp")
    tokens = set_request_key("caller-key"), keep_request_in_service(kept)
    try:
        rpc = ReplayingAfterTimeout(refusal)
        if refusal is None:
            assert await RidingRpc(rpc).call(Subjects.PLACE_ORDER, {}) == {
                "ok": Subjects.PLACE_ORDER
            }
        else:
            with pytest.raises(DomainError):
                await RidingRpc(rpc).call(Subjects.PLACE_ORDER, {})
        assert rpc.calls == 2 and kept.replayed is False
    finally:
        release_kept_request(tokens[1])
        reset_request_key(tokens[0])
