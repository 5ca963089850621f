"""Reading claims: one claim, a customer's or an agent's list, the SLA board, the RMA form.

Reads use a read-only snapshot of the unit of work, outside SQLite's one-writer lock (reading in
a write transaction queued every GET behind every write).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from services.warranty.domain.claim_access import ensure_visible
from services.warranty.domain.claim_states import SLA_RUNNING
from services.warranty.domain.claims import Claim
from services.warranty.domain.ports import RmaFormRenderer
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.rma import RmaForm
from services.warranty.domain.sla import DEFAULT_TIMINGS, Timings
from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Conflict

from .unit_of_work import UnitOfWork

# A claim still at the repair centre is at risk (or late) once its item arrived this long ago,
# and late once it arrived the whole turnaround ago (domain/sla.py).
SLA_STARTS_AFTER: dict[str, Callable[[Timings], timedelta]] = {
    "at_risk": lambda t: t.at_risk_after,
    "breached": lambda t: t.breach_after,
}


@dataclass
class ClaimQueries:
    uow: UnitOfWork
    catalogue: Catalogue
    clock: Clock
    render_rma_form: RmaFormRenderer
    timings: Timings = DEFAULT_TIMINGS

    async def get_claim(self, actor: Actor | None, claim_id: str) -> Claim:
        """The claim with its history (the timeline, the RMA form)."""
        async with self.uow.read() as work:
            return ensure_visible(await work.claims.get(claim_id), claim_id, actor)

    async def claim_now(self, actor: Actor | None, claim_id: str) -> Claim:
        """The claim as its view shows it: without its history, in one read (the hot path of
        GET /v1/claims/{id}); the same access rule as `get_claim`."""
        return ensure_visible(await self.uow.claim_now(claim_id), claim_id, actor)

    async def list_claims(
        self,
        actor: Actor | None,
        *,
        statuses: Sequence[str] | None = None,
        sla: str | None = None,
        customer_id: str | None = None,
        rma: str | None = None,
        limit: int = 50,
        offset: int = 0,
        oldest_first: bool = False,
    ) -> tuple[list[Claim], int | None]:
        """A page of claims, newest first (a review queue: oldest first), and the offset of the
        next page (None on the last)."""
        if actor is not None and actor.type == "customer":
            customer_id = actor.id  # a customer's list is always their own
        received_by = None
        if sla is not None:
            # Filtered before paging: a page of the newest claims filtered afterwards missed
            # the late ones older than it (and said "no next page" for a full one).
            statuses = [s for s in (statuses or SLA_RUNNING) if s in SLA_RUNNING]
            received_by = self.clock.now() - SLA_STARTS_AFTER[sla](self.timings)
        async with self.uow.read() as work:
            found = await work.claims.find(
                customer_id=customer_id, statuses=statuses, rma=rma, limit=limit + 1,
                offset=offset, oldest_first=oldest_first, received_by=received_by,
            )  # fmt: skip
        more = len(found) > limit
        return found[:limit], (offset + limit if more else None)

    async def sla_board(self) -> list[Claim]:
        """Claims at the repair centre, the earliest deadline first."""
        async with self.uow.read() as work:
            return await work.claims.at_repair_centre([str(s) for s in SLA_RUNNING])

    async def rma_pdf(self, actor: Actor | None, claim_id: str) -> tuple[str, bytes]:
        """The printable RMA form of a claim: (file name, PDF)."""
        claim = await self.get_claim(actor, claim_id)
        if claim.rma is None:
            raise Conflict(
                "No return authorisation has been issued for this claim.",
                code="rma_not_issued",
                details={"claim_id": claim_id, "status": str(claim.status)},
            )
        return f"{claim.rma.number}.pdf", self.render_rma_form(self._form(claim))

    def _form(self, claim: Claim) -> RmaForm:
        assert claim.rma is not None
        style = self.catalogue.style(claim.item.style_code or "")
        summary = (
            " ".join(claim.decision.reasons[-1:]) if claim.decision else "Approved under warranty."
        )
        return RmaForm(
            rma_number=claim.rma.number, claim_id=claim.id, issued_at=claim.rma.issued_at,
            expires_at=claim.rma.expires_at,
            item_label=claim.item.label_code or claim.item.order_line_id or "-",
            product_name=style.name if style else claim.item.category.replace("_", " "),
            components=claim.components, decision_summary=summary,
            ship_to_name=claim.rma.repair_centre.name, ship_to_address=claim.rma.repair_centre.address,
        )  # fmt: skip
