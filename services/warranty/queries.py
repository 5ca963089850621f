"""Read-side use cases: labels, coverage, the policy, claim views, timelines, forms, SLA board."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime

from services.warranty.adapters.claims_repo import ClaimsRepository
from services.warranty.adapters.policy_html import render_policy_html
from services.warranty.adapters.rma_pdf import RmaForm, render_rma_pdf
from services.warranty.domain import labels
from services.warranty.domain.claim_states import SLA_RUNNING
from services.warranty.domain.claims import Claim
from services.warranty.domain.errors import WarrantyInputError
from services.warranty.domain.policy import CoverageDecision, Policy, check_coverage
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import DEFAULT_TIMINGS, SlaStatus, Timings
from shared.actor import Actor as Requester
from shared.errors import Conflict
from shared.messaging.outbox import Tx

from .access import ensure_visible, utcnow


@dataclass
class Queries:
    uow: Callable[[], AbstractAsyncContextManager[Tx]]
    catalogue: Catalogue
    policy: Policy
    clock: Callable[[], datetime] = utcnow
    timings: Timings = DEFAULT_TIMINGS

    def _repo(self, tx: Tx) -> ClaimsRepository:
        return ClaimsRepository(tx.session, self.catalogue, self.timings)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[Tx]:
        """A read-only session, outside SQLite's one-writer lock when the unit of work has a
        database (reading in a write transaction queued every GET behind every write)."""
        db = getattr(self.uow, "db", None)
        if db is None:
            async with self.uow() as tx:
                yield tx
            return
        async with db.read() as session:
            yield Tx(session)

    def decode_label(self, code: str) -> labels.DecodedLabel:
        return labels.decode(code, today=self.clock().date(), catalogue=self.catalogue)

    def policy_html(self) -> str:
        return render_policy_html(self.policy.to_document())

    def check_coverage(
        self,
        *,
        region: str,
        label_code: str | None = None,
        style_code: str | None = None,
        category: str | None = None,
        purchase_date: date | None = None,
    ) -> tuple[CoverageDecision, labels.DecodedLabel | None]:
        today = self.clock().date()
        label = (
            labels.decode(label_code, today=today, catalogue=self.catalogue) if label_code else None
        )
        style_code = (label.style_code if label else None) or style_code
        style = self.catalogue.style(style_code) if style_code else None
        category = style.category if style else category
        if category is None:
            raise WarrantyInputError(
                "Name the product category: the style is not in the catalogue.",
                code="claim_category_required",
                details={"style_code": style_code},
            )
        decision = check_coverage(
            self.policy, category=category, region=region, today=today,
            manufacture_date=label.manufacture_date if label else None, purchase_date=purchase_date,
        )  # fmt: skip
        return decision, label

    async def get_claim(self, requester: Requester | None, claim_id: str) -> Claim:
        async with self._reading() as tx:
            return ensure_visible(await self._repo(tx).get(claim_id), claim_id, requester)

    async def list_claims(
        self,
        requester: Requester | None,
        *,
        statuses: Sequence[str] | None = None,
        sla: str | None = None,
        customer_id: str | None = None,
        rma: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Claim], int | None]:
        if requester is not None and requester.type == "customer":
            customer_id = requester.id  # a customer's list is always their own
        if sla is not None:
            statuses = [s for s in (statuses or SLA_RUNNING) if s in SLA_RUNNING]
        async with self._reading() as tx:
            found = await self._repo(tx).find(
                customer_id=customer_id,
                statuses=statuses,
                rma=rma,
                limit=limit + 1,
                offset=offset,
            )
        if sla is not None:
            now = self.clock()
            wanted = (
                {SlaStatus.AT_RISK, SlaStatus.BREACHED}
                if sla == "at_risk"
                else {SlaStatus.BREACHED}
            )
            found = [c for c in found if c.sla(now, self.timings) in wanted]
        more = len(found) > limit
        return found[:limit], (offset + limit if more else None)

    async def sla_board(self) -> list[Claim]:
        """Claims at the repair centre, the earliest deadline first."""
        async with self._reading() as tx:
            return await self._repo(tx).at_repair_centre([str(s) for s in SLA_RUNNING])

    async def rma_pdf(self, requester: Requester | None, claim_id: str) -> tuple[str, bytes]:
        claim = await self.get_claim(requester, claim_id)
        if claim.rma is None:
            raise Conflict(
                "No return authorisation has been issued for this claim.",
                code="rma_not_issued",
                details={"claim_id": claim_id, "status": str(claim.status)},
            )
        style = self.catalogue.style(claim.item.style_code or "")
        summary = (
            "; ".join(claim.decision.reasons[-1:]) if claim.decision else "Approved under warranty."
        )
        form = RmaForm(
            rma_number=claim.rma.number, claim_id=claim.id, issued_at=claim.rma.issued_at,
            expires_at=claim.rma.expires_at,
            item_label=claim.item.label_code or claim.item.order_line_id or "-",
            product_name=style.name if style else claim.item.category.replace("_", " "),
            components=claim.components, decision_summary=summary,
            ship_to_name=claim.rma.repair_centre.name, ship_to_address=claim.rma.repair_centre.address,
        )  # fmt: skip
        return f"{claim.rma.number}.pdf", render_rma_pdf(form)
