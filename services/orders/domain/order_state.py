"""The small records an order keeps: each completed step, its failure, its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.orders.domain.saga import FailureReason, OrderStatus, Step


@dataclass(frozen=True, slots=True)
class StepRecord:
    step: Step
    at: datetime
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Failure:
    reason: FailureReason
    message: str  # customer-actionable
    detail: str | None = None  # provider's wording, for agents
    style: str | None = None  # the cart line (style) that stopped the order, when one did


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    status: OrderStatus
    at: datetime
