"""Replayable requests: a state-changing RPC repeated with the same request key gets the first reply.

The gateway passes a request key (caller + Idempotency-Key, `shared.rpc.REQUEST_KEY_HEADER`) on
every RPC of a request. For an operation declared a command (`RpcRoute(command=True)`):

- The first unit of work of the operation that writes anything also inserts a row
  `(request_key, operation)` into `processed_requests`, in the same transaction as the effect.
  Once the handler returns, its reply is stored in that row. A handler that knows its reply
  before that transaction commits (a placement: the reply is the order it inserts) hands it over
  (`reply_known`), and the row is inserted with it: no second transaction to store it. The reply
  the handler then returns is compared with it, and stored as before if it differs.
- A repeat (the gateway died before it could store the response, or the service died before it
  could answer) finds the row and gets the stored reply, byte for byte, without running again.
- If the service died between the commit and storing the reply, the row has no reply yet: the
  route's `replay` (or the handler itself, for operations that are idempotent by design) builds it
  from the state the first attempt left, with marking switched off, and it is stored then.
- Two attempts running at once (a retry that took over the gateway's lock while the first was
  still in flight): the second one's effect fails on the domain's own rule or on the row's
  primary key, and it answers like a repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError

from shared.errors import DomainError
from shared.persistence.db import Database
from shared.persistence.messaging_tables import processed_requests_table as table
from shared.persistence.prepared import Prepared
from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session
from shared.runtime.faults import crash_point

log = structlog.get_logger()

# How long a repeat waits for the first attempt to store its reply before building it itself.
REPLY_WAIT_SECONDS = 1.0
KEEP_FOR = timedelta(hours=48)  # longer than the gateway keeps an Idempotency-Key (24 h)


@dataclass
class RequestScope:
    """The keyed command being handled in this task."""

    key: str
    operation: str
    marked: bool = False  # a committed transaction recorded the key with its effect
    replaying: bool = False  # building the reply of an applied request: record nothing
    seal: Callable[[bytes], bytes] = bytes  # the store's (ProcessedRequests.protect)
    known_reply: bytes | None = None  # handed over by reply_known, for the next record_effect
    recorded_reply: bytes | None = None  # the reply the recording transaction inserted


_scope: ContextVar[RequestScope | None] = ContextVar("request_scope", default=None)


def current_scope() -> RequestScope | None:
    return _scope.get()


def reply_known(reply: bytes) -> None:
    """The handler's reply, known before its effect commits: the row recording the effect
    stores it too (call it inside the effect's unit of work, before it commits)."""
    scope = _scope.get()
    if scope is not None and not scope.marked and not scope.replaying:
        scope.known_reply = reply


# --- inside the effect's transaction (called by the UnitOfWork) ----------------------------------


def watch_writes(session: Session) -> None:
    """Flag the session once it executes anything but a SELECT (only under a keyed command)."""
    session.watching_writes = True


# Built once (see _FIND); Prepared: every keyed command that writes runs it (prepared.py).
_RECORD = Prepared(sa.insert(table))


async def record_effect(session: Session, scope: RequestScope, has_events: bool) -> bool:
    """Insert the key with the effect; True if this transaction recorded it."""
    if scope.marked or scope.replaying or not (has_events or session.info.get("wrote")):
        return False
    # Taken, not peeked: a reply handed over for a transaction that rolled back is not reused.
    reply, scope.known_reply = scope.known_reply, None
    row = {"request_key": scope.key, "operation": scope.operation, "created_at": datetime.now(UTC)}
    if reply is not None:
        row["reply"] = scope.seal(reply)
    await _RECORD.rowcount(session, row)
    scope.recorded_reply = reply  # counts once this transaction commits (scope.marked)
    return True


# --- around the handler (called by the RPC glue) ---------------------------------------------------

# Built once: every keyed RPC looks its key up and stores its reply. Prepared: on SQLite they
# skip SQLAlchemy's per-statement path (prepared.py, prepared_read.py).
_FIND = PreparedRead(
    sa.select(table.c.reply).where(
        table.c.request_key == sa.bindparam("key"), table.c.operation == sa.bindparam("operation")
    )
)
_STORE_REPLY = Prepared(
    sa.update(table)
    .where(table.c.request_key == sa.bindparam("key"), table.c.operation == sa.bindparam("op"))
    .values(reply=sa.bindparam("stored_reply"))
)


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

    async def find(self, key: str, operation: str) -> tuple[bool, bytes | None]:
        """(recorded?, stored reply or None)."""
        async with self.db.read() as session:
            row = await _FIND.first(session, {"key": key, "operation": operation})
        if row is None:
            return False, None
        return True, None if row.reply is None else self._open(row.reply)

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


Run = Callable[[], Awaitable[bytes]]


async def answer_once(
    store: ProcessedRequests, operation: str, key: str, run: Run, replay: Run
) -> bytes:
    """Run a keyed command once; a repeat gets the first reply (see the module docstring)."""
    recorded, reply = await store.find(key, operation)
    if recorded:
        return await _answer_repeat(store, operation, key, reply, replay)
    scope = RequestScope(key, operation, seal=store.seal)
    token = _scope.set(scope)
    try:
        reply = await run()
    except (DomainError, IntegrityError):
        if scope.marked:  # our own first step applied, a later one refused: that is the answer
            raise
        # Refused, or lost the race on the key: was it because a twin already applied it?
        recorded, reply = await store.find(key, operation)
        if not recorded:
            raise
        log.info("rpc.repeat_detected", operation=operation)
        return await _answer_repeat(store, operation, key, reply, replay)
    finally:
        _scope.reset(token)
    if scope.marked:
        crash_point(f"rpc.after_commit:{operation}")  # applied; the reply may not be stored yet
        if reply != scope.recorded_reply:  # not stored with the effect (or not this reply)
            await store.store_reply(key, operation, reply)
    return reply


async def _answer_repeat(
    store: ProcessedRequests, operation: str, key: str, reply: bytes | None, replay: Run
) -> bytes:
    waited = 0.0
    while reply is None and waited < REPLY_WAIT_SECONDS:  # the first may be storing it now
        await asyncio.sleep(0.1)
        waited += 0.1
        _, reply = await store.find(key, operation)
    if reply is not None:
        log.info("rpc.replayed", operation=operation)
        return reply
    token = _scope.set(RequestScope(key, operation, replaying=True))
    try:
        reply = await replay()
    finally:
        _scope.reset(token)
    await store.store_reply(key, operation, reply)
    log.info("rpc.replayed", operation=operation, rebuilt=True)
    return reply
