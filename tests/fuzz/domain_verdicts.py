"""The label and coverage verdicts no schema can express, and the check that keeps them honest.

`POST /v1/labels/decode`, `/v1/warranty/check` and `/v1/claims` take a label code whose shape is
published (pattern: length, letter/digit per position, separators) but whose genuineness is not:
a check character, a factory, a week that exists in that year, a date not in the future, a
purchase after manufacture. The warranty service refuses those with 422 and a `label_*` /
`warranty_*` code (RFC 9110 422: well-formed content the server cannot process); a schema
cannot say which codes are genuine. So schemathesis.toml lets ST202 accept 422 on these three
operations, and `only_domain_verdicts` narrows that back: a schema-valid request may get 422
there only with one of these codes, never `validation_error`, `label_unknown_format` (the
pattern covers it) or `warranty_start_unknown` (the body's anyOf covers it).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis import GenerationMode

CONFIG_FILE = Path(__file__).with_name("schemathesis.toml")
DOMAIN_VERDICT_OPERATIONS = frozenset(
    {
        "POST /v1/claims",
        "POST /v1/labels/decode",
        "POST /v1/warranty/check",
        "POST /v1/quotes",
        "POST /v1/labels/read",
        "POST /v1/orders/{order_id}/returns",
        "PUT /v1/me/preferences",
    }
)
DOMAIN_VERDICT_CODES = frozenset(
    {
        "label_unknown_factory",
        "label_impossible_date",
        "label_future_date",
        "label_check_mismatch",
        "label_ambiguous_correction",
        "warranty_purchase_in_future",
        "warranty_manufacture_in_future",
        "warranty_purchase_before_manufacture",
        # A style (typed, or read from a genuine label) that is not in the catalogue needs a
        # category: catalogue membership is reference data, not a published constraint.
        "claim_category_required",
        # A cart: its limits are operator data (services/orders/data/carts_and_returns.json), and
        # distinct styles from the catalogue are not a schema's to say.
        "cart_too_many_lines",
        "cart_duplicate_style",
        "quote_invalid_quantity",
        "catalogue_unknown_style",
        # A catalogue style may still not be sold in the region, be out of stock, or a cart may
        # need two shipments: catalogue, stock and warehouses are operator data and state.
        "catalogue_not_available",
        "stock_insufficient",
        "quote_multiple_shipments",
        # A photo upload: a schema says "a file", not "a legible label photo" (docs/label-photos.md).
        "photo_not_an_image",
        "photo_too_large",
        "photo_too_small",
        "label_unreadable",
        "label_ambiguous",
        # A return: the order's lines, the warranty rule for faulty items, an exchange's fields.
        "return_line_not_in_order",
        "return_duplicate_line",
        "return_faulty_use_warranty",
        "return_exchange_incomplete",
        # Quiet hours whose start and end are the same minute: a rule between two fields.
        "notifications_invalid_quiet_hours",
    }
)


def operations_config() -> list[dict[str, Any]]:
    """The `[[operations]]` of schemathesis.toml, for the pytest fuzzers' config."""
    return list(tomllib.loads(CONFIG_FILE.read_text())["operations"])


@schemathesis.check
def only_domain_verdicts(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = case.meta
    if meta is None or case.operation.label not in DOMAIN_VERDICT_OPERATIONS:
        return None
    if meta.generation.mode is not GenerationMode.POSITIVE or response.status_code != 422:
        return None
    code = (response.json() or {}).get("code")
    if code not in DOMAIN_VERDICT_CODES:
        raise AssertionError(f"schema-valid request refused with 422 `{code}`: {response.text}")
    return None
