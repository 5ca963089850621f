"""The event DLQ on the Operations page: an event a service could not read is dead-lettered by
the running stack, an agent sees it (never its body) and replays it from the page."""

from __future__ import annotations

import asyncio
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import nats
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

POISON_SUBJECT = "warranty.claim.approved"


async def _publish_poison(nats_url: str, event_id: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        body = b'{"not": "a cloud event", "email": "ada@example.com"}'
        await nc.jetstream().publish(POISON_SUBJECT, body, headers={"Nats-Msg-Id": event_id})
    finally:
        await nc.drain()


def test_an_agent_sees_a_dead_letter_and_replays_it(sign_in, console):
    event_id = f"poison-{uuid.uuid4().hex[:10]}"
    # Playwright's sync API keeps an event loop in this thread: publish from another one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _publish_poison(console.nats_url, event_id)).result(timeout=30)

    agent = sign_in("agent-ops", role="agent")
    agent.goto("/agent/ops")
    row = agent.get_by_role("row").filter(has_text=event_id).first
    for _ in range(30):  # the consumer dead-letters it within a moment; the page is re-read
        if row.count():
            break
        agent.wait_for_timeout(500)
        agent.reload()
    expect(row).to_contain_text(POISON_SUBJECT)
    expect(row).to_contain_text("malformed_event")
    expect(agent.locator("main")).not_to_contain_text("ada@example.com")
    letter_id = row.locator("code").first.inner_text()

    row.get_by_role("button", name=f"Replay dead letter {letter_id}").click()
    expect(agent.get_by_role("status")).to_contain_text("Event replayed")
    # The letter left the DLQ; the event went out again on its subject, and the service, still
    # unable to read it, dead-lettered the replayed copy (its id says it was replayed).
    expect(agent.get_by_role("button", name=f"Replay dead letter {letter_id}")).to_have_count(0)
    replayed = agent.get_by_role("row").filter(
        has_text=re.compile(rf"{event_id}:replay:{letter_id}")
    )
    for _ in range(30):
        if replayed.count():
            break
        agent.wait_for_timeout(500)
        agent.reload()
    expect(replayed.first).to_contain_text(POISON_SUBJECT)
