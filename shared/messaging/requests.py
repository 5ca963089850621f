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
  still in flight, or, for a key the service keeps, any retry sent before the first answered):
  the second one's effect fails on the domain's own rule or on the row's primary key, and it
  answers like a repeat.

When the gateway leaves the key to the service (`fingerprint` given: the HTTP request's method,
path, query and canonical body), the service is the only layer that keeps it, with the gateway's
Stripe semantics:
- the row also records the fingerprint, and a repeat with another one is refused
  (`idempotency_key_reused`, 422) without running;
- an answer that applied nothing is recorded too, in a transaction of its own, and a repeat gets
  it again: a refusal (a `DomainError` other than `unavailable`, which may succeed later) or the
  state a request idempotent by design found (a quote placed earlier under another key);
- a repeat's reply is a `Replayed` (the responder marks it on the wire, the gateway answers
  `Idempotent-Replayed: true`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

import structlog
from sqlalchemy.exc import IntegrityError

from shared.errors import DomainError, ErrorKind
from shared.messaging.processed_requests import RECORD, ProcessedRequests, Recorded, request_row
from shared.persistence.session import Session
from shared.rpc import KeyReused, error_reply
from shared.runtime.faults import crash_point

log = structlog.get_logger()

# How long a repeat waits for the first attempt to store its reply before building it itself.
REPLY_WAIT_SECONDS = 1.0


class Replayed(bytes):
    """A reply that repeats the first attempt's (stored) reply."""


@dataclass
class RequestScope:
    """The keyed command being handled in this task."""

    key: str
    operation: str
    marked: bool = False  # a committed transaction recorded the key with its effect
    replaying: bool = False  # building the reply of an applied request: record nothing
    seal: Callable[[bytes], bytes] = bytes  # the store's (ProcessedRequests.protect)
    fingerprint: str | None = None  # the HTTP request's, when the service keeps the key
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


async def record_effect(session: Session, scope: RequestScope, has_events: bool) -> bool:
    """Insert the key with the effect; True if this transaction recorded it."""
    if scope.marked or scope.replaying or not (has_events or session.info.get("wrote")):
        return False
    # Taken, not peeked: a reply handed over for a transaction that rolled back is not reused.
    reply, scope.known_reply = scope.known_reply, None
    sealed = None if reply is None else scope.seal(reply)
    await RECORD.rowcount(
        session, request_row(scope.key, scope.operation, sealed, scope.fingerprint)
    )
    scope.recorded_reply = reply  # counts once this transaction commits (scope.marked)
    return True


# --- around the handler (called by the RPC glue) ---------------------------------------------------

Run = Callable[[], Awaitable[bytes]]


async def answer_once(
    store: ProcessedRequests,
    operation: str,
    key: str,
    run: Run,
    replay: Run,
    fingerprint: str | None = None,
) -> bytes:
    """Run a keyed command once; a repeat gets the first reply, as a `Replayed` (see the module
    docstring). `fingerprint`: the HTTP request's, when the service keeps the key."""
    recorded = await store.find(key, operation)
    if recorded is not None:
        return await _answer_repeat(store, operation, key, recorded, fingerprint, replay)
    scope = RequestScope(key, operation, seal=store.seal, fingerprint=fingerprint)
    token = _scope.set(scope)
    try:
        reply = await run()
    except (DomainError, IntegrityError) as exc:
        if scope.marked:  # our own first step applied, a later one refused: that is the answer
            raise
        # Refused, or lost the race on the key: was it because a twin already applied it?
        recorded = await _recorded_or_refused(store, scope, exc)
        log.info("rpc.repeat_detected", operation=operation)
        return await _answer_repeat(store, operation, key, recorded, fingerprint, replay)
    finally:
        _scope.reset(token)
    if not scope.marked:
        recorded = await _recorded_or_kept(store, scope, reply)
        if recorded is None:
            return reply
        log.info("rpc.repeat_detected", operation=operation)
        return await _answer_repeat(store, operation, key, recorded, fingerprint, replay)
    crash_point(f"rpc.after_commit:{operation}")  # applied; the reply may not be stored yet
    if reply != scope.recorded_reply:  # not stored with the effect (or not this reply)
        await store.store_reply(key, operation, reply)
    return reply


async def _recorded_or_kept(
    store: ProcessedRequests, scope: RequestScope, reply: bytes
) -> Recorded | None:
    """A command that applied nothing: a twin may have applied it meanwhile, and the handler,
    idempotent by design, answered with the twin's state (a placement of a quote already
    placed); the request's answer is then the twin's first reply, as for any repeat. Else
    `reply` is the answer (None), recorded first when the service keeps the key, as the gateway
    kept every answer."""
    recorded = await store.find(scope.key, scope.operation)
    if recorded is None and scope.fingerprint is not None:
        recorded = await _keep_answer(store, scope, reply)
    return recorded


async def _recorded_or_refused(
    store: ProcessedRequests, scope: RequestScope, exc: DomainError | IntegrityError
) -> Recorded:
    """The row a twin recorded (its answer is ours); else `exc` is the answer: raised, after
    it is recorded when the service keeps the key."""
    recorded = await store.find(scope.key, scope.operation)
    refusal = _kept_refusal(scope, exc)
    if recorded is None and refusal is not None:
        recorded = await _keep_answer(store, scope, error_reply(refusal))
    if recorded is None:
        raise exc
    return recorded


async def _keep_answer(
    store: ProcessedRequests, scope: RequestScope, reply: bytes
) -> Recorded | None:
    """Record the answer of a kept key that applied nothing: None when it is ours to give, or
    the row of a twin that recorded the key first."""
    try:
        if await store.record_answer(scope.key, scope.operation, reply, scope.fingerprint):
            return None
    except Exception as exc:  # the database failed: the answer stands, a retry runs again
        log.warning("rpc.answer_not_kept", operation=scope.operation, error=type(exc).__name__)
        return None
    return await store.find(scope.key, scope.operation)


def _kept_refusal(scope: RequestScope, exc: Exception) -> DomainError | None:
    """A refusal the service records for a key it keeps: a retry must get it again, not run
    (Stripe). `unavailable` means it may work later, as a 5xx releases a key at the gateway."""
    if scope.fingerprint is None or not isinstance(exc, DomainError):
        return None
    return None if exc.kind == ErrorKind.UNAVAILABLE else exc


async def _answer_repeat(
    store: ProcessedRequests,
    operation: str,
    key: str,
    recorded: Recorded,
    fingerprint: str | None,
    replay: Run,
) -> bytes:
    if fingerprint is not None and recorded.fingerprint not in (None, fingerprint):
        raise KeyReused()
    reply, waited = recorded.reply, 0.0
    while reply is None and waited < REPLY_WAIT_SECONDS:  # the first may be storing it now
        await asyncio.sleep(0.1)
        waited += 0.1
        again = await store.find(key, operation)
        reply = None if again is None else again.reply
    if reply is not None:
        log.info("rpc.replayed", operation=operation)
        return Replayed(reply)
    token = _scope.set(RequestScope(key, operation, replaying=True))
    try:
        reply = await replay()
    finally:
        _scope.reset(token)
    await store.store_reply(key, operation, reply)
    log.info("rpc.replayed", operation=operation, rebuilt=True)
    return Replayed(reply)
