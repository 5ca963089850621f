"""The one-week promise: from arrival at the repair centre to shipping back, in calendar days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

AT_RISK_AFTER_DAYS = 5
TURNAROUND_DAYS = 7


class SlaStatus(StrEnum):
    NOT_STARTED = "not_started"  # the item has not arrived yet
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"  # shipped back in time
    MISSED = "missed"  # shipped back late


@dataclass(frozen=True)
class SlaDue:
    received_at: datetime
    at_risk_at: datetime
    breached_at: datetime


def sla_due(
    received_at: datetime,
    *,
    at_risk_after_days: int = AT_RISK_AFTER_DAYS,
    turnaround_days: int = TURNAROUND_DAYS,
) -> SlaDue:
    return SlaDue(
        received_at=received_at,
        at_risk_at=received_at + timedelta(days=at_risk_after_days),
        breached_at=received_at + timedelta(days=turnaround_days),
    )


def sla_status(
    received_at: datetime | None,
    now: datetime,
    *,
    shipped_at: datetime | None = None,
    at_risk_after_days: int = AT_RISK_AFTER_DAYS,
    turnaround_days: int = TURNAROUND_DAYS,
) -> SlaStatus:
    if received_at is None:
        return SlaStatus.NOT_STARTED
    due = sla_due(
        received_at, at_risk_after_days=at_risk_after_days, turnaround_days=turnaround_days
    )
    if shipped_at is not None:
        return SlaStatus.MET if shipped_at < due.breached_at else SlaStatus.MISSED
    if now >= due.breached_at:
        return SlaStatus.BREACHED
    if now >= due.at_risk_at:
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK
