"""Repair-centre use cases: receipt, inspection, repair or replace, shipping back, delivery.

The policy's resolution order: repair with matching parts in the region's stock, else replace
(the same style, or one the customer chooses), else store credit at the regional price.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import structlog

from services.warranty.domain.claim_access import ensure_staff, recorded
from services.warranty.domain.claims import SYSTEM, Claim, Shipment
from services.warranty.domain.errors import ResolutionError
from services.warranty.domain.ports import ReplacementStock
from services.warranty.domain.reference import Catalogue, Style
from services.warranty.domain.resolution import (
    ResolutionKind,
    ResolutionPlan,
    eligible_alternatives,
    parts_for_repair,
    store_credit,
)
from services.warranty.domain.sla import DEFAULT_TIMINGS, Timings
from shared.actor import Actor
from shared.errors import DomainError, ErrorKind

from .claim_changes import ClaimChanges
from .unit_of_work import UnitOfWork, Work

log = structlog.get_logger()


@dataclass
class RepairCentre:
    uow: UnitOfWork
    changes: ClaimChanges
    catalogue: Catalogue
    stock: ReplacementStock
    timings: Timings = DEFAULT_TIMINGS

    async def record_receipt(self, actor: Actor | None, claim_id: str) -> Claim:
        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            claim.receive(recorded(actor), now, self.timings)

        return await self.changes.apply(actor, claim_id, change)

    async def start_inspection(self, actor: Actor | None, claim_id: str) -> Claim:
        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            claim.start_inspection(recorded(actor), now, self.timings)

        claim = await self.changes.apply(actor, claim_id, change)
        try:
            plan = await self.recommend(claim_id)
        except DomainError as exc:  # e.g. orders unreachable: the inspection has started anyway
            log.warning("claim.recommend_failed", claim_id=claim_id, code=exc.code)
            return claim

        async def remember(claim: Claim, _work: Work, _now: datetime) -> None:
            if claim.status == "inspecting":  # the plan shows the customer their options
                claim.resolution = plan.to_dict() | {"reasons": list(plan.reasons)}

        return await self.changes.apply(None, claim_id, remember)

    async def recommend(self, claim_id: str) -> ResolutionPlan:
        """The policy's repair-or-replace answer for this claim, with live stock."""
        claim = await self.changes.load(None, claim_id)
        style = self._style_of(claim)
        async with self.uow() as work:
            stock = await work.parts.stock_for(style.code, style.colour)
        parts = parts_for_repair(
            style, claim.region, claim.components, parts=self.catalogue.parts,
            consumables=self.catalogue.consumable_components, stock=stock,
        )  # fmt: skip
        if parts is not None:
            return ResolutionPlan(ResolutionKind.REPAIR, ("Matching parts in stock.",), parts)
        region_stock = {style.code: await self.stock.available(claim.region, style.code)}
        if region_stock[style.code] > 0:
            return ResolutionPlan(ResolutionKind.REPLACE_SAME, ("Same style in stock.",),
                                  replacement_style=style.code)  # fmt: skip
        for other in self.catalogue.styles.values():
            if other.code != style.code and other.price_in(claim.region) is not None:
                region_stock[other.code] = await self.stock.available(claim.region, other.code)
        options = eligible_alternatives(self.catalogue, style, claim.region, region_stock)
        if options:
            return ResolutionPlan(ResolutionKind.AWAITING_CHOICE, ("Customer chooses a style.",),
                                  options=options)  # fmt: skip
        return store_credit(style, claim.region, self.catalogue.currencies)

    def _style_of(self, claim: Claim) -> Style:
        style = self.catalogue.style(claim.item.style_code or "")
        if style is None:
            raise ResolutionError(
                "The item's style is not in the catalogue: an agent must resolve it by hand.",
                code="resolution_unknown_style",
                details={"style_code": claim.item.style_code},
            )
        return style

    async def start_repair(self, actor: Actor | None, claim_id: str) -> Claim:
        async def change(claim: Claim, work: Work, now: datetime) -> None:
            claim.ensure_can("start_repair")
            style = self._style_of(claim)
            stock = await work.parts.stock_for(style.code, style.colour)
            uses = parts_for_repair(
                style, claim.region, claim.components, parts=self.catalogue.parts,
                consumables=self.catalogue.consumable_components, stock=stock,
            )  # fmt: skip
            if uses is None:
                raise ResolutionError(
                    "No matching parts in stock at the regional repair centre: replace instead.",
                    code="resolution_repair_not_possible",
                    kind=ErrorKind.CONFLICT,
                    details={"style": style.code, "region": claim.region},
                )
            await work.parts.reserve(claim.id, uses, now)
            plan = ResolutionPlan(ResolutionKind.REPAIR, ("Repair with matching parts.",), uses)
            claim.start_repair(plan.to_dict(), recorded(actor), now, self.timings)

        return await self.changes.apply(actor, claim_id, change)

    async def start_replacement(
        self,
        actor: Actor | None,
        claim_id: str,
        style_code: str | None = None,
        use_store_credit: bool = False,
        credit_amount: Decimal | None = None,
    ) -> Claim:
        ensure_staff(actor)
        claim = await self.changes.load(actor, claim_id)
        style = self._style_of(claim)
        if use_store_credit:
            return await self._issue_store_credit(actor, claim, style, credit_amount)
        claim.ensure_can("start_replacement")
        return await self._replace(actor, claim, style, style_code)

    async def _issue_store_credit(
        self, actor: Actor | None, claim: Claim, style: Style, amount: Decimal | None
    ) -> Claim:
        plan = _credit_plan(store_credit(style, claim.region, self.catalogue.currencies), amount)

        async def credit(claim: Claim, _work: Work, now: datetime) -> None:
            claim.issue_store_credit(plan.to_dict(), recorded(actor), now)

        return await self.changes.apply(actor, claim.id, credit)

    async def _replace(
        self, actor: Actor | None, claim: Claim, style: Style, choice: str | None
    ) -> Claim:
        target = await self._replacement_style(claim, style, choice)
        reservation_id = await self.stock.reserve(claim.id, claim.region, target)
        kind = ResolutionKind.REPLACE_SAME if target == style.code else ResolutionKind.REPLACE_OTHER
        resolution = ResolutionPlan(kind, (), replacement_style=target).to_dict()

        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            claim.start_replacement(resolution | {"reservation_id": reservation_id},
                                    recorded(actor), now, self.timings)  # fmt: skip

        try:
            return await self.changes.apply(actor, claim.id, change)
        except Exception:
            # Release our reservation, unless a twin of this request (a retry that ran while
            # it was still in flight) already recorded it: reserving is idempotent per claim.
            current = await self.changes.load(actor, claim.id)
            if (current.resolution or {}).get("reservation_id") != reservation_id:
                await self.stock.release(claim.id)  # idempotent on the claim id
            raise

    async def _replacement_style(self, claim: Claim, style: Style, choice: str | None) -> str:
        target = choice or style.code
        available = await self.stock.available(claim.region, target)
        if target != style.code:
            options = eligible_alternatives(
                self.catalogue, style, claim.region, {target: available}
            )
            if target not in options:
                raise ResolutionError(
                    "The chosen style is not an eligible replacement.",
                    code="resolution_choice_not_eligible",
                    details={"choice": target},
                )
        elif available < 1:
            raise ResolutionError(
                "The same style is out of stock in the region: choose another style or credit.",
                code="replacement_out_of_stock",
                kind=ErrorKind.CONFLICT,
                details={"style": target, "region": claim.region},
            )
        return target

    async def record_shipment(
        self, actor: Actor | None, claim_id: str, carrier: str, tracking_number: str
    ) -> Claim:
        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            claim.ship_back(Shipment(carrier, tracking_number), recorded(actor), now, self.timings)

        return await self.changes.apply(actor, claim_id, change)

    async def record_delivery(self, actor: Actor | None, claim_id: str) -> Claim:
        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            claim.deliver(recorded(actor), now)
            claim.close(SYSTEM, now, "delivered: claim complete")

        return await self.changes.apply(actor, claim_id, change)


def _credit_plan(plan: ResolutionPlan, agent_amount: Decimal | None) -> ResolutionPlan:
    """The policy sets store credit at the regional price; an agent sets it only where none exists."""
    if plan.credit_amount is not None:
        if agent_amount is not None and agent_amount != plan.credit_amount:
            raise ResolutionError(
                f"Store credit is fixed by the policy at {plan.credit_amount} {plan.credit_currency}.",
                code="store_credit_amount_fixed",
                kind=ErrorKind.INVALID,
                details={"credit_amount": str(plan.credit_amount)},
            )
        return plan
    if agent_amount is None:
        raise ResolutionError(
            "This style has no price in the customer's region: give the credit_amount to issue.",
            code="store_credit_amount_required",
            kind=ErrorKind.INVALID,
        )
    return replace(
        plan, credit_amount=agent_amount, reasons=(*plan.reasons, "Amount set by an agent.")
    )
