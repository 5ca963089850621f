"""Warranty use cases: open and decide claims, move them through the repair centre, run timers.

Each command loads the aggregate, lets the domain decide, and saves the state and its events in
one unit of work (the outbox publishes them after commit). Calls to the orders service happen
outside any unit of work, because SQLite serialises writers.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import structlog

from services.warranty.adapters.claims_repo import ClaimsRepository, PartsRepository
from services.warranty.adapters.events import to_cloud_events
from services.warranty.domain import labels
from services.warranty.domain.abuse import screen_new_claim
from services.warranty.domain.claims import SYSTEM, Actor, Claim, ClaimItem, Decision, Shipment
from services.warranty.domain.errors import ResolutionError, WarrantyInputError
from services.warranty.domain.policy import Policy, assess_defect, check_coverage
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.resolution import (
    ResolutionKind,
    ResolutionPlan,
    eligible_alternatives,
    parts_for_repair,
    store_credit,
)
from services.warranty.domain.rma import issue_rma
from services.warranty.domain.sla import DEFAULT_TIMINGS, Timings
from services.warranty.domain.verdict import Outcome, decide
from shared.errors import DomainError, ErrorKind, NotFound
from shared.messaging.outbox import Tx
from shared.rpc import Actor as Requester

log = structlog.get_logger()

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
STAFF = frozenset({"agent", "partner", "system"})


class ReplacementStock(Protocol):
    async def available(self, region: str, style: str) -> int: ...
    async def reserve(self, claim_id: str, region: str, style: str) -> str: ...
    async def release(self, claim_id: str) -> None: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_claim_id(entropy: bytes) -> str:
    value = int.from_bytes(entropy[:7], "big")
    return "CLM-" + "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(10)))


def domain_actor(requester: Requester | None) -> Actor:
    return SYSTEM if requester is None else Actor(requester.type, requester.id)


class Forbidden(DomainError):
    code = "claim_action_forbidden"
    kind = ErrorKind.FORBIDDEN


def claim_not_found(claim_id: str) -> NotFound:
    return NotFound("No such claim.", code="claim_not_found", details={"claim_id": claim_id})


def ensure_visible(claim: Claim | None, claim_id: str, requester: Requester | None) -> Claim:
    """Customers only ever see their own claims; anything else looks like it does not exist."""
    if claim is None:
        raise claim_not_found(claim_id)
    if requester is not None and requester.type == "customer" and claim.customer_id != requester.id:
        raise claim_not_found(claim_id)
    return claim


def ensure_staff(requester: Requester | None) -> None:
    if requester is not None and requester.type not in STAFF:
        raise Forbidden("Only an agent or the repair centre can do this.")


@dataclass
class ClaimRequest:
    region: str
    components: tuple[str, ...]
    cause: str = "manufacturing_defect"
    label_code: str | None = None
    order_line_id: str | None = None
    style_code: str | None = None
    category: str | None = None
    purchase_date: date | None = None
    description: str = ""


@dataclass
class Handlers:
    uow: Callable[[], AbstractAsyncContextManager[Tx]]
    catalogue: Catalogue
    policy: Policy
    stock: ReplacementStock
    clock: Callable[[], datetime] = utcnow
    entropy: Callable[[int], bytes] = secrets.token_bytes
    timings: Timings = DEFAULT_TIMINGS
    rma_validity: timedelta = timedelta(days=30)
    rma_reminder_before: timedelta = timedelta(days=5)

    # --- plumbing --------------------------------------------------------------------------

    def _repo(self, tx: Tx) -> ClaimsRepository:
        return ClaimsRepository(tx.session, self.catalogue, self.timings)

    def _publish(self, tx: Tx, claim: Claim) -> None:
        for event in to_cloud_events(claim, claim.pull_events(), self.catalogue, self.timings):
            tx.publish(event)

    async def _change(
        self,
        requester: Requester | None,
        claim_id: str,
        change: Callable[[Claim, Tx, datetime], Awaitable[None]],
        *,
        staff_only: bool = True,
    ) -> Claim:
        async with self.uow() as tx:
            repo = self._repo(tx)
            claim = ensure_visible(await repo.get(claim_id, for_update=True), claim_id, requester)
            if staff_only:
                ensure_staff(requester)
            await change(claim, tx, self.clock())
            await repo.save(claim)
            self._publish(tx, claim)
        return claim

    async def load(self, requester: Requester | None, claim_id: str) -> Claim:
        async with self.uow() as tx:
            return ensure_visible(await self._repo(tx).get(claim_id), claim_id, requester)

    def _issue_rma(self, claim: Claim, now: datetime) -> None:
        rma = issue_rma(
            claim_id=claim.id, region=claim.region, repair_centres=self.catalogue.repair_centres,
            issued_at=now, entropy=self.entropy(4), validity=self.rma_validity,
            reminder_before_expiry=self.rma_reminder_before,
        )  # fmt: skip
        claim.issue_rma(rma, SYSTEM, now)

    # --- opening and deciding ----------------------------------------------------------------

    def item_for(self, request: ClaimRequest, today: date) -> ClaimItem:
        style_code, manufacture_date, label_code = request.style_code, None, None
        if request.label_code:
            decoded = labels.decode(request.label_code, today=today, catalogue=self.catalogue)
            label_code, manufacture_date = decoded.code, decoded.manufacture_date
            style_code = decoded.style_code or style_code
        style = self.catalogue.style(style_code) if style_code else None
        category = style.category if style else request.category
        if category is None:
            raise WarrantyInputError(
                "Name the product category: the style is not in the catalogue.",
                code="claim_category_required",
                details={"style_code": style_code},
            )
        return ClaimItem(
            category=category, label_code=label_code, order_line_id=request.order_line_id,
            style_code=style_code, manufacture_date=manufacture_date,
            purchase_date=request.purchase_date,
        )  # fmt: skip

    async def open_claim(self, requester: Requester | None, request: ClaimRequest) -> Claim:
        customer_id = requester.customer_id if requester else None
        if not customer_id:
            raise WarrantyInputError(
                "A claim belongs to a customer: agents act on behalf of one.",
                code="claim_customer_required",
            )
        now = self.clock()
        item = self.item_for(request, now.date())
        coverage = check_coverage(
            self.policy, category=item.category, region=request.region, today=now.date(),
            manufacture_date=item.manufacture_date, purchase_date=item.purchase_date,
        )  # fmt: skip
        defect = assess_defect(self.policy, request.components, request.cause)
        claim_id = new_claim_id(self.entropy(7))
        async with self.uow() as tx:
            repo = self._repo(tx)
            prior = await repo.prior_claims(item.key)
            flags = screen_new_claim(
                item_key=item.key, customer_id=customer_id, prior=prior, now=now
            )
            claim = Claim.submit(
                claim_id=claim_id, customer_id=customer_id, region=request.region, item=item,
                components=tuple(request.components), cause=request.cause,
                actor=domain_actor(requester), at=now, description=request.description,
            )  # fmt: skip
            verdict = decide(coverage, defect, flags)
            if verdict.outcome is Outcome.REVIEW:
                claim.flag(verdict.review_reasons, SYSTEM, now, verdict.decision)
            elif verdict.outcome is Outcome.APPROVE:
                claim.approve(verdict.decision, SYSTEM, now)
                self._issue_rma(claim, now)
            else:
                claim.reject(verdict.decision, SYSTEM, now)
            await repo.add(claim)
            self._publish(tx, claim)
        log.info("claim.opened", claim_id=claim.id, status=str(claim.status))
        return claim

    async def decide_claim(
        self, requester: Requester | None, claim_id: str, approve: bool, reason: str
    ) -> Claim:
        if requester is not None and requester.type not in ("agent", "system"):
            raise Forbidden("Only an agent can decide a claim under review.")

        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            base = claim.decision
            decision = Decision(
                approve, "agent_review", base.policy_version if base else None,
                (*(base.reasons if base else ()), f"Agent: {reason}"),
                base.coverage_end if base else None,
            )  # fmt: skip
            actor = domain_actor(requester)
            if approve:
                claim.approve(decision, actor, now, reason)
                self._issue_rma(claim, now)
            else:
                claim.reject(decision, actor, now, reason)

        return await self._change(requester, claim_id, change)

    async def cancel_claim(self, requester: Requester | None, claim_id: str, reason: str) -> Claim:
        async def change(claim: Claim, _tx: Tx, now: datetime) -> None:
            claim.cancel(domain_actor(requester), now, reason)

        return await self._change(requester, claim_id, change, staff_only=False)

    # --- at the repair centre ----------------------------------------------------------------

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

    def _style_of(self, claim: Claim) -> Any:
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
    ) -> Claim:
        ensure_staff(requester)
        claim = await self.load(requester, claim_id)
        style = self._style_of(claim)
        if use_store_credit:
            plan = store_credit(style, claim.region, self.catalogue.currencies)

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
            await self.stock.release(claim.id)  # idempotent on the claim id
            raise

    async def _replacement_style(self, claim: Claim, style: Any, choice: str | None) -> str:
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

    # --- timers ------------------------------------------------------------------------------

    async def sweep_timers(self, now: datetime | None = None) -> int:
        """Apply every due RMA reminder, lapse and SLA alarm; returns how many events it raised."""
        now = now or self.clock()
        async with self.uow() as tx:
            due = await self._repo(tx).due_for_timers(now)
        raised = 0
        for claim_id in due:
            async with self.uow() as tx:
                repo = self._repo(tx)
                claim = await repo.get(claim_id, for_update=True)
                if claim is None:
                    continue
                names = claim.check_timers(now, self.timings)
                await repo.save(claim)  # also moves next_timer_at on
                self._publish(tx, claim)
            raised += len(names)
            if names:
                log.info("claim.timers", claim_id=claim_id, events=names)
        return raised
