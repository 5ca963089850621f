"""The hot read of one claim (GET /v1/claims/{id}): its `claims` row in one statement.

On SQLite the row is read in one hop to aiosqlite's thread: the driver's own
`execute_fetchall` runs the cached statement and fetches in that thread, where SQLAlchemy's
cursor makes four round trips (cursor, execute, fetch, close), each a wake-up of the thread and
of the event loop; the profile showed those hops as the read's largest cost. The values are
converted by the columns' own result processors, so the row is the one SQLAlchemy would give.
PostgreSQL reads through SQLAlchemy Core on the same statement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.warranty.domain.claims import Claim
from services.warranty.domain.reference import Catalogue

from .sql_claim_repository import CLAIM_BY_ID, claim_from_row
from .tables import claims

Column = tuple[str, Callable[[Any], Any] | None]


class ClaimReads:
    def __init__(self, engine: AsyncEngine, catalogue: Catalogue) -> None:
        self._engine = engine
        self._catalogue = catalogue
        dialect = engine.dialect
        self._one_hop = dialect.name == "sqlite"
        compiled = CLAIM_BY_ID.compile(dialect=dialect)
        self._sql = str(compiled)
        self._columns: list[Column] = [
            (c.name, c.type.dialect_impl(dialect).result_processor(dialect, None))
            for c in claims.columns
        ]

    async def claim_now(self, claim_id: str) -> Claim | None:
        row = await (self._sqlite_row if self._one_hop else self._core_row)(claim_id)
        return None if row is None else claim_from_row(row, self._catalogue)

    async def _core_row(self, claim_id: str) -> Any:
        async with self._engine.connect() as conn:
            return (await conn.execute(CLAIM_BY_ID, {"claim_id": claim_id})).mappings().first()

    async def _sqlite_row(self, claim_id: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            driver: Any = (await conn.get_raw_connection()).driver_connection  # aiosqlite's
            rows = list(await driver.execute_fetchall(self._sql, (claim_id,)))
        if not rows:
            return None
        return {
            name: (convert(value) if convert is not None else value)
            for (name, convert), value in zip(self._columns, rows[0], strict=True)
        }
