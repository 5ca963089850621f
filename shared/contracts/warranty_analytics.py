"""Public contracts of warranty batch analytics: production volumes, the analytics report, the
defect-rate chart, and the `warranty.batch.flagged` event.

A production batch is what a label names: a factory, an ISO production week and a style, written
`SD-2551-VT02` (factory, yy, ww, style). Figures only: no customer, no claim text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.registry import event

SOURCE = "/concierge/warranty"
MAX_CSV_CHARS = 200_000  # under the gateway's body cap and NATS' 1 MB payload

IsoWeek = str
ISO_WEEK_PATTERN = r"^\d{4}-W\d{2}$"
FACTORY_PATTERN = r"^[A-Z]{2}$"
STYLE_PATTERN = r"^[A-Z]{2}\d{2}$"


class Subjects:
    UPLOAD_VOLUMES = "rpc.warranty.upload_volumes"
    BATCH_ANALYTICS = "rpc.warranty.batch_analytics"
    DEFECT_RATE_CHART = "rpc.warranty.defect_rate_chart"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UploadVolumesRequest(_Request):
    """A CSV file of production volumes: header `factory,iso_week,style,units`."""

    csv: str = Field(max_length=MAX_CSV_CHARS, description="The file's text (UTF-8).")


class VolumeRowError(BaseModel):
    row: int = Field(description="Line number in the file (1 is the header).", examples=[3])
    column: str | None = Field(description="The column at fault, if one.", examples=["units"])
    code: str = Field(
        description="unknown_factory, invalid_iso_week, unknown_style, invalid_units, "
        "duplicate_batch, wrong_column_count, invalid_header, too_many_rows, no_rows, "
        "not_utf8.",
        examples=["invalid_units"],
    )


class VolumesUploaded(BaseModel):
    """The upload was stored (all rows, in one transaction) and batches were re-evaluated."""

    rows: int = Field(description="Volume rows stored.", examples=[120])
    newly_flagged: list[str] = Field(
        description="Batch ids flagged by this upload.", examples=[["NJ-2507-VT02"]]
    )


class AnalyticsRequest(_Request):
    region: Literal["US", "UK", "EU"] | None = Field(None, description="Claims from this region.")
    factory: str | None = Field(None, pattern=FACTORY_PATTERN, examples=["SD"])
    style: str | None = Field(None, pattern=STYLE_PATTERN, examples=["VT02"])
    week_from: IsoWeek | None = Field(
        None, pattern=ISO_WEEK_PATTERN, description="First production week.", examples=["2025-W01"]
    )
    week_to: IsoWeek | None = Field(
        None, pattern=ISO_WEEK_PATTERN, description="Last production week.", examples=["2025-W26"]
    )


class BatchFigures(BaseModel):
    batch_id: str = Field(description="factory-yyww-style.", examples=["NJ-2507-VT02"])
    factory: str = Field(description="Two-letter factory code.", examples=["NJ"])
    iso_week: str = Field(description="ISO week of production.", examples=["2025-W07"])
    style_code: str = Field(description="Style code.", examples=["VT02"])
    claims: int = Field(description="Manufacturing-defect claims (not cancelled or rejected).")
    units: int | None = Field(description="Units produced; null when no volume was uploaded.")
    defect_rate: float | None = Field(description="claims / units.")
    rate_ci_low: float | None = Field(description="95% Clopper-Pearson interval, low end.")
    rate_ci_high: float | None = Field(description="95% Clopper-Pearson interval, high end.")
    flagged: bool = Field(description="Flagged as significantly above its style's baseline.")


class FlaggedBatch(BaseModel):
    batch_id: str = Field(description="factory-yyww-style.", examples=["NJ-2507-VT02"])
    claims: int = Field(description="Claims when it was flagged.")
    units: int = Field(description="Units produced.")
    baseline_rate: float = Field(description="The style's rate without this batch.")
    p_value: float = Field(description="One-sided exact binomial test.")
    q_value: float = Field(description="Benjamini-Hochberg adjusted p-value.")
    flagged_at: datetime = Field(description="When the batch was flagged.")


class SlaFigures(BaseModel):
    shipped_back: int = Field(description="Claims shipped back (the promise could be judged).")
    within_promise: int = Field(description="Of those, shipped within the turnaround promise.")
    compliance: float | None = Field(description="within_promise / shipped_back.")
    median_turnaround_hours: float | None = Field(description="Receipt to ship-back, median.")


class AnalyticsReport(BaseModel):
    """Claims per batch, component and reason; defect rates; SLA; flagged batches."""

    as_of: datetime = Field(description="When the report was computed.")
    batches: list[BatchFigures] = Field(description="Figures per production batch.")
    per_component: dict[str, int] = Field(
        description="Claims naming each component (every claim but cancelled ones)."
    )
    per_reason: dict[str, int] = Field(
        description="Claims per reported cause (every claim but cancelled ones)."
    )
    sla: SlaFigures = Field(description="How the turnaround promise was kept.")
    flagged: list[FlaggedBatch] = Field(description="Batches flagged so far (within the filters).")
    q: float = Field(description="False discovery rate the flags are controlled at.")
    min_claims: int = Field(description="Claims a batch needs before it can be flagged.")


class DefectRateChart(BaseModel):
    svg: str = Field(description="SVG document: defect rate by production week, per factory.")


@event("warranty.batch.flagged", partner_visible=True)
class BatchFlagged(BaseModel):
    """A production batch's defect rate is significantly above its style's baseline.

    Published once per batch. Figures only: ids, counts and the test's results.
    """

    batch_id: str = Field(description="factory-yyww-style.", examples=["NJ-2507-VT02"])
    factory: str = Field(description="Two-letter factory code.", examples=["NJ"])
    iso_week: str = Field(description="ISO production week.", examples=["2025-W07"])
    style_code: str = Field(description="Style code.", examples=["VT02"])
    claims: int = Field(description="Manufacturing-defect claims counted.", examples=[31])
    units: int = Field(description="Units produced (uploaded volume).", examples=[900])
    defect_rate: float = Field(description="claims / units.", examples=[0.034])
    baseline_rate: float = Field(description="The style's rate without this batch.")
    p_value: float = Field(description="One-sided exact binomial test p-value.")
    q_value: float = Field(description="Benjamini-Hochberg adjusted p-value.")
    fdr_level: float = Field(description="The q level the flag is controlled at.", examples=[0.05])
    flagged_at: datetime = Field(description="When the batch was flagged.")
