"""The gateway's start-up objects are left out of later garbage collections (issue 14)."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from services.gateway import __main__ as gateway_main


def test_main_freezes_the_start_up_heap_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    app = object()
    monkeypatch.setattr(gateway_main, "configure_logging", lambda *a, **k: None)
    monkeypatch.setattr(gateway_main, "create_app", lambda settings: app)

    def serve(served: object, **options: Any) -> None:
        seen.update(app=served, frozen=gc.get_freeze_count(), loop=options["loop"])

    monkeypatch.setattr(gateway_main, "serve", serve)
    try:
        gateway_main.main()
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    assert seen["app"] is app and seen["loop"] == "uvloop"
    # Everything alive when the app was built (this test session's objects too) is frozen.
    assert seen["frozen"] > 10_000
