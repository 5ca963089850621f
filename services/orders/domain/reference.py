"""Operator-maintained reference data as plain domain types (loaded and validated by an adapter)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from services.orders.domain.errors import UnknownRegion, UnknownStyle
from services.orders.domain.money import FxSnapshot, Money


@dataclass(frozen=True, slots=True)
class Style:
    style: str
    name: str
    category: str
    hs_code: str
    origin: str  # ISO country of origin, declared to customs
    colour: str
    # region -> reason shown to the customer (e.g. CITES permits, an operator's export block)
    restrictions: Mapping[str, str] = field(default_factory=dict)

    @property
    def declaration(self) -> StyleDeclaration:
        """What every parcel carrying this style declares for it, local or cross-border."""
        return StyleDeclaration(self.origin, f"{self.category}: {self.name}", self.name)


@dataclass(frozen=True, slots=True)
class StyleDeclaration:
    """How a parcel declares a style's goods to the carrier (and to customs if it crosses a
    border): the country it was made in and the catalogue's description, "category: name".
    The same goods declare the same, ordered alone or in a cart (cross-border.md). `name` is
    the product's name, which a cart line shows the customer (not declared)."""

    origin: str
    description: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    style: str
    region: str
    price: Money  # in the region's currency


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as a carrier prints it: street lines, city, postcode, ISO country."""

    lines: tuple[str, ...]
    city: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2 (GB, not UK)


@dataclass(frozen=True, slots=True)
class Warehouse:
    code: str
    region: str
    ships_to: frozenset[str]
    initial_stock: Mapping[str, int]
    name: str  # shown to people instead of the code: "New Jersey, United States"
    address: Address  # where returns go (the return label's TO)

    def carries(self, style: str) -> bool:
        return style in self.initial_stock


@dataclass(frozen=True, slots=True)
class ShippingRoute:
    from_region: str
    to_region: str
    price: Money  # per shipment
    days_min: int
    days_max: int


@dataclass(frozen=True, slots=True)
class TaxRule:
    region: str
    vat: Decimal
    low_value_threshold: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    currency: str
    locale: str
    prices_include_tax: bool
    home_warehouse: str


@dataclass(frozen=True, slots=True)
class ReferenceData:
    styles: Mapping[str, Style]
    listings: tuple[Listing, ...]
    warehouses: Mapping[str, Warehouse]
    shipping: tuple[ShippingRoute, ...]
    fx: FxSnapshot
    tariff: Mapping[tuple[str, str], Decimal]  # (destination, hs_code) -> duty rate
    tax: Mapping[str, TaxRule]
    regions: Mapping[str, Region]

    def region(self, code: str) -> Region:
        try:
            return self.regions[code]
        except KeyError:
            raise UnknownRegion(
                f"unknown region {code!r}", details={"region": code, "known": sorted(self.regions)}
            ) from None

    def style(self, code: str) -> Style:
        try:
            return self.styles[code]
        except KeyError:
            raise UnknownStyle(f"unknown style {code!r}", details={"style": code}) from None

    def style_declarations(self) -> dict[str, StyleDeclaration]:
        """Style -> its declaration and name: completes cart documents stored before their
        lines kept them (adapters/cart_serialization.py)."""
        return {code: s.declaration for code, s in self.styles.items()}

    def listing(self, style: str, region: str) -> Listing | None:
        return next((x for x in self.listings if x.style == style and x.region == region), None)

    def listings_for(self, style: str) -> list[Listing]:
        return [x for x in self.listings if x.style == style]

    def route(self, from_region: str, to_region: str) -> ShippingRoute | None:
        return next(
            (r for r in self.shipping if r.from_region == from_region and r.to_region == to_region),
            None,
        )

    def duty_rate(self, destination: str, hs_code: str) -> Decimal | None:
        return self.tariff.get((destination, hs_code))

    def has_tariff(self, destination: str) -> bool:
        return any(dest == destination for dest, _ in self.tariff)

    def with_fx(self, fx: FxSnapshot) -> ReferenceData:
        """A copy with a refreshed FX snapshot (quotes already issued keep their locked rate)."""
        return ReferenceData(
            self.styles,
            self.listings,
            self.warehouses,
            self.shipping,
            fx,
            self.tariff,
            self.tax,
            self.regions,
        )
