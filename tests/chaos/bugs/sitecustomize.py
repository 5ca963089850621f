"""A deliberate bug for the chaos suite: a consumer that acks an event BEFORE committing its
effect (the classic at-most-once mistake). Loaded only by processes started with this folder on
PYTHONPATH and `CHAOS_BUG=ack_before_commit`; with `consumer.after_ack` in CONCIERGE_CRASH_AT
the process also dies right after one such ack, so that event is acked and never applied.
"""

from __future__ import annotations

import os

if os.environ.get("CHAOS_BUG") == "ack_before_commit":
    from typing import Any

    from shared.messaging import consumer

    _submit = consumer.GroupCommit.submit
    _crash_after = 10 if "consumer.after_ack" in os.environ.get("CONCIERGE_CRASH_AT", "") else 0
    _acked = 0

    async def submit(self: Any, raw: Any) -> None:
        global _acked
        # BUG: acknowledged (and confirmed by the server) before the effect is committed.
        await raw.ack_sync(timeout=5)

        async def already_acked() -> None:
            return None

        raw.ack = already_acked
        _acked += 1
        if _acked == _crash_after:
            os._exit(137)  # dies between the ack and the commit: JetStream never redelivers
        await _submit(self, raw)

    consumer.GroupCommit.submit = submit  # type: ignore[method-assign]
