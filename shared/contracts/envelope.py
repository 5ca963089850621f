"""The CloudEvents 1.0 envelope every event on the bus travels in.

Structured JSON mode: the attributes and `data` in one JSON document. The `id` is also sent as
the `Nats-Msg-Id` header, so JetStream drops a duplicate publish within the stream's window,
and consumers record it in their inbox, so a redelivery is applied once.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DataT = TypeVar("DataT")

SPECVERSION = "1.0"


def new_event_id() -> str:
    """32 random hex digits, as `uuid4().hex` gave (nothing reads them as a UUID), without
    building a UUID object: a quarter of the cost, once per event published."""
    return os.urandom(16).hex()


class CloudEvent(BaseModel, Generic[DataT]):
    """A fact that happened, as published on `<service>.<entity>.<past-verb>`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(description="Unique event id; also the `Nats-Msg-Id` header.", min_length=1)
    source: str = Field(description="Producing service, e.g. `/concierge/warranty`.")
    type: str = Field(
        description="Event type, equal to the NATS subject, e.g. `warranty.claim.approved`."
    )
    subject: str = Field(description="Id of the object the event is about (claim id, order id...).")
    time: datetime = Field(description="When the fact happened (UTC, RFC 3339).")
    specversion: str = Field(default=SPECVERSION, description="CloudEvents version.")
    correlationid: str | None = Field(
        default=None, description="Correlation id of the request that caused the event."
    )
    datacontenttype: str = Field(default="application/json")
    data: DataT = Field(description="The typed payload of this event type.")


class RawEvent(CloudEvent[dict[str, Any]]):
    """An envelope whose data is not yet parsed into its typed model."""


# Parametrized once: `CloudEvent[Any]` looks the class up in pydantic's generic cache per call.
AnyEvent = CloudEvent[Any]


def make_event(
    *,
    type: str,
    source: str,
    subject: str,
    data: BaseModel,
    correlation_id: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> CloudEvent[Any]:
    return AnyEvent(
        id=event_id or new_event_id(),
        source=source,
        type=type,
        subject=subject,
        time=time or datetime.now(UTC),
        correlationid=correlation_id,
        data=data.model_dump(mode="json"),
    )
