"""The unit of work the use cases see: the repositories of one transaction, and its events.

`async with uow() as work:` is one write transaction (state and outgoing events commit
together); `async with uow.read() as work:` a read-only snapshot. adapters/unit_of_work.py is
the SQL implementation.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from ..domain.events import NotificationEvent
from .repositories import (
    ClaimFactsRepository,
    ContactRepository,
    InboxRepository,
    MessageRepository,
    PreferenceRepository,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)


class Work(Protocol):
    @property
    def contacts(self) -> ContactRepository: ...
    @property
    def preferences(self) -> PreferenceRepository: ...
    @property
    def claim_facts(self) -> ClaimFactsRepository: ...
    @property
    def messages(self) -> MessageRepository: ...
    @property
    def inbox(self) -> InboxRepository: ...
    @property
    def endpoints(self) -> WebhookEndpointRepository: ...
    @property
    def webhook_deliveries(self) -> WebhookDeliveryRepository: ...

    def publish(self, event: NotificationEvent) -> None: ...


class UnitOfWork(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[Work]: ...

    def read(self) -> AbstractAsyncContextManager[Work]: ...
