"""The gateway's warranty routes over the real warranty use cases (RPC bridged in-process, SQLite)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from pypdf import PdfReader

from services.gateway.app import create_app
from services.gateway.routers.warranty import router as warranty_router
from services.warranty.adapters.memory_stock import InMemoryReplacementStock
from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.adapters.unit_of_work import warranty_uow
from services.warranty.app import MIGRATIONS, claim_use_cases
from services.warranty.domain.sla import DEFAULT_TIMINGS
from services.warranty.entrypoints.rpc import routes
from services.warranty.entrypoints.translate import ClaimReplies
from services.warranty.service_layer.claims import RmaIssuer
from shared.clock import FixedClock
from shared.messaging.outbox import UnitOfWork
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade_async
from tests.support.gateway.harness import Harness, make_settings
from tests.support.warranty.dates import NOW


def bridge(route: Any) -> Any:
    async def call(payload: Any, actor: Any) -> Any:
        body = (
            payload.model_dump(mode="json") if isinstance(payload, BaseModel) else (payload or {})
        )
        request = route.request_model.model_validate(body) if route.request_model else body
        result = await route.handler(request, actor)
        return result.model_dump(mode="json") if isinstance(result, BaseModel) else result

    return call


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Harness]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    await upgrade_async(url, MIGRATIONS)
    db = Database(url)
    catalogue, policy, clock = load_catalogue(), load_policy(), FixedClock(NOW)
    uow = warranty_uow(UnitOfWork(db), catalogue, DEFAULT_TIMINGS)
    cases = claim_use_cases(uow, catalogue, policy, InMemoryReplacementStock(), clock,
                            DEFAULT_TIMINGS, RmaIssuer(catalogue))  # fmt: skip
    harness = Harness(make_settings())
    for route in routes(cases.rpc(), ClaimReplies(catalogue, DEFAULT_TIMINGS, clock)):
        harness.rpc.handlers[route.subject] = bridge(route)

    async def runtime(_settings: Any) -> Any:
        return harness.runtime

    harness.app = create_app(harness.settings, runtime_factory=runtime, routers=[warranty_router])
    async with harness.app.router.lifespan_context(harness.app):
        transport = httpx.ASGITransport(app=harness.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, harness
    await db.dispose()


async def test_story_through_http(api):
    client, h = api
    alice, agent = h.auth("cust-alice"), h.auth("agent-1", "agent")
    r = await client.post("/v1/labels/decode", json={"code": "sd 2551 vto2 0o12o z"}, headers=alice)
    assert r.status_code == 200 and r.json()["code"] == "SD-2551-VT02-00120Z"
    assert r.json()["correction"]["applied"] is True
    r = await client.post("/v1/warranty/check", json={"region": "UK", "label_code": "SD-2551-VT02-00120Z"},
                          headers=alice)  # fmt: skip
    assert r.status_code == 200 and r.json()["covered"] and r.json()["policy_version"] == "2024-01"
    r = await client.post("/v1/claims", headers=alice, json={
        "region": "UK", "label_code": "SD-2551-VT02-00120Z", "components": ["handles", "piping"],
        "description": "Piping on both handles broke."})  # fmt: skip
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["status"] == "awaiting_item" and "customer_id" not in claim
    claim_id, rma = claim["id"], claim["rma"]["number"]
    r = await client.get(f"/v1/claims/{claim_id}/rma.pdf", headers=alice)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert rma in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    for step, body in [("receipt", None), ("inspection", None), ("repair", None),
                       ("shipment", {"carrier": "DPD", "tracking_number": "15501234567890"}),
                       ("delivery", None)]:  # fmt: skip
        r = await client.post(f"/v1/claims/{claim_id}/{step}", json=body, headers=agent)
        assert r.status_code == 200, (step, r.text)
    assert r.json()["status"] == "closed" and r.json()["customer_id"] == "cust-alice"
    r = await client.get(f"/v1/claims/{claim_id}/timeline", headers=alice)
    entries = r.json()["entries"]
    assert [e["to_status"] for e in entries][-4:] == [
        "repairing",
        "shipped_back",
        "delivered",
        "closed",
    ]
    assert "actor_id" not in entries[0]
    r = await client.get("/v1/claims", headers=alice)
    assert [c["id"] for c in r.json()["items"]] == [claim_id]


async def test_strangers_get_404_and_customers_cannot_act_for_the_centre(api):
    client, h = api
    alice, bob = h.auth("cust-alice"), h.auth("cust-bob")
    r = await client.post("/v1/claims", headers=alice, json={
        "region": "US", "label_code": "SD-2551-VT02-00120Z", "components": ["handles"]})  # fmt: skip
    claim_id = r.json()["id"]
    for path in (
        f"/v1/claims/{claim_id}",
        f"/v1/claims/{claim_id}/timeline",
        f"/v1/claims/{claim_id}/rma.pdf",
    ):
        r = await client.get(path, headers=bob)
        assert r.status_code == 404 and r.json()["code"] == "claim_not_found"
    assert (await client.get("/v1/claims", headers=bob)).json()["items"] == []
    r = await client.post(f"/v1/claims/{claim_id}/receipt", headers=alice)
    assert r.status_code == 403
    r = await client.get("/v1/warranty/sla", headers=alice)
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/v1/labels/decode", {"code": "SD-2551-VT02-00121Z"}, 422, "label_check_mismatch"),
        ("/v1/labels/decode", {"code": "XX4129"}, 422, "label_unknown_factory"),
        ("/v1/labels/decode", {"code": "SD-2553-VT02-00120Z"}, 422, "label_impossible_date"),
        # Outside the published label pattern: refused by the gateway as malformed input.
        ("/v1/labels/decode", {"code": "hello"}, 422, "validation_error"),
        ("/v1/labels/decode", {"code": "SD-2551-VT02-00120Z", "x": 1}, 422, None),
        ("/v1/claims", {"region": "US", "components": ["handles"]}, 422, None),
        (
            "/v1/claims",
            {"region": "XX", "label_code": "SD4129", "components": ["handles"]},
            422,
            None,
        ),
        ("/v1/warranty/check", {"region": "US"}, 422, None),
    ],
)
async def test_bad_input_is_a_problem(api, path, body, status, code):
    client, h = api
    r = await client.post(path, json=body, headers=h.auth("cust-alice"))
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    if code:
        assert r.json()["code"] == code


async def test_policy_is_public_json_and_html(api):
    client, _ = api
    r = await client.get("/v1/warranty/policy")
    assert r.status_code == 200 and r.json()["versions"][1]["version"] == "2024-01"
    r = await client.get("/v1/warranty/policy.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Our warranty" in r.text


async def test_review_and_agent_decision(api):
    client, h = api
    alice, bob, agent = h.auth("cust-alice"), h.auth("cust-bob"), h.auth("agent-1", "agent")
    body = {"region": "US", "label_code": "SD-2551-VT02-00120Z", "components": ["zips"]}
    first = (await client.post("/v1/claims", headers=alice, json=body)).json()
    r = await client.post("/v1/claims", headers=alice, json=body)
    assert r.status_code == 409 and r.json()["code"] == "claim_already_open"
    await client.post(f"/v1/claims/{first['id']}/cancel", headers=alice, json={})
    second = (await client.post("/v1/claims", headers=bob, json=body)).json()
    assert second["status"] == "needs_review" and "review_reasons" not in second
    # Her timeline says a check happens, not that another customer claimed the label.
    seen = (await client.get(f"/v1/claims/{second['id']}/timeline", headers=bob)).json()
    [check] = [e for e in seen["entries"] if e["to_status"] == "needs_review"]
    assert check["reason"] == "An agent checks this claim before it goes on."
    assert "another customer" not in str(seen).lower()
    staff = (await client.get(f"/v1/claims/{second['id']}/timeline", headers=agent)).json()
    [check] = [e for e in staff["entries"] if e["to_status"] == "needs_review"]
    assert "another customer" in check["reason"].lower() and check["actor_id"]
    r = await client.post(f"/v1/claims/{second['id']}/decision", headers=agent,
                          json={"approve": False, "reason": "Not the owner."})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = await client.get("/v1/claims", headers=agent, params={"status": "rejected"})
    assert [c["id"] for c in r.json()["items"]] == [second["id"]]
