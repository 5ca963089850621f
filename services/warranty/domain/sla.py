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
class Timings:
    """How long until a claim at the repair centre is at risk, then breached (settings can compress)."""

    at_risk_after: timedelta = timedelta(days=AT_RISK_AFTER_DAYS)
    breach_after: timedelta = timedelta(days=TURNAROUND_DAYS)


DEFAULT_TIMINGS = Timings()


@dataclass(frozen=True)
class SlaDue:
    received_at: datetime
    at_risk_at: datetime
    breached_at: datetime


def sla_due(received_at: datetime, timings: Timings = DEFAULT_TIMINGS) -> SlaDue:
    return SlaDue(
        received_at=received_at,
        at_risk_at=received_at + timings.at_risk_after,
        breached_at=received_at + timings.breach_after,
    )


def sla_status(
    received_at: datetime | None,
    now: datetime,
    *,
    shipped_at: datetime | None = None,
    timings: Timings = DEFAULT_TIMINGS,
) -> SlaStatus:
    if received_at is None:
        return SlaStatus.NOT_STARTED
    due = sla_due(received_at, timings)
    if shipped_at is not None:
        return SlaStatus.MET if shipped_at < due.breached_at else SlaStatus.MISSED
    if now >= due.breached_at:
        return SlaStatus.BREACHED
    if now >= due.at_risk_at:
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK
