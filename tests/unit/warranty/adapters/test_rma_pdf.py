"""The printable RMA form: a PDF that carries the RMA number and where to send the item."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from services.warranty.adapters.rma_pdf import RmaForm, render_rma_pdf
from tests.support.warranty.dates import NOW


def test_rma_pdf_is_a_real_pdf_with_the_rma_number(catalogue):
    centre = catalogue.repair_centres["UK"]
    pdf = render_rma_pdf(
        RmaForm(
            rma_number="RMA-20261123-7K3QX9",
            claim_id="clm-42",
            issued_at=NOW,
            expires_at=NOW + timedelta(days=30),
            item_label="SD-2551-VT02-00120Z",
            product_name="Voyager travel tote, luggage brown",
            components=("handles", "piping", "edge_paint"),
            decision_summary="Covered until 2028-06-14 (policy 2024-01) – naïve “quotes” ✓",
            ship_to_name=centre.name,
            ship_to_address=centre.address,
        )
    )
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "RMA-20261123-7K3QX9" in text
    assert "clm-42" in text and "Park Royal" in text and "Packing instructions" in text
    assert "edge paint" in text
    assert len(reader.pages[0].images) == 1  # the QR code
