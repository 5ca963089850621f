"""Waiting for a dependency at start-up: bounded exponential back-off, logged, with a deadline.

A process started beside its dependencies (compose, Kubernetes, `concierge up`) often comes up
first: the database still starting, NATS not listening yet, a JetStream cluster still electing
its leaders. Crashing then only trades a wait for a restart loop. Every start-up step that talks
to a dependency goes through `wait_for`: it retries with a growing pause (capped), logs each
failed attempt with the reason (`dependency.waiting`), records what it waits for so `/readyz`
can say so, and gives up after a deadline so a dependency that never comes is still an error.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog

log = structlog.get_logger()

T = TypeVar("T")

FIRST_PAUSE_S = 0.2
LONGEST_PAUSE_S = 5.0


class DependencyUnavailable(RuntimeError):
    """A dependency did not answer within the start-up deadline."""


@dataclass
class StartupState:
    """What the process is waiting for; `ready` once every start-up step is done."""

    waiting_for: str = "start-up"
    last_error: str = ""
    ready: bool = False

    def describe(self) -> str:
        if self.ready:
            return "ready"
        return f"waiting for {self.waiting_for}" + (
            f": {self.last_error}" if self.last_error else ""
        )


async def wait_for(
    dependency: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    state: StartupState,
    deadline_s: float,
) -> T:
    """Run `attempt` until it succeeds, pausing 0.2 s, 0.4 s, ... up to 5 s between tries."""
    started, pause, tries = time.monotonic(), FIRST_PAUSE_S, 0
    state.waiting_for, state.last_error = dependency, ""
    while True:
        tries += 1
        try:
            result = await attempt()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            state.last_error = error
            waited = time.monotonic() - started
            if waited + pause > deadline_s:
                log.error("dependency.gave_up", dependency=dependency, attempts=tries,
                          waited_s=round(waited, 1), error=error)  # fmt: skip
                raise DependencyUnavailable(f"{dependency}: {error}") from exc
            log.warning("dependency.waiting", dependency=dependency, attempt=tries, error=error,
                        retry_in_s=round(pause, 2))  # fmt: skip
            await asyncio.sleep(pause * random.uniform(0.8, 1.2))
            pause = min(pause * 2, LONGEST_PAUSE_S)
            continue
        if tries > 1:
            log.info("dependency.available", dependency=dependency, attempts=tries)
        state.last_error = ""
        return result
