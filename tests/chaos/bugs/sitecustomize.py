"""A deliberate bug for the chaos suite: a consumer that acks an event BEFORE committing its
effect (the classic at-most-once mistake). Loaded only by processes started with this folder on
PYTHONPATH and `CHAOS_BUG=ack_before_commit`; with `consumer.after_ack` in CONCIERGE_CRASH_AT
the process also dies right after such an ack, so that event is acked and never applied.

It wraps the runtime's "apply these deliveries in one transaction" step, so it follows the
runtime's internals: if that function is renamed, the process says so on stderr and the test
that uses this bug fails on its "the bug's crash happened" assertion.
"""

from __future__ import annotations

import os
import sys

if os.environ.get("CHAOS_BUG") == "ack_before_commit":
    from typing import Any

    from shared.messaging import consumer

    _apply = getattr(consumer, "_apply_in_one_transaction", None)
    _crash_after = 10 if "consumer.after_ack" in os.environ.get("CONCIERGE_CRASH_AT", "") else 0
    _acked = 0

    async def _already_acked(*args: Any, **kwargs: Any) -> None:
        return None

    async def apply_after_acking(route: Any, rt: Any, batch: list[Any]) -> None:
        global _acked
        for delivery in batch:
            # BUG: acknowledged (and confirmed by the server) before the effect is committed.
            await delivery.raw.ack_sync(timeout=5)
            delivery.raw.ack = _already_acked
            _acked += 1
            if _acked == _crash_after:
                os._exit(137)  # dies between the ack and the commit: nothing redelivers it
        assert _apply is not None
        await _apply(route, rt, batch)

    if _apply is None:
        sys.stderr.write("chaos bug: shared.messaging.consumer._apply_in_one_transaction missing\n")
    else:
        consumer._apply_in_one_transaction = apply_after_acking  # type: ignore[assignment]
