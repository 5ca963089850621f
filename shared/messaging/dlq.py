"""Dead letters: events a consumer gave up on, kept with the reason, replayable by an operator.

Two ways in, one stream (`DLQ`, subjects `dlq.<STREAM>.<consumer>`):
- the consumer wrapper dead-letters a poison message at once, or a failing one on its last
  delivery, with the error as the reason;
- a safety net subscribed to JetStream's MAX_DELIVERIES advisory catches messages whose last
  delivery never reported back (the process died, or the ack wait expired), fetching the
  original by stream sequence.
Both use `Nats-Msg-Id = dlq:<stream>:<seq>`, so one message is dead-lettered once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.messaging.outbox import MSG_ID_HEADER
from shared.messaging.streams import DLQ

log = structlog.get_logger()

MAX_DELIVERIES_ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"
H_SUBJECT = "Dlq-Original-Subject"
H_STREAM = "Dlq-Original-Stream"
H_SEQ = "Dlq-Original-Seq"
H_CONSUMER = "Dlq-Consumer"
H_REASON = "Dlq-Reason"
H_DELIVERIES = "Dlq-Deliveries"
H_HEADERS = "Dlq-Original-Headers"
H_FAILED_AT = "Dlq-Failed-At"


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    original_subject: str
    original_stream: str
    original_seq: int
    consumer: str
    reason: str
    deliveries: int
    failed_at: str
    headers: dict[str, str]
    payload: bytes

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.seq,
            "subject": self.original_subject,
            "stream": self.original_stream,
            "stream_seq": self.original_seq,
            "consumer": self.consumer,
            "reason": self.reason,
            "deliveries": self.deliveries,
            "failed_at": self.failed_at,
            "event_id": self.headers.get(MSG_ID_HEADER),
        }


def header_safe(text: str) -> str:
    """NATS headers are parsed like email headers: keep them ASCII and on one line."""
    return (
        text.encode("ascii", "backslashreplace")
        .decode("ascii")
        .replace("\r", " ")
        .replace("\n", " ")
    )


async def dead_letter(
    js: JetStreamContext,
    *,
    stream: str,
    stream_seq: int,
    consumer: str,
    subject: str,
    payload: bytes,
    headers: dict[str, str] | None,
    reason: str,
    deliveries: int,
) -> None:
    dlq_headers = {
        MSG_ID_HEADER: f"dlq:{stream}:{stream_seq}",
        H_SUBJECT: subject,
        H_STREAM: stream,
        H_SEQ: str(stream_seq),
        H_CONSUMER: consumer,
        H_REASON: header_safe(reason[:2000]),
        H_DELIVERIES: str(deliveries),
        H_HEADERS: json.dumps(headers or {}),
        H_FAILED_AT: datetime.now(UTC).isoformat(),
    }
    await js.publish(f"dlq.{stream}.{consumer}", payload, headers=dlq_headers)
    log.error(
        "dlq.dead_lettered", stream=stream, stream_seq=stream_seq, consumer=consumer, reason=reason
    )


async def watch_max_deliveries(nc: Client, js: JetStreamContext, consumers: dict[str, str]) -> Any:
    """Subscribe to MAX_DELIVERIES advisories of `consumers` ({durable: stream}).

    Replicas of a service share a queue group, so one of them handles each advisory.
    """

    async def on_advisory(msg: Msg) -> None:
        try:
            advisory = json.loads(msg.data)
            stream, consumer, seq = (
                advisory["stream"],
                advisory["consumer"],
                int(advisory["stream_seq"]),
            )
            original = await js.get_msg(stream, seq)
            await dead_letter(
                js,
                stream=stream,
                stream_seq=seq,
                consumer=consumer,
                subject=original.subject or "",
                payload=original.data or b"",
                headers=dict(original.headers or {}),
                reason="max_deliveries: no outcome reported on the last delivery (process died or ack wait expired)",
                deliveries=int(advisory.get("deliveries", 0)),
            )
        except Exception as exc:  # never crash the service over an advisory
            log.warning("dlq.advisory_failed", error=str(exc))

    subs = []
    for durable, stream in consumers.items():
        subject = f"{MAX_DELIVERIES_ADVISORY}.{stream}.{durable}"
        subs.append(await nc.subscribe(subject, queue=f"dlq-{durable}", cb=on_advisory))
    return subs


def _to_dead_letter(seq: int, raw_headers: dict[str, object], payload: bytes) -> DeadLetter:
    headers = {k: str(v) for k, v in raw_headers.items()}  # older letters may hold Header objects
    return DeadLetter(
        seq=seq,
        original_subject=headers.get(H_SUBJECT, ""),
        original_stream=headers.get(H_STREAM, ""),
        original_seq=int(headers.get(H_SEQ, "0")),
        consumer=headers.get(H_CONSUMER, ""),
        reason=headers.get(H_REASON, ""),
        deliveries=int(headers.get(H_DELIVERIES, "0")),
        failed_at=headers.get(H_FAILED_AT, ""),
        headers=json.loads(headers.get(H_HEADERS, "{}")),
        payload=payload,
    )


async def list_dead_letters(
    js: JetStreamContext, limit: int = 100, after: int = 0
) -> list[DeadLetter]:
    """Up to `limit` letters, oldest first, with an id above `after` (a page's last id).

    Each read asks the server for the next letter at or above a sequence, so letters already
    replayed (deleted) cost nothing however many there are.
    """
    letters: list[DeadLetter] = []
    seq = after + 1
    while len(letters) < limit:
        try:
            raw = await js.get_msg(DLQ.name, seq=seq, subject=DLQ.subjects[0], next=True)
        except NotFoundError:
            break
        found = int(raw.seq or seq)
        letters.append(_to_dead_letter(found, dict(raw.headers or {}), raw.data or b""))
        seq = found + 1
    return letters


async def get_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    raw = await js.get_msg(DLQ.name, seq)
    return _to_dead_letter(seq, dict(raw.headers or {}), raw.data or b"")


async def replay_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    """Publish the original event again on its subject and remove it from the DLQ.

    A fresh `Nats-Msg-Id` gets it past the duplicate window; consumers that already applied it
    skip it through their inbox, the one that failed applies it.
    """
    letter = await get_dead_letter(js, seq)
    headers = dict(letter.headers)
    original_id = headers.get(MSG_ID_HEADER, f"{letter.original_stream}:{letter.original_seq}")
    headers[MSG_ID_HEADER] = f"{original_id}:replay:{seq}"
    await js.publish(letter.original_subject, letter.payload, headers=headers)
    try:
        await js.delete_msg(DLQ.name, seq)
    except NotFoundError:
        pass  # replayed at the same time by someone else: the duplicate publish was dropped
    log.info("dlq.replayed", dlq_seq=seq, subject=letter.original_subject, consumer=letter.consumer)
    return letter
