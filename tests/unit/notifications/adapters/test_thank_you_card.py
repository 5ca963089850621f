import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from services.notifications.adapters.thank_you_card import render_thank_you_card
from services.notifications.domain.thank_you_card import ThankYouCard, ThankYouCardError


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_repair_card_names_customer_item_and_repair():
    """A repair card names the customer, the item and what was repaired."""
    card = ThankYouCard(
        customer_name="Margaret",
        item_name="Voyager travel tote",
        resolution="repair",
        claim_id="CLM-7Q2K9",
        parts=["handle piping"],
        repair_summary="both handles re-piped",
    )
    pdf = render_thank_you_card(card)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "Thank you, Margaret" in text
    assert "Voyager travel tote" in text
    assert "repaired" in text and "handle piping" in text
    assert "CLM-7Q2K9" in text


def test_replacement_card():
    """A replacement card names what replaced the item."""
    card = ThankYouCard(
        "Dana",
        "Juniper crossbody",
        "replacement",
        "CLM-1",
        replacement_name="a new Juniper crossbody in navy",
    )
    text = _text(render_thank_you_card(card))
    assert "replaced your Juniper crossbody with a new Juniper crossbody in navy" in text


def test_card_without_unicode_font_still_renders():
    """Without a Unicode font the card still renders."""
    card = ThankYouCard("Zoë Łukasiewicz", "Card case", "repair", "CLM-2", parts=["clasp"])
    text = _text(render_thank_you_card(card, font_path=Path("/nonexistent.ttf")))
    assert "Card case" in text and "clasp" in text


def test_card_validation():
    """A card needs a known resolution and an item name."""
    with pytest.raises(ThankYouCardError):
        ThankYouCard("A", "", "repair", "CLM-3")
    with pytest.raises(ThankYouCardError) as err:
        ThankYouCard("A", "Tote", "refund", "CLM-3")  # type: ignore[arg-type]
    assert err.value.code == "notifications_thank_you_card_invalid"
