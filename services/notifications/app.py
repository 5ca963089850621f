"""Composition root of the notifications service: adapters in, use cases wired, routes out."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from shared.clock import Clock, SystemClock
from shared.runtime.service import ServiceRuntime

from .adapters.mail import ConsoleMailSink, FileMailSink, SmtpEmailChannel
from .adapters.rendering import render
from .adapters.sandbox import SandboxPushProvider, SandboxSmsProvider
from .adapters.ssrf import check_target, system_resolver
from .adapters.unit_of_work import sql_unit_of_work, work_in
from .adapters.webhook_sender import WebhookSender
from .adapters.webhook_signing import generate_secret, signed_headers
from .domain.thank_you_card import ThankYouCard
from .entrypoints.consumers import event_routes
from .entrypoints.rpc import rpc_routes
from .entrypoints.workers import deliver_messages, deliver_webhooks
from .service_layer.contacts import ContactsAndPreferences
from .service_layer.delivery_records import DeliveryRecords
from .service_layer.held_messages import HeldMessages
from .service_layer.inbox import Inbox, ThankYouCards
from .service_layer.message_delivery import DeliveryWorker, UncertainPolicy
from .service_layer.message_planning import MessagePlanning
from .service_layer.replies import Replies
from .service_layer.unit_of_work import UnitOfWork
from .service_layer.use_cases import UseCases
from .service_layer.webhook_delivery import WebhookWorker
from .service_layer.webhook_fanout import WebhookFanOut
from .service_layer.webhook_log import WebhookLog
from .service_layer.webhooks import WebhookPolicy, Webhooks
from .settings import Settings


def email_channel(settings: Settings) -> Any:
    sink = settings.resolved_mail_sink
    if sink == "file":
        return FileMailSink(settings.resolved_mail_dir, settings.mail_from)
    if sink == "console":
        return ConsoleMailSink(settings.mail_from)
    return SmtpEmailChannel(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        start_tls=settings.smtp_start_tls,
        timeout_seconds=settings.smtp_timeout_seconds,
    )


def print_thank_you_card(card: ThankYouCard) -> bytes:
    # Imported on first use: fpdf2 costs start-up time every process would pay.
    from .adapters.thank_you_card import render_thank_you_card

    return render_thank_you_card(card)


def delivery_worker(
    uow: UnitOfWork, settings: Settings, clock: Clock, **overrides: Any
) -> DeliveryWorker:
    records = DeliveryRecords(uow, clock, max_attempts=settings.delivery_max_attempts,
                              retry_base_seconds=settings.delivery_retry_base_seconds,
                              lease=timedelta(seconds=settings.delivery_lease_seconds))  # fmt: skip
    channels = {
        "email": overrides.get("email") or email_channel(settings),
        "sms": overrides.get("sms") or SandboxSmsProvider(),
        "push": overrides.get("push") or SandboxPushProvider(),
    }
    return DeliveryWorker(
        uow, records, channels, clock, uncertain=UncertainPolicy(settings.delivery_uncertain)
    )


def webhook_cases(
    uow: UnitOfWork, settings: Settings, clock: Clock, **overrides: Any
) -> dict[str, Any]:
    policy = settings.target_policy
    resolver = overrides.get("resolver") or system_resolver
    webhooks = Webhooks(
        uow, clock,
        WebhookPolicy(require_https=policy.require_https,
                      rotation_overlap=timedelta(hours=settings.webhook_secret_rotation_overlap_hours),
                      max_endpoints=settings.webhook_max_endpoints_per_partner),
        check_target=partial(_check_target, policy=policy, resolver=resolver),
        new_secret=generate_secret,
    )  # fmt: skip
    sender = overrides.get("webhook_sender") or WebhookSender(
        policy=policy, timeout_seconds=settings.webhook_timeout_seconds
    )
    worker = WebhookWorker(uow, sender, signed_headers, settings.retry_schedule, clock,
                           lease_seconds=settings.webhook_timeout_seconds * 3)  # fmt: skip
    return {"webhooks": webhooks, "webhook_log": WebhookLog(webhooks),
            "replies": Replies(webhooks), "webhook_worker": worker}  # fmt: skip


async def _check_target(url: str, *, policy: Any, resolver: Any) -> None:
    await check_target(url, policy, resolver)


def use_cases(uow: UnitOfWork, settings: Settings, clock: Clock, **overrides: Any) -> UseCases:
    """`overrides` lets tests swap adapters: email, sms, push, webhook_sender, resolver."""
    return UseCases(
        contacts=ContactsAndPreferences(uow, clock),
        inbox=Inbox(uow, clock),
        cards=ThankYouCards(uow, print_thank_you_card),
        held=HeldMessages(uow, clock),
        planning=MessagePlanning(base_url=settings.public_base_url, render=render, clock=clock),
        fanout=WebhookFanOut(clock),
        delivery=delivery_worker(uow, settings, clock, **overrides),
        **webhook_cases(uow, settings, clock, **overrides),
    )


def build(settings: Settings | None = None, **overrides: Any) -> ServiceRuntime:
    """`overrides` lets tests swap adapters: email, sms, push, webhook_sender, resolver."""
    settings = settings or Settings()
    rt = ServiceRuntime("notifications", settings, migrations=Path(__file__).parent / "migrations")
    box = settings.secret_box
    cases = use_cases(sql_unit_of_work(rt.uow, box), settings, SystemClock(), **overrides)
    # Replies to webhook commands carry signing secrets: sealed where they are kept.
    rt.processed_requests.protect(
        lambda reply: box.seal(reply.decode()).encode(),
        lambda stored: box.open(stored.decode()).encode(),
    )
    for route in rpc_routes(cases):
        rt.rpc(route)
    for event_route in event_routes(cases.planning, cases.fanout, work_in(box)):
        rt.consume(event_route)
    rt.background(deliver_messages(cases.delivery, settings.delivery_poll_interval))
    rt.background(deliver_webhooks(cases.webhook_worker, settings.webhook_poll_interval))
    rt.use_cases = cases  # type: ignore[attr-defined]  # for tests and the CLI
    return rt
