"""The turnaround alarm's counts kept per agent: how many claims at the repair centre are late,
and how many more are at risk of missing the one-week promise (read by
`routes/agent.py::sla_alarm`).

The queue's header reads them fresh with the queue. Every agent page's menu shows it too (an
agent working a claim or on the phone must see that others are slipping), but not at the price
of two gateway calls on every page: the menu's count is loaded by htmx after the page
(`GET /agent/alarm`), so no page waits for it, and kept per agent for ALARM_SECONDS. An agent
opens several pages a minute, and the counts move over hours (a claim turns at risk a day or so
before it is due), so a figure up to a minute old says the same; the queue always reads afresh.
The cache is per console process and keyed by the agent's token (by its hash: no token is kept
longer than a request needs), so nothing one agent's token read is shown to another.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ALARM_SECONDS = 45.0
MOST_AGENTS = 1000  # kept at once: a bound on the memory, far above a console's agents


@dataclass
class AlarmCache:
    """The last counts each agent read, for ALARM_SECONDS (see the module's docstring)."""

    seconds: float = ALARM_SECONDS
    clock: Callable[[], float] = time.monotonic
    _kept: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)

    def get(self, token: str) -> dict[str, str] | None:
        key = _key(token)
        kept = self._kept.get(key)
        if kept is None or self.clock() - kept[0] >= self.seconds:
            self._kept.pop(key, None)
            return None
        return kept[1]

    def put(self, token: str, alarm: dict[str, Any]) -> None:
        """Keep counts that were read; a service away is not kept (the next page asks again)."""
        if "unavailable" in alarm:
            return
        key = _key(token)
        self._kept.pop(key, None)
        self._kept[key] = (self.clock(), alarm)
        while len(self._kept) > MOST_AGENTS:  # the oldest first (a dict keeps insertion order)
            del self._kept[next(iter(self._kept))]


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
