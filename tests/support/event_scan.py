"""Checks every published event for personal data and human free text (issue 12 item 5).

Events carry ids, codes and business facts only. `scan_event` returns what is wrong with one
CloudEvent (as published): an unknown type, data its contract refuses, an email address, a
phone number, a street address, or free text (several words, or a sentence) anywhere in its
data. A few fields hold text that is a business fact rather than anything a person wrote: the
catalogue's product names, the brand's own repair centres, and the fixed customer message an
order failure code maps to. They are listed in BUSINESS_TEXT and still checked for emails and
phone numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from shared.contracts.registry import load_all

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w-])\+\d[\d ()-]{6,}\d"  # international: +44 7700 900123
    r"|(?<![\w-])0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?![\w-])"  # national: 07700 900123
    r"|\(\d{3}\) ?\d{3}-\d{4}"  # (555) 010-0199
)
STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?,? +(?:[A-Z][\w'-]* +){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|"
    r"Square|Sq|Terrace|Close|Crescent|Parkway|Pkwy)\b"
)
# An email's Message-ID (`<id@host>`, e.g. provider_message_id) is an id, not an address.
MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
SENTENCE = re.compile(r"\w[.!?](\s|$)")
FREE_TEXT_WORDS = 4

# Field names whose text is a business fact, never written by a customer or an agent.
BUSINESS_TEXT = frozenset({
    "product_name", "name", "item_name", "replacement_name", "style_name",
    "repair_centre_name", "repair_centre_address",  # the brand's own workshops
    "message",  # orders.order.failed: the fixed text of its reason_code and advice_code
})  # fmt: skip


def strings(value: Any, path: str = "data") -> Iterator[tuple[str, str]]:
    """Every string inside `value`, with where it is."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")


def text_problems(path: str, text: str) -> list[str]:
    field = path.rsplit(".", 1)[-1].split("[")[0]
    problems = []
    if EMAIL.search(text) and not MESSAGE_ID.match(text):
        problems.append(f"{path}: email address")
    if PHONE.search(text):
        problems.append(f"{path}: phone number")
    if field in BUSINESS_TEXT:
        return problems
    if STREET.search(text):
        problems.append(f"{path}: street address")
    if len(text.split()) >= FREE_TEXT_WORDS or (" " in text and SENTENCE.search(text)):
        problems.append(f"{path}: free text {text[:60]!r}")
    return problems


def scan_event(event: dict[str, Any]) -> list[str]:
    """What is wrong with one published event; empty when it is clean."""
    where = f"{event.get('type')} {event.get('id')}"
    spec = load_all().get(str(event.get("type")))
    if spec is None:
        return [f"{where}: type not in the event registry"]
    problems = []
    try:
        spec.model.model_validate(event.get("data"))
    except ValidationError as exc:
        problems.append(f"{where}: data does not match its contract: {exc.errors()[:2]}")
    for path, text in strings(event.get("data")):
        problems += [f"{where}: {p}" for p in text_problems(path, text)]
    return problems
