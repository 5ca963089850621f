"""The printable return label (PDF, fpdf2) with a QR code of the tracking number (segno).

An A4 page the customer prints at home: cut out the label part and stick it on the parcel, the
rest (packing instructions) stays with her. Everything on it comes from the sheet: ids, codes,
the warehouse's returns address and, for a parcel that crosses a border, its customs lines.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

import segno

from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.reference import Address
from services.orders.domain.return_labels import ReturnLabelSheet

if TYPE_CHECKING:
    from fpdf import FPDF

PACKING_INSTRUCTIONS = (
    "Pack the items in their original packaging if you can, in a sturdy box or bag.",
    "Only the items on this return: one parcel per label.",
    "Write your name and address in the From box, by hand.",
    "Cut out the label and stick it flat on the largest side; cover any old labels.",
    "Hand the parcel to the carrier and keep the receipt until your refund arrives.",
)
COUNTRIES = {"US": "United States", "GB": "United Kingdom", "NL": "Netherlands"}
FROM_BOX_MM = 34


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1 only; replace what they cannot draw rather than fail.
    return text.encode("latin-1", "replace").decode("latin-1")


def _qr_png(data: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return buffer


def _new_pdf() -> FPDF:
    from fpdf import FPDF  # loaded on the first label: a process printing none spares fontTools

    return FPDF(format="A4")


def _line(pdf: FPDF, text: str, size: float = 11, style: str = "", height: float = 6) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.cell(0, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _lines(pdf: FPDF, title: str, lines: Iterable[str]) -> None:
    pdf.ln(3)
    _line(pdf, title, 12, "B", 8)
    for text in lines:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _address(address: Address) -> list[str]:
    country = COUNTRIES.get(address.country, address.country)
    return [*address.lines, f"{address.postcode} {address.city}", country.upper()]


def _head(pdf: FPDF, sheet: ReturnLabelSheet) -> None:
    _line(pdf, f"Prepaid return label - {sheet.carrier}", 16, "B", 10)
    _line(pdf, "Tracking number", 10)
    _line(pdf, sheet.tracking_number, 24, "B", 14)
    _line(pdf, f"Return {sheet.return_number}   Order {sheet.order_id}", 11)
    pdf.image(_qr_png(sheet.tracking_number), x=150, y=10, w=48, h=48)
    pdf.set_y(max(pdf.get_y(), 60))


def _from_box(pdf: FPDF) -> None:
    # Orders stores no customer name or address (only her id), so the label cannot print one:
    # she writes it in this box by hand.
    _line(pdf, "From:", 12, "B", 8)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, FROM_BOX_MM)
    pdf.set_y(top + FROM_BOX_MM + 2)


def _to(pdf: FPDF, sheet: ReturnLabelSheet) -> None:
    _line(pdf, "To:", 12, "B", 8)
    _line(pdf, f"Returns - {sheet.warehouse_name} ({sheet.warehouse})", 13, "B", 7)
    for text in _address(sheet.to_address):
        _line(pdf, text, 13, "", 7)


def _customs_row(g: ReturnedGoods) -> tuple[str, ...]:
    value = f"{g.declared_value.amount} {g.declared_value.currency}"
    return (g.hs_code, g.origin_country, g.description, str(g.quantity), value)


def _customs(pdf: FPDF, customs: tuple[ReturnedGoods, ...]) -> None:
    if not customs:
        return  # a local parcel crosses no border: nothing to declare
    procedures = sorted({g.procedure.replace("_", " ") for g in customs})
    _lines(pdf, "Customs declaration", [f"Procedure: {', '.join(procedures)} (no sale)"])
    pdf.set_font("Helvetica", "", 10)
    widths = (22, 16, 90, 14, 40)
    header = ("HS code", "Origin", "Description", "Qty", "Declared value")
    with pdf.table(col_widths=widths, first_row_as_headings=True) as table:
        for values in (header, *(_customs_row(g) for g in customs)):
            row = table.row()
            for value in values:
                row.cell(_latin1(value))


def render_return_label(sheet: ReturnLabelSheet) -> bytes:
    pdf = _new_pdf()
    pdf.set_title(_latin1(f"Return label {sheet.return_number} {sheet.tracking_number}"))
    pdf.set_creator("Concierge orders service")
    pdf.add_page()
    _head(pdf, sheet)
    _from_box(pdf)
    _to(pdf, sheet)
    _customs(pdf, sheet.customs)
    numbered = (f"{i}. {s}" for i, s in enumerate(PACKING_INSTRUCTIONS, 1))
    _lines(pdf, "Packing instructions", numbered)
    return bytes(pdf.output())


class PdfReturnLabelPrinter:
    """The `ReturnLabelPrinter` port, in process."""

    def render(self, sheet: ReturnLabelSheet) -> bytes:
        return render_return_label(sheet)
