"""Labels and coverage: decode a label code, check whether an item is under warranty, the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.warranty.domain import labels
from services.warranty.domain.errors import WarrantyInputError
from services.warranty.domain.policy import CoverageDecision, Policy, check_coverage
from services.warranty.domain.ports import PolicyRenderer
from services.warranty.domain.reference import Catalogue
from shared.clock import Clock


@dataclass
class LabelsAndCoverage:
    catalogue: Catalogue
    policy: Policy
    clock: Clock
    render_policy: PolicyRenderer

    def decode_label(self, code: str) -> labels.DecodedLabel:
        return labels.decode(code, today=self.clock.now().date(), catalogue=self.catalogue)

    def policy_document(self) -> dict[str, Any]:
        return self.policy.to_document()

    def policy_html(self) -> str:
        return self.render_policy(self.policy.to_document())

    def check_coverage(
        self,
        *,
        region: str,
        label_code: str | None = None,
        style_code: str | None = None,
        category: str | None = None,
        purchase_date: date | None = None,
    ) -> tuple[CoverageDecision, labels.DecodedLabel | None]:
        today = self.clock.now().date()
        label = (
            labels.decode(label_code, today=today, catalogue=self.catalogue) if label_code else None
        )
        style_code = (label.style_code if label else None) or style_code
        style = self.catalogue.style(style_code) if style_code else None
        category = style.category if style else category
        if category is None:
            raise WarrantyInputError(
                "Name the product category: the style is not in the catalogue.",
                code="claim_category_required",
                details={"style_code": style_code},
            )
        decision = check_coverage(
            self.policy, category=category, region=region, today=today,
            manufacture_date=label.manufacture_date if label else None, purchase_date=purchase_date,
        )  # fmt: skip
        return decision, label
