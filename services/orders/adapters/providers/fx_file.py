"""FX provider reading the operator's `fx.json`, with a refresh hook.

`refresh()` re-reads the file (or calls `fetch`, e.g. a bank feed adapter) and swaps the
snapshot in; new quotes use it, quotes already issued keep the rate they locked. A refresh that
would go back in time (older `as_of`) is ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.abc import Traversable
from pathlib import Path

from services.orders.adapters.reference_data import load_fx
from services.orders.domain.money import FxSnapshot


class FileFxProvider:
    def __init__(
        self,
        folder: Traversable | Path | None = None,
        fetch: Callable[[], Awaitable[FxSnapshot]] | None = None,
    ) -> None:
        self.folder = folder
        self._fetch = fetch
        self._current = load_fx(folder)

    def snapshot(self) -> FxSnapshot:
        return self._current

    async def refresh(self) -> FxSnapshot:
        fresh = await self._fetch() if self._fetch else load_fx(self.folder)
        if fresh.as_of >= self._current.as_of:
            self._current = fresh
        return self._current
