"""Composition root of the notifications service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from shared.runtime.service import ServiceRuntime

from .adapters.mail import ConsoleMailSink, FileMailSink, SmtpEmailChannel
from .adapters.sandbox import SandboxPushProvider, SandboxSmsProvider
from .adapters.webhook_sender import WebhookSender
from .delivery import DeliveryWorker, UncertainPolicy
from .entrypoints.consumers import event_routes
from .entrypoints.rpc import rpc_routes
from .handlers import Notifications
from .held_messages import HeldMessages
from .settings import Settings
from .webhook_delivery import WebhookWorker
from .webhook_handlers import Webhooks


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


def build(settings: Settings | None = None, **overrides: Any) -> ServiceRuntime:
    """`overrides` lets tests swap adapters: email, sms, push, webhook_sender, resolver."""
    settings = settings or Settings()
    rt = ServiceRuntime("notifications", settings, migrations=Path(__file__).parent / "migrations")
    notifications = Notifications(rt.uow, base_url=settings.public_base_url)
    webhooks = Webhooks(
        rt.uow,
        policy=settings.target_policy,
        rotation_overlap=timedelta(hours=settings.webhook_secret_rotation_overlap_hours),
        secret_box=settings.secret_box,
        max_endpoints=settings.webhook_max_endpoints_per_partner,
        **({"resolver": overrides["resolver"]} if "resolver" in overrides else {}),
    )
    delivery = DeliveryWorker(
        rt.uow,
        email=overrides.get("email") or email_channel(settings),
        sms=overrides.get("sms") or SandboxSmsProvider(),
        push=overrides.get("push") or SandboxPushProvider(),
        uncertain=UncertainPolicy(settings.delivery_uncertain),
        max_attempts=settings.delivery_max_attempts,
        retry_base_seconds=settings.delivery_retry_base_seconds,
        lease_seconds=settings.delivery_lease_seconds,
    )
    sender = overrides.get("webhook_sender") or WebhookSender(
        policy=settings.target_policy, timeout_seconds=settings.webhook_timeout_seconds
    )
    webhook_worker = WebhookWorker(
        rt.uow,
        sender,
        settings.retry_schedule,
        secret_box=settings.secret_box,
        lease_seconds=settings.webhook_timeout_seconds * 3,
    )
    held = HeldMessages(rt.uow)
    box = settings.secret_box  # replies to webhook commands carry signing secrets
    rt.processed_requests.protect(
        lambda reply: box.seal(reply.decode()).encode(),
        lambda stored: box.open(stored.decode()).encode(),
    )
    for route in rpc_routes(notifications, webhooks, held):
        rt.rpc(route)
    for event_route in event_routes(notifications, webhooks):
        rt.consume(event_route)

    async def deliver_messages(_rt: ServiceRuntime) -> None:
        await delivery.run_forever(settings.delivery_poll_interval)

    async def deliver_webhooks(_rt: ServiceRuntime) -> None:
        await webhook_worker.run_forever(settings.webhook_poll_interval)

    rt.background(deliver_messages)
    rt.background(deliver_webhooks)
    # Exposed for tests and the CLI.
    rt.notifications = notifications  # type: ignore[attr-defined]
    rt.webhooks = webhooks  # type: ignore[attr-defined]
    rt.delivery = delivery  # type: ignore[attr-defined]
    rt.held_messages = held  # type: ignore[attr-defined]
    rt.webhook_worker = webhook_worker  # type: ignore[attr-defined]
    return rt
