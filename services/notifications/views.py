"""Translate stored rows and domain objects into the contract models replies carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from shared.contracts import notifications as c

from .domain.channels import Category, Channel
from .domain.preferences import Contact, Preferences


def _names(channels: Iterable[Channel]) -> list[c.ChannelName]:
    return cast(list[c.ChannelName], sorted(str(ch) for ch in channels))


def part_labels(parts: Any) -> list[str]:
    labels = []
    for part in parts or []:
        if isinstance(part, dict):
            name = _humanise(part.get("part", "part"))
            labels.append(f"{name} ({part['colour']})" if part.get("colour") else name)
        else:
            labels.append(str(part))
    return labels


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


def inbox_item(row: Any) -> c.InboxItem:
    return c.InboxItem(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        read_at=row.read_at,
        claim_id=row.claim_id,
        order_id=row.order_id,
    )


def log_entry(row: Any) -> c.MessageLogEntry:
    return c.MessageLogEntry(
        message_id=row.id,
        kind=row.kind,
        channel=row.channel,
        status=row.status,
        attempts=row.attempts,
        subject=row.subject,
        created_at=row.created_at,
        send_at=row.send_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
        source_event_id=row.event_id,
        source_event_type=row.event_type,
    )


def held_message(row: Any) -> c.HeldMessage:
    return c.HeldMessage(
        **log_entry(row).model_dump(), customer_id=row.customer_id, address=row.address
    )


def message_event_fields(row: Any) -> dict[str, Any]:
    """The fields every `notifications.message.*` event carries, for the row's last attempt."""
    return {
        "message_id": row.id,
        "customer_id": row.customer_id,
        "source_event_id": row.event_id,
        "source_event_type": row.event_type,
        "kind": row.kind,
        "channel": row.channel,
        "attempt": max(row.attempts, 1),
    }


def _humanise(code: object) -> str:
    """`HANDLE-PAIR` or `handle_piping` -> `handle pair` / `handle piping`."""
    return str(code).replace("_", " ").replace("-", " ").lower()


def webhook_deliveries(rows: Sequence[Any], attempts: Sequence[Any]) -> c.WebhookDeliveryList:
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
                id=r.id,
                event_id=r.event_id,
                event_type=r.event_type,
                status=r.status,
                attempts=r.attempts,
                next_attempt_at=r.next_attempt_at,
                created_at=r.created_at,
                delivered_at=r.delivered_at,
                last_status_code=r.last_status_code,
                last_error=r.last_error,
                history=history.get(r.id, []),
            )
            for r in rows
        ]
    )
