"""Regressions the bus fuzzer found (tests/fuzz/test_bus_malformed.py), pinned as fast tests.

Found: a well-formed CloudEvent whose payload its contract refuses (a required field missing or
mistyped), or whose type no producer registered, was acked and silently dropped by the
notifications consumers instead of being dead-lettered with a reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.notifications.entrypoints.consumers import event_routes
from shared.contracts.envelope import RawEvent
from shared.contracts.warranty import ClaimSubmitted
from shared.errors import DomainError
from tests.fuzz.strategies import envelope

VALID = ClaimSubmitted.model_validate(
    {
        "claim_id": "clm_1",
        "customer_id": "cus_1",
        "region": "UK",
        "status": "submitted",
        "style_code": "SD2551",
        "product_name": "Saddle bag",
        "label_code": "SD-2551-VT02-0012OZ",
        "occurred_at": "2026-11-23T10:00:00+00:00",
        "category": "handbag",
        "components": ["strap"],
        "cause": "wear",
    }
)


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def on_event(self, tx: Any, event: RawEvent) -> int:
        self.seen.append(event.type)
        return 0


def _route(recorder: Recorder) -> Any:
    [warranty] = [
        r for r in event_routes(recorder, recorder, lambda tx: tx) if r.subject == "warranty.>"
    ]  # type: ignore[arg-type]
    return warranty


async def test_contract_refused_payload_is_poison() -> None:
    recorder = Recorder()
    data = VALID.model_dump(mode="json") | {"claim_id": 42, "components": "strap"}
    event = RawEvent.model_validate(envelope("warranty.claim.submitted", data))
    with pytest.raises(DomainError) as refused:
        await _route(recorder).handler(None, event)
    assert refused.value.code == "invalid_event_payload"
    assert recorder.seen == []


async def test_unregistered_event_type_is_poison() -> None:
    recorder = Recorder()
    event = RawEvent.model_validate(envelope("warranty.fuzz.exploded", {"claim_id": "c"}))
    with pytest.raises(DomainError) as refused:
        await _route(recorder).handler(None, event)
    assert refused.value.code == "unknown_event_type"
    assert recorder.seen == []


async def test_valid_event_is_applied() -> None:
    recorder = Recorder()
    event = RawEvent.model_validate(
        envelope("warranty.claim.submitted", VALID.model_dump(mode="json"))
    )
    await _route(recorder).handler(None, event)
    assert recorder.seen == ["warranty.claim.submitted", "warranty.claim.submitted"]
