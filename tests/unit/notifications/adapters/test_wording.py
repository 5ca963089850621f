"""Wording and the reasons customers are given.

Every message kind in every locale: British and Irish English never mix US spellings (a subject
said "authorisation" while its body said "authorization"), and a customer whose name is unknown
is greeted without a made-up name ("Thank you, there").
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from services.notifications.adapters.rendering import BRITISH_SPELLINGS, render, sample_context
from services.notifications.adapters.thank_you_card import render_thank_you_card
from services.notifications.domain.context import REASON_TEXTS, claim_context
from services.notifications.domain.messages import CATALOGUE
from services.notifications.domain.preferences import SUPPORTED_LOCALES, Contact
from services.notifications.domain.thank_you_card import ThankYouCard

KINDS = sorted(CATALOGUE)
US_SPELLING = re.compile(r"\b(" + "|".join(BRITISH_SPELLINGS) + r")s?\b", re.IGNORECASE)


def parts(kind: str, locale: str, **context) -> dict[str, str]:
    message = render(kind, locale, sample_context(kind, locale) | context)
    return {"subject": message.subject, "text": message.text, "html": message.html,
            "short": message.short_text}  # fmt: skip


@pytest.mark.parametrize("locale", ["en-GB", "en-IE"])
@pytest.mark.parametrize("kind", KINDS)
def test_british_and_irish_messages_use_british_spelling_throughout(kind, locale):
    """British and Irish messages use British spelling in every part."""
    for part, text in parts(kind, locale).items():
        assert not US_SPELLING.search(text), (part, text)


def test_the_rma_subject_and_body_agree():
    """The RMA subject and body spell the same words the same way."""
    for locale, word in (("en-US", "authorization"), ("en-GB", "authorisation")):
        message = parts("claim_rma_issued", locale)
        assert word in message["subject"] and word in message["text"]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_name_is_never_filled_with_a_placeholder(kind, locale):
    """An unknown name is never filled with a placeholder."""
    named = parts(kind, locale, customer_name="Margaret")
    for unknown in ("", None):
        anonymous = parts(kind, locale, customer_name=unknown)
        for part, text in named.items():
            expected = text.replace("Hello Margaret", "Hello there").replace(", Margaret", "")
            assert anonymous[part] == expected, (part, anonymous[part])


def test_a_contact_without_a_name_has_no_greeting_name():
    """A contact without a name has no greeting name."""
    assert Contact("c1", name="  ").greeting_name == ""


def test_the_thank_you_card_without_a_name_just_says_thank_you():
    """The thank-you card without a name just says "Thank you"."""
    card = ThankYouCard(customer_name="", item_name="Tote", resolution="repair", claim_id="CLM-1")
    text = PdfReader(io.BytesIO(render_thank_you_card(card))).pages[0].extract_text()
    assert "Thank you" in text and "friend" not in text and "there" not in text


def test_decision_reason_codes_become_the_customers_sentences():
    """Decision reason codes become sentences the customer reads."""
    data = {"claim_id": "CLM-1", "reasons": ["manufacture_plus_shelf", "component_covered"]}
    reason = claim_context(data, base_url="http://api")["reason"]
    assert REASON_TEXTS["component_covered"].rstrip(".") in reason
    assert "_" not in reason  # no raw code reaches a customer
    unknown = claim_context({"claim_id": "C", "reasons": ["new_rule"]}, base_url="http://api")
    assert unknown["reason"] is None
