from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.orders.adapters.cart_and_return_policy import (
    POLICY_FILE,
    load_cart_and_return_policy,
)
from services.orders.adapters.reference_data import ReferenceDataInvalid, default_folder


def write_policy(folder: Path, policy: dict[str, object]) -> Path:
    (folder / POLICY_FILE).write_text(json.dumps(policy), encoding="utf-8")
    return folder


def shipped_policy() -> dict[str, object]:
    raw: dict[str, object] = json.loads(default_folder().joinpath(POLICY_FILE).read_text("utf-8"))
    return raw


def test_the_shipped_file_holds_the_published_limits() -> None:
    """20 lines per cart, 30 days to return after delivery, 30 days for an exchange's parcel."""
    cart, returns = load_cart_and_return_policy()
    assert (cart.max_lines, cart.max_quantity_per_line) == (20, 20)
    assert returns.window_days_after_delivery == 30
    assert returns.exchange_parcel_deadline_days == 30


def test_an_operator_folder_replaces_the_shipped_file(tmp_path: Path) -> None:
    """The same file in another folder is read instead of the packaged one."""
    policy = shipped_policy()
    policy["cart"] = {"max_lines": 5, "max_quantity_per_line": 2}
    cart, _ = load_cart_and_return_policy(write_policy(tmp_path, policy))
    assert (cart.max_lines, cart.max_quantity_per_line) == (5, 2)


@pytest.mark.parametrize(
    ("section", "value"),
    [
        ("cart", {"max_lines": 0, "max_quantity_per_line": 20}),
        ("cart", {"max_lines": 20}),
        ("returns", {"window_days_after_delivery": 30, "exchange_parcel_deadline": 30}),
    ],
)
def test_a_wrong_field_stops_start_up_naming_the_file(
    tmp_path: Path, section: str, value: dict[str, int]
) -> None:
    """A zero limit, a missing field or a misspelt one is refused with the file named."""
    policy = shipped_policy()
    policy[section] = value
    with pytest.raises(ReferenceDataInvalid) as err:
        load_cart_and_return_policy(write_policy(tmp_path, policy))
    assert err.value.code == "orders_reference_data_invalid"
    assert err.value.details["file"] == POLICY_FILE
