"""Warranty use cases: open and decide claims, move them through the repair centre, run timers.

Each command loads the aggregate, lets the domain decide, and saves the state and its events in
one unit of work (the outbox publishes them after commit). Calls to the orders service happen
outside any unit of work, because SQLite serialises writers.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError

from services.warranty.access import (
    Forbidden,
    ReplacementStock,
    domain_actor,
    ensure_staff,
    ensure_visible,
    new_claim_id,
    utcnow,
)
from services.warranty.adapters.claims_repo import ClaimsRepository
from services.warranty.adapters.events import to_cloud_events
from services.warranty.domain import labels
from services.warranty.domain.abuse import screen_new_claim
from services.warranty.domain.claims import SYSTEM, Claim, ClaimItem, Decision
from services.warranty.domain.errors import ClaimAlreadyOpen, WarrantyInputError
from services.warranty.domain.policy import Policy, assess_defect, check_coverage
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.rma import issue_rma
from services.warranty.domain.sla import DEFAULT_TIMINGS, Timings
from services.warranty.domain.verdict import Outcome, decide
from services.warranty.repair_centre import RepairCentreCases
from shared.actor import Actor as Requester
from shared.errors import DomainError
from shared.messaging.outbox import Tx

log = structlog.get_logger()


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
class Handlers(RepairCentreCases):
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
        structlog.contextvars.bind_contextvars(claim_id=claim_id)
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

    async def open_claim(
        self, requester: Requester | None, request: ClaimRequest, request_id: str | None = None
    ) -> Claim:
        customer_id = requester.customer_id if requester else None
        if not customer_id:
            raise WarrantyInputError(
                "A claim belongs to a customer: agents act on behalf of one.",
                code="claim_customer_required",
            )
        if request_id:
            # A retry of a request that already created its claim (the gateway died before it
            # could store the response): the claim id is derived from the request id.
            claim_id = new_claim_id(
                hashlib.sha256(f"{customer_id}\0{request_id}".encode()).digest()
            )
            existing = await self._existing_claim(claim_id, customer_id)
            if existing is not None:
                return existing
        else:
            claim_id = new_claim_id(self.entropy(7))
        try:
            return await self._submit(requester, customer_id, claim_id, request)
        except (IntegrityError, ClaimAlreadyOpen):
            # A duplicate of this request (same request id) inserted the claim first (the same
            # id, or the same item's open claim): a replay, answered with that claim.
            existing = await self._existing_claim(claim_id, customer_id)
            if existing is None:
                raise
            return existing

    async def _existing_claim(self, claim_id: str, customer_id: str) -> Claim | None:
        async with self.uow() as tx:
            existing = await self._repo(tx).get(claim_id)
        return existing if existing is not None and existing.customer_id == customer_id else None

    async def _submit(
        self, requester: Requester | None, customer_id: str, claim_id: str, request: ClaimRequest
    ) -> Claim:
        now = self.clock()
        item = self.item_for(request, now.date())
        coverage = check_coverage(
            self.policy, category=item.category, region=request.region, today=now.date(),
            manufacture_date=item.manufacture_date, purchase_date=item.purchase_date,
        )  # fmt: skip
        defect = assess_defect(self.policy, request.components, request.cause)
        structlog.contextvars.bind_contextvars(claim_id=claim_id)
        async with self.uow() as tx:
            repo = self._repo(tx)
            prior = await repo.prior_claims(item.key)
            flags = screen_new_claim(
                item_key=item.key, customer_id=customer_id, prior=prior, now=now,
                sees_every_claim=requester is None or requester.type in ("agent", "system"),
            )  # fmt: skip
            claim = Claim.submit(
                claim_id=claim_id, customer_id=customer_id, region=request.region, item=item,
                components=tuple(request.components), cause=request.cause,
                actor=domain_actor(requester), at=now, description=request.description,
            )  # fmt: skip
            verdict = decide(coverage, defect, flags)
            if verdict.outcome is Outcome.REVIEW:
                claim.flag(verdict.review_reasons, SYSTEM, now, verdict.decision,
                           verdict.review_codes)  # fmt: skip
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
                # The agent's words stay here (timeline, claim view); events get the code.
                (*(base.reason_codes if base else ()), "agent_review"),
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

    # --- timers ------------------------------------------------------------------------------

    async def sweep_timers(self, now: datetime | None = None) -> int:
        """Apply every due RMA reminder, lapse and SLA alarm; returns how many events it raised."""
        now = now or self.clock()
        async with self.uow() as tx:
            due = await self._repo(tx).due_for_timers(now)
        raised = 0
        for claim_id in due:
            try:
                raised += await self._apply_timers(claim_id, now)
            except DomainError as exc:  # e.g. changed meanwhile: the next sweep sees it again
                log.warning("claim.timers_deferred", claim_id=claim_id, code=exc.code)
            except Exception:  # one broken claim must not hold back every other claim's timers
                log.exception("claim.timers_failed", claim_id=claim_id)
        return raised

    async def _apply_timers(self, claim_id: str, now: datetime) -> int:
        async with self.uow() as tx:
            repo = self._repo(tx)
            claim = await repo.get(claim_id, for_update=True)
            if claim is None:
                return 0
            names = claim.check_timers(now, self.timings)
            await repo.save(claim)  # also moves next_timer_at on
            self._publish(tx, claim)
        if names:
            log.info("claim.timers", claim_id=claim_id, events=names)
        return len(names)
