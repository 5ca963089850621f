"""A return does what its spec says for every (status, trigger) pair. The spec is typed out by
hand from carts-and-returns.md in tests/support/orders/returns_spec.py, never derived from
`returns.RETURN_TRANSITIONS`.
"""

from __future__ import annotations

import pytest

from tests.support.orders.returns_spec import PAIRS, check_pair, check_spec_table_is_complete


def test_the_spec_table_names_every_status_and_every_trigger_once():
    check_spec_table_is_complete()


@pytest.mark.parametrize(("status", "trigger"), PAIRS, ids=[f"{s}-{t}" for s, t in PAIRS])
def test_every_status_and_trigger(status, trigger):
    check_pair(status, trigger)
