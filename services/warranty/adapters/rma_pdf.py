"""The printable return authorisation form (PDF) with a QR code of the RMA number."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

import segno

from services.warranty.domain.rma import RmaForm

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["RmaForm", "render_rma_pdf"]

PACKING_INSTRUCTIONS = (
    "Empty all pockets and remove personal items.",
    "Wrap the item in its dust bag or soft paper; do not fold handles or straps.",
    "Put this form (or the RMA number written clearly) inside the parcel.",
    "Write the RMA number on the outside of the parcel, next to the address.",
    "Keep the carrier's receipt and tracking number until the item is back with you.",
)


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1 only; replace what they cannot draw rather than fail.
    return text.encode("latin-1", "replace").decode("latin-1")


def _qr_png(data: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def _section(pdf: FPDF, title: str, lines: Iterable[str]) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for line in lines:
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")


def _new_pdf() -> FPDF:
    from fpdf import FPDF  # on the first form: ~40 MiB (fontTools) a process rendering none spares

    return FPDF(format="A4")


def render_rma_pdf(form: RmaForm) -> bytes:
    pdf = _new_pdf()
    pdf.set_title(_latin1(f"Return authorisation {form.rma_number}"))
    pdf.set_creator("Concierge warranty service")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Return authorisation", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _latin1(f"RMA number: {form.rma_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.image(_qr_png(form.rma_number), x=150, y=12, w=45, h=45)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        0, 6, _latin1(f"Valid until {form.expires_at:%d %B %Y}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(max(pdf.get_y(), 60))
    _section(
        pdf,
        "Claim",
        (
            f"Claim: {form.claim_id}",
            f"Item: {form.product_name} (label {form.item_label})",
            f"Reported: {', '.join(c.replace('_', ' ') for c in form.components)}",
            f"Decision: {form.decision_summary}",
            f"Issued: {form.issued_at:%d %B %Y}",
        ),
    )
    _section(pdf, "Ship to", (form.ship_to_name, *form.ship_to_address.split(", ")))
    _section(
        pdf, "Packing instructions", (f"{i}. {s}" for i, s in enumerate(PACKING_INSTRUCTIONS, 1))
    )
    _section(
        pdf,
        "What happens next",
        (
            "We will email you when the parcel arrives. We aim to send your item back within "
            "7 days of its arrival at the repair centre.",
        ),
    )
    return bytes(pdf.output())
