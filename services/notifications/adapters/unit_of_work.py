"""The notifications service's transaction view: its repositories, on one session."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from shared.messaging.outbox import Tx
from shared.messaging.outbox import UnitOfWork as Outbox
from shared.messaging.unit_of_work import SqlUnitOfWork, ToWire, Work

from ..domain.events import NotificationEvent
from . import wire
from .secret_box import SecretBox
from .sql_customer_repository import (
    SqlClaimFactsRepository,
    SqlContactRepository,
    SqlPreferenceRepository,
)
from .sql_inbox_repository import SqlInboxRepository
from .sql_message_repository import SqlMessageRepository
from .sql_webhook_delivery_repository import SqlWebhookDeliveryRepository
from .sql_webhook_endpoint_repository import SqlWebhookEndpointRepository


class NotificationsWork(Work[NotificationEvent]):
    def __init__(self, tx: Tx, to_wire: ToWire[NotificationEvent] | None, box: SecretBox) -> None:
        super().__init__(tx, to_wire)
        self.contacts = SqlContactRepository(tx.session)
        self.preferences = SqlPreferenceRepository(tx.session)
        self.claim_facts = SqlClaimFactsRepository(tx.session)
        self.messages = SqlMessageRepository(tx.session)
        self.inbox = SqlInboxRepository(tx.session)
        self.endpoints = SqlWebhookEndpointRepository(tx.session, box)
        self.webhook_deliveries = SqlWebhookDeliveryRepository(tx.session)


def sql_unit_of_work(outbox: Outbox, box: SecretBox) -> SqlUnitOfWork[NotificationsWork]:
    """The unit of work the use cases get; signing secrets are sealed with `box` at rest."""
    return SqlUnitOfWork(outbox, partial(NotificationsWork, box=box), wire.to_cloud_event)


_WORK = "notifications.work"  # the transaction's work view (session.info lives as long as it)


def work_in(box: SecretBox) -> Callable[[Tx], NotificationsWork]:
    """The work view of a transaction someone else opened (the consumer's inbox transaction).

    Made once per transaction: the consumer applies a group of events in one, and the view (its
    seven repositories) is the same for each."""

    def view(tx: Tx) -> NotificationsWork:
        work = tx.session.info.get(_WORK)
        if work is None or work.tx is not tx:
            work = tx.session.info[_WORK] = NotificationsWork(tx, wire.to_cloud_event, box)
        return work  # type: ignore[no-any-return]

    return view
