"""The published warranty policy: versions, when coverage starts and ends, what is covered.

Every decision names the policy version and the rule that decided it, so a customer or an agent
can trace it back to the published text.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .errors import WarrantyInputError
from .reference import REGIONS

MANUFACTURING_DEFECT = "manufacturing_defect"


class Rule(StrEnum):
    PURCHASE_DATE = "purchase_date"
    MANUFACTURE_PLUS_SHELF = "manufacture_plus_shelf"
    REGIONAL_FLOOR = "regional_floor_uk_eu"
    CATEGORY_NOT_COVERED = "category_not_covered"
    EXPIRED = "expired"
    COMPONENT_COVERED = "component_covered"
    EXCLUDED_CAUSE = "excluded_cause"


@dataclass(frozen=True)
class PolicyVersion:
    version: str
    in_force_from: date
    in_force_until: date | None
    coverage_months: Mapping[str, int | None]
    shelf_allowance_months: int

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (
            self.in_force_until is None or day <= self.in_force_until
        )

    def months_for(self, category: str) -> int | None:
        return self.coverage_months.get(category)


@dataclass(frozen=True)
class RegionalFloor:
    rule: str
    regions: frozenset[str]
    minimum_months: int
    excluded_categories: frozenset[str]
    reason: str

    def applies(self, region: str, category: str) -> bool:
        return region in self.regions and category not in self.excluded_categories


@dataclass(frozen=True)
class Policy:
    versions: tuple[PolicyVersion, ...]
    regional_floor: RegionalFloor
    categories: Mapping[str, str]
    covered_components: Mapping[str, str]
    exclusions: Mapping[str, str]
    resolution_order: tuple[str, ...] = ("repair", "replace_same", "replace_other", "store_credit")
    rma_validity_days: int = 30
    rma_reminder_days_before_expiry: int = 5
    turnaround_days: int = 7
    at_risk_after_days: int = 5

    def version_on(self, day: date) -> PolicyVersion:
        """The version in force on `day`; starts before the first version use the first one."""
        ordered = sorted(self.versions, key=lambda v: v.in_force_from)
        for version in ordered:
            if version.in_force_on(day):
                return version
        return ordered[0] if day < ordered[0].in_force_from else ordered[-1]

    def to_document(self) -> dict[str, Any]:
        """The machine-readable published policy (the API serves it as JSON and HTML)."""
        floor = self.regional_floor
        return {
            "categories": dict(self.categories),
            "versions": [
                {
                    "version": v.version,
                    "in_force_from": v.in_force_from.isoformat(),
                    "in_force_until": v.in_force_until.isoformat() if v.in_force_until else None,
                    "coverage_months": dict(v.coverage_months),
                    "shelf_allowance_months": v.shelf_allowance_months,
                }
                for v in self.versions
            ],
            "regional_floor": {
                "rule": floor.rule,
                "regions": sorted(floor.regions),
                "minimum_months": floor.minimum_months,
                "excluded_categories": sorted(floor.excluded_categories),
                "reason": floor.reason,
            },
            "covered_components": dict(self.covered_components),
            "exclusions": dict(self.exclusions),
            "resolution_order": list(self.resolution_order),
            "rma_validity_days": self.rma_validity_days,
            "turnaround_days": self.turnaround_days,
            "at_risk_after_days": self.at_risk_after_days,
        }


@dataclass(frozen=True)
class CoverageDecision:
    covered: bool
    rule: str  # the rule that decided
    start_rule: str  # how the start was found: purchase_date or manufacture_plus_shelf
    policy_version: str
    category: str
    region: str
    coverage_start: date
    coverage_end: date | None  # last covered day; None when the category is never covered
    months: int | None
    floor_applied: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _validate_inputs(
    policy: Policy,
    category: str,
    region: str,
    today: date,
    manufacture_date: date | None,
    purchase_date: date | None,
) -> None:
    def fail(code: str, message: str, **details: Any) -> WarrantyInputError:
        return WarrantyInputError(message, code=code, details=details)

    if category not in policy.categories:
        raise fail("warranty_unknown_category", "Unknown product category.", category=category)
    if region not in REGIONS:
        raise fail("warranty_unknown_region", "Unknown region.", region=region, known=list(REGIONS))
    if manufacture_date is None and purchase_date is None:
        raise fail("warranty_start_unknown", "A purchase date or a label code is needed.")
    if purchase_date is not None and purchase_date > today:
        raise fail("warranty_purchase_in_future", "The purchase date is in the future.")
    if manufacture_date is not None and manufacture_date > today:
        raise fail("warranty_manufacture_in_future", "The manufacture date is in the future.")
    if purchase_date and manufacture_date and purchase_date < manufacture_date:
        raise fail(
            "warranty_purchase_before_manufacture",
            "The purchase date is before the item was made.",
            purchase_date=purchase_date.isoformat(),
            manufacture_date=manufacture_date.isoformat(),
        )


def _start(
    policy: Policy, manufacture_date: date | None, purchase_date: date | None
) -> tuple[date, Rule, str]:
    if purchase_date is not None:
        return (
            purchase_date,
            Rule.PURCHASE_DATE,
            f"Coverage starts on the purchase date {purchase_date}.",
        )
    assert manufacture_date is not None
    # The shelf allowance is taken from the version in force when the item was made.
    shelf = policy.version_on(manufacture_date).shelf_allowance_months
    start = add_months(manufacture_date, shelf)
    reason = (
        f"No proof of purchase: coverage starts {shelf} months (shelf allowance) after the "
        f"manufacture date {manufacture_date}, on {start}."
    )
    return start, Rule.MANUFACTURE_PLUS_SHELF, reason


def check_coverage(
    policy: Policy,
    *,
    category: str,
    region: str,
    today: date,
    manufacture_date: date | None = None,
    purchase_date: date | None = None,
) -> CoverageDecision:
    """Is an item of `category` owned by a customer in `region` under warranty on `today`?"""
    _validate_inputs(policy, category, region, today, manufacture_date, purchase_date)
    start, start_rule, start_reason = _start(policy, manufacture_date, purchase_date)
    version = policy.version_on(start)
    decision = CoverageDecision(
        covered=False,
        rule=str(Rule.CATEGORY_NOT_COVERED),
        start_rule=str(start_rule),
        policy_version=version.version,
        category=category,
        region=region,
        coverage_start=start,
        coverage_end=None,
        months=None,
        floor_applied=False,
        reasons=(start_reason, f"Policy version {version.version} was in force on {start}."),
    )
    base_months = version.months_for(category)
    if base_months is None:
        reason = f"{policy.categories[category]} are not covered by the warranty."
        return replace(decision, reasons=(*decision.reasons, reason))
    return _apply_term(policy, decision, base_months, today)


def _apply_term(
    policy: Policy, decision: CoverageDecision, base_months: int, today: date
) -> CoverageDecision:
    start, region, category = decision.coverage_start, decision.region, decision.category
    reasons = [*decision.reasons]
    reasons.append(
        f"{policy.categories[category]}: {base_months} months under {decision.policy_version}."
    )
    months, floor_applied = base_months, False
    floor = policy.regional_floor
    if floor.applies(region, category) and base_months < floor.minimum_months:
        months, floor_applied = floor.minimum_months, True
        reasons.append(f"In {region} the term is at least {months} months ({floor.reason}).")
    end = add_months(start, months) - timedelta(days=1)
    base_end = add_months(start, base_months) - timedelta(days=1)
    covered = today <= end
    if not covered:
        rule = str(Rule.EXPIRED)
        reasons.append(f"Coverage ended on {end}.")
    else:
        # The floor decided only if the base term alone would have run out.
        rule = decision.start_rule if today <= base_end else str(Rule.REGIONAL_FLOOR)
        reasons.append(f"Covered until {end}.")
    return replace(
        decision,
        covered=covered,
        rule=rule,
        coverage_end=end,
        months=months,
        floor_applied=floor_applied,
        reasons=tuple(reasons),
    )


@dataclass(frozen=True)
class DefectAssessment:
    covered: bool
    rule: str
    components: tuple[str, ...]
    cause: str
    reasons: tuple[str, ...]


def assess_defect(
    policy: Policy, components: Iterable[str], cause: str = MANUFACTURING_DEFECT
) -> DefectAssessment:
    """Whether the named components and cause of damage fall under the warranty."""
    names = tuple(dict.fromkeys(components))
    if not names:
        raise WarrantyInputError(
            "Name at least one damaged component.", code="warranty_no_components"
        )
    known = set(policy.covered_components)
    unknown = [c for c in names if c not in known]
    if unknown:
        raise WarrantyInputError(
            "Unknown component.",
            code="warranty_unknown_component",
            details={"unknown": unknown, "known": sorted(known)},
        )
    if cause != MANUFACTURING_DEFECT and cause not in policy.exclusions:
        raise WarrantyInputError(
            "Unknown cause of damage.",
            code="warranty_unknown_cause",
            details={"cause": cause, "known": [MANUFACTURING_DEFECT, *policy.exclusions]},
        )
    if cause in policy.exclusions:
        reason = f"Not covered: {policy.exclusions[cause]}."
        return DefectAssessment(False, str(Rule.EXCLUDED_CAUSE), names, cause, (reason,))
    listed = ", ".join(policy.covered_components[c].lower() for c in names)
    reason = f"Manufacturing defects in {listed} are covered."
    return DefectAssessment(True, str(Rule.COMPONENT_COVERED), names, cause, (reason,))
