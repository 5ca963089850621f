"""Quotes in the database: the whole quote is one JSON document (decimals as strings).

A single-style quote and a cart quote share the table: the document says which it is.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.cart_serialization import (
    cart_quote_from_dict,
    cart_quote_to_dict,
    is_cart_document,
)
from services.orders.adapters.serialization import quote_from_dict, quote_to_dict
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.quotes import Quote
from services.orders.domain.reference import StyleDeclaration
from services.orders.domain.shipments import CartQuote
from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session

# Every placement reads its quote: on SQLite without SQLAlchemy's per-statement path.
_GET = PreparedRead(
    sa.select(t.quotes.c.document).where(t.quotes.c.quote_id == sa.bindparam("quote_id"))
)


class SqlQuoteRepository:
    """Issued quotes (immutable once issued: stored as one document).

    `style_declarations` (style -> the catalogue's origin, description and name) completes cart
    documents stored before their lines kept theirs (cart_serialization.py)."""

    def __init__(
        self, session: Session, style_declarations: Mapping[str, StyleDeclaration] | None = None
    ) -> None:
        self.session = session
        self.style_declarations = style_declarations

    async def add(self, quote: Quote | CartQuote) -> None:
        document = (
            cart_quote_to_dict(quote) if isinstance(quote, CartQuote) else quote_to_dict(quote)
        )
        await self.session.execute(
            sa.insert(t.quotes).values(
                quote_id=quote.quote_id,
                customer_id=quote.customer_id,
                agent_id=quote.agent_id,
                created_at=quote.created_at,
                expires_at=quote.expires_at,
                document=document,
            )
        )

    async def get(self, quote_id: str) -> Quote | CartQuote:
        row = await _GET.first(self.session, {"quote_id": quote_id})
        if row is None:
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        if is_cart_document(row.document):
            return cart_quote_from_dict(row.document, self.style_declarations)
        return quote_from_dict(row.document)
