"""Quotes in the database: the whole quote is one JSON document (decimals as strings)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.orders.adapters import tables as t
from services.orders.adapters.serialization import quote_from_dict, quote_to_dict
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.quotes import Quote


class SqlQuoteRepository:
    """Issued quotes (immutable once issued: stored as one document)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, quote: Quote) -> None:
        await self.session.execute(
            sa.insert(t.quotes).values(
                quote_id=quote.quote_id,
                customer_id=quote.customer_id,
                agent_id=quote.agent_id,
                created_at=quote.created_at,
                expires_at=quote.expires_at,
                document=quote_to_dict(quote),
            )
        )

    async def get(self, quote_id: str) -> Quote:
        row = (
            await self.session.execute(
                sa.select(t.quotes.c.document).where(t.quotes.c.quote_id == quote_id)
            )
        ).first()
        if row is None:
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        return quote_from_dict(row.document)
