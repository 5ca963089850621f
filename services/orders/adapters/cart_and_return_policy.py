"""Load `carts_and_returns.json` (cart limits, return window, exchange deadline) into domain types.

A sibling of `reference_data.py`: same folder, same strict validation, same error code, so an
operator's typo stops start-up with the file and field named.
"""

from __future__ import annotations

import json
from importlib.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.orders.adapters.reference_data import ReferenceDataInvalid, default_folder
from services.orders.domain.carts import CartPolicy
from services.orders.domain.returns import ReturnPolicy

POLICY_FILE = "carts_and_returns.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Cart(_Model):
    max_lines: int = Field(ge=1)
    max_quantity_per_line: int = Field(ge=1)


class _Returns(_Model):
    window_days_after_delivery: int = Field(ge=0)
    exchange_parcel_deadline_days: int = Field(ge=1)


class _Policy(_Model):
    cart: _Cart
    returns: _Returns


def load_cart_and_return_policy(
    folder: Traversable | Path | None = None,
) -> tuple[CartPolicy, ReturnPolicy]:
    raw = json.loads((folder or default_folder()).joinpath(POLICY_FILE).read_text("utf-8"))
    raw.pop("_note", None)  # operators' comments
    try:
        policy = _Policy.model_validate(raw)
    except ValidationError as exc:
        raise ReferenceDataInvalid(
            f"{POLICY_FILE}: {exc.error_count()} invalid field(s)",
            details={
                "file": POLICY_FILE,
                "errors": exc.errors(include_url=False, include_input=False),
            },
        ) from exc
    cart = CartPolicy(policy.cart.max_lines, policy.cart.max_quantity_per_line)
    returns = ReturnPolicy(
        window_days_after_delivery=policy.returns.window_days_after_delivery,
        exchange_parcel_deadline_days=policy.returns.exchange_parcel_deadline_days,
    )
    return cart, returns
