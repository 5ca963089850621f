"""The request-key lookup tells an unknown key, a recorded key without its reply yet, and a
recorded key with its (sealed at rest) reply apart, for the exact (key, operation) pair."""

from __future__ import annotations

from pathlib import Path

from shared.messaging.requests import ProcessedRequests, RequestScope, record_effect
from shared.persistence.db import Database
from shared.persistence.messaging_tables import processed_requests_table


async def test_find_answers_per_key_and_operation(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/requests.db")
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(processed_requests_table.metadata.create_all)
        store = ProcessedRequests(db)
        store.protect(lambda reply: reply[::-1], lambda stored: stored[::-1])
        assert await store.find("k1", "place_order") == (False, None)
        async with db.transaction() as session:
            assert await record_effect(session, RequestScope("k1", "place_order"), True)
        assert await store.find("k1", "place_order") == (True, None)  # applied, no reply yet
        await store.store_reply("k1", "place_order", b'{"id":"o1"}')
        assert await store.find("k1", "place_order") == (True, b'{"id":"o1"}')
        assert await store.find("k1", "cancel_order") == (False, None)
        assert await store.find("k2", "place_order") == (False, None)
    finally:
        await db.dispose()
