"""Which subjects of its stream a durable consumer receives, changed while the service runs.

A consumer that needs only some of a stream's events costs less when JetStream does not deliver
the rest: each delivered event costs the consumer a wake, an inbox row and an ack, and the
server a delivery. Notifications, say, needs the order events that cause a message and those a
partner's webhook endpoint subscribes to; three of an order's seven events are neither, most of
the time (docs/benchmarks.md, "Issue 14", twenty-second pass).

JetStream (2.10 and later) updates a durable's `filter_subjects` in place: its position and its
unacknowledged messages stay. A message published while the filter left its subject out is
skipped for good, so whoever changes what the service needs widens the filter *before* the
change commits, and narrows it only *after*, holding a lock that orders the two against each
other (notifications' `ConsumedOrderEvents` is the example).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from shared.messaging.pull import consumer_info

log = structlog.get_logger()


class ConsumerNotBound(Exception):
    """The service is not connected to JetStream yet: the consumer's subjects cannot be set."""


def subjects_of(config: ConsumerConfig) -> list[str]:
    if config.filter_subjects:
        return sorted(config.filter_subjects)
    return [config.filter_subject] if config.filter_subject else []


class ConsumerSubjects:
    """Sets which subjects of `stream` the durable `durable` receives, within `whole` (the
    route's subject). A durable that does not exist yet is left to the bind, which creates it
    receiving `whole`, then asks for its subjects (shared.messaging.consumer)."""

    def __init__(self, stream: str, durable: str, whole: str,
                 js: Callable[[], JetStreamContext | None]) -> None:  # fmt: skip
        self.stream, self.durable, self.whole = stream, durable, whole
        self._js = js  # the runtime connects after the service is composed

    async def apply(self, subjects: Sequence[str]) -> None:
        """Receive exactly `subjects` from now on (none: `whole`). They must not overlap each
        other: JetStream refuses `orders.>` beside `orders.order.placed`."""
        js = self._js()
        if js is None:
            raise ConsumerNotBound(self.durable)
        wanted = sorted(set(subjects)) or [self.whole]
        found = await consumer_info(js, self.stream, self.durable)
        if found is None or subjects_of(found.config) == wanted:
            return
        config = found.config
        config.filter_subject = wanted[0] if len(wanted) == 1 else None
        config.filter_subjects = wanted if len(wanted) > 1 else None
        await js.add_consumer(self.stream, config)
        log.info("consumer.subjects_set", consumer=self.durable, subjects=len(wanted))
