"""RidingKV (services/gateway/kv.py): retries what a leader election looks like, nothing else,
and resolves an ambiguous write by reading the key back."""

from __future__ import annotations

import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import KeyWrongLastSequenceError, NoStreamResponseError

from services.gateway.kv import RidingKV
from tests.support.gateway.fakes import FakeKV


async def test_a_write_that_landed_but_timed_out_returns_its_revision() -> None:
    store = FakeKV()
    create = store.create

    async def lands_then_times_out(key: str, value: bytes) -> int:
        await create(key, value)
        raise NatsTimeoutError

    store.create = lands_then_times_out  # type: ignore[method-assign]
    kv = RidingKV(store, budget_s=2)
    first = await kv.create("k", b"mine")
    store.create = create  # type: ignore[method-assign]
    assert first == (await store.get("k")).revision


async def test_someone_elses_value_is_still_a_conflict() -> None:
    store = FakeKV()
    await store.create("k", b"theirs")
    with pytest.raises(KeyWrongLastSequenceError):
        await RidingKV(store, budget_s=2).create("k", b"mine")


async def test_an_outage_longer_than_the_budget_is_raised() -> None:
    class Leaderless(FakeKV):
        async def get(self, key: str) -> object:
            raise NoStreamResponseError

    with pytest.raises(NoStreamResponseError):
        await RidingKV(Leaderless(), budget_s=0.3).get("k")
