"""The request-reply subjects of the warranty service and the types every warranty contract uses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

SOURCE = "/concierge/warranty"

Region = Literal["US", "UK", "EU"]
Category = Literal["handbag", "small_leather_goods", "tech_accessory", "stationery"]
Component = Literal[
    "handles", "straps", "piping", "stitching", "zips", "hardware", "lining", "edge_paint"
]
Cause = Literal[
    "manufacturing_defect", "wear", "accident", "water", "heat", "alteration", "lost_parts"
]
ClaimStatus = Literal[
    "submitted", "approved", "rejected", "needs_review", "awaiting_item", "received",
    "inspecting", "repairing", "replacing", "shipped_back", "delivered", "closed", "lapsed",
    "cancelled",
]  # fmt: skip
SlaState = Literal["not_started", "on_track", "at_risk", "breached", "met", "missed"]


class Subjects:
    DECODE_LABEL = "rpc.warranty.decode_label"
    POLICY = "rpc.warranty.policy"
    POLICY_HTML = "rpc.warranty.policy_html"
    CHECK_COVERAGE = "rpc.warranty.check_coverage"
    OPEN_CLAIM = "rpc.warranty.open_claim"
    GET_CLAIM = "rpc.warranty.get_claim"
    LIST_CLAIMS = "rpc.warranty.list_claims"
    CLAIM_TIMELINE = "rpc.warranty.claim_timeline"
    RMA_PDF = "rpc.warranty.rma_pdf"
    DECIDE_CLAIM = "rpc.warranty.decide_claim"
    CANCEL_CLAIM = "rpc.warranty.cancel_claim"
    RECORD_RECEIPT = "rpc.warranty.record_receipt"
    START_INSPECTION = "rpc.warranty.start_inspection"
    START_REPAIR = "rpc.warranty.start_repair"
    START_REPLACEMENT = "rpc.warranty.start_replacement"
    RECORD_SHIPMENT = "rpc.warranty.record_shipment"
    RECORD_DELIVERY = "rpc.warranty.record_delivery"
    SLA_DASHBOARD = "rpc.warranty.sla_dashboard"


def claim_subject(name: str) -> str:
    return f"warranty.claim.{name}"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
