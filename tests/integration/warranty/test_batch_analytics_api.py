"""Batch analytics through the public API: the warranty service on a real nats-server and SQLite,
the gateway in front. Claims are opened with the real use case (labels from simulated batches),
volumes are uploaded as CSV over HTTP, and the planted bad batch must come back flagged, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import nats
import pytest

from services.gateway.app import create_app
from services.gateway.auth import mint_token
from services.warranty.app import build
from services.warranty.domain.batches import BatchKey, flag_batches
from services.warranty.domain.labels import encode_gen2
from services.warranty.service_layer.claims import ClaimRequest
from services.warranty.settings import Settings
from shared.actor import Actor
from tests.support.gateway.harness import make_settings
from tests.support.waiting import eventually
from tests.support.warranty.batch_simulation import Simulated, simulate

PLANTED = BatchKey("NJ", 2026, 33, "VT02")
SEED = 11
HEADER = "factory,iso_week,style,units\n"


def simulated() -> Simulated:
    sim = simulate(SEED, factories=("SD", "NJ"), weeks=range(30, 38), units_range=(200, 800),
                   styles={"VT01": 0.01, "VT02": 0.008}, planted=PLANTED, factor=5.0)  # fmt: skip
    # The data set itself must hold what the test claims (checked on the domain directly).
    assert [v.batch for v in flag_batches(sim.claims, sim.units) if v.flagged] == [PLANTED]
    return sim


def volumes_csv(sim: Simulated) -> str:
    return HEADER + "".join(
        f"{b.factory},{b.iso_week},{b.style},{n}\n" for b, n in sorted(sim.units.items())
    )


async def open_claims(rt: Any, sim: Simulated) -> int:
    opened = 0
    for batch, count in sorted(sim.claims.items()):
        for serial in range(count):
            code = encode_gen2(batch.factory, batch.year, batch.week, batch.style, serial)
            customer = Actor(type="customer", id=f"cust-{batch.batch_id}-{serial}")
            request = ClaimRequest(region="US", components=("handles",), label_code=code)
            claim = await rt.use_cases.claims.open_claim(customer, request)
            assert claim.status.value not in ("rejected", "cancelled")
            opened += 1
    # Claims that say nothing about production: wear is not a defect.
    wear = encode_gen2("SD", 2026, 31, "VT01", 90_000)
    await rt.use_cases.claims.open_claim(
        Actor(type="customer", id="cust-wear"),
        ClaimRequest(region="UK", components=("straps",), cause="wear", label_code=wear),
    )
    return opened


@pytest.fixture
async def stack(nats_server: Any, nats_client: Any, sqlite_url: str) -> AsyncIterator[Any]:
    rt = build(Settings(nats_url=nats_server.url, database_url=sqlite_url,
                        relay_sweep_interval=0.1, batch_sweep_interval_s=3600))  # fmt: skip
    await rt.app.start()
    settings = make_settings(nats_url=nats_server.url, rpc_timeout_seconds=20)
    app = create_app(settings, nc=nats_client)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
                yield rt, settings, http
    finally:
        await rt.app.stop()


def bearer(settings: Any, sub: str, role: str, scope: str = "") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, sub, role, 600, scope=scope)}"}  # type: ignore[arg-type]


async def flagged_events(nats_url: str) -> list[str]:
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe("warranty.batch.flagged", stream="WARRANTY")
        try:
            msgs = await sub.fetch(10, timeout=0.5)
        except TimeoutError:  # nats-py raises its own or, at fetch's deadline, asyncio's
            return []
        return [m.headers.get("Nats-Msg-Id", "") for m in msgs if m.headers]
    finally:
        await nc.drain()


async def test_the_planted_batch_is_found_through_the_public_api(stack: Any, nats_server: Any):
    rt, settings, http = stack
    sim = simulated()
    await open_claims(rt, sim)
    ops = bearer(settings, "agent-ops", "agent", scope="operations")
    agent = bearer(settings, "agent-1", "agent")

    # Who may upload: agents with the operations scope only.
    files = {"file": ("volumes.csv", volumes_csv(sim), "text/csv")}
    refused = await http.post("/v1/warranty/production-volumes", files=files, headers=agent)
    assert refused.status_code == 403 and refused.json()["code"] == "scope_required"

    # A file with one bad row changes nothing.
    bad = volumes_csv(sim) + "NJ,2026-W33,VT01,lots\n"
    answer = await http.post("/v1/warranty/production-volumes", headers=ops,
                             files={"file": ("v.csv", bad, "text/csv")})  # fmt: skip
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "volumes_invalid"
    row = len(sim.units) + 2
    assert problem["details"]["errors"] == [
        {"row": row, "column": "units", "code": "invalid_units"}
    ]
    before = (await http.get("/v1/warranty/analytics", headers=agent)).json()
    assert all(b["units"] is None for b in before["batches"]) and before["flagged"] == []

    # The good file: stored, evaluated, the planted batch flagged (and announced once).
    answer = await http.post("/v1/warranty/production-volumes", files=files, headers=ops)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"rows": len(sim.units), "newly_flagged": [PLANTED.batch_id]}
    again = await http.post("/v1/warranty/production-volumes", files=files, headers=ops)
    assert again.json()["newly_flagged"] == []

    report = (await http.get("/v1/warranty/analytics", headers=agent)).json()
    assert [f["batch_id"] for f in report["flagged"]] == [PLANTED.batch_id]
    rows = {b["batch_id"]: b for b in report["batches"]}
    planted = rows[PLANTED.batch_id]
    assert planted["flagged"] and planted["claims"] == sim.claims[PLANTED]
    assert planted["rate_ci_low"] < planted["defect_rate"] < planted["rate_ci_high"]
    assert sum(b["flagged"] for b in rows.values()) == 1
    assert report["per_reason"]["wear"] == 1  # counted as a reason, not as a defect
    assert rows["SD-2631-VT01"]["claims"] == sim.claims[BatchKey("SD", 2026, 31, "VT01")]

    narrowed = await http.get("/v1/warranty/analytics", headers=agent,
                              params={"factory": "SD", "week_from": "2026-W32"})  # fmt: skip
    assert {b["batch_id"][:2] for b in narrowed.json()["batches"]} == {"SD"}
    assert narrowed.json()["flagged"] == []

    async def announced() -> list[str]:
        return await flagged_events(nats_server.url)

    assert await eventually(announced) == [f"batch.{PLANTED.batch_id}.flagged"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"factory": "ZZ"}, 422, "analytics_unknown_factory"),
        ({"style": "ZZ99"}, 422, "analytics_unknown_style"),
        ({"week_from": "2026-W60"}, 422, "analytics_invalid_week"),
        ({"week_from": "2026-W10", "week_to": "2026-W01"}, 422, "analytics_invalid_period"),
        ({"region": "FR"}, 422, None),
    ],
)
async def test_bad_filters_are_refused(stack: Any, params: dict[str, str], status: int,
                                       code: str | None) -> None:  # fmt: skip
    _rt, settings, http = stack
    answer = await http.get("/v1/warranty/analytics", params=params,
                            headers=bearer(settings, "agent-1", "agent"))  # fmt: skip
    assert answer.status_code == status, answer.text
    if code:
        assert answer.json()["code"] == code


async def test_the_chart_is_an_svg_and_customers_see_no_analytics(stack: Any) -> None:
    _rt, settings, http = stack
    chart = await http.get("/v1/warranty/analytics/defect-rate.svg",
                           headers=bearer(settings, "agent-1", "agent"))  # fmt: skip
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert "<svg" in chart.text
    customer = bearer(settings, "cust-1", "customer")
    assert (await http.get("/v1/warranty/analytics", headers=customer)).status_code == 403
