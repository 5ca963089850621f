"""The notifications service in-process against a real nats-server, SQLite and a real SMTP server."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime

import nats
import pytest
from pypdf import PdfReader
from standardwebhooks.webhooks import Webhook

from services.notifications.app import build
from services.notifications.settings import Settings
from shared.actor import Actor
from shared.contracts import notifications as c
from shared.contracts import warranty as w
from shared.rpc import RpcClient
from tests.support.notifications.integration import (
    CUSTOMER,
    PartnerEndpoint,
    claim_data,
    publish,
    start_smtp,
)
from tests.support.waiting import eventually

PARTNER = Actor(type="partner", id="partner-workshop")
AGENT = Actor(type="agent", id="agent-7")


@pytest.fixture
async def service(nats_server, database_url):
    controller, mailbox = start_smtp()
    settings = Settings(
        nats_url=nats_server.url,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        relay_sweep_interval=0.1,
        delivery_poll_interval=0.05,
        webhook_poll_interval=0.05,
        webhook_retry_scale=0.0001,
        webhook_allow_private_targets=True,
    )
    rt = build(settings)
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    try:
        yield rt, RpcClient(nc), nc.jetstream(), mailbox
    finally:
        await nc.drain()
        await rt.app.stop()
        controller.stop()


async def test_claim_story_messages_inbox_card_and_exactly_once(service):
    _rt, rpc, js, mailbox = service
    await rpc.call(
        c.Subjects.PUT_CONTACT,
        {"name": "Margaret", "email": "margaret@example.co.uk", "locale": "en-GB"},
        actor=CUSTOMER,
    )
    submitted = claim_data(
        w.ClaimSubmitted, status="submitted", category="handbag",
        components=["piping"], cause="manufacturing_defect",
    )  # fmt: skip
    event_id = await publish(js, "warranty.claim.submitted", "CLM-1", submitted)
    rma = claim_data(
        w.ClaimRmaIssued, status="awaiting_item", rma_number="RMA-1",
        rma_expires_at=datetime(2026, 12, 23, 12, tzinfo=UTC), repair_centre_region="UK",
        repair_centre_name="London repair centre", repair_centre_address="1 Thames Rd, London",
        rma_form_path="/v1/claims/CLM-1/rma.pdf",
    )  # fmt: skip
    await publish(js, "warranty.claim.rma_issued", "CLM-1", rma)
    repair = claim_data(
        w.ClaimRepairStarted, status="repairing", components=["piping"],
        parts=[{"part": "handle_piping", "style": "VT02", "colour": "brown"}],
    )  # fmt: skip
    await publish(js, "warranty.claim.repair_started", "CLM-1", repair)
    shipped = claim_data(
        w.ClaimShippedBack, status="shipped_back", carrier="Royal Mail",
        tracking_number="RM123GB", resolution="repair", sla="met",
    )  # fmt: skip
    await publish(js, "warranty.claim.shipped_back", "CLM-1", shipped)

    async def four_subjects():
        mails = mailbox.to("margaret@example.co.uk")
        return mails if len(mails) >= 5 else None

    mails = await eventually(four_subjects)
    subjects = [m["Subject"] for m in mails]
    assert subjects[0] == "We've received your claim CLM-1"
    assert "Your return authorisation RMA-1" in subjects  # en-GB spelling
    assert "Thank you, Margaret" in subjects
    rma_mail = next(m for m in mails if m["Subject"].startswith("Your return"))
    text = rma_mail.get_body(preferencelist=("plain",)).get_content()
    assert "23 December 2026" in text and "/v1/claims/CLM-1/rma.pdf" in text

    # A redelivered event (same event id, new Nats-Msg-Id) changes nothing.
    await publish(js, "warranty.claim.submitted", "CLM-1", submitted, event_id=event_id,
                  msg_id="other-msg-id")  # fmt: skip
    inbox = c.InboxPage.model_validate(await rpc.call(c.Subjects.LIST_INBOX, {}, actor=CUSTOMER))
    assert inbox.unread == 5
    log = c.MessageLog.model_validate(await rpc.call(c.Subjects.LIST_MESSAGES, {}, actor=CUSTOMER))
    assert len([m for m in log.messages if m.kind == "claim_submitted"]) == 2  # email + inbox
    await eventually(lambda: _all_sent(rpc))
    assert len(mailbox.to("margaret@example.co.uk")) == 5

    # Thank-you card for the repair centre, through RPC, names the item and the repair.
    card = c.ThankYouCardReply.model_validate(
        await rpc.call(c.Subjects.THANK_YOU_CARD, {"claim_id": "CLM-1"}, actor=PARTNER)
    )
    pdf_text = PdfReader(io.BytesIO(base64.b64decode(card.pdf_base64))).pages[0].extract_text()
    assert "Voyager travel tote" in " ".join(pdf_text.split())
    assert "handle piping" in " ".join(pdf_text.split())
    other = Actor(type="customer", id="someone-else")
    with pytest.raises(Exception) as err:
        await rpc.call(c.Subjects.THANK_YOU_CARD, {"claim_id": "CLM-1"}, actor=other)
    assert err.value.code == "notifications_card_not_found"

    # Mark one read.
    item = inbox.items[0]
    read = c.InboxItem.model_validate(
        await rpc.call(c.Subjects.MARK_READ, {"item_id": item.id}, actor=CUSTOMER)
    )
    assert read.read_at is not None


async def _all_sent(rpc):
    log = c.MessageLog.model_validate(await rpc.call(c.Subjects.LIST_MESSAGES, {}, actor=CUSTOMER))
    return log.messages and all(m.status in ("sent", "delivered") for m in log.messages)


async def test_preferences_validation_travels_back_with_its_code(service):
    _rt, rpc, _js, _mailbox = service
    with pytest.raises(Exception) as err:
        await rpc.call(c.Subjects.PUT_PREFERENCES, {"transactional": ["sms"]}, actor=CUSTOMER)
    assert err.value.code == "notifications_transactional_channel_required"
    prefs = await rpc.call(
        c.Subjects.PUT_PREFERENCES,
        {"transactional": ["in_app", "sms"], "quiet_hours": {"start": "22:00", "end": "07:00"}},
        actor=CUSTOMER,
    )
    assert prefs["transactional"] == ["in_app", "sms"]
    again = await rpc.call(c.Subjects.GET_PREFERENCES, {}, actor=CUSTOMER)
    assert again["quiet_hours"] == {"start": "22:00", "end": "07:00"}


async def test_webhook_fails_three_times_then_delivers_once_with_same_id(service):
    _rt, rpc, js, _mailbox = service
    partner = await PartnerEndpoint(script=[500, 503, 502]).start()
    try:
        created = c.WebhookEndpointCreated.model_validate(
            await rpc.call(
                c.Subjects.CREATE_WEBHOOK,
                {"url": partner.url, "event_types": ["warranty.claim.*"]},
                actor=PARTNER,
            )
        )
        assert created.secret.startswith("whsec_")
        approved = claim_data(
            w.ClaimApproved, status="approved", rule="manufacture_plus_shelf",
            policy_version="2024-01", reasons=["Covered."],
        )  # fmt: skip
        event_id = await publish(js, "warranty.claim.approved", "CLM-1", approved)
        await eventually(lambda: _delivered(rpc, created.id), timeout=40)
        assert [status for _h, _b, status in partner.requests] == [500, 503, 502, 200]
        ids = {h["webhook-id"] for h, _b, _s in partner.requests}
        assert ids == {event_id}
        headers, body, _ = partner.requests[-1]
        payload = Webhook(created.secret).verify(body, headers)
        assert payload["type"] == "warranty.claim.approved"
        assert payload["data"] == {"claim_id": "CLM-1"}  # no customer id, no names
        log = c.WebhookDeliveryList.model_validate(
            await rpc.call(
                c.Subjects.LIST_WEBHOOK_DELIVERIES, {"endpoint_id": created.id}, actor=PARTNER
            )
        )
        [delivery] = log.deliveries
        assert delivery.status == "delivered" and delivery.attempts == 4
        assert [a.status_code for a in delivery.history] == [500, 503, 502, 200]

        # Rotation: both signatures are sent, each verifies.
        rotated = c.WebhookSecretRotated.model_validate(
            await rpc.call(
                c.Subjects.ROTATE_WEBHOOK_SECRET, {"endpoint_id": created.id}, actor=PARTNER
            )
        )
        replay = await rpc.call(
            c.Subjects.REPLAY_WEBHOOK, {"endpoint_id": created.id, "delivery_id": delivery.id},
            actor=PARTNER,
        )  # fmt: skip
        assert replay["replayed"] == [delivery.id]
        await eventually(lambda: _count(partner, 5))
        headers, body, _ = partner.requests[-1]
        assert len(headers["webhook-signature"].split(" ")) == 2
        Webhook(created.secret).verify(body, headers)
        Webhook(rotated.secret).verify(body, headers)
        assert headers["webhook-id"] == event_id

        # Another partner cannot see this endpoint.
        with pytest.raises(Exception) as err:
            await rpc.call(c.Subjects.GET_WEBHOOK, {"endpoint_id": created.id},
                           actor=Actor(type="partner", id="other"))  # fmt: skip
        assert err.value.code == "webhooks_endpoint_not_found"
    finally:
        await partner.stop()


async def test_410_disables_the_endpoint(service):
    _rt, rpc, js, _mailbox = service
    partner = await PartnerEndpoint(script=[410]).start()
    try:
        created = c.WebhookEndpointCreated.model_validate(
            await rpc.call(
                c.Subjects.CREATE_WEBHOOK, {"url": partner.url, "event_types": ["*"]}, actor=PARTNER
            )
        )
        approved = claim_data(
            w.ClaimApproved, status="approved", rule="r", policy_version="2024-01", reasons=[]
        )
        await publish(js, "warranty.claim.approved", "CLM-9", approved)

        async def disabled():
            view = await rpc.call(c.Subjects.GET_WEBHOOK, {"endpoint_id": created.id}, actor=AGENT)
            return not view["enabled"] and view

        view = await eventually(disabled)
        assert view["disabled_reason"] == "http_410"
    finally:
        await partner.stop()


async def test_ssrf_refused_at_registration(nats_server, sqlite_url):
    rt = build(Settings(nats_url=nats_server.url, database_url=sqlite_url))
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    try:
        with pytest.raises(Exception) as err:
            await RpcClient(nc).call(
                c.Subjects.CREATE_WEBHOOK,
                {"url": "http://169.254.169.254/latest", "event_types": ["*"]},
                actor=PARTNER,
            )
        assert err.value.code == "webhooks_target_refused"
    finally:
        await nc.drain()
        await rt.app.stop()


async def _delivered(rpc, endpoint_id):
    log = await rpc.call(
        c.Subjects.LIST_WEBHOOK_DELIVERIES, {"endpoint_id": endpoint_id}, actor=PARTNER
    )
    return any(d["status"] == "delivered" for d in log["deliveries"])


async def _count(partner, n):
    return len(partner.requests) >= n
