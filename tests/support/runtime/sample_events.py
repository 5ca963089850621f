"""Events for the sample service and what its tally table reads back, shared by the runtime tests."""

from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa

from shared.contracts.envelope import make_event
from shared.persistence.db import Database
from tests.integration.runtime import sample_service
from tests.integration.runtime.sample_service.app import SUBJECT, Credit, tally

MIGRATIONS = Path(sample_service.__file__).parent / "migrations"
DURABLE, STREAM = "sample-tally", "ORDERS"


async def stream_count(js, subject: str = SUBJECT) -> int:
    info = await js.stream_info("ORDERS", subjects_filter=subject)
    return int((info.state.subjects or {}).get(subject, 0))


def credit_event(account: str = "acct", amount: int = 5, event_id: str | None = None):
    event_id = event_id or uuid.uuid4().hex
    return make_event(
        type=SUBJECT,
        source="/test",
        subject=account,
        data=Credit(id=event_id, account=account, amount=amount),
        event_id=event_id,
    )


async def tally_of(db: Database, account: str) -> int | None:
    async with db.read() as s:
        return (
            await s.execute(sa.select(tally.c.total).where(tally.c.account == account))
        ).scalar()


async def account_total(db: Database, account: str) -> int:
    async with db.read() as s:
        value = await s.scalar(sa.select(tally.c.total).where(tally.c.account == account))
    return int(value or 0)
