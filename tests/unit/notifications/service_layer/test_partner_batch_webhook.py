"""A quality partner's webhook receives `warranty.batch.flagged` (issue 16): the type is one a
partner may subscribe to, the fan-out queues it only for endpoints that asked, and the signed
delivery carries the batch id (ids only, like every webhook)."""

from __future__ import annotations

import uuid

from services.notifications.domain.incoming import IncomingEvent
from services.notifications.service_layer.webhook_fanout import partner_event_types
from shared.contracts import notifications as c
from tests.support.notifications.cases import (
    PARTNER,
    SHORT,
    T0,
    ScriptedSender,
    SteppingClock,
    fan_out_event,
    verified_at_its_timestamp,
    webhook_rpc,
    webhook_worker,
)

FLAGGED = {
    "batch_id": "NJ-2507-VT02", "factory": "NJ", "iso_week": "2025-W07", "style_code": "VT02",
    "claims": 31, "units": 900, "defect_rate": 0.034, "baseline_rate": 0.004, "p_value": 1e-9,
    "q_value": 1e-8, "fdr_level": 0.05, "flagged_at": "2026-12-05T06:00:00Z",
}  # fmt: skip


async def test_a_quality_partner_gets_flagged_batches_by_webhook(uow) -> None:  # type: ignore[no-untyped-def]
    assert "warranty.batch.flagged" in partner_event_types()
    clock = SteppingClock()
    hooks = webhook_rpc(uow, clock)
    quality = await hooks.create(
        c.CreateWebhookRequest(url="https://quality.example/h", event_types=["warranty.batch.*"]),
        PARTNER,
    )
    await hooks.create(  # a claims-only endpoint of the same partner gets nothing
        c.CreateWebhookRequest(url="https://claims.example/h", event_types=["warranty.claim.*"]),
        PARTNER,
    )
    event = IncomingEvent(id=uuid.uuid4().hex, type="warranty.batch.flagged", time=T0,
                          data=FLAGGED)  # fmt: skip
    assert await fan_out_event(uow, hooks, event) == 1
    sender = ScriptedSender([])
    assert await webhook_worker(uow, sender, SHORT, clock=clock).run_once() == 1
    [(url, body, headers)] = sender.requests
    assert url == "https://quality.example/h" and headers["webhook-id"] == event.id
    payload = verified_at_its_timestamp(quality.secret, body, headers)
    assert payload["type"] == "warranty.batch.flagged"
    assert payload["data"] == {"batch_id": "NJ-2507-VT02"}
