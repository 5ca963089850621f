"""Found by the bus fuzzer: a dead letter whose reason is not plain ASCII (a malformed event
whose body contains `é` puts that text in the pydantic error, hence in the reason) is read back
by `list_dead_letters` with `reason` an `email.header.Header`, not a `str`: nats-py parses
message headers with the stdlib email parser. `concierge dlq list` then prints (or fails to
JSON-encode) an object instead of the reason.

Fixed in shared/messaging/dlq.py: header values are made ASCII-safe (`backslashreplace`) and
kept on one line when the dead letter is written.
"""

from __future__ import annotations

from typing import Any

from shared.messaging.dlq import dead_letter, list_dead_letters
from shared.messaging.streams import ensure_streams


async def test_non_ascii_reason_reads_back_as_text(nats_client: Any) -> None:
    js = nats_client.jetstream()
    await ensure_streams(js)
    reason = "malformed_event: input 'café' is not a CloudEvent"
    await dead_letter(
        js,
        stream="WARRANTY",
        stream_seq=1,
        consumer="notifications-warranty",
        subject="warranty.claim.approved",
        payload=b"caf\xc3\xa9",
        headers={},
        reason=reason,
        deliveries=1,
    )
    [letter] = await list_dead_letters(js)
    assert isinstance(letter.reason, str)
    assert "caf" in letter.reason
