"""The rows of keyed commands (`processed_requests`), read and written outside the effect's
transaction: a repeat's lookup, a reply stored after the commit, the answer of a request that
applied nothing, the purge. What they mean, and the effect's own row: requests.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from shared.persistence.db import Database
from shared.persistence.messaging_tables import processed_requests_table as table
from shared.persistence.prepared import Prepared
from shared.persistence.prepared_read import PreparedRead

KEEP_FOR = timedelta(hours=48)  # longer than the gateway keeps an Idempotency-Key (24 h)


class Recorded(NamedTuple):
    """A request's row: its reply (None until stored) and the fingerprint it came with."""

    reply: bytes | None
    fingerprint: str | None


# Built once: every keyed command that writes inserts its row (with the effect, requests.py),
# every keyed RPC looks its key up, and most store their reply. Prepared: on SQLite they skip
# SQLAlchemy's per-statement path (prepared.py, prepared_read.py).
RECORD = Prepared(sa.insert(table))
_FIND = PreparedRead(
    sa.select(table.c.reply, table.c.fingerprint).where(
        table.c.request_key == sa.bindparam("key"), table.c.operation == sa.bindparam("operation")
    )
)
_STORE_REPLY = Prepared(
    sa.update(table)
    .where(table.c.request_key == sa.bindparam("key"), table.c.operation == sa.bindparam("op"))
    .values(reply=sa.bindparam("stored_reply"))
)


def request_row(
    key: str, operation: str, sealed_reply: bytes | None, fingerprint: str | None
) -> dict[str, object]:
    """A row for RECORD: what is not known yet is left out (the column's NULL), so the statement
    keeps one set of parameters per shape (Prepared compiles one per set)."""
    row: dict[str, object] = {
        "request_key": key,
        "operation": operation,
        "created_at": datetime.now(UTC),
    }
    if sealed_reply is not None:
        row["reply"] = sealed_reply
    if fingerprint is not None:
        row["fingerprint"] = fingerprint
    return row


class ProcessedRequests:
    """The rows, read and written outside the effect's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._seal: Callable[[bytes], bytes] = bytes
        self._open: Callable[[bytes], bytes] = bytes

    def protect(self, seal: Callable[[bytes], bytes], open_: Callable[[bytes], bytes]) -> None:
        """Encrypt stored replies (a service whose replies carry secrets, e.g. signing keys)."""
        self._seal, self._open = seal, open_

    def seal(self, reply: bytes) -> bytes:
        return self._seal(reply)

    async def find(self, key: str, operation: str) -> Recorded | None:
        """The row of an applied (or refused) request, or None."""
        async with self.db.read() as session:
            row = await _FIND.first(session, {"key": key, "operation": operation})
        if row is None:
            return None
        return Recorded(None if row.reply is None else self._open(row.reply), row.fingerprint)

    async def record_answer(
        self, key: str, operation: str, reply: bytes, fingerprint: str | None
    ) -> bool:
        """Record a request that applied nothing, with its answer (a refusal, or the state a
        twin left); False if a twin recorded the key first."""
        row = request_row(key, operation, self._seal(reply), fingerprint)
        try:
            async with self.db.transaction() as session:
                await RECORD.rowcount(session, row)
        except IntegrityError:
            return False
        return True

    async def store_reply(self, key: str, operation: str, reply: bytes) -> None:
        params = {"key": key, "op": operation, "stored_reply": self._seal(reply)}
        async with self.db.transaction() as session:
            await _STORE_REPLY.rowcount(session, params)

    async def purge(self, keep: timedelta = KEEP_FOR) -> int:
        async with self.db.transaction() as session:
            result = await session.execute(
                sa.delete(table).where(table.c.created_at < datetime.now(UTC) - keep)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
