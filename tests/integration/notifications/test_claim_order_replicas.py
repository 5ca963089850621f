"""Two replicas of the notifications service share the durable consumers and apply a claim's
events in whatever order the stream has them: the thank-you note is right every time.

Every permutation of a claim's closing events (started, shipped back, delivered) is published
for a repair and for a replacement, several rounds over, to one real nats-server; both replicas
fetch from the same durable and write to one database. Whatever order the events were applied
in, each claim gets exactly one thank-you email and one inbox note, telling the parts repaired
or the replacement sent, and no note is left waiting.
"""

from __future__ import annotations

import os
from itertools import permutations
from typing import Any

import nats
import pytest
import sqlalchemy as sa

from services.notifications.adapters.tables import deliveries, thank_you_cards
from services.notifications.app import build
from services.notifications.settings import Settings
from shared.contracts import notifications as c
from shared.contracts import warranty as w
from shared.persistence.db import Database
from shared.rpc import RpcClient
from tests.support.notifications.integration import CUSTOMER, claim_data, publish, start_smtp
from tests.support.waiting import eventually

ROUNDS = int(os.environ.get("CLAIM_ORDER_ROUNDS", "3"))
EMAIL = "margaret@example.co.uk"
PARTS = [{"part": "handle_piping", "style": "VT02", "colour": "brown"}]
TOLD = {"repair": "with new handle piping (brown)", "replace": "replaced it with Voyager black"}


def closing_events(claim_id: str, resolution: str) -> list[tuple[str, Any]]:
    """A claim's closing events in the order they happened."""
    common = {"claim_id": claim_id, "product_name": f"Tote {claim_id}"}
    if resolution == "repair":
        started = (
            "warranty.claim.repair_started",
            claim_data(
                w.ClaimRepairStarted,
                status="repairing",
                parts=PARTS,
                components=["piping"],
                **common,
            ),
        )
    else:
        started = (
            "warranty.claim.replacement_started",
            claim_data(
                w.ClaimReplacementStarted,
                status="replacing",
                replacement_style="VT05",
                replacement_name="Voyager black",
                **common,
            ),
        )
    shipped = claim_data(
        w.ClaimShippedBack,
        status="shipped_back",
        carrier="DPD",
        tracking_number="T1",
        sla="met",
        **common,
        resolution="repair" if resolution == "repair" else "replace_other",
    )
    delivered = claim_data(w.ClaimDelivered, status="delivered", **common)
    return [started, ("warranty.claim.shipped_back", shipped),
            ("warranty.claim.delivered", delivered)]  # fmt: skip


def count_applied(planning: Any) -> set[str]:
    """Record the ids of the events this replica's consumers apply."""
    ids: set[str] = set()
    apply = planning.on_event

    async def counting(work: Any, event: Any) -> int:
        created = await apply(work, event)
        ids.add(event.id)
        return int(created)

    planning.on_event = counting
    return ids


@pytest.fixture
async def replicas(nats_server, database_url):
    controller, mailbox = start_smtp()
    settings = Settings(nats_url=nats_server.url, database_url=database_url,
                        smtp_host="127.0.0.1", smtp_port=controller.port,
                        relay_sweep_interval=0.1, delivery_poll_interval=0.05)  # fmt: skip
    runtimes = [build(settings), build(settings)]
    applied = [count_applied(rt.use_cases.planning) for rt in runtimes]  # type: ignore[attr-defined]
    for rt in runtimes:  # one after the other: the first migrates the shared database
        await rt.app.start()
    nc = await nats.connect(nats_server.url)
    db = Database(database_url)
    try:
        yield nc, db, mailbox, applied
    finally:
        await nc.drain()
        for rt in runtimes:
            await rt.app.stop()
        await db.dispose()
        controller.stop()


async def test_every_order_of_a_claims_closing_events_gives_one_right_note(replicas):
    nc, db, mailbox, applied = replicas
    await RpcClient(nc).call(c.Subjects.PUT_CONTACT,
                             {"name": "Margaret", "email": EMAIL, "locale": "en-GB"},
                             actor=CUSTOMER)  # fmt: skip
    js = nc.jetstream()
    claims: dict[str, str] = {}
    for round_ in range(ROUNDS):
        for resolution in TOLD:
            for number, order in enumerate(permutations(range(3))):
                claim_id = f"CLM-{round_}-{resolution}-{number}"
                claims[claim_id] = resolution
                story = closing_events(claim_id, resolution)
                for index in order:
                    type_, data = story[index]
                    await publish(js, type_, claim_id, data)

    async def every_note_sent() -> bool:
        notes = await _thank_you_rows(db)
        return len(notes) == 2 * len(claims) and all(
            r.status in ("sent", "delivered") for r in notes
        )

    await eventually(every_note_sent, timeout=180, interval=0.5)
    notes = await _thank_you_rows(db)
    for claim_id, resolution in claims.items():
        mine = [r for r in notes if f"Tote {claim_id}" in r.text_body]
        assert sorted(r.channel for r in mine) == ["email", "in_app"], claim_id
        assert all(TOLD[resolution] in r.text_body for r in mine), (claim_id, mine[0].text_body)
    emails = [m for m in mailbox.to(EMAIL) if m["Subject"] == "Thank you, Margaret"]
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in emails]
    for claim_id, resolution in claims.items():
        [body] = [b for b in bodies if f"your Tote {claim_id}." in b]  # sent exactly once
        assert TOLD[resolution] in body
    async with db.read() as session:
        waiting = await session.scalar(sa.select(sa.func.count()).select_from(thank_you_cards)
                                       .where(thank_you_cards.c.closing_event.is_not(None)))  # fmt: skip
    assert waiting == 0
    print(f"\nevents applied by each replica: {[len(ids) for ids in applied]}")
    assert all(applied), f"a replica applied no event: {[len(ids) for ids in applied]}"


async def _thank_you_rows(db: Database) -> list[Any]:
    async with db.read() as session:
        query = sa.select(deliveries).where(deliveries.c.kind == "claim_thank_you")
        return list((await session.execute(query)).all())
