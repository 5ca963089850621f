"""A claim's events give the same messages and facts in whatever order they are applied."""

from __future__ import annotations

import uuid
from datetime import timedelta
from itertools import permutations
from typing import Any

import sqlalchemy as sa

from services.notifications.adapters.tables import deliveries, thank_you_cards
from services.notifications.domain.incoming import IncomingEvent
from shared.contracts import notifications as c
from tests.support.notifications.cases import ME, NOW, apply, customer_rpc, rows

PARTS = [{"part": "handle_piping", "style": "VT02", "colour": "brown"}]


def claim_story(claim_id: str, resolution: str) -> list[IncomingEvent]:
    """The end of a claim, in the order it happened: started, shipped back, delivered, closed."""
    base = {"claim_id": claim_id, "customer_id": ME.id, "region": "UK",
            "product_name": f"Tote {claim_id}"}  # fmt: skip
    if resolution == "repair":
        started: dict[str, Any] = {"type": "warranty.claim.repair_started",
                                   "parts": PARTS, "components": ["piping"]}  # fmt: skip
    else:
        started = {"type": "warranty.claim.replacement_started", "replacement_style": "VT05",
                   "replacement_name": "Voyager tote, black"}  # fmt: skip
    steps = [
        started,
        {"type": "warranty.claim.shipped_back", "carrier": "DPD", "tracking_number": "T1",
         "resolution": "repair" if resolution == "repair" else "replace_other", "sla": "met"},
        {"type": "warranty.claim.delivered"},
        {"type": "warranty.claim.closed"},
    ]  # fmt: skip
    return [
        IncomingEvent(
            id=uuid.uuid4().hex,
            type=step.pop("type"),
            time=NOW + timedelta(hours=i),
            data=base | step,
        )
        for i, step in enumerate(steps)
    ]


async def notes(uow: Any, claim_id: str) -> list[Any]:
    """The claim's planned thank-you notes (the body names the item, so the claim)."""
    return [
        r
        for r in await rows(uow, deliveries)
        if r.kind == "claim_thank_you" and f"Tote {claim_id}" in r.text_body
    ]


async def facts_of(uow: Any, claim_id: str) -> dict[str, Any]:
    async with uow.db.read() as session:
        query = sa.select(thank_you_cards).where(thank_you_cards.c.claim_id == claim_id)
        return dict((await session.execute(query)).one()._mapping)


def comparable(facts: dict[str, Any]) -> dict[str, Any]:
    skip = {"claim_id", "item_name", "created_at", "started_event_id"}
    return {k: v for k, v in facts.items() if k not in skip}


async def test_thank_you_note_has_its_facts_in_every_order(uow):
    """Whatever order a claim's closing events are applied in (each twice), the thank-you note
    is planned once per channel, tells the parts or the replacement, and the kept facts (for the
    card) are the same as when applied in the order they happened; no note is left waiting."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(name="Margaret", email="m@example.co.uk",
                                            locale="en-GB"), ME)  # fmt: skip
    for resolution, told in (("repair", "with new handle piping (brown)"),
                             ("replace", "replaced it with Voyager tote, black")):  # fmt: skip
        reference = f"ref-{resolution}"
        for ev in claim_story(reference, resolution):
            await apply(uow, n, ev)
        expected = comparable(await facts_of(uow, reference))
        assert expected["closing_event"] is None
        for number, order in enumerate(permutations(range(4))):
            claim_id = f"{resolution}-{number}"
            story = claim_story(claim_id, resolution)
            for index in order + order:  # each event applied, then each again (redelivered)
                await apply(uow, n, story[index])
            planned = await notes(uow, claim_id)
            assert sorted(r.channel for r in planned) == ["email", "in_app"], order
            assert all(told in r.text_body for r in planned), (order, planned[0].text_body)
            assert {r.event_id for r in planned} == {story[1].id}  # keyed by the closing event
            assert comparable(await facts_of(uow, claim_id)) == expected, order


async def test_note_planned_by_the_started_event_is_not_planned_again(uow):
    """A note planned when its facts arrived late is not planned again by either event
    applied again later, nor by the closing event."""
    n = customer_rpc(uow)
    started, shipped, *_ = claim_story("late", "repair")
    assert await apply(uow, n, shipped) == 1  # shipped_back in the inbox; the note waits
    assert await notes(uow, "late") == []
    assert await apply(uow, n, started) == 2  # repair_started, and the note that waited
    assert len(await notes(uow, "late")) == 1
    for again in (started, shipped, started):
        assert await apply(uow, n, again) == 0
    assert len(await notes(uow, "late")) == 1
