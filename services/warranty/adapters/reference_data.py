"""Loads the service's own reference data files (services/warranty/data/*.json)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from services.warranty.domain.policy import Policy, PolicyVersion, RegionalFloor
from services.warranty.domain.reference import (
    Catalogue,
    Factory,
    PartSpec,
    PartStock,
    RepairCentre,
    Style,
)

_PACKAGE = "services.warranty.data"


def read_json(name: str) -> dict[str, Any]:
    return json.loads(resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8"))


@cache
def load_catalogue() -> Catalogue:
    factories = read_json("factories.json")["factories"]
    styles_doc = read_json("styles.json")
    centres = read_json("repair_centres.json")["repair_centres"]
    parts_doc = read_json("repair_parts.json")
    return Catalogue(
        factories={f["code"]: Factory(f["code"], f["country"], f["name"]) for f in factories},
        styles={s["style"]: _style(s) for s in styles_doc["styles"]},
        currencies=dict(styles_doc["currencies"]),
        repair_centres={
            c["region"]: RepairCentre(c["region"], c["name"], c["address"]) for c in centres
        },
        parts={
            name: PartSpec(name, frozenset(p["covers"]), p.get("description", ""))
            for name, p in parts_doc["parts"].items()
        },
        consumable_components=frozenset(parts_doc["consumable_components"]),
        part_stock=tuple(
            PartStock(s["part"], s["style"], s["colour"], dict(s["stock"]))
            for s in parts_doc["stock"]
        ),
    )


def _style(s: dict[str, Any]) -> Style:
    return Style(
        code=s["style"],
        name=s["name"],
        category=s["category"],
        colour=s["colour"],
        hs_code=s["hs_code"],
        origin=s["origin"],
        list_prices={region: Decimal(price) for region, price in s["list_prices"].items()},
    )


@cache
def load_policy() -> Policy:
    doc = read_json("policy.json")
    floor = doc["regional_floor"]
    return Policy(
        versions=tuple(_version(v) for v in doc["versions"]),
        regional_floor=RegionalFloor(
            rule=floor["rule"],
            regions=frozenset(floor["regions"]),
            minimum_months=int(floor["minimum_months"]),
            excluded_categories=frozenset(floor["excluded_categories"]),
            reason=floor["reason"],
        ),
        categories=dict(doc["categories"]),
        covered_components=dict(doc["covered_components"]),
        exclusions=dict(doc["exclusions"]),
        resolution_order=tuple(doc["resolution_order"]),
        rma_validity_days=int(doc["rma_validity_days"]),
        rma_reminder_days_before_expiry=int(doc["rma_reminder_days_before_expiry"]),
        turnaround_days=int(doc["turnaround_days"]),
        at_risk_after_days=int(doc["at_risk_after_days"]),
    )


def _version(v: dict[str, Any]) -> PolicyVersion:
    until = v.get("in_force_until")
    return PolicyVersion(
        version=v["version"],
        in_force_from=date.fromisoformat(v["in_force_from"]),
        in_force_until=date.fromisoformat(until) if until else None,
        coverage_months=dict(v["coverage_months"]),
        shelf_allowance_months=int(v["shelf_allowance_months"]),
    )
