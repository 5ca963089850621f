"""Domain events -> CloudEvents: each event class mapped to its contract model in shared.contracts.

The subject of each event is the one its contract model is registered under
(`shared.contracts.registry`). The payload is the event's own fields, plus what only the edge
knows: catalogue names for style codes, and the API path of the RMA form.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel

from services.warranty.domain import events as ev
from services.warranty.domain.reference import Catalogue
from shared.contracts import warranty as c
from shared.contracts import warranty_analytics as ca
from shared.contracts.envelope import CloudEvent, make_event
from shared.contracts.registry import load_all
from shared.logging import current_correlation_id

CONTRACTS: dict[type[Any], type[BaseModel]] = {
    ev.ClaimSubmitted: c.ClaimSubmitted,
    ev.ClaimApproved: c.ClaimApproved,
    ev.ClaimRejected: c.ClaimRejected,
    ev.ClaimFlagged: c.ClaimFlagged,
    ev.ClaimRmaIssued: c.ClaimRmaIssued,
    ev.ClaimRmaReminder: c.ClaimRmaReminder,
    ev.ClaimLapsed: c.ClaimLapsed,
    ev.ClaimReceived: c.ClaimReceived,
    ev.ClaimInspectionStarted: c.ClaimInspectionStarted,
    ev.ClaimRepairStarted: c.ClaimRepairStarted,
    ev.ClaimReplacementStarted: c.ClaimReplacementStarted,
    ev.ClaimStoreCreditIssued: c.ClaimStoreCreditIssued,
    ev.ClaimShippedBack: c.ClaimShippedBack,
    ev.ClaimDelivered: c.ClaimDelivered,
    ev.ClaimClosed: c.ClaimClosed,
    ev.ClaimCancelled: c.ClaimCancelled,
    ev.ClaimSlaAtRisk: c.ClaimSlaAtRisk,
    ev.ClaimSlaBreached: c.ClaimSlaBreached,
    ev.BatchFlagged: ca.BatchFlagged,
}
SUBJECTS: dict[type[BaseModel], str] = {spec.model: spec.type for spec in load_all().values()}
NOT_PUBLISHED = frozenset({"seq"})  # the event's place in the claim's history: its id


def rma_form_path(claim_id: str) -> str:
    return f"/v1/claims/{claim_id}/rma.pdf"


class WarrantyWire:
    """Maps the service's domain events to contract envelopes (needs the catalogue for names)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def payload(self, event: ev.WarrantyEvent) -> BaseModel:
        """The contract model of `event`: its fields, with names looked up at the edge."""
        fields = {k: v for k, v in dataclasses.asdict(event).items() if k not in NOT_PUBLISHED}
        if isinstance(event, ev.ClaimEvent):
            fields |= {"status": str(event.status), **self._names(event)}
        return CONTRACTS[type(event)].model_validate(fields)

    def _names(self, event: ev.ClaimEvent) -> dict[str, Any]:
        extra: dict[str, Any] = {"product_name": self._style_name(event.style_code)}
        if isinstance(event, ev.ClaimRmaIssued):
            extra["rma_form_path"] = rma_form_path(event.claim_id)
        if isinstance(event, ev.ClaimReplacementStarted):
            extra["replacement_name"] = self._style_name(event.replacement_style)
        return extra

    def _style_name(self, code: str | None) -> str | None:
        style = self.catalogue.style(code) if code else None
        return style.name if style else None

    def to_cloud_event(self, event: ev.WarrantyEvent) -> CloudEvent[Any]:
        data = self.payload(event)
        if isinstance(event, ev.ClaimEvent):
            # Stable per claim version: a retried handler cannot publish a second copy.
            source, subject, event_id = c.SOURCE, event.claim_id, f"{event.claim_id}.{event.seq}"
            time = event.occurred_at
        else:
            # One announcement per batch, ever: JetStream drops a second publish with this id.
            source, subject, event_id = ca.SOURCE, event.batch_id, f"batch.{event.batch_id}.flagged"
            time = event.flagged_at
        return make_event(
            type=SUBJECTS[type(data)], source=source, subject=subject, data=data,
            correlation_id=current_correlation_id(), event_id=event_id, time=time,
        )  # fmt: skip
