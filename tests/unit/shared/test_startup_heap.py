"""A service freezes its start-up heap: what is alive is left out of later collections, and
garbage made before is collected first, not frozen with it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from shared.runtime.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run collects as before


def test_live_objects_are_frozen_and_garbage_is_not(unfrozen: None) -> None:
    kept, dropped = Node(), Node()
    dropped_ref = weakref.ref(dropped)
    del dropped
    assert dropped_ref() is not None  # only a collection frees a cycle
    freeze_startup_heap()
    assert dropped_ref() is None  # collected, not frozen with the rest
    assert gc.get_freeze_count() > 0
    assert any(o is kept for o in gc.get_objects()) is False  # out of every generation
    assert kept.me is kept
