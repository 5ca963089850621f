"""Repair-centre use cases: receipt, inspection, repair or replace, shipping back, delivery.

A mixin of `Handlers` (see handlers.py), split out to keep each module readable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import structlog

from services.warranty.access import ReplacementStock, domain_actor, ensure_staff
from services.warranty.adapters.claims_repo import PartsRepository
from services.warranty.domain.claims import SYSTEM, Claim, Shipment
from services.warranty.domain.errors import ResolutionError
from services.warranty.domain.reference import Catalogue, Style
from services.warranty.domain.resolution import (
    ResolutionKind,
    ResolutionPlan,
    eligible_alternatives,
    parts_for_repair,
    store_credit,
)
from shared.actor import Actor as Requester
from shared.errors import DomainError, ErrorKind
from shared.messaging.outbox import Tx

log = structlog.get_logger()

Change = Callable[[Claim, Tx, datetime], Awaitable[None]]


class RepairCentreCases:
    uow: Callable[[], AbstractAsyncContextManager[Tx]]
    catalogue: Catalogue
    stock: ReplacementStock

    async def _change(
        self, requester: Requester | None, claim_id: str, change: Change, *, staff_only: bool = True
    ) -> Claim:
        raise NotImplementedError  # provided by Handlers

    async def load(self, requester: Requester | None, claim_id: str) -> Claim:
        raise NotImplementedError  # provided by Handlers

    async def record_receipt(self, requester: Requester | None, claim_id: str) -> Claim:
        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            claim.receive(domain_actor(requester), now)

        return await self._change(requester, claim_id, change)

    async def start_inspection(self, requester: Requester | None, claim_id: str) -> Claim:
        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            claim.start_inspection(domain_actor(requester), now)

        claim = await self._change(requester, claim_id, change)
        try:
            plan = await self.recommend(claim_id)
        except DomainError as exc:  # e.g. orders unreachable: the inspection has started anyway
            log.warning("claim.recommend_failed", claim_id=claim_id, code=exc.code)
            return claim

        async def remember(claim: Claim, _tx: Tx, _now: datetime) -> None:
            if claim.status == "inspecting":  # the plan shows the customer their options
                claim.resolution = plan.to_dict() | {"reasons": list(plan.reasons)}

        return await self._change(None, claim_id, remember)

    async def recommend(self, claim_id: str) -> ResolutionPlan:
        """The policy's repair-or-replace answer for this claim, with live stock."""
        claim = await self.load(None, claim_id)
        style = self._style_of(claim)
        async with self.uow() as tx:
            stock = await PartsRepository(tx.session).stock_for(style.code, style.colour)
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

    async def start_repair(self, requester: Requester | None, claim_id: str) -> Claim:
        async def change(claim: Claim, tx: Tx, now: datetime) -> None:
            claim.ensure_can("start_repair")
            style = self._style_of(claim)
            parts_repo = PartsRepository(tx.session)
            stock = await parts_repo.stock_for(style.code, style.colour)
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
            await parts_repo.reserve(claim.id, uses, now)
            plan = ResolutionPlan(ResolutionKind.REPAIR, ("Repair with matching parts.",), uses)
            claim.start_repair(plan.to_dict(), domain_actor(requester), now)

        return await self._change(requester, claim_id, change)

    async def start_replacement(
        self,
        requester: Requester | None,
        claim_id: str,
        style_code: str | None = None,
        use_store_credit: bool = False,
        credit_amount: Decimal | None = None,
    ) -> Claim:
        ensure_staff(requester)
        claim = await self.load(requester, claim_id)
        style = self._style_of(claim)
        if use_store_credit:
            plan = _credit_plan(
                store_credit(style, claim.region, self.catalogue.currencies), credit_amount
            )

            async def credit(claim: Claim, _tx: Tx, now: datetime) -> None:
                claim.issue_store_credit(plan.to_dict(), domain_actor(requester), now)

            return await self._change(requester, claim_id, credit)
        claim.ensure_can("start_replacement")
        target = await self._replacement_style(claim, style, style_code)
        reservation_id = await self.stock.reserve(claim.id, claim.region, target)
        kind = ResolutionKind.REPLACE_SAME if target == style.code else ResolutionKind.REPLACE_OTHER
        resolution = ResolutionPlan(kind, (), replacement_style=target).to_dict()

        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            claim.start_replacement(resolution | {"reservation_id": reservation_id},
                                    domain_actor(requester), now)  # fmt: skip

        try:
            return await self._change(requester, claim_id, change)
        except Exception:
            # Release our reservation, unless a twin of this request (a retry that ran while
            # it was still in flight) already recorded it: reserving is idempotent per claim.
            current = await self.load(requester, claim_id)
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
        self, requester: Requester | None, claim_id: str, carrier: str, tracking_number: str
    ) -> Claim:
        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            claim.ship_back(Shipment(carrier, tracking_number), domain_actor(requester), now)

        return await self._change(requester, claim_id, change)

    async def record_delivery(self, requester: Requester | None, claim_id: str) -> Claim:
        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            claim.deliver(domain_actor(requester), now)
            claim.close(SYSTEM, now, "delivered: claim complete")

        return await self._change(requester, claim_id, change)


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
