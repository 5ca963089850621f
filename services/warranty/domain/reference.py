"""Reference data as domain values (factories, styles, repair centres, repair parts).

The values are loaded from the service's own data files by `adapters.reference_data`; the domain
only sees these immutable objects, so tests can build small catalogues by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

REGIONS = ("US", "UK", "EU")


@dataclass(frozen=True)
class Factory:
    code: str
    country: str
    name: str


@dataclass(frozen=True)
class Style:
    code: str
    name: str
    category: str
    colour: str
    hs_code: str
    origin: str
    list_prices: Mapping[str, Decimal] = field(default_factory=dict)

    def price_in(self, region: str) -> Decimal | None:
        return self.list_prices.get(region)


@dataclass(frozen=True)
class RepairCentre:
    region: str
    name: str
    address: str


@dataclass(frozen=True)
class PartStock:
    """Units of one repair part for one style and colour, per region."""

    part: str
    style: str
    colour: str
    stock: Mapping[str, int]


@dataclass(frozen=True)
class PartSpec:
    part: str
    covers: frozenset[str]
    description: str = ""


@dataclass(frozen=True)
class Catalogue:
    factories: Mapping[str, Factory]
    styles: Mapping[str, Style]
    currencies: Mapping[str, str] = field(default_factory=dict)
    repair_centres: Mapping[str, RepairCentre] = field(default_factory=dict)
    parts: Mapping[str, PartSpec] = field(default_factory=dict)
    consumable_components: frozenset[str] = frozenset()
    part_stock: tuple[PartStock, ...] = ()

    def factory(self, code: str) -> Factory | None:
        return self.factories.get(code)

    def style(self, code: str) -> Style | None:
        return self.styles.get(code)

    def is_known_style(self, code: str) -> bool:
        return code in self.styles
