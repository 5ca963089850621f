"""An agent finds the customer on a call by the email address or phone number she gives (a caller
does not know her customer id): on a real, migrated SQLite database (migrations 0007 and 0008)."""

from __future__ import annotations

import pytest

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.errors import DomainError, Forbidden
from tests.support.notifications.cases import PARTNER, SteppingClock, customer_rpc

AGENT = Actor(type="agent", id="agent-phone")


async def given(uow, customer: str, clock: SteppingClock, **contact: str) -> None:
    rpc = customer_rpc(uow, clock)
    await rpc.put_contact(c.PutContactRequest(customer_id=customer, locale="en-GB", **contact),
                          AGENT)  # fmt: skip
    clock.advance(60)


async def find(uow, actor: Actor = AGENT, **by: str) -> list[str]:
    found = await customer_rpc(uow).find_customers(c.FindCustomersRequest(**by), actor)
    return [m.customer_id for m in found.customers]


async def test_by_email_whatever_its_case_and_by_phone_however_it_is_spaced(uow):
    clock = SteppingClock()
    await given(uow, "cust-margaret", clock, name="Margaret", email="Margaret.H@Example.co.uk",
                phone="+44 7700 900123")  # fmt: skip
    await given(uow, "cust-other", clock, name="Other", email="other@example.co.uk")
    assert await find(uow, email="margaret.h@example.co.uk") == ["cust-margaret"]
    assert await find(uow, email=" MARGARET.H@EXAMPLE.CO.UK ") == ["cust-margaret"]
    assert await find(uow, phone="+44 (7700) 900-123") == ["cust-margaret"]
    assert await find(uow, phone="+44 (0)7700 900123") == ["cust-margaret"]  # the trunk zero
    assert await find(uow, email="nobody@example.co.uk") == []
    [match] = (await customer_rpc(uow).find_customers(
        c.FindCustomersRequest(phone="+447700900123"), AGENT)).customers  # fmt: skip
    assert (match.name, match.email, match.phone, match.locale) == (
        "Margaret", "Margaret.H@Example.co.uk", "+447700900123", "en-GB")  # fmt: skip


async def test_an_address_in_capitals_beyond_ascii(uow):
    """SQL's lower() in SQLite folds ASCII only: the key is folded in Python, for every script."""
    clock = SteppingClock()
    await given(uow, "cust-jose", clock, name="José", email="JOSÉ.ÖZIL@EXAMPLE.ES")
    assert await find(uow, email="josé.özil@example.es") == ["cust-jose"]
    assert await find(uow, email="José.Özil@Example.es") == ["cust-jose"]


async def test_several_customers_sharing_an_address_newest_first(uow):
    """A family's shared address: every id is offered, the one updated last first."""
    clock = SteppingClock()
    for customer in ("cust-a", "cust-b", "cust-c"):
        await given(uow, customer, clock, email="family@example.com")
    assert await find(uow, email="family@example.com") == ["cust-c", "cust-b", "cust-a"]


@pytest.mark.parametrize(
    ("by", "code"),
    [
        ({}, "notifications_lookup_needs_one"),
        ({"email": "a@example.com", "phone": "+447700900123"}, "notifications_lookup_needs_one"),
        ({"email": "not-an-address"}, "notifications_invalid_email"),
        ({"phone": "07700 900123"}, "notifications_invalid_phone"),
    ],
)
async def test_a_search_needs_one_valid_email_or_phone(uow, by, code):
    with pytest.raises(DomainError) as refused:
        await find(uow, **by)
    assert refused.value.code == code


@pytest.mark.parametrize("actor", [Actor(type="customer", id="cust-margaret"), PARTNER, None])
async def test_only_agents_look_customers_up(uow, actor):
    await given(uow, "cust-margaret", SteppingClock(), email="m@example.co.uk")
    with pytest.raises(Forbidden):
        await find(uow, actor, email="m@example.co.uk")
