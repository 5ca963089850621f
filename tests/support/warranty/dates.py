"""The day the warranty tests run on: the policy, labels and RMAs are all judged against it."""

from __future__ import annotations

from datetime import UTC, date, datetime

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
