"""A claim or order event as this service receives it, after its contract accepted it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class IncomingEvent:
    id: str
    type: str  # e.g. warranty.claim.approved
    time: datetime  # when the fact happened (the producer's clock)
    data: Mapping[str, Any]  # the payload's fields, as its contract model gives them

    @property
    def happened(self) -> datetime:
        return self.time if self.time.tzinfo else self.time.replace(tzinfo=UTC)
