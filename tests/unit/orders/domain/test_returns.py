from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.orders.domain.errors import InvalidQuantity
from services.orders.domain.returns import (
    ALREADY_DONE,
    RETURN_TRANSITIONS,
    PurchasedLine,
    ReturnAlreadyReturned,
    ReturnDuplicateLine,
    ReturnEmpty,
    ReturnFaultyUseWarranty,
    ReturnLine,
    ReturnLineNotInOrder,
    ReturnNotDelivered,
    ReturnPolicy,
    ReturnReason,
    ReturnStatus,
    ReturnTrigger,
    ReturnWindowClosed,
    check_return,
    next_status,
)
from shared.errors import DomainError, InvalidTransition

CHANGED_MIND = ReturnReason.CHANGED_MIND


def order_lines(delivered_at: datetime | None) -> list[PurchasedLine]:
    return [PurchasedLine("TC11", 2, delivered_at), PurchasedLine("VT02", 1, delivered_at)]


def check(
    policy: ReturnPolicy,
    *lines: ReturnLine,
    delivered_at: datetime | None,
    now: datetime,
    already: dict[str, int] | None = None,
) -> None:
    check_return(
        policy,
        purchased=order_lines(delivered_at),
        requested=list(lines),
        already_returned=already or {},
        now=now,
    )


def test_the_policy_data_gives_thirty_days(return_policy: ReturnPolicy) -> None:
    """Returns close 30 days after delivery; an exchange's parcel has 30 days to arrive."""
    assert return_policy.window == timedelta(days=30)
    assert return_policy.exchange_parcel_deadline == timedelta(days=30)


def test_a_delivered_line_within_the_window_can_come_back(
    return_policy: ReturnPolicy, now: datetime
) -> None:
    """A delivered line, 29 days later, for a change of mind, passes every check."""
    delivered = now - timedelta(days=29)
    check(return_policy, ReturnLine("VT02", 1, CHANGED_MIND), delivered_at=delivered, now=now)


def test_the_last_moment_of_the_window_is_inside_it(
    return_policy: ReturnPolicy, now: datetime
) -> None:
    """Exactly 30 days after delivery is still within 30 days; one second later is not."""
    line = ReturnLine("VT02", 1, CHANGED_MIND)
    delivered = now - timedelta(days=30)
    check(return_policy, line, delivered_at=delivered, now=now)
    with pytest.raises(ReturnWindowClosed) as err:
        check(return_policy, line, delivered_at=delivered - timedelta(seconds=1), now=now)
    assert err.value.code == "return_window_closed"


def test_a_line_not_yet_delivered_cannot_come_back(
    return_policy: ReturnPolicy, now: datetime
) -> None:
    """Only delivered lines can be returned."""
    with pytest.raises(ReturnNotDelivered) as err:
        check(return_policy, ReturnLine("VT02", 1, CHANGED_MIND), delivered_at=None, now=now)
    assert err.value.code == "return_not_delivered"


def test_a_faulty_item_is_pointed_to_warranty(return_policy: ReturnPolicy, now: datetime) -> None:
    """A faulty item is refused as a return with a stable code the client turns into a claim."""
    with pytest.raises(ReturnFaultyUseWarranty) as err:
        check(
            return_policy,
            ReturnLine("VT02", 1, ReturnReason.FAULTY),
            delivered_at=now - timedelta(days=1),
            now=now,
        )
    assert err.value.code == "return_faulty_use_warranty"
    assert err.value.details == {"line": 0, "style": "VT02"}


def test_nothing_comes_back_twice(return_policy: ReturnPolicy, now: datetime) -> None:
    """Units already in an earlier return cannot be returned again; the rest still can."""
    delivered = now - timedelta(days=3)
    one_tc11 = ReturnLine("TC11", 1, CHANGED_MIND)
    check(return_policy, one_tc11, delivered_at=delivered, now=now, already={"TC11": 1})
    with pytest.raises(ReturnAlreadyReturned) as err:
        check(return_policy, one_tc11, delivered_at=delivered, now=now, already={"TC11": 2})
    assert err.value.code == "return_already_returned"
    assert err.value.details["returnable"] == 0


def test_more_units_than_bought_are_refused(return_policy: ReturnPolicy, now: datetime) -> None:
    """Returning 3 of 2 TC11 bought is refused, naming how many can come back."""
    with pytest.raises(ReturnAlreadyReturned) as err:
        check(
            return_policy,
            ReturnLine("TC11", 3, CHANGED_MIND),
            delivered_at=now - timedelta(days=1),
            now=now,
        )
    assert err.value.details == {"line": 0, "style": "TC11", "requested": 3, "returnable": 2}


@pytest.mark.parametrize(
    ("lines", "error", "code"),
    [
        ((), ReturnEmpty, "return_empty"),
        ((ReturnLine("CC01", 1, CHANGED_MIND),), ReturnLineNotInOrder, "return_line_not_in_order"),
        ((ReturnLine("TC11", 0, CHANGED_MIND),), InvalidQuantity, "quote_invalid_quantity"),
        (
            (ReturnLine("TC11", 1, CHANGED_MIND), ReturnLine("TC11", 1, CHANGED_MIND)),
            ReturnDuplicateLine,
            "return_duplicate_line",
        ),
    ],
)
def test_malformed_returns_are_refused_with_a_stable_code(
    return_policy: ReturnPolicy,
    now: datetime,
    lines: tuple[ReturnLine, ...],
    error: type[DomainError],
    code: str,
) -> None:
    """An empty return, a style not bought, a zero quantity or a style twice is refused."""
    with pytest.raises(error) as err:
        check(return_policy, *lines, delivered_at=now - timedelta(days=1), now=now)
    assert err.value.code == code


S, T = ReturnStatus, ReturnTrigger


def test_the_happy_path_ends_refunded() -> None:
    """Label issued, picked up, scanned in, refunded: each step changes the status once."""
    status = S.AWAITING_PARCEL
    for trigger, expected in [
        (T.PARCEL_PICKED_UP, S.IN_TRANSIT),
        (T.PARCEL_SCANNED_IN, S.RECEIVED),
        (T.REFUND_ISSUED, S.REFUNDED),
    ]:
        status, changed = next_status(status, trigger)
        assert (status, changed) == (expected, True)


@pytest.mark.parametrize("status", [S.AWAITING_PARCEL, S.IN_TRANSIT])
def test_no_refund_before_the_parcel_is_in(status: ReturnStatus) -> None:
    """Money goes back only once the carrier scans the parcel in or the warehouse has it."""
    with pytest.raises(InvalidTransition) as err:
        next_status(status, T.REFUND_ISSUED)
    assert err.value.code == "return_invalid_transition"


@pytest.mark.parametrize("first", [T.PARCEL_SCANNED_IN, T.WAREHOUSE_RECEIVED])
def test_whichever_of_scan_and_receipt_comes_first_counts(first: ReturnTrigger) -> None:
    """The first of carrier scan and warehouse receipt receives the parcel; the other is a no-op."""
    other = T.WAREHOUSE_RECEIVED if first is T.PARCEL_SCANNED_IN else T.PARCEL_SCANNED_IN
    status, _ = next_status(S.IN_TRANSIT, first)
    assert status is S.RECEIVED
    assert next_status(status, other) == (S.RECEIVED, False)


def test_a_refund_recorded_twice_changes_nothing() -> None:
    """The refund step may run twice (crash, redelivery): the second time is a no-op."""
    assert next_status(S.REFUNDED, T.REFUND_ISSUED) == (S.REFUNDED, False)


@pytest.mark.parametrize("final", [S.REFUNDED, S.CANCELLED, S.EXPIRED, S.CONVERTED_TO_CLAIM])
def test_final_states_take_no_new_moves(final: ReturnStatus) -> None:
    """Nothing leaves a final state; only repeats of what already happened are tolerated."""
    for trigger in ReturnTrigger:
        if (final, trigger) in ALREADY_DONE:
            assert next_status(final, trigger) == (final, False)
        else:
            with pytest.raises(InvalidTransition):
                next_status(final, trigger)


def test_a_parcel_cannot_be_cancelled_once_the_carrier_has_it() -> None:
    """The customer can cancel only before handing the parcel over."""
    assert next_status(S.AWAITING_PARCEL, T.CUSTOMER_CANCELLED) == (S.CANCELLED, True)
    with pytest.raises(InvalidTransition):
        next_status(S.IN_TRANSIT, T.CUSTOMER_CANCELLED)


def test_the_table_and_the_repeats_never_overlap() -> None:
    """A pair is either a move or a tolerated repeat, never both (the table stays unambiguous)."""
    assert not set(RETURN_TRANSITIONS) & ALREADY_DONE


DAY = timedelta(days=1)
TC11_ONE = ReturnLine("TC11", 1, CHANGED_MIND)


@pytest.mark.parametrize(
    ("lines", "delivered_days_ago", "already", "details", "says"),
    [
        ((), 1, {}, {}, "at least one line"),
        ((TC11_ONE, TC11_ONE), 1, {}, {"line": 1, "style": "TC11"}, "TC11 appears twice"),
        (
            (ReturnLine("VT02", 1, ReturnReason.FAULTY),),
            1, {}, {"line": 0, "style": "VT02"}, "warranty claim",
        ),
        ((ReturnLine("CC01", 1, CHANGED_MIND),), 1, {}, {"line": 0, "style": "CC01"},
         "CC01 is not in this order"),
        ((ReturnLine("TC11", 0, CHANGED_MIND),), 1, {}, {"line": 0, "style": "TC11", "min": 1},
         "at least 1"),
        ((TC11_ONE,), None, {}, {"line": 0, "style": "TC11"}, "TC11 has not been delivered"),
        ((TC11_ONE,), 31, {}, {"line": 0, "style": "TC11", "closed_at": "CLOSED"},
         "30 days after delivery"),
        ((TC11_ONE,), 1, {"TC11": 2}, {"line": 0, "style": "TC11", "requested": 1,
                                         "returnable": 0}, "only 0 of TC11"),
    ],
)  # fmt: skip
def test_each_refusal_names_the_line_and_the_facts_behind_it(
    return_policy: ReturnPolicy,
    now: datetime,
    lines: tuple[ReturnLine, ...],
    delivered_days_ago: int | None,
    already: dict[str, int],
    details: dict[str, object],
    says: str,
) -> None:
    """A refused return names the offending line and style (and the limit it broke) in its
    details, and says why in words."""
    delivered = None if delivered_days_ago is None else now - delivered_days_ago * DAY
    if details.get("closed_at") == "CLOSED":
        assert delivered is not None
        details = {**details, "closed_at": (delivered + 30 * DAY).isoformat()}
    with pytest.raises(DomainError) as err:
        check(return_policy, *lines, delivered_at=delivered, now=now, already=already)
    assert (err.value.details or {}) == details
    assert says in str(err.value)
