"""Use cases on a real SQLite database, without NATS: events in, rows and outbox events out."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from services.notifications.adapters.tables import deliveries, inbox_items, webhook_deliveries
from services.notifications.domain.incoming import IncomingEvent
from services.notifications.domain.ports import SendOutcome, SendStatus
from shared.actor import Actor
from shared.contracts import notifications as c
from shared.persistence.messaging_tables import outbox_table
from tests.support.notifications.cases import (
    ME,
    NOW,
    RecordingEmail,
    apply,
    customer_rpc,
    delivery_worker,
    event,
    fan_out_event,
    rows,
    webhook_rpc,
)


async def test_event_plans_messages_once_and_fills_the_inbox(uow):
    """An event plans one message per kind, channel and recipient, once; SMS waits out quiet
    hours in the customer's zone; in-app messages land in the inbox with their event."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(name="Margaret", email="m@example.co.uk",
                                            phone="+447700900123", locale="en-GB"), ME)  # fmt: skip
    await n.put_preferences(c.PutPreferencesRequest(
        transactional=["email", "in_app", "sms"], quiet_hours={"start": "22:00", "end": "07:00"}
    ), ME)  # fmt: skip
    started = event("warranty.claim.repair_started", parts=[], components=["piping"])
    assert await apply(uow, n, started) == 2  # repair_started: email, inbox (no push token)
    ev = event("warranty.claim.shipped_back", carrier="DPD", tracking_number="T1",
               resolution="repair", sla="met", status="shipped_back")  # fmt: skip
    assert await apply(uow, n, ev) == 5  # shipped_back: email, sms, inbox; thank_you: email, inbox
    assert await apply(uow, n, ev) == 0  # the same event again: nothing new
    planned = {(r.kind, r.channel): r for r in await rows(uow, deliveries) if r.event_id == ev.id}
    assert planned[("claim_shipped_back", "sms")].next_attempt_at == datetime(
        2026, 11, 24, 7, 0, tzinfo=UTC
    )  # quiet hours in London
    assert planned[("claim_shipped_back", "email")].status == "pending"
    inbox = await n.list_inbox(c.ListInboxRequest(), ME)
    assert inbox.unread == 3
    assert {i.kind for i in inbox.items} == {
        "claim_repair_started", "claim_shipped_back", "claim_thank_you"}  # fmt: skip
    outbox = await rows(uow, outbox_table)
    assert [r.subject for r in outbox] == [c.MESSAGE_DELIVERED] * 3


async def test_customer_without_contact_gets_the_inbox_only(uow):
    """Without contact details a transactional message still reaches the customer: in the
    inbox."""
    n = customer_rpc(uow)
    await apply(uow, n, event("warranty.claim.submitted", status="submitted", category="handbag",
                               components=["piping"], cause="manufacturing_defect"))  # fmt: skip
    assert [(r.channel, r.status) for r in await rows(uow, deliveries)] == [("in_app", "delivered")]
    assert len(await rows(uow, inbox_items)) == 1


async def test_delivery_worker_retries_then_records_failure(uow):
    """A transient failure is retried after a growing delay, each attempt recorded with its
    event."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="m@example.co.uk", locale="en-GB"), ME)
    await apply(uow, n, event("warranty.claim.approved", status="approved", rule="r",
                               policy_version="2024-01", reasons=["Covered."]))  # fmt: skip
    transient = SendOutcome(SendStatus.TRANSIENT_FAILURE, error="busy")
    email = RecordingEmail([transient, transient])
    clock = [NOW]
    worker = delivery_worker(uow, email, max_attempts=3, retry_base_seconds=10,
                             clock=lambda: clock[0])  # fmt: skip
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # not due yet
    clock[0] = NOW.replace(minute=31)
    assert await worker.run_once() == 1
    clock[0] = NOW.replace(minute=59)
    assert await worker.run_once() == 1
    [row] = [r for r in await rows(uow, deliveries) if r.channel == "email"]
    assert (row.status, row.attempts) == ("sent", 3)
    subjects = [r.subject for r in await rows(uow, outbox_table)]
    assert subjects.count(c.MESSAGE_FAILED) == 2 and subjects.count(c.MESSAGE_SENT) == 1


async def test_permanent_failure_is_final(uow):
    """A provider's permanent refusal is not retried; the message log shows it failed, with
    the reason."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="m@example.co.uk"), ME)
    await apply(uow, n, event("warranty.claim.rejected", status="rejected", rule="r",
                               policy_version="2024-01", reasons=["Wear."]))  # fmt: skip
    email = RecordingEmail([SendOutcome(SendStatus.PERMANENT_FAILURE, error="550")])
    worker = delivery_worker(uow, email)
    await worker.run_once()
    log = await n.list_messages(c.ListMessagesRequest(), ME)
    email_entry = next(m for m in log.messages if m.channel == "email")
    assert email_entry.status == "failed" and email_entry.last_error == "550"


async def test_webhook_fan_out_only_to_matching_enabled_endpoints(uow):
    """An event goes once to each endpoint subscribed to it, without personal ids; events
    not for partners go nowhere."""

    async def resolve(host, port):
        return ["93.184.216.34"]

    hooks = webhook_rpc(uow, resolver=resolve)
    partner = Actor(type="partner", id="p1")
    claims = await hooks.create(c.CreateWebhookRequest(url="https://p.example/a",
                                                       event_types=["warranty.claim.*"]), partner)  # fmt: skip
    await hooks.create(c.CreateWebhookRequest(url="https://p.example/b",
                                              event_types=["orders.*"]), partner)  # fmt: skip
    ev = event("warranty.claim.approved", status="approved", rule="r", policy_version="x",
               reasons=[])  # fmt: skip
    assert await fan_out_event(uow, hooks, ev) == 1
    assert await fan_out_event(uow, hooks, ev) == 0
    [row] = await rows(uow, webhook_deliveries)
    assert row.endpoint_id == claims.id
    assert "customer_id" not in row.payload and "CLM-1" in row.payload
    # internal alarms are not for partners... unless registered so
    waitlist = IncomingEvent(id="w1", type="orders.waitlist.available", time=NOW,
                             data={"customer_id": "c1", "entry_id": "e"})  # fmt: skip
    assert await fan_out_event(uow, hooks, waitlist) == 0


async def test_waitlist_availability_becomes_a_message(uow):
    """A waitlist availability event tells the customer the item, its price in their
    currency and where to order it."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="m@example.co.uk", locale="en-GB"), ME)
    ev = IncomingEvent(id="wl-1", type="orders.waitlist.available", time=NOW, data={"entry_id": "e1", "customer_id": "c1", "style": "TC11",
                                  "item_name": "Floral tablet sleeve 11-inch", "region": "UK",
                                  "reason": "listed", "price": "60.47", "currency": "GBP"})  # fmt: skip
    assert await apply(uow, n, ev) == 2
    email = next(r for r in await rows(uow, deliveries) if r.channel == "email")
    assert email.subject == "Floral tablet sleeve 11-inch is now available"
    assert "£60.47" in email.text_body
    assert "http://api/v1/products/TC11/offers?region=UK" in email.text_body


async def test_order_failed_tells_what_to_do(uow):
    """A failed order tells the customer why, and what they can do about it."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="m@example.co.uk", locale="en-GB"), ME)
    ev = IncomingEvent(id="of-1", type="orders.order.failed", time=NOW,
                  data={"order_id": "ORD-1", "customer_id": "c1", "region": "UK",
                        "currency": "GBP", "total": "95.82", "reason_code": "payment_declined",
                        "advice_code": "use_another_card", "status": "failed",
                        "message": "Your card was declined.", "compensations": []})  # fmt: skip
    await apply(uow, n, ev)
    email = next(r for r in await rows(uow, deliveries) if r.channel == "email")
    assert "Why: Your card was declined." in email.text_body
    assert "What you can do: Try again with another card" in email.text_body


async def test_inbox_pages_do_not_skip_items_sharing_an_instant(uow):
    """Inbox pages walk every item once, even when a page ends inside items sharing one
    instant."""
    n = customer_rpc(uow)
    async with uow() as tx:  # five items written in the same instant, as one event can make
        await tx.session.execute(
            sa.insert(inbox_items),
            [
                {
                    "id": f"i{k}",
                    "customer_id": "c1",
                    "kind": "claim_received",
                    "title": "t",
                    "body": "b",
                    "created_at": NOW,
                }
                for k in range(5)
            ],
        )
    seen, before, before_id = [], None, None
    for _ in range(10):
        page = await n.list_inbox(
            c.ListInboxRequest(limit=2, before=before, before_id=before_id), ME
        )
        seen += [i.id for i in page.items]
        if len(page.items) < 2:
            break
        before, before_id = page.items[-1].created_at, page.items[-1].id
    assert sorted(seen) == [f"i{k}" for k in range(5)] and len(seen) == 5


async def test_message_log_pages_walk_every_message_once(uow):
    """Message log pages walk each of the customer's messages once, newest first, and no one
    else's."""
    n = customer_rpc(uow)
    later = NOW.replace(minute=45)
    rows_ = [
        {"id": f"d{k}", "event_id": f"e{k}", "event_type": "warranty.claim.approved",
         "kind": "claim_approved", "channel": "email", "recipient": customer,
         "customer_id": customer, "address": "m@example.co.uk", "subject": "s", "text_body": "t",
         "html_body": "h", "short_text": "", "status": "sent", "attempts": 1, "send_at": NOW,
         "created_at": later if k < 2 else NOW}
        for k, customer in enumerate(["c1"] * 7 + ["c2"] * 2)
    ]  # fmt: skip  # two newer ones, then five sharing one instant, then another customer's
    async with uow() as tx:
        await tx.session.execute(sa.insert(deliveries), rows_)
    seen, before, before_id = [], None, None
    for _ in range(10):
        request = c.ListMessagesRequest(limit=2, before=before, before_id=before_id)
        page = (await n.list_messages(request, ME)).messages
        seen += [m.message_id for m in page]
        if len(page) < 2:
            break
        before, before_id = page[-1].created_at, page[-1].message_id
    assert seen[:2] == ["d0", "d1"]  # newest first
    assert sorted(seen) == [f"d{k}" for k in range(7)] and len(seen) == 7


async def test_each_message_is_rendered_for_the_channels_that_show_it(uow):
    """A kind's parts are rendered for the channels it is planned on: the email gets its HTML,
    the SMS its short text, the inbox its subject and text; a part no planned channel shows is
    stored empty (PARTS_SHOWN)."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(name="Margaret", email="m@example.co.uk",
                                            phone="+447700900123", locale="en-GB"), ME)  # fmt: skip
    await n.put_preferences(c.PutPreferencesRequest(transactional=["email", "in_app", "sms"]), ME)
    ev = event("warranty.claim.shipped_back", carrier="DPD", tracking_number="T1",
               resolution="repair", sla="met", status="shipped_back")  # fmt: skip
    await apply(uow, n, ev)
    shipped = {r.channel: r for r in await rows(uow, deliveries) if r.kind == "claim_shipped_back"}
    # One rendering for the kind, with the parts of every planned channel.
    assert all(r.subject and r.text_body and r.short_text for r in shipped.values())
    assert all(r.html_body.lstrip().startswith("<!DOCTYPE html>") for r in shipped.values())

    other = "cust-inbox-only"
    alone = event("warranty.claim.shipped_back", customer_id=other, claim_id="CLM-2", carrier="DPD",
                  tracking_number="T2", resolution="repair", sla="met", status="shipped_back")  # fmt: skip
    await apply(uow, n, alone)
    [in_app] = [r for r in await rows(uow, deliveries) if r.customer_id == other
                and r.kind == "claim_shipped_back"]  # fmt: skip
    assert in_app.channel == "in_app"
    assert in_app.subject and in_app.text_body.startswith("Hello ")
    assert (in_app.html_body, in_app.short_text) == ("", "")
