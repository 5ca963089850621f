import io

from services.notifications.adapters.channels import (
    OutboundEmail,
    OutboundShortMessage,
    SendStatus,
)
from services.notifications.adapters.mail import (
    ConsoleMailSink,
    FileMailSink,
    SmtpEmailChannel,
    message_id_for,
)
from services.notifications.adapters.rendering import render, sample_context
from services.notifications.adapters.sandbox import SandboxPushProvider, SandboxSmsProvider
from services.notifications.domain.channels import Channel
from services.notifications.domain.messages import DeliveryKey

from .conftest import free_port

SENDER = "Concierge <care@concierge.example>"


def _email(to: str = "margaret@example.co.uk", event_id: str = "evt-1") -> OutboundEmail:
    rendered = render("claim_rma_issued", "en-GB", sample_context("claim_rma_issued", "en-GB"))
    key = DeliveryKey(event_id, "claim_rma_issued", Channel.EMAIL, "cust-1")
    return OutboundEmail(key, to, rendered.subject, rendered.text, rendered.html)


async def test_smtp_sends_multipart_with_deterministic_message_id(smtp_server):
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    message = _email()
    outcome = await channel.send(message)
    assert outcome.status is SendStatus.SENT
    assert outcome.provider_message_id == message_id_for(message)
    [received] = smtp_server.handler.messages
    assert received["To"] == "margaret@example.co.uk"
    assert received["Subject"] == "Your return authorisation RMA-2026-000418"
    assert received["Message-ID"] == message_id_for(message)
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Hello Margaret" in text and "23 December 2026" in text
    assert '<a href="https://concierge.example/v1/claims/CLM-7Q2K9/rma.pdf">' in html


async def test_resend_of_the_same_delivery_has_the_same_message_id(smtp_server):
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    await channel.send(_email())
    await channel.send(_email())
    await channel.send(_email(event_id="evt-2"))
    ids = [m["Message-ID"] for m in smtp_server.handler.messages]
    assert ids[0] == ids[1] != ids[2]


async def test_refused_recipient_is_a_permanent_failure(smtp_server):
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    outcome = await channel.send(_email(to="nobody@refused.example"))
    assert outcome.status is SendStatus.PERMANENT_FAILURE
    assert not outcome.retryable
    assert smtp_server.handler.messages == []


async def test_unreachable_server_is_a_transient_failure():
    channel = SmtpEmailChannel(host="127.0.0.1", port=free_port(), sender=SENDER, timeout_seconds=2)
    outcome = await channel.send(_email())
    assert outcome.status is SendStatus.TRANSIENT_FAILURE
    assert outcome.retryable


async def test_file_sink_writes_one_file_per_delivery(tmp_path):
    sink = FileMailSink(tmp_path / "mail", SENDER)
    message = _email()
    assert (await sink.send(message)).status is SendStatus.SENT
    await sink.send(message)  # a duplicate overwrites, it does not add
    files = list((tmp_path / "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"{message.key.digest}.eml"]
    assert b"RMA-2026-000418" in files[0].read_bytes()


async def test_console_sink_prints_text():
    out = io.StringIO()
    outcome = await ConsoleMailSink(SENDER, stream=out).send(_email())
    assert outcome.status is SendStatus.SENT
    assert "Subject: Your return authorisation RMA-2026-000418" in out.getvalue()


def _short(to: str, channel: Channel) -> OutboundShortMessage:
    return OutboundShortMessage(DeliveryKey("evt-1", "order_shipped", channel, "c1"), to, "hi")


async def test_sandbox_sms_records_and_fails_deterministically():
    sms = SandboxSmsProvider()
    ok = await sms.send(_short("+447700900123", Channel.SMS))
    assert ok.status is SendStatus.SENT and ok.provider_message_id.startswith("sms_")
    bad = await sms.send(_short("+447700900000", Channel.SMS))
    assert bad.status is SendStatus.PERMANENT_FAILURE and bad.error == "sms_invalid_number"
    busy = await sms.send(_short("+447700909999", Channel.SMS))
    assert busy.status is SendStatus.TRANSIENT_FAILURE
    assert [m.to for m in sms.sent] == ["+447700900123"]
    assert sms.attempts == 3


async def test_sandbox_push_records_and_fails_deterministically():
    push = SandboxPushProvider()
    assert (await push.send(_short("tok-1", Channel.PUSH))).status is SendStatus.SENT
    assert (
        await push.send(_short("invalid-1", Channel.PUSH))
    ).status is SendStatus.PERMANENT_FAILURE
    assert (await push.send(_short("flaky-1", Channel.PUSH))).status is SendStatus.TRANSIENT_FAILURE
    assert [m.to for m in push.sent] == ["tok-1"]
