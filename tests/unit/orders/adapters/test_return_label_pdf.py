"""The printable return label: what a carrier and a customer read on it."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import segno
from PIL import Image, ImageChops

from services.orders.adapters.return_label_pdf import PdfReturnLabelPrinter
from services.orders.domain.money import Money
from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.reference import Address
from services.orders.domain.return_labels import ReturnLabelSheet

NJ = Address(("Unit 4, 210 Meadow Road",), "Edison", "08817", "US")


def sheet(customs: tuple[ReturnedGoods, ...] = ()) -> ReturnLabelSheet:
    return ReturnLabelSheet(
        return_id="ret_1",
        return_number="R-3F2A9-C01B7",
        order_id="ord_42",
        label_id="lbl_9",
        carrier="sandbox-post",
        tracking_number="SBXR123456789",
        warehouse="US-NJ",
        warehouse_name="New Jersey, United States",
        to_address=NJ,
        customs=customs,
    )


VT02 = ReturnedGoods("4202.21", "IT", "Bags: Voyager tote", 1, Money(Decimal("231.01"), "GBP"))


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_label_names_the_parcel_its_destination_and_its_customs_lines() -> None:
    pdf = PdfReturnLabelPrinter().render(sheet((VT02,)))
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for expected in (
        "sandbox-post",
        "SBXR123456789",
        "R-3F2A9-C01B7",
        "ord_42",
        "New Jersey, United States",
        "Unit 4, 210 Meadow Road",
        "Edison",
        "08817",
        "From:",
        "4202.21",
        "Bags: Voyager tote",
        "231.01 GBP",
        "returned goods",
    ):
        assert expected in text, expected
    assert "IT" in text.split("4202.21", 1)[1]


def test_a_local_parcel_has_no_customs_declaration() -> None:
    text = text_of(PdfReturnLabelPrinter().render(sheet()))
    assert "SBXR123456789" in text and "Customs" not in text


def qr_image(data: str) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=8, border=4)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def test_the_qr_code_is_the_tracking_number() -> None:
    # No QR decoder is installed (opencv's is not a dependency): the printed image must be,
    # pixel for pixel, segno's code of the tracking number, and not of anything else on it.
    pdf = PdfReturnLabelPrinter().render(sheet((VT02,)))
    [page] = pypdf.PdfReader(io.BytesIO(pdf)).pages
    [image] = page.images
    printed = image.image.convert("L")
    assert ImageChops.difference(printed, qr_image("SBXR123456789")).getbbox() is None
    other = qr_image("R-3F2A9-C01B7")
    assert printed.size != other.size or ImageChops.difference(printed, other).getbbox()
