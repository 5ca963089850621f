"""Load and validate the operator-maintained data files in `services/orders/data/`.

Files are read with importlib.resources (they ship inside the package); an operator can point
at another folder with the same file names. Validation is strict: a typo in a region, a
warehouse or an HS code stops start-up with the file and field that is wrong.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.orders.domain.money import FxSnapshot, Money
from services.orders.domain.reference import (
    Address,
    Listing,
    ReferenceData,
    Region,
    ShippingRoute,
    Style,
    TaxRule,
    Warehouse,
)
from shared.errors import DomainError


class ReferenceDataInvalid(DomainError):
    code = "orders_reference_data_invalid"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Restriction(_Model):
    region: str
    reason: str = Field(min_length=1)


class _Style(_Model):
    style: str = Field(pattern=r"^[A-Z0-9]{2,8}$")
    name: str
    category: str
    hs_code: str = Field(pattern=r"^\d{4}\.\d{2}$")
    origin: str = Field(pattern=r"^[A-Z]{2}$")
    colour: str
    restrictions: list[_Restriction] = []


class _Catalogue(BaseModel):
    styles: list[_Style]


class _Listing(_Model):
    style: str
    region: str
    price: Decimal = Field(ge=0)


class _Listings(BaseModel):
    listings: list[_Listing]


class _Address(_Model):
    lines: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        min_length=1, max_length=3
    )
    city: str = Field(min_length=1, max_length=60)
    postcode: str = Field(min_length=1, max_length=12)
    country: str = Field(pattern=r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2


class _Warehouse(_Model):
    code: str
    name: str = Field(min_length=1, max_length=60)
    region: str
    address: _Address
    ships_to: list[str] = Field(min_length=1)
    initial_stock: dict[str, int]

    @field_validator("initial_stock")
    @classmethod
    def _non_negative(cls, value: dict[str, int]) -> dict[str, int]:
        if any(q < 0 for q in value.values()):
            raise ValueError("stock cannot be negative")
        return value


class _Warehouses(BaseModel):
    warehouses: list[_Warehouse]


class _Route(_Model):
    from_region: str
    to_region: str
    price: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    days_min: int = Field(ge=0)
    days_max: int = Field(ge=0)


class _Shipping(BaseModel):
    routes: list[_Route]


class _Fx(BaseModel):
    as_of: date
    base: str = Field(pattern=r"^[A-Z]{3}$")
    rates: dict[str, Decimal]
    conversion_margin: Decimal = Field(ge=0, lt=1)

    @field_validator("rates")
    @classmethod
    def _positive(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(r <= 0 for r in value.values()):
            raise ValueError("FX rates must be positive")
        return value


class _TariffRow(_Model):
    destination: str
    hs_code: str = Field(pattern=r"^\d{4}\.\d{2}$")
    duty_rate: Decimal = Field(ge=0, lt=1)


class _Tariff(BaseModel):
    rows: list[_TariffRow]


class _Tax(_Model):
    vat: Decimal = Field(ge=0, lt=1)
    low_value_threshold: Decimal = Field(ge=0)
    currency: str
    note: str | None = None


class _Taxes(BaseModel):
    regions: dict[str, _Tax]


class _Region(_Model):
    code: str = Field(pattern=r"^[A-Z]{2}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    locale: str
    prices_include_tax: bool
    home_warehouse: str


class _Regions(BaseModel):
    regions: list[_Region]


FILES: dict[str, type[BaseModel]] = {
    "catalogue.json": _Catalogue,
    "listings.json": _Listings,
    "warehouses.json": _Warehouses,
    "shipping.json": _Shipping,
    "fx.json": _Fx,
    "tariff.json": _Tariff,
    "tax.json": _Taxes,
    "regions.json": _Regions,
}


def _read(folder: Traversable | Path, name: str) -> Any:
    raw = json.loads((folder / name).read_text(encoding="utf-8"))
    raw.pop("_note", None)  # operators' comments
    try:
        return FILES[name].model_validate(raw)
    except ValidationError as exc:
        raise ReferenceDataInvalid(
            f"{name}: {exc.error_count()} invalid field(s)",
            details={"file": name, "errors": exc.errors(include_url=False, include_input=False)},
        ) from exc


def default_folder() -> Traversable:
    return resources.files("services.orders.data")


def load_fx(folder: Traversable | Path | None = None) -> FxSnapshot:
    fx: _Fx = _read(folder or default_folder(), "fx.json")
    if fx.rates.get(fx.base) != 1:
        raise ReferenceDataInvalid("fx.json: the base currency's rate must be 1")
    return FxSnapshot(fx.as_of, fx.base, dict(fx.rates), fx.conversion_margin)


def load_reference_data(folder: Traversable | Path | None = None) -> ReferenceData:
    src = folder or default_folder()
    regions = {r.code: r for r in _read(src, "regions.json").regions}
    currency = {code: r.currency for code, r in regions.items()}
    ref = ReferenceData(
        styles={s.style: _style(s) for s in _read(src, "catalogue.json").styles},
        listings=tuple(
            Listing(x.style, x.region, Money(x.price, currency.get(x.region, "???")))
            for x in _read(src, "listings.json").listings
        ),
        warehouses={w.code: _warehouse(w) for w in _read(src, "warehouses.json").warehouses},
        shipping=tuple(
            ShippingRoute(
                r.from_region, r.to_region, Money(r.price, r.currency), r.days_min, r.days_max
            )
            for r in _read(src, "shipping.json").routes
        ),
        fx=load_fx(src),
        tariff={(t.destination, t.hs_code): t.duty_rate for t in _read(src, "tariff.json").rows},
        tax={
            code: TaxRule(code, t.vat, t.low_value_threshold, t.currency)
            for code, t in _read(src, "tax.json").regions.items()
        },
        regions={
            code: Region(code, r.currency, r.locale, r.prices_include_tax, r.home_warehouse)
            for code, r in regions.items()
        },
    )
    problems = check_consistency(ref)
    if problems:
        raise ReferenceDataInvalid("reference data is inconsistent", details={"problems": problems})
    return ref


def _warehouse(w: _Warehouse) -> Warehouse:
    a = w.address
    address = Address(tuple(a.lines), a.city, a.postcode, a.country)
    return Warehouse(
        w.code, w.region, frozenset(w.ships_to), dict(w.initial_stock), w.name, address
    )


def _style(s: _Style) -> Style:
    restrictions = {r.region: r.reason for r in s.restrictions}
    return Style(s.style, s.name, s.category, s.hs_code, s.origin, s.colour, restrictions)


def check_consistency(ref: ReferenceData) -> list[str]:
    """Cross-file checks: every code referenced somewhere exists where it is defined."""
    problems: list[str] = []
    regions, styles = set(ref.regions), set(ref.styles)
    for r in ref.regions.values():
        if r.home_warehouse not in ref.warehouses:
            problems.append(f"regions.json: {r.code} home warehouse {r.home_warehouse} unknown")
        if r.currency not in ref.fx.rates:
            problems.append(f"fx.json: no rate for {r.currency}")
        if r.code not in ref.tax:
            problems.append(f"tax.json: no row for {r.code}")
    for x in ref.listings:
        if x.style not in styles or x.region not in regions:
            problems.append(f"listings.json: {x.style}/{x.region} refers to an unknown code")
    for w in ref.warehouses.values():
        if w.region not in regions or not w.ships_to <= regions:
            problems.append(f"warehouses.json: {w.code} refers to an unknown region")
        if not set(w.initial_stock) <= styles:
            problems.append(f"warehouses.json: {w.code} stocks an unknown style")
    for route in ref.shipping:
        if route.days_min > route.days_max:
            problems.append(f"shipping.json: {route.from_region}->{route.to_region} days reversed")
    for s in ref.styles.values():
        if not set(s.restrictions) <= regions:
            problems.append(f"catalogue.json: {s.style} restricted in an unknown region")
    return problems
