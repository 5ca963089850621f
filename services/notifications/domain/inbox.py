"""The customer's in-app inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InboxItem:
    id: str  # the in-app message's delivery id
    customer_id: str
    kind: str
    title: str
    body: str
    created_at: datetime  # when the fact happened: the inbox reads in that order
    claim_id: str | None = None
    order_id: str | None = None
    read_at: datetime | None = None
