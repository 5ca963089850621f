"""What a decoded label says, and which look-alike characters were corrected to read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .reference import Factory, Style


@dataclass(frozen=True)
class CharChange:
    position: int  # 1-based, in the code without separators
    part: str
    read: str
    corrected: str


@dataclass(frozen=True)
class Correction:
    applied: bool
    original: str
    corrected: str
    changes: tuple[CharChange, ...] = ()

    @property
    def positions(self) -> tuple[int, ...]:
        return tuple(c.position for c in self.changes)


@dataclass(frozen=True)
class DecodedLabel:
    generation: int
    code: str  # canonical printed form
    factory: Factory
    year: int
    week: int
    manufacture_date: date  # Monday of the ISO week
    style_code: str | None
    product: Style | None  # catalogue entry when the style is known
    serial: str | None
    correction: Correction
