"""Labels, the policy and coverage checks: requests and replies of `rpc.warranty.*`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from shared.contracts.warranty.subjects import Category, Region, _Request

# --- labels ------------------------------------------------------------------------------------


class DecodeLabelRequest(_Request):
    """A label code as read from the lining: case, spaces, hyphens, dots and slashes are ignored."""

    code: str = Field(
        min_length=1,
        max_length=64,
        description="The code as read, e.g. `SD-2619-VT01-00042A` or `SD4129`.",
        examples=["sd 2551 vto2 0o12o z"],
    )


class FactoryInfo(BaseModel):
    code: str = Field(description="Two-letter factory code.", examples=["SD"])
    country: str = Field(description="ISO country of the factory.", examples=["US"])
    name: str = Field(description="Factory name.", examples=["San Diego workshop"])


class ProductInfo(BaseModel):
    style: str = Field(description="Style code.", examples=["VT02"])
    name: str = Field(description="Catalogue name of the style.")
    category: Category = Field(description="Warranty category of the style.")
    colour: str = Field(description="Colour of the style.")


class CharChangeInfo(BaseModel):
    position: int = Field(description="1-based position in the code without separators.")
    part: str = Field(description="factory, year, week, style, serial or check.")
    read: str = Field(description="Character as read.")
    corrected: str = Field(description="Character after correction.")


class CorrectionInfo(BaseModel):
    applied: bool = Field(description="Whether any look-alike character was corrected.")
    original: str = Field(description="The code as read (normalised).")
    corrected: str = Field(description="The code after correction.")
    changes: list[CharChangeInfo] = Field(
        description="Each character that was corrected.", default_factory=list
    )


class DecodedLabel(BaseModel):
    """What a label says: when and where the item was made, and which style it is."""

    generation: Literal[1, 2] = Field(description="1: six characters (2012-2019); 2: from 2020.")
    code: str = Field(description="Canonical printed form.", examples=["SD-2551-VT02-00120Z"])
    factory: FactoryInfo = Field(description="Where the item was made.")
    year: int = Field(description="Year of manufacture.")
    week: int = Field(description="ISO week of manufacture.")
    manufacture_date: date = Field(description="Monday of the ISO week of manufacture.")
    style_code: str | None = Field(default=None, description="Style code (generation 2 only).")
    product: ProductInfo | None = Field(
        default=None, description="Catalogue product, when the style is known."
    )
    serial: str | None = Field(default=None, description="Unit serial (generation 2 only).")
    correction: CorrectionInfo = Field(
        description="Look-alike characters repaired in the code as read."
    )


# --- policy and coverage -----------------------------------------------------------------------


class PolicyHtml(BaseModel):
    html: str = Field(description="The published policy as a readable HTML page.")


class CoverageCheckRequest(_Request):
    """Is the item under warranty? Give the label code, or the style for an item bought from us."""

    region: Region = Field(description="The customer's region (not the item's).")
    label_code: str | None = Field(default=None, max_length=64, description="Label code as read.")
    style_code: str | None = Field(
        default=None, max_length=8, description="Style, when there is no label code."
    )
    category: Category | None = Field(
        default=None, description="Category, when neither label nor style names a known style."
    )
    purchase_date: date | None = Field(default=None, description="Date on the proof of purchase.")

    @model_validator(mode="after")
    def _something_to_check(self) -> CoverageCheckRequest:
        if not (self.label_code or self.style_code or self.category):
            raise ValueError("give a label_code, a style_code or a category")
        return self


class CoverageReply(BaseModel):
    """The coverage decision, with the policy version and the rule that decided it."""

    covered: bool = Field(description="Whether the item is under warranty today.")
    rule: str = Field(
        description="purchase_date, manufacture_plus_shelf, regional_floor_uk_eu, "
        "category_not_covered or expired."
    )
    start_rule: str = Field(
        description="How the start was found: purchase_date or manufacture_plus_shelf."
    )
    policy_version: str = Field(
        description="Version of the published policy applied.", examples=["2024-01"]
    )
    category: Category = Field(description="Warranty category of the item.")
    region: Region = Field(description="The customer's region.")
    coverage_start: date = Field(description="First covered day.")
    coverage_end: date | None = Field(description="Last covered day; null if never covered.")
    months: int | None = Field(description="Length of the term in months; null if never covered.")
    floor_applied: bool = Field(description="The UK/EU statutory minimum lengthened the term.")
    reasons: list[str] = Field(description="Human-readable reasons, in order.")
    checked_on: date = Field(description="The day the check was made.")
    label: DecodedLabel | None = Field(default=None, description="The decoded label, if given.")
