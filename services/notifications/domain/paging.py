"""A page of a newest-first list: where the previous page ended, and how many to return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Page:
    limit: int
    before: datetime | None = None  # created_at of the last item of the previous page
    before_id: str | None = None  # its id: tells apart items sharing that instant
