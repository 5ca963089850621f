"""The keyed-command dedupe's rows on both databases (statements built once, run on the
persistence layer's sessions): both must give the same answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa

from shared.errors import DomainError, ErrorKind
from shared.messaging.processed_requests import ProcessedRequests, Recorded
from shared.messaging.requests import (
    Replayed,
    RequestScope,
    Run,
    answer_once,
    current_scope,
    record_effect,
    reply_known,
)
from shared.persistence.db import Database
from shared.persistence.messaging_tables import processed_requests_table
from shared.rpc import KeyReused, error_reply


@asynccontextmanager
async def requests_table(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(processed_requests_table.metadata.create_all)
        yield db
    finally:
        await db.dispose()


async def test_rows_are_found_stored_and_sealed(database_url: str) -> None:
    async with requests_table(database_url) as db:
        store = ProcessedRequests(db)
        store.protect(lambda reply: reply[::-1], lambda stored: stored[::-1])
        assert await store.find("k1", "place_order") is None
        async with db.transaction() as session:
            assert await record_effect(session, RequestScope("k1", "place_order"), True)
        assert await store.find("k1", "place_order") == Recorded(None, None)
        await store.store_reply("k1", "place_order", b'{"id":"o1"}')
        assert await store.find("k1", "place_order") == Recorded(b'{"id":"o1"}', None)
        assert await store.find("k1", "cancel_order") is None
        async with db.read() as session:  # stored sealed, committed
            row = (await session.execute(sa.text("SELECT reply FROM processed_requests"))).one()
        assert bytes(row[0]) == b'}"1o":"di"{'


async def test_a_repeat_gets_the_first_reply_without_running(database_url: str) -> None:
    async with requests_table(database_url) as db:
        store = ProcessedRequests(db)
        runs: list[int] = []

        async def run() -> bytes:
            runs.append(1)
            scope = current_scope()
            assert scope is not None
            async with db.transaction() as session:
                scope.marked = await record_effect(session, scope, True)
            return f'{{"run":{len(runs)}}}'.encode()

        first = await answer_once(store, "place_order", "k2", run, run)
        again = await asyncio.gather(
            *(answer_once(store, "place_order", "k2", run, run) for _ in range(3))
        )
        assert first == b'{"run":1}' and list(again) == [first] * 3
        assert len(runs) == 1


async def test_a_reply_known_before_the_commit_is_stored_with_the_effect(
    database_url: str,
) -> None:
    """`reply_known` inside the effect's transaction: the row is inserted with the reply
    (sealed), no second transaction; a handler that then returns other bytes has those stored;
    a reply handed to a transaction that rolled back is not reused by the next one."""
    async with requests_table(database_url) as db:
        store = ProcessedRequests(db)
        store.protect(lambda reply: reply[::-1], lambda stored: stored[::-1])
        stores: list[bytes] = []
        store_reply = store.store_reply

        async def counted(key: str, operation: str, reply: bytes) -> None:
            stores.append(reply)
            await store_reply(key, operation, reply)

        store.store_reply = counted  # type: ignore[method-assign]

        async def effect(known: bytes | None, fail: bool = False) -> None:
            scope = current_scope()
            assert scope is not None
            try:
                async with db.transaction() as session:
                    if known is not None:
                        reply_known(known)
                    recorded = await record_effect(session, scope, True)
                    if fail:
                        raise RuntimeError("rolled back")
                scope.marked = recorded
            except RuntimeError:
                pass

        def handler(known: bytes | None, returns: bytes, fail_first: bool = False) -> Run:
            async def run() -> bytes:
                if fail_first:
                    await effect(known, fail=True)
                    known_now = None
                else:
                    known_now = known
                await effect(known_now)
                return returns

            return run

        same = handler(b'{"id":"o1"}', b'{"id":"o1"}')
        assert await answer_once(store, "place_order", "k3", same, same) == b'{"id":"o1"}'
        assert stores == [] and await store.find("k3", "place_order") == Recorded(
            b'{"id":"o1"}', None
        )
        async with db.read() as session:
            row = (
                await session.execute(
                    sa.text("SELECT reply FROM processed_requests WHERE request_key = 'k3'")
                )
            ).one()
        assert bytes(row[0]) == b'}"1o":"di"{'  # sealed like a reply stored afterwards

        other = handler(b'{"id":"o2"}', b'{"id":"o2","late":true}')
        assert await answer_once(store, "place_order", "k4", other, other)
        assert await store.find("k4", "place_order") == Recorded(b'{"id":"o2","late":true}', None)

        retried = handler(b'{"id":"o3"}', b'{"id":"o3"}', fail_first=True)
        assert await answer_once(store, "place_order", "k5", retried, retried)
        assert await store.find("k5", "place_order") == Recorded(b'{"id":"o3"}', None)
        assert stores == [b'{"id":"o2","late":true}', b'{"id":"o3"}']


def _recording_run(db: Database, runs: list[int], refusal: DomainError | None = None) -> Run:
    """A keyed command that records its effect (or refuses before writing anything)."""

    async def run() -> bytes:
        runs.append(1)
        if refusal is not None:
            raise refusal
        scope = current_scope()
        assert scope is not None
        async with db.transaction() as session:
            scope.marked = await record_effect(session, scope, True)
        return f'{{"run":{len(runs)}}}'.encode()

    return run


async def test_a_kept_key_replays_the_same_request_and_refuses_another(
    database_url: str,
) -> None:
    """A key the service keeps for the gateway: the row holds the request's fingerprint; a
    repeat with the same one is replayed (and says so), one with another is refused unrun."""
    async with requests_table(database_url) as db:
        store, runs = ProcessedRequests(db), []
        run = _recording_run(db, runs)
        first = await answer_once(store, "place_order", "k6", run, run, "fp-a")
        assert first == b'{"run":1}' and not isinstance(first, Replayed)
        assert await store.find("k6", "place_order") == Recorded(first, "fp-a")
        again = await answer_once(store, "place_order", "k6", run, run, "fp-a")
        assert again == first and isinstance(again, Replayed)
        try:
            await answer_once(store, "place_order", "k6", run, run, "fp-b")
            raise AssertionError("another request with the key was answered")
        except KeyReused as exc:
            assert exc.code == "idempotency_key_reused" and exc.kind == ErrorKind.INVALID
        # A key recorded without a fingerprint (the gateway kept it) cannot be compared.
        unkeyed = await answer_once(store, "place_order", "k7", run, run)
        assert await answer_once(store, "place_order", "k7", run, run, "fp-c") == unkeyed
        assert len(runs) == 2


async def test_a_kept_keys_refusal_is_recorded_and_replayed(database_url: str) -> None:
    """Stripe semantics, as the gateway keeps them: a refusal is the request's answer, and a
    retry gets it again without running; `unavailable` (the work may succeed later) and a key
    the gateway keeps itself record nothing."""
    async with requests_table(database_url) as db:
        store = ProcessedRequests(db)
        refused: list[int] = []
        refusal = DomainError("the quote expired", code="quote_expired", kind=ErrorKind.GONE)
        run = _recording_run(db, refused, refusal)
        for _ in range(2):
            try:
                reply = await answer_once(store, "place_order", "k8", run, run, "fp-a")
            except DomainError as exc:
                assert exc is refusal and len(refused) == 1
            else:
                assert isinstance(reply, Replayed) and reply == error_reply(refusal)
        assert len(refused) == 1
        assert await store.find("k8", "place_order") == Recorded(error_reply(refusal), "fp-a")

        down = DomainError("payments are down", code="unreachable", kind=ErrorKind.UNAVAILABLE)
        for key, fp, error in (("k9", "fp-a", down), ("k10", None, refusal)):
            tried: list[int] = []
            failing = _recording_run(db, tried, error)
            for _ in range(2):
                try:
                    await answer_once(store, "place_order", key, failing, failing, fp)
                except DomainError:
                    pass
            assert len(tried) == 2 and await store.find(key, "place_order") is None


async def test_a_kept_key_that_applied_nothing_keeps_its_answer(database_url: str) -> None:
    """A command idempotent by design answers with the state it found and writes nothing (a
    placement of a quote placed earlier under another key): a key the service keeps is
    recorded with that answer, so the key on another request is refused, not run."""
    async with requests_table(database_url) as db:
        store, runs = ProcessedRequests(db), []

        async def found_existing() -> bytes:
            runs.append(1)
            return b'{"order":"o-existing"}'

        first = await answer_once(
            store, "place_order", "k11", found_existing, found_existing, "fp-a"
        )
        assert first == b'{"order":"o-existing"}' and not isinstance(first, Replayed)
        assert await store.find("k11", "place_order") == Recorded(first, "fp-a")
        again = await answer_once(
            store, "place_order", "k11", found_existing, found_existing, "fp-a"
        )
        assert again == first and isinstance(again, Replayed)
        try:
            await answer_once(store, "place_order", "k11", found_existing, found_existing, "fp-b")
            raise AssertionError("another request with the key was answered")
        except KeyReused:
            pass
        assert len(runs) == 1
        # Without a fingerprint (the gateway keeps the key), nothing is recorded, as before.
        await answer_once(store, "place_order", "k12", found_existing, found_existing)
        assert await store.find("k12", "place_order") is None
