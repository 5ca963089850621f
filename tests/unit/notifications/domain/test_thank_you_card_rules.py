"""The thank-you card packed with the item (warranty-policy.md "Service promises": a printable
card packed with the item): it names the item and says what was done, repair (with the parts
used) or replacement; anything else is refused."""

from __future__ import annotations

import pytest

from services.notifications.domain.thank_you_card import (
    ThankYouCard,
    ThankYouCardError,
    part_labels,
)


def card(**changes: object) -> ThankYouCard:
    fields: dict[str, object] = {
        "customer_name": "Margaret",
        "item_name": "Voyager tote",
        "resolution": "repair",
        "claim_id": "clm-1",
    }
    return ThankYouCard(**(fields | changes))  # type: ignore[arg-type]


def test_a_repair_names_what_was_mended_and_the_parts_used() -> None:
    assert card().what_we_did() == "We repaired your Voyager tote."
    assert card(repair_summary="handle and piping").what_we_did() == (
        "We repaired your Voyager tote: handle and piping."
    )
    assert card(parts=("handle pair (black)", "zip pull")).what_we_did() == (
        "We repaired your Voyager tote, using new handle pair (black), zip pull."
    )
    assert card(repair_summary="zip", parts=("zip pull",)).what_we_did() == (
        "We repaired your Voyager tote: zip, using new zip pull."
    )


def test_a_replacement_names_the_new_item() -> None:
    assert card(resolution="replacement", replacement_name="Juniper crossbody").what_we_did() == (
        "We replaced your Voyager tote with Juniper crossbody."
    )
    assert card(resolution="replacement").what_we_did() == (
        "We replaced your Voyager tote with a new Voyager tote."
    )
    # parts and a repair summary belong to repairs only
    assert card(
        resolution="replacement", parts=("zip pull",), repair_summary="zip"
    ).what_we_did() == ("We replaced your Voyager tote with a new Voyager tote.")


def test_the_card_is_signed_by_the_repair_team() -> None:
    assert card().signed_by == "The Concierge repair team"


@pytest.mark.parametrize("resolution", ["store_credit", "Repair", ""])
def test_only_a_repair_or_a_replacement_gets_a_card(resolution: str) -> None:
    with pytest.raises(ThankYouCardError) as refused:
        card(resolution=resolution)
    assert refused.value.code == "notifications_thank_you_card_invalid"


@pytest.mark.parametrize("item_name", ["", "   "])
def test_the_card_must_name_the_item(item_name: str) -> None:
    with pytest.raises(ThankYouCardError):
        card(item_name=item_name)


def test_part_labels_read_as_words_with_their_colour() -> None:
    assert part_labels(None) == []
    assert part_labels([]) == []
    assert part_labels(
        [
            {"part": "HANDLE-PAIR", "colour": "tan"},
            {"part": "handle_piping"},
            {"part": "ZIP-PULL", "colour": ""},
            {"colour": "navy"},
            "edge paint",
        ]
    ) == ["handle pair (tan)", "handle piping", "zip pull", "part (navy)", "edge paint"]
