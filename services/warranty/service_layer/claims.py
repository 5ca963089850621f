"""Opening a claim, an agent's decision on a flagged claim, and cancelling a claim.

Opening decodes the label, checks coverage and the defect against the policy, screens for abuse,
and saves the claim with its events in one unit of work (the outbox publishes them after commit).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import structlog

from services.warranty.domain import labels
from services.warranty.domain.abuse import screen_new_claim
from services.warranty.domain.claim_access import DECIDERS, ensure_decider, recorded
from services.warranty.domain.claims import SYSTEM, Claim, ClaimItem, Decision
from services.warranty.domain.errors import ClaimAlreadyOpen, WarrantyInputError
from services.warranty.domain.evidence import ensure_attachable
from services.warranty.domain.policy import Policy, assess_defect, check_coverage
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.rma import issue_rma
from services.warranty.domain.verdict import Outcome, Verdict, decide
from shared.actor import Actor
from shared.clock import Clock

from .claim_changes import ClaimChanges, publish_events
from .unit_of_work import UnitOfWork, Work

log = structlog.get_logger()

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_claim_id(entropy: bytes) -> str:
    value = int.from_bytes(entropy[:7], "big")
    return "CLM-" + "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(10)))


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
    photo_id: str | None = None  # a label photo read earlier, kept as the claim's evidence


@dataclass
class RmaIssuer:
    """Issues the return authorisation of an approved claim (numbers from `entropy`)."""

    catalogue: Catalogue
    entropy: Callable[[int], bytes] = secrets.token_bytes
    validity: timedelta = timedelta(days=30)
    reminder_before: timedelta = timedelta(days=5)

    def issue(self, claim: Claim, now: datetime) -> None:
        rma = issue_rma(
            claim_id=claim.id, region=claim.region, repair_centres=self.catalogue.repair_centres,
            issued_at=now, entropy=self.entropy(4), validity=self.validity,
            reminder_before_expiry=self.reminder_before,
        )  # fmt: skip
        claim.issue_rma(rma, SYSTEM, now)


@dataclass
class ClaimCases:
    uow: UnitOfWork
    changes: ClaimChanges
    rmas: RmaIssuer
    catalogue: Catalogue
    policy: Policy
    clock: Clock
    entropy: Callable[[int], bytes] = secrets.token_bytes

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
        self, actor: Actor | None, request: ClaimRequest, request_id: str | None = None
    ) -> Claim:
        customer_id = actor.customer_id if actor else None
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
        replayed: tuple[type[Exception], ...] = (*self.uow.lost_race, ClaimAlreadyOpen)
        try:
            return await self._submit(actor, customer_id, claim_id, request)
        except replayed:
            # A duplicate of this request (same request id) inserted the claim first (the same
            # id, or the same item's open claim): a replay, answered with that claim.
            existing = await self._existing_claim(claim_id, customer_id)
            if existing is None:
                raise
            return existing

    async def _existing_claim(self, claim_id: str, customer_id: str) -> Claim | None:
        async with self.uow() as work:
            existing = await work.claims.get(claim_id)
        return existing if existing is not None and existing.customer_id == customer_id else None

    async def _submit(
        self, actor: Actor | None, customer_id: str, claim_id: str, request: ClaimRequest
    ) -> Claim:
        now = self.clock.now()
        item = self.item_for(request, now.date())
        coverage = check_coverage(
            self.policy, category=item.category, region=request.region, today=now.date(),
            manufacture_date=item.manufacture_date, purchase_date=item.purchase_date,
        )  # fmt: skip
        defect = assess_defect(self.policy, request.components, request.cause)
        structlog.contextvars.bind_contextvars(claim_id=claim_id)
        async with self.uow() as work:
            prior = await work.claims.prior_claims(item.key)
            flags = screen_new_claim(
                item_key=item.key, customer_id=customer_id, prior=prior, now=now,
                sees_every_claim=actor is None or actor.type in DECIDERS,
            )  # fmt: skip
            claim = Claim.submit(
                claim_id=claim_id, customer_id=customer_id, region=request.region, item=item,
                components=tuple(request.components), cause=request.cause,
                actor=recorded(actor), at=now, description=request.description,
            )  # fmt: skip
            self._apply_verdict(claim, decide(coverage, defect, flags), now)
            await self._take_evidence(work, actor, request.photo_id, claim)
            publish_events(work, claim)
        log.info("claim.opened", claim_id=claim.id, status=str(claim.status))
        return claim

    async def _take_evidence(
        self, work: Work, actor: Actor | None, photo_id: str | None, claim: Claim
    ) -> None:
        """Save the claim, with the label photo it was opened from as its evidence (a twin of
        this request that saved the claim first is found by `add`, before the photo is looked
        at; a refused photo rolls the whole claim back)."""
        claim.evidence_photo_id = photo_id
        await work.claims.add(claim)
        if photo_id:
            photo = await work.photos.get(photo_id)
            ensure_attachable(photo, photo_id, actor, claim.item.label_code)
            await work.photos.attach(photo_id, claim.id)

    def _apply_verdict(self, claim: Claim, verdict: Verdict, now: datetime) -> None:
        if verdict.outcome is Outcome.REVIEW:
            claim.flag(verdict.review_reasons, SYSTEM, now, verdict.decision,
                       verdict.review_codes)  # fmt: skip
        elif verdict.outcome is Outcome.APPROVE:
            claim.approve(verdict.decision, SYSTEM, now)
            self.rmas.issue(claim, now)
        else:
            claim.reject(verdict.decision, SYSTEM, now)

    async def decide_claim(
        self, actor: Actor | None, claim_id: str, approve: bool, reason: str
    ) -> Claim:
        ensure_decider(actor)

        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            base = claim.decision
            decision = Decision(
                approve, "agent_review", base.policy_version if base else None,
                (*(base.reasons if base else ()), f"Agent: {reason}"),
                base.coverage_end if base else None,
                # The agent's words stay here (timeline, claim view); events get the code.
                (*(base.reason_codes if base else ()), "agent_review"),
            )  # fmt: skip
            if approve:
                claim.approve(decision, recorded(actor), now, reason)
                self.rmas.issue(claim, now)
            else:
                claim.reject(decision, recorded(actor), now, reason)

        return await self.changes.apply(actor, claim_id, change)

    async def cancel_claim(self, actor: Actor | None, claim_id: str, reason: str) -> Claim:
        async def change(claim: Claim, _work: Work, now: datetime) -> None:
            claim.cancel(recorded(actor), now, reason)

        return await self.changes.apply(actor, claim_id, change, staff_only=False)
