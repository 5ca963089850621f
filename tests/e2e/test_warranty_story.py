"""Story 1 through the public HTTP API only: the gift handbag with no receipt.

Decode a label read with look-alike mistakes, check coverage without a receipt, open a claim for
broken handle piping, download the RMA form, and follow the item through the repair centre back
to the customer; every step is in the timeline and on the WARRANTY stream with its subject.
"""

from __future__ import annotations

import asyncio
import io
import uuid

import nats
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.e2e

STEPS = ["submitted", "approved", "rma_issued", "received", "inspection_started",
         "repair_started", "shipped_back", "delivered", "closed"]  # fmt: skip


async def _stream_subjects(nats_url: str, claim_id: str) -> list[str]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe("warranty.claim.>", stream="WARRANTY", ordered_consumer=True)
        found: list[str] = []
        try:
            while True:
                msg = await sub.next_msg(timeout=1)
                if msg.headers and msg.headers.get("Nats-Msg-Id", "").startswith(claim_id + "."):
                    found.append(msg.subject)
        except TimeoutError:  # nats-py raises its own or, at fetch's deadline, asyncio's
            pass
        await sub.unsubscribe()
        return found
    finally:
        await nc.close()


def test_handbag_without_receipt(running_stack):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    me = running_stack.client(customer)
    centre = running_stack.client("agent-repair-uk", role="agent")

    r = me.post("/v1/labels/decode", json={"code": "sd 2S51 vto2 0o12o z"})
    assert r.status_code == 200, r.text
    label = r.json()
    assert label["code"] == "SD-2551-VT02-00120Z" and label["correction"]["applied"]
    assert label["manufacture_date"] == "2025-12-15"

    r = me.post("/v1/warranty/check", json={"region": "UK", "label_code": label["code"]})
    assert r.status_code == 200 and r.json()["covered"], r.text

    r = me.post("/v1/claims", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "region": "UK", "label_code": label["code"], "components": ["handles", "piping"],
        "description": "The piping on both handles broke."})  # fmt: skip
    assert r.status_code == 201, r.text
    claim = r.json()
    claim_id, rma = claim["id"], claim["rma"]["number"]
    assert claim["status"] == "awaiting_item" and claim["rma"]["ship_to"]["region"] == "UK"

    r = me.get(f"/v1/claims/{claim_id}/rma.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert rma in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()

    for step, body in [("receipt", None), ("inspection", None), ("repair", None),
                       ("shipment", {"carrier": "Royal Mail", "tracking_number": "RM123456785GB"}),
                       ("delivery", None)]:  # fmt: skip
        r = centre.post(f"/v1/claims/{claim_id}/{step}", json=body,
                        headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert r.status_code == 200, (step, r.text)
    assert r.json()["status"] == "closed"
    assert r.json()["resolution"]["parts"][0]["part"] == "HANDLE-PAIR"

    timeline = me.get(f"/v1/claims/{claim_id}/timeline").json()["entries"]
    assert [e["to_status"] for e in timeline] == [
        "submitted", "approved", "awaiting_item", "received", "inspecting", "repairing",
        "shipped_back", "delivered", "closed"]  # fmt: skip

    async def published() -> list[str]:
        for _ in range(50):
            found = await _stream_subjects(running_stack.nats_url, claim_id)
            if len(found) >= len(STEPS):
                return found
            await asyncio.sleep(0.2)
        return found

    assert asyncio.run(published()) == [f"warranty.claim.{s}" for s in STEPS]

    stranger = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    assert stranger.get(f"/v1/claims/{claim_id}").status_code == 404
