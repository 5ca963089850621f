"""Claims in the service's database (SQLAlchemy Core, inside a unit of work)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.warranty.domain.abuse import PriorClaim
from services.warranty.domain.claim_states import ClaimStatus, Transition
from services.warranty.domain.claim_values import ClaimItem, Decision, Shipment
from services.warranty.domain.claims import Claim
from services.warranty.domain.errors import ClaimAlreadyOpen
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.rma import Rma
from services.warranty.domain.sla import Timings
from shared.actor import Actor
from shared.errors import Conflict
from shared.persistence.session import Session

from .tables import claim_transitions, claims

# The hot reads (GET /v1/claims/{id}), built once: a module-level statement keeps its memoized
# cache key; one built per call is walked again to compute it on every execution.
CLAIM_BY_ID = sa.select(claims).where(claims.c.id == sa.bindparam("claim_id"))
_GET_FOR_UPDATE = CLAIM_BY_ID.with_for_update()
_TRANSITIONS = (
    sa.select(claim_transitions)
    .where(claim_transitions.c.claim_id == sa.bindparam("claim_id"))
    .order_by(claim_transitions.c.seq)
)


class ConcurrentUpdate(Conflict):
    code = "claim_concurrent_update"


def _decision_to_json(d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    end = d.coverage_end.isoformat() if d.coverage_end else None
    return {"covered": d.covered, "rule": d.rule, "policy_version": d.policy_version,
            "reasons": list(d.reasons), "coverage_end": end,
            "reason_codes": list(d.reason_codes)}  # fmt: skip


def _decision_from_json(raw: dict[str, Any] | None) -> Decision | None:
    if not raw:
        return None
    end = raw.get("coverage_end")
    return Decision(raw["covered"], raw["rule"], raw.get("policy_version"),
                    tuple(raw.get("reasons") or ()), date.fromisoformat(end) if end else None,
                    tuple(raw.get("reason_codes") or ()))  # fmt: skip


def _row_values(claim: Claim, timings: Timings) -> dict[str, Any]:
    rma, item, shipment = claim.rma, claim.item, claim.shipment
    return {
        "customer_id": claim.customer_id,
        "item_key": item.key,
        "open_item_key": item.key if claim.is_open else None,
        "label_code": item.label_code,
        "order_line_id": item.order_line_id,
        "style_code": item.style_code,
        "category": item.category,
        "manufacture_date": item.manufacture_date,
        "purchase_date": item.purchase_date,
        "region": claim.region,
        "components": list(claim.components),
        "cause": claim.cause,
        "description": claim.description,
        "status": str(claim.status),
        "version": claim.version,
        "submitted_at": claim.submitted_at,
        "updated_at": claim.transitions[-1].at if claim.transitions else claim.submitted_at,
        "decision": _decision_to_json(claim.decision),
        "review_reasons": list(claim.review_reasons),
        "rma_number": rma.number if rma else None,
        "rma_issued_at": rma.issued_at if rma else None,
        "rma_expires_at": rma.expires_at if rma else None,
        "rma_reminder_due_at": rma.reminder_due_at if rma else None,
        "rma_centre_region": rma.repair_centre.region if rma else None,
        "rma_reminder_sent_at": claim.rma_reminder_sent_at,
        "received_at": claim.received_at,
        "resolution": dict(claim.resolution) if claim.resolution is not None else None,
        "carrier": shipment.carrier if shipment else None,
        "tracking_number": shipment.tracking_number if shipment else None,
        "shipped_at": claim.shipped_at,
        "sla_at_risk_at": claim.sla_at_risk_at,
        "sla_breached_at": claim.sla_breached_at,
        "next_timer_at": claim.next_timer_at(timings),
        "evidence_photo_id": claim.evidence_photo_id,
    }


def claim_from_row(r: Any, catalogue: Catalogue) -> Claim:
    """A claim from its `claims` row, without its history (`transitions` stays empty)."""
    item = ClaimItem(
        category=r["category"], label_code=r["label_code"], order_line_id=r["order_line_id"],
        style_code=r["style_code"], manufacture_date=r["manufacture_date"],
        purchase_date=r["purchase_date"],
    )  # fmt: skip
    rma = None
    if r["rma_number"]:
        centre = catalogue.repair_centres[r["rma_centre_region"]]
        rma = Rma(r["rma_number"], r["id"], r["rma_issued_at"], r["rma_expires_at"],
                  r["rma_reminder_due_at"], centre)  # fmt: skip
    shipment = Shipment(r["carrier"], r["tracking_number"]) if r["carrier"] else None
    return Claim(
        id=r["id"], customer_id=r["customer_id"], region=r["region"], item=item,
        components=tuple(r["components"]), cause=r["cause"], submitted_at=r["submitted_at"],
        description=r["description"], status=ClaimStatus(r["status"]),
        decision=_decision_from_json(r["decision"]), review_reasons=tuple(r["review_reasons"]),
        rma=rma, received_at=r["received_at"], resolution=r["resolution"], shipment=shipment,
        shipped_at=r["shipped_at"], rma_reminder_sent_at=r["rma_reminder_sent_at"],
        sla_at_risk_at=r["sla_at_risk_at"], sla_breached_at=r["sla_breached_at"],
        version=r["version"], evidence_photo_id=r["evidence_photo_id"],
    )  # fmt: skip


class SqlClaimRepository:
    """Loads and saves `Claim` aggregates; `save` refuses a stale version (optimistic locking)."""

    def __init__(self, session: Session, catalogue: Catalogue, timings: Timings) -> None:
        self.session = session
        self.catalogue = catalogue
        self.timings = timings
        self._loaded: dict[str, tuple[int, int]] = {}  # id -> (version, transitions) at load

    async def add(self, claim: Claim) -> None:
        try:
            # A race with another open claim for the same item ends here (unique open_item_key);
            # the unit of work then rolls back as a whole.
            await self.session.execute(
                sa.insert(claims).values(id=claim.id, **_row_values(claim, self.timings))
            )
        except IntegrityError as exc:
            raise ClaimAlreadyOpen(
                "This label is under an open claim.", details={"item_key": claim.item.key}
            ) from exc
        await self._insert_transitions(claim, 0)
        self._loaded[claim.id] = (claim.version, len(claim.transitions))

    async def save(self, claim: Claim) -> None:
        version, known = self._loaded[claim.id]
        result = await self.session.execute(
            sa.update(claims)
            .where(claims.c.id == claim.id, claims.c.version == version)
            .values(**_row_values(claim, self.timings))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(
                "The claim changed meanwhile; try again.", details={"claim_id": claim.id}
            )
        await self._insert_transitions(claim, known)
        self._loaded[claim.id] = (claim.version, len(claim.transitions))

    async def _insert_transitions(self, claim: Claim, already: int) -> None:
        rows = [
            {"claim_id": claim.id, "seq": i + 1, "from_status": str(t.from_status) if t.from_status else None,
             "to_status": str(t.to_status), "actor_type": t.actor.type, "actor_id": t.actor.id,
             "at": t.at, "reason": t.reason}
            for i, t in enumerate(claim.transitions) if i >= already
        ]  # fmt: skip
        if rows:
            await self.session.execute(sa.insert(claim_transitions), rows)

    async def get(self, claim_id: str, *, for_update: bool = False) -> Claim | None:
        locking = for_update and self.session.dialect.name == "postgresql"
        query = _GET_FOR_UPDATE if locking else CLAIM_BY_ID
        row = (await self.session.execute(query, {"claim_id": claim_id})).mappings().first()
        if row is None:
            return None
        claim = claim_from_row(row, self.catalogue)
        claim.transitions.extend(await self._transitions(claim_id))
        self._loaded[claim.id] = (claim.version, len(claim.transitions))
        return claim

    async def _transitions(self, claim_id: str) -> list[Transition]:
        rows = (await self.session.execute(_TRANSITIONS, {"claim_id": claim_id})).mappings()
        return [
            Transition(ClaimStatus(r["from_status"]) if r["from_status"] else None,
                       ClaimStatus(r["to_status"]), Actor(type=r["actor_type"], id=r["actor_id"]), r["at"],
                       r["reason"])
            for r in rows
        ]  # fmt: skip

    async def prior_claims(self, item_key: str) -> list[PriorClaim]:
        c = claims
        rows = await self.session.execute(
            sa.select(c.c.id, c.c.customer_id, c.c.submitted_at, c.c.status, c.c.open_item_key)
            .where(c.c.item_key == item_key)
        )  # fmt: skip
        return [
            PriorClaim(r.id, r.customer_id, r.submitted_at, r.open_item_key is not None,
                       r.status == ClaimStatus.CANCELLED)
            for r in rows
        ]  # fmt: skip

    async def find(
        self,
        *,
        customer_id: str | None = None,
        statuses: Sequence[str] | None = None,
        rma: str | None = None,
        limit: int = 50,
        offset: int = 0,
        oldest_first: bool = False,
        received_by: datetime | None = None,
    ) -> list[Claim]:
        """`received_by`: only claims whose item arrived at the repair centre by then."""
        submitted = claims.c.submitted_at.asc() if oldest_first else claims.c.submitted_at.desc()
        query = sa.select(claims).order_by(submitted, claims.c.id)
        if customer_id is not None:
            query = query.where(claims.c.customer_id == customer_id)
        if rma is not None:
            query = query.where(claims.c.rma_number == rma)  # unique index
        if statuses:
            query = query.where(claims.c.status.in_(list(statuses)))
        if received_by is not None:
            query = query.where(claims.c.received_at <= received_by)
        rows = (await self.session.execute(query.limit(limit).offset(offset))).mappings()
        return [claim_from_row(r, self.catalogue) for r in rows]

    async def due_for_timers(self, now: datetime, limit: int = 100) -> list[str]:
        rows = await self.session.execute(
            sa.select(claims.c.id)
            .where(claims.c.next_timer_at.is_not(None), claims.c.next_timer_at <= now)
            .order_by(claims.c.next_timer_at)
            .limit(limit)
        )
        return [r.id for r in rows]

    async def at_repair_centre(self, statuses: Iterable[str]) -> list[Claim]:
        query = sa.select(claims).where(claims.c.status.in_(list(statuses)))
        rows = (await self.session.execute(query.order_by(claims.c.received_at))).mappings()
        return [claim_from_row(r, self.catalogue) for r in rows]
