import asyncio
import io

import pytest

from services.notifications.adapters.mail import (
    ConsoleMailSink,
    FileMailSink,
    SmtpEmailChannel,
    SmtpHandoff,
    message_id_for,
)
from services.notifications.adapters.rendering import render, sample_context
from services.notifications.adapters.sandbox import SandboxPushProvider, SandboxSmsProvider
from services.notifications.domain.channels import Channel
from services.notifications.domain.messages import DeliveryKey
from services.notifications.domain.ports import (
    OutboundEmail,
    OutboundShortMessage,
    Receipt,
    SendOutcome,
    SendStatus,
    send_now,
)
from shared.runtime.nats_server import free_port
from tests.support.notifications.raw_smtp import StartRawSmtp

SENDER = "Concierge <care@concierge.example>"


def _email(to: str = "margaret@example.co.uk", event_id: str = "evt-1") -> OutboundEmail:
    rendered = render("claim_rma_issued", "en-GB", sample_context("claim_rma_issued", "en-GB"))
    key = DeliveryKey(event_id, "claim_rma_issued", Channel.EMAIL, "cust-1")
    return OutboundEmail(key, to, rendered.subject, rendered.text, rendered.html)


async def test_smtp_sends_multipart_with_deterministic_message_id(smtp_server):
    """SMTP sends text and HTML in one message whose Message-ID follows from the delivery
    key."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    message = _email()
    outcome = await send_now(channel, message)
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
    """Sending the same delivery again gives the same Message-ID, so mail systems can
    deduplicate."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    await send_now(channel, _email())
    await send_now(channel, _email())
    await send_now(channel, _email(event_id="evt-2"))
    ids = [m["Message-ID"] for m in smtp_server.handler.messages]
    assert ids[0] == ids[1] != ids[2]


async def test_refused_recipient_is_a_permanent_failure(smtp_server):
    """A recipient the server refuses is a permanent failure."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    outcome = await send_now(channel, _email(to="nobody@refused.example"))
    assert outcome.status is SendStatus.PERMANENT_FAILURE
    assert not outcome.retryable
    assert smtp_server.handler.messages == []


async def test_unreachable_server_is_a_transient_failure():
    """An unreachable server is a transient failure, retried later."""
    channel = SmtpEmailChannel(host="127.0.0.1", port=free_port(), sender=SENDER, timeout_seconds=2)
    outcome = await send_now(channel, _email())
    assert outcome.status is SendStatus.TRANSIENT_FAILURE
    assert outcome.retryable


async def test_file_sink_writes_one_file_per_delivery(tmp_path):
    """The file sink writes one file per delivery."""
    sink = FileMailSink(tmp_path / "mail", SENDER)
    message = _email()
    assert (await send_now(sink, message)).status is SendStatus.SENT
    await send_now(sink, message)  # a duplicate overwrites, it does not add
    files = list((tmp_path / "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"{message.key.digest}.eml"]
    assert b"RMA-2026-000418" in files[0].read_bytes()


async def test_console_sink_prints_text():
    """The console sink prints the text part."""
    out = io.StringIO()
    outcome = await send_now(ConsoleMailSink(SENDER, stream=out), _email())
    assert outcome.status is SendStatus.SENT
    assert "Subject: Your return authorisation RMA-2026-000418" in out.getvalue()


def _short(to: str, channel: Channel) -> OutboundShortMessage:
    return OutboundShortMessage(DeliveryKey("evt-1", "order_shipped", channel, "c1"), to, "hi")


async def test_sandbox_sms_records_and_fails_deterministically():
    """The SMS sandbox records what it sends and fails for the same numbers every time."""
    sms = SandboxSmsProvider()
    ok = await send_now(sms, _short("+447700900123", Channel.SMS))
    assert ok.status is SendStatus.SENT and ok.provider_message_id.startswith("sms_")
    bad = await send_now(sms, _short("+447700900000", Channel.SMS))
    assert bad.status is SendStatus.PERMANENT_FAILURE and bad.error == "sms_invalid_number"
    busy = await send_now(sms, _short("+447700909999", Channel.SMS))
    assert busy.status is SendStatus.TRANSIENT_FAILURE
    assert [m.to for m in sms.sent] == ["+447700900123"]
    assert sms.attempts == 3


async def test_sandbox_push_records_and_fails_deterministically():
    """The push sandbox records what it sends and fails for the same tokens every time."""
    push = SandboxPushProvider()
    assert (await send_now(push, _short("tok-1", Channel.PUSH))).status is SendStatus.SENT
    assert (
        await send_now(push, _short("invalid-1", Channel.PUSH))
    ).status is SendStatus.PERMANENT_FAILURE
    assert (
        await send_now(push, _short("flaky-1", Channel.PUSH))
    ).status is SendStatus.TRANSIENT_FAILURE
    assert [m.to for m in push.sent] == ["tok-1"]


# --- SMTP: prepare (everything before the point of no return) ---


async def test_prepare_refused_at_rcpt_is_a_permanent_failure_and_sends_nothing(smtp_server):
    """A recipient refused while preparing is a permanent failure, and nothing is sent."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    prepared = await channel.prepare(_email(to="nobody@refused.example"))
    assert isinstance(prepared, SendOutcome)
    assert prepared.status is SendStatus.PERMANENT_FAILURE
    assert "550" in (prepared.error or "")
    assert smtp_server.handler.messages == []


async def test_prepare_deferred_at_rcpt_is_a_transient_failure(raw_smtp: StartRawSmtp):
    """A recipient deferred while preparing is a transient failure."""
    server = await raw_smtp(rcpt_reply="450 4.2.1 mailbox busy, try later")
    channel = SmtpEmailChannel(host=server.host, port=server.port, sender=SENDER)
    prepared = await channel.prepare(_email())
    assert isinstance(prepared, SendOutcome)
    assert prepared.status is SendStatus.TRANSIENT_FAILURE
    assert "DATA" not in server.verbs()
    assert server.received == []


async def test_prepare_against_a_closed_port_is_a_transient_failure():
    """Preparing against a closed port is a transient failure."""
    channel = SmtpEmailChannel(host="127.0.0.1", port=free_port(), sender=SENDER, timeout_seconds=2)
    prepared = await channel.prepare(_email())
    assert isinstance(prepared, SendOutcome)
    assert prepared.status is SendStatus.TRANSIENT_FAILURE
    assert prepared.retryable


async def test_prepare_announces_the_envelope_and_an_abandoned_prepare_sends_nothing(
    raw_smtp: StartRawSmtp,
):
    """Preparing announces sender and recipient only; a prepare never handed over sends
    nothing."""
    server = await raw_smtp()
    channel = SmtpEmailChannel(host=server.host, port=server.port, sender=SENDER)
    handoff = await channel.prepare(_email())
    assert isinstance(handoff, SmtpHandoff)
    assert server.commands[-2:] == [
        "MAIL FROM:<care@concierge.example>",
        "RCPT TO:<margaret@example.co.uk>",
    ]
    await handoff.close()
    await server.wait_for_session_end()  # close() released the connection
    assert "DATA" not in server.verbs()
    assert server.received == []


async def test_abandoned_prepare_against_a_real_server_delivers_nothing(smtp_server):
    """A prepare abandoned against a real server delivers nothing."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    handoff = await channel.prepare(_email())
    assert isinstance(handoff, SmtpHandoff)
    await handoff.close()
    assert smtp_server.handler.messages == []
    # The server itself was fine: a full send through it delivers.
    assert (await send_now(channel, _email())).status is SendStatus.SENT
    assert len(smtp_server.handler.messages) == 1


# --- SMTP: hand_over (DATA and its final dot) ---


async def _prepare(server, **options) -> SmtpHandoff:
    channel = SmtpEmailChannel(host=server.host, port=server.port, sender=SENDER, **options)
    handoff = await channel.prepare(_email())
    assert isinstance(handoff, SmtpHandoff), handoff
    return handoff


async def _hand_over(handoff: SmtpHandoff) -> SendOutcome:
    try:
        return await handoff.hand_over()
    finally:
        await handoff.close()


async def test_hand_over_to_a_raw_server_that_accepts_is_sent(raw_smtp: StartRawSmtp):
    # Calibrates the raw server: with a 250 after the dot, the same path is a plain success.
    """A hand-over the server accepts after the final dot is sent."""
    server = await raw_smtp(after_dot="250 2.0.0 queued as 1234")
    outcome = await _hand_over(await _prepare(server))
    assert outcome.status is SendStatus.SENT
    assert outcome.provider_message_id == message_id_for(_email())
    [received] = server.messages
    assert received["Message-ID"] == message_id_for(_email())


async def test_connection_dropped_after_the_dot_is_uncertain(raw_smtp: StartRawSmtp):
    """A connection dropped after the final dot leaves the hand-over in doubt."""
    server = await raw_smtp(after_dot="drop")
    outcome = await _hand_over(await _prepare(server))
    # The server read the whole message, dot included: it may well have queued it.
    [received] = server.messages
    assert received["Message-ID"] == message_id_for(_email())
    assert outcome.status is SendStatus.UNCERTAIN
    assert not outcome.retryable
    assert outcome.provider_message_id is None


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("451 4.3.0 local error, try again later", SendStatus.TRANSIENT_FAILURE),
        ("554 5.6.0 message rejected", SendStatus.PERMANENT_FAILURE),
    ],
)
async def test_error_reply_after_the_dot_is_a_plain_failure(
    raw_smtp: StartRawSmtp, reply: str, status: SendStatus
):
    """An error reply after the final dot is a plain failure: the server said no."""
    server = await raw_smtp(after_dot=reply)
    outcome = await _hand_over(await _prepare(server))
    assert len(server.received) == 1  # the refusal came after the whole message
    assert outcome.status is status
    assert outcome.retryable is (status is SendStatus.TRANSIENT_FAILURE)
    assert reply[:3] in (outcome.error or "")


async def test_server_stalling_after_the_dot_is_uncertain_after_the_timeout(
    raw_smtp: StartRawSmtp,
):
    """A server silent after the final dot leaves the hand-over in doubt once the timeout
    passes."""
    server = await raw_smtp(after_dot="stall")
    handoff = await _prepare(server, timeout_seconds=0.5)
    try:
        # The channel's own timeout must end the wait, well before ours.
        outcome = await asyncio.wait_for(handoff.hand_over(), timeout=10)
    finally:
        await asyncio.wait_for(handoff.close(), timeout=10)
    assert len(server.received) == 1
    assert outcome.status is SendStatus.UNCERTAIN
    assert not outcome.retryable


# --- confirm: did the provider accept an interrupted hand-over? ---


async def test_file_sink_confirms_exactly_the_messages_it_wrote(tmp_path):
    """The file sink confirms exactly the messages it wrote."""
    sink = FileMailSink(tmp_path / "mail", SENDER)
    message, other = _email(), _email(event_id="evt-2")
    assert await sink.confirm(message) is Receipt.NOT_ACCEPTED
    assert (await send_now(sink, message)).status is SendStatus.SENT
    assert await sink.confirm(message) is Receipt.ACCEPTED
    assert await sink.confirm(other) is Receipt.NOT_ACCEPTED


async def test_file_sink_abandoned_prepare_writes_nothing(tmp_path):
    """An abandoned prepare writes no file."""
    sink = FileMailSink(tmp_path / "mail", SENDER)
    message = _email()
    handoff = await sink.prepare(message)
    await handoff.close()
    assert await sink.confirm(message) is Receipt.NOT_ACCEPTED
    assert list(tmp_path.rglob("*.eml")) == []


async def test_console_sink_cannot_confirm():
    """The console sink cannot say whether it took a message."""
    sink = ConsoleMailSink(SENDER, stream=io.StringIO())
    message = _email()
    assert (await send_now(sink, message)).status is SendStatus.SENT
    assert await sink.confirm(message) is Receipt.UNKNOWN


async def test_smtp_cannot_confirm(smtp_server):
    """SMTP cannot say whether the relay took a message."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    message = _email()
    assert await channel.confirm(message) is Receipt.UNKNOWN
    assert (await send_now(channel, message)).status is SendStatus.SENT
    assert await channel.confirm(message) is Receipt.UNKNOWN


@pytest.mark.parametrize(
    ("provider_class", "to", "channel"),
    [
        (SandboxSmsProvider, "+447700900123", Channel.SMS),
        (SandboxPushProvider, "tok-1", Channel.PUSH),
    ],
)
async def test_sandbox_providers_cannot_confirm(
    provider_class: type[SandboxSmsProvider | SandboxPushProvider], to: str, channel: Channel
):
    """The SMS and push sandboxes cannot say whether they took a message."""
    provider, message = provider_class(), _short(to, channel)
    assert await provider.confirm(message) is Receipt.UNKNOWN
    assert (await send_now(provider, message)).status is SendStatus.SENT
    assert provider.sent == [message]  # it did record the message, and still cannot say
    assert await provider.confirm(message) is Receipt.UNKNOWN


async def test_connection_lost_before_the_handover_is_a_plain_retry(raw_smtp: StartRawSmtp):
    """A connection lost before the hand-over is a plain retry: nothing was handed over."""
    server = await raw_smtp()
    handoff = await _prepare(server)
    await server.stop()  # the relay restarts between RCPT and DATA
    await server.wait_for_session_end()
    await asyncio.sleep(0.05)  # the client reads the EOF
    outcome = await _hand_over(handoff)
    assert server.messages == []
    assert outcome.status is SendStatus.TRANSIENT_FAILURE  # nothing written: safe to send again


def _pounds_email() -> OutboundEmail:
    key = DeliveryKey("evt-gbp", "order_confirmed", Channel.EMAIL, "cust-1")
    text = "Dear Zoë, you paid £95.82."
    return OutboundEmail(
        key, "zoe@example.co.uk", "Order confirmed: £95.82", text, f"<p>{text}</p>"
    )


async def test_an_8bit_body_is_declared_to_a_relay_that_offers_8bitmime(smtp_server):
    """An 8-bit body is declared as such to a relay offering 8BITMIME."""
    channel = SmtpEmailChannel(host=smtp_server.host, port=smtp_server.port, sender=SENDER)
    assert (await send_now(channel, _pounds_email())).status is SendStatus.SENT
    [envelope] = smtp_server.handler.envelopes
    assert "BODY=8BITMIME" in envelope.mail_options
    [received] = smtp_server.handler.messages
    assert "£95.82" in received.get_body(preferencelist=("plain",)).get_content()


async def test_a_relay_without_8bitmime_gets_a_7bit_body(raw_smtp: StartRawSmtp):
    """A relay without 8BITMIME gets a 7-bit body."""
    server = await raw_smtp()  # its EHLO offers no extensions
    channel = SmtpEmailChannel(host=server.host, port=server.port, sender=SENDER)
    assert (await send_now(channel, _pounds_email())).status is SendStatus.SENT
    [raw] = server.received
    assert raw.isascii()  # re-encoded, as RFC 6152 requires without the extension
    mail_from = next(c for c in server.commands if c.upper().startswith("MAIL"))
    assert "8BITMIME" not in mail_from.upper()
    [received] = server.messages
    assert (
        "Dear Zoë, you paid £95.82." in received.get_body(preferencelist=("plain",)).get_content()
    )


async def test_a_utf8_address_to_a_relay_without_smtputf8_is_refused_for_good(
    raw_smtp: StartRawSmtp,
):
    """A UTF-8 address for a relay without SMTPUTF8 is a permanent failure."""
    server = await raw_smtp()
    channel = SmtpEmailChannel(host=server.host, port=server.port, sender=SENDER)
    message = OutboundEmail(_pounds_email().key, "zoë@exämple.de", "s", "t", "<p>t</p>")
    outcome = await send_now(channel, message)
    assert outcome.status is SendStatus.PERMANENT_FAILURE and server.received == []
