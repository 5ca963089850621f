"""The printable thank-you card the repair centre packs with a repaired or replaced item.

A6 landscape, one page, personalised: the customer's name, the item, and what was done (the
repair and its parts, or the replacement). Rendered with fpdf2; returns the PDF bytes.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from ..domain.thank_you_card import ThankYouCard

# A Unicode font renders any customer name; the built-in Helvetica only knows Latin-1.
_UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def _latin1(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("latin-1", "ignore").decode("latin-1")


def _font(pdf: FPDF, font_path: Path | None) -> tuple[str, bool]:
    candidates = [font_path] if font_path else list(_UNICODE_FONTS)
    for path in candidates:
        if path is not None and path.is_file():
            pdf.add_font("CardSans", "", str(path))
            return "CardSans", True
    return "Helvetica", False


def _blank_card(card: ThankYouCard, created_at: datetime | None) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format=(105, 148))  # A6
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(12, 12, 12)
    pdf.set_title(f"Thank you - {card.claim_id}")
    pdf.set_creator("Concierge notifications")
    pdf.set_creation_date(created_at or datetime.now(UTC))
    return pdf


def render_thank_you_card(
    card: ThankYouCard, *, font_path: Path | None = None, created_at: datetime | None = None
) -> bytes:
    pdf = _blank_card(card, created_at)
    family, unicode_ok = _font(pdf, font_path)

    def text(value: str) -> str:
        return value if unicode_ok else _latin1(value)

    pdf.add_page()
    pdf.set_draw_color(120, 90, 60)
    pdf.rect(6, 6, pdf.w - 12, pdf.h - 12)
    name = card.customer_name.strip()
    pdf.set_font(family, size=18)
    pdf.cell(
        0,
        12,
        text(f"Thank you, {name}" if name else "Thank you"),
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(2)
    pdf.set_font(family, size=10.5)
    body = (
        f"Thank you for giving us the chance to put things right with your {card.item_name}. "
        f"{card.what_we_did()} We hope you enjoy it for many years to come."
    )
    pdf.multi_cell(0, 5.5, text(body), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    pdf.set_font(family, size=10)
    pdf.cell(0, 6, text(card.signed_by), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_y(pdf.h - 16)
    pdf.set_font(family, size=7)
    pdf.cell(0, 4, text(f"Warranty claim {card.claim_id}"), align="C")
    return bytes(pdf.output())
