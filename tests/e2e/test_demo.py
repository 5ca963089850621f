"""`concierge demo` as an operator runs it: the CLI in its own process, against the whole stack.

Both stories must reach their final states with every step visible (calls, events, messages);
a second run on the same stack must pass too (fresh customers; the reused label goes to an
agent's review); and a demo pointed at a port where nothing listens fails with a clear message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from shared.runtime.nats_server import free_port
from tests.e2e.conftest import JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, ROOT
from tests.support.e2e.api import FAST_ORDERS, FAST_RETURNS, environment

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def fast_carrier() -> Iterator[None]:
    """Compress the sandbox carrier's schedules (30 s / 90 s by default) for this module's stack."""
    with environment(FAST_ORDERS, FAST_RETURNS):
        yield


def run_demo(api: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "concierge_cli.main", "demo", "--api", api, "--json",
               "--jwt-secret", JWT_SECRET, "--jwt-issuer", JWT_ISSUER,
               "--jwt-audience", JWT_AUDIENCE, "--delivery-timeout", "30", *args]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)


def document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.stdout, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_every_story_reaches_its_final_state(running_stack):
    result = run_demo(running_stack.api)
    doc = document(result)
    assert result.returncode == 0 and doc["ok"], (doc["failure"], result.stderr)

    story1, story2 = doc["stories"]["story1"], doc["stories"]["story2"]
    assert story1["status"] == "closed" and story1["resolution"] == "repair"
    assert story1["rma"].startswith("RMA-")
    assert story1["messages"] == [
        "claim_submitted", "claim_approved", "claim_rma_issued", "claim_received",
        "claim_repair_started", "claim_shipped_back", "claim_thank_you", "claim_delivered",
    ]  # fmt: skip
    assert story2["status"] == "delivered"
    assert story2["declined_order"]["status"] == "failed"
    assert story2["declined_order"]["advice_code"] == "use_another_card"
    assert story2["agent_order"]["placed_by_agent"] is True
    assert story2["py01"] == {**story2["py01"], "kind": "unavailable",
                              "reason_code": "restricted_material"}  # fmt: skip

    steps = doc["steps"]
    assert all(s["ok"] and s["elapsed_ms"] >= 0 and s["calls"] for s in steps)
    posts = [c for s in steps for c in s["calls"] if c["method"] == "POST"]
    # 409: deliberate conflicts; 422: the return of a "faulty" item, pointed to warranty.
    refused = {409: "", 422: "/returns"}
    assert posts and all(200 <= c["status"] < 300 or (
        c["status"] in refused and c["path"].endswith(refused[c["status"]])) for c in posts)  # fmt: skip
    by_title = {s["title"]: s for s in steps}
    placed = by_title["Customer places the order (card tok_ok)"]
    assert placed["events"] == ["order pending", "order payment_authorized",
                                "order stock_reserved", "order shipment_created",
                                "order confirmed"]  # fmt: skip
    assert [m.split(":")[0] for m in placed["messages"]] == ["order_placed", "order_confirmed"]
    assert any("claim closed" in e for e in by_title["Delivered to the customer"]["events"])
    assert story1["customer_id"] != story2["customer_id"]
    story3 = doc["stories"]["story3"]
    # The worked example: TC11 + VT02 is 383.99; the TC11 kept costs 95.82 alone: 288.17 back.
    assert story3["paid"] == "383.99"
    assert story3["status"] == "refunded" and story3["refund"] == "288.17"
    assert story3["return_number"].startswith("R-")
    refunded = by_title["The carrier scans the parcel in: refunded, once"]
    assert refunded["events"][-1] == "return refunded"
    assert [m.split(":")[0] for m in refunded["messages"]] == ["return_received", "return_refunded"]


def test_a_second_run_on_the_same_stack_passes(running_stack):
    first = document(run_demo(running_stack.api, "--story", "1"))
    second = document(run_demo(running_stack.api, "--story", "1"))
    assert first["ok"] and second["ok"], (first["failure"], second["failure"])
    assert first["stories"]["story1"]["customer_id"] != second["stories"]["story1"]["customer_id"]
    # The label was claimed before by another (demo) customer: an agent reviews and approves.
    titles = [s["title"] for s in second["steps"]]
    assert "Agent reviews the flagged claim and approves it" in titles
    assert second["stories"]["story1"]["status"] == "closed"


def test_nothing_listening_fails_with_a_clear_message():
    api = f"http://127.0.0.1:{free_port()}"
    result = run_demo(api)
    assert result.returncode == 1
    assert "cannot reach the API" in result.stderr and "concierge up" in result.stderr
    doc = document(result)
    assert doc["ok"] is False and doc["failure"]["step"] == 1
    assert doc["failure"]["title"] == "The gateway is up and its services answer"
