"""A provider's error can quote the recipient; the message events carry only its code (events
carry ids, codes and business facts, never personal data)."""

from __future__ import annotations

import orjson

from services.notifications.adapters.tables import deliveries
from services.notifications.domain.ports import SendOutcome, SendStatus
from shared.contracts import notifications as c
from shared.persistence.messaging_tables import outbox_table
from tests.support.event_scan import scan_event
from tests.support.notifications.cases import RecordingEmail, plan_one_email, rows, worker

REFUSAL = "SMTPRecipientsRefused: {'m@example.co.uk': (550, b'5.1.1 <m@example.co.uk> unknown')}"


async def test_a_refusal_quoting_the_address_publishes_only_its_code(uow):
    """A provider's refusal that quotes the address publishes only its code."""
    await plan_one_email(uow)
    email = RecordingEmail([SendOutcome(SendStatus.PERMANENT_FAILURE, error=REFUSAL)])
    assert await worker(uow, email).run_once() == 1
    events = [orjson.loads(r.payload) for r in await rows(uow, outbox_table)]
    [failed] = [e for e in events if e["type"] == c.MESSAGE_FAILED]
    assert failed["data"]["error"] == "SMTPRecipientsRefused"
    assert all(scan_event(e) == [] for e in events), [scan_event(e) for e in events]
    [row] = [r for r in await rows(uow, deliveries) if r.channel == "email"]
    assert row.last_error == REFUSAL  # the whole text stays with the service, for agents
