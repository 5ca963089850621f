"""The hot read of one claim (GET /v1/claims/{id}): its `claims` row in one statement.

One cached SELECT on a read session, no history query: the profile of GET /v1/claims/{id}
showed the history's second query and the session's bookkeeping costing more CPU than the
claim's own read. A single statement reads a consistent row on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from services.warranty.domain.claims import Claim
from services.warranty.domain.reference import Catalogue
from shared.persistence.db import Database

from .sql_claim_repository import CLAIM_BY_ID, claim_from_row


class ClaimReads:
    def __init__(self, db: Database, catalogue: Catalogue) -> None:
        self._db = db
        self._catalogue = catalogue

    async def claim_now(self, claim_id: str) -> Claim | None:
        async with self._db.read() as session:
            result = await session.execute(CLAIM_BY_ID, {"claim_id": claim_id})
            row = result.mappings().first()
        return None if row is None else claim_from_row(row, self._catalogue)
