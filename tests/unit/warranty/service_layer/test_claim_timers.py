"""Claim timers: one claim whose timers break never holds back every other claim's timers."""

from __future__ import annotations

from services.warranty.domain.labels import encode_gen2
from services.warranty.service_layer.claim_timers import ClaimTimers
from services.warranty.service_layer.claims import ClaimRequest
from tests.support.warranty.use_cases import ALICE, BOB, Env


def claim_for(serial: int) -> ClaimRequest:
    code = encode_gen2("SD", 2025, 51, "VT02", serial)
    return ClaimRequest(region="UK", components=("handles",), label_code=code)


async def test_a_claim_that_breaks_the_sweep_does_not_stop_the_others(env: Env, monkeypatch):
    poisoned = await env.claims.open_claim(ALICE, claim_for(120))
    healthy = await env.claims.open_claim(BOB, claim_for(121))
    real_apply = ClaimTimers._apply_timers

    async def apply(self, claim_id, now):
        if claim_id == poisoned.id:
            raise ValueError("a corrupt row")
        return await real_apply(self, claim_id, now)

    monkeypatch.setattr(ClaimTimers, "_apply_timers", apply)
    env.clock.advance(days=25)
    assert await env.timers.sweep() == 1  # the healthy claim's RMA reminder
    reminders = await env.payloads("warranty.claim.rma_reminder")
    assert [p["data"]["claim_id"] for p in reminders] == [healthy.id]
