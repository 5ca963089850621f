"""Wire <-> plain values at the edge: contract requests into use-case arguments, domain values
into the contract models replies carry, and incoming CloudEvents into typed events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any, cast

from pydantic import ValidationError

from shared.contracts import notifications as c
from shared.contracts.envelope import RawEvent
from shared.contracts.registry import EVENT_TYPES
from shared.messaging.glue import PoisonEvent

from ..domain.channels import Category, Channel
from ..domain.deliveries import Message
from ..domain.inbox import InboxItem
from ..domain.incoming import IncomingEvent
from ..domain.paging import Page
from ..domain.preferences import Contact, Preferences, QuietHours
from ..domain.webhook_deliveries import EndpointListing, WebhookAttempt, WebhookDelivery

# Requests -> plain values ---------------------------------------------------------------------


def page(request: Any) -> Page:
    """The page position of a newest-first list request."""
    return Page(limit=request.limit, before=request.before, before_id=request.before_id)


def contact_fields(request: c.PutContactRequest) -> dict[str, Any]:
    return {
        "name": request.name,
        "email": request.email,
        "phone": request.phone,
        "push_tokens": list(request.push_tokens),
        "locale": request.locale,
        "time_zone": request.time_zone,
    }


def preference_fields(request: c.PutPreferencesRequest) -> dict[str, Any]:
    quiet = None
    if request.quiet_hours is not None:
        quiet = QuietHours(
            time.fromisoformat(request.quiet_hours.start),
            time.fromisoformat(request.quiet_hours.end),
        )
    return {
        "opt_ins": {
            Category.TRANSACTIONAL: frozenset(map(Channel, request.transactional)),
            Category.MARKETING: frozenset(map(Channel, request.marketing)),
        },
        "kind_overrides": {
            k: frozenset(map(Channel, v)) for k, v in request.kind_overrides.items()
        },
        "quiet_hours": quiet,
    }


def incoming_event(event: RawEvent) -> IncomingEvent:
    """The event as its contract model has it. An event no producer registered, or whose
    payload its contract refuses, can never apply: refuse it (the consumer dead-letters it with
    the reason) instead of acting on half a fact."""
    spec = EVENT_TYPES.get(event.type)
    if spec is None:
        raise PoisonEvent(f"unknown event type {event.type!r}", code="unknown_event_type")
    model: Any = spec.model
    try:
        payload = model.model_validate(event.data)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3]]
        raise PoisonEvent(
            f"payload does not match {event.type}: {'; '.join(errors)}",
            code="invalid_event_payload",
        ) from exc
    data = payload.model_dump(mode="json", exclude_unset=True)
    return IncomingEvent(id=event.id, type=event.type, time=event.time, data=data)


# Domain values -> replies ---------------------------------------------------------------------


def _names(channels: Iterable[Channel]) -> list[c.ChannelName]:
    return cast(list[c.ChannelName], sorted(str(ch) for ch in channels))


def customer_match(contact: Contact, updated: datetime) -> c.CustomerMatch:
    return c.CustomerMatch(
        customer_id=contact.customer_id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        locale=contact.locale,  # type: ignore[arg-type]
        updated_at=updated,
    )


def contact_view(contact: Contact, updated: datetime | None) -> c.ContactView:
    return c.ContactView(
        customer_id=contact.customer_id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        push_tokens=list(contact.push_tokens),
        locale=contact.locale,  # type: ignore[arg-type]
        time_zone=contact.time_zone,
        updated_at=updated,
    )


def preferences_view(prefs: Preferences) -> c.PreferencesView:
    quiet = prefs.quiet_hours
    return c.PreferencesView(
        customer_id=prefs.customer_id,
        transactional=_names(prefs.opt_ins[Category.TRANSACTIONAL]),
        marketing=_names(prefs.opt_ins[Category.MARKETING]),
        kind_overrides={k: _names(v) for k, v in prefs.kind_overrides.items()},
        quiet_hours=c.QuietHoursModel(
            start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M")
        )
        if quiet
        else None,
    )


def inbox_item(item: InboxItem) -> c.InboxItem:
    return c.InboxItem(
        id=item.id,
        kind=item.kind,
        title=item.title,
        body=item.body,
        created_at=item.created_at,
        read_at=item.read_at,
        claim_id=item.claim_id,
        order_id=item.order_id,
    )


def log_entry(m: Message) -> c.MessageLogEntry:
    return c.MessageLogEntry(
        message_id=m.id,
        kind=m.kind,
        channel=m.channel,  # type: ignore[arg-type]
        status=m.status.value,  # a held message shows as "uncertain", as it always has
        attempts=m.attempts,
        subject=m.subject,
        created_at=m.created_at,
        send_at=m.send_at,
        sent_at=m.sent_at,
        last_error=m.last_error,
        source_event_id=m.event_id,
        source_event_type=m.event_type,
    )


def held_message(m: Message) -> c.HeldMessage:
    return c.HeldMessage(**log_entry(m).model_dump(), customer_id=m.customer_id, address=m.address)


def endpoint_view(listing: EndpointListing) -> c.WebhookEndpointView:
    endpoint = listing.endpoint
    return c.WebhookEndpointView(
        id=endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        description=listing.description,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        created_at=listing.created_at,
        secret_rotation_until=listing.rotation_until,
        owner=endpoint.owner,
    )


def endpoint_created(listing: EndpointListing, secret: str) -> c.WebhookEndpointCreated:
    return c.WebhookEndpointCreated(**endpoint_view(listing).model_dump(), secret=secret)


def webhook_deliveries(
    found: Sequence[WebhookDelivery], attempts: Sequence[WebhookAttempt]
) -> c.WebhookDeliveryList:
    history: dict[str, list[c.WebhookAttemptView]] = {}
    for at in attempts:
        history.setdefault(at.delivery_id, []).append(
            c.WebhookAttemptView(
                attempt=at.attempt,
                at=at.at,
                status_code=at.status_code,
                error=at.error,
                duration_ms=at.duration_ms,
            )
        )
    return c.WebhookDeliveryList(
        deliveries=[
            c.WebhookDeliveryView(
                id=d.id,
                event_id=d.event_id,
                event_type=d.event_type,
                status=d.status.value,
                attempts=d.attempts,
                next_attempt_at=d.next_attempt_at,
                created_at=d.created_at,
                delivered_at=d.delivered_at,
                last_status_code=d.last_status_code,
                last_error=d.last_error,
                history=history.get(d.id, []),
            )
            for d in found
        ]
    )
