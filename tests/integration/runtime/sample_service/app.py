"""A minimal service built on the shared runtime, used to prove the runtime itself.

`rpc.sample.credit` records a credit and publishes `sample.ledger.credited` through the outbox;
a durable consumer applies `sample.ledger.credited` to a tally through the inbox. Setting
`SAMPLE_FAIL_ALWAYS=1` makes the consumer fail every delivery (for DLQ tests).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from shared.contracts.envelope import RawEvent, make_event
from shared.messaging.glue import EventRoute, RpcRoute
from shared.messaging.outbox import Tx
from shared.messaging.streams import StreamSpec
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import ServiceSettings

metadata = sa.MetaData()
credits = sa.Table(
    "credits",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("amount", sa.Integer),
)
tally = sa.Table(
    "tally",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("total", sa.Integer),
)

# The sample publishes on a subject captured by the ORDERS stream ("orders.>") so it needs no
# stream of its own; the durable consumer reads it back.
SUBJECT = "orders.sample.credited"
ORDERS_STREAM = StreamSpec("ORDERS", ("orders.>",), "", 0)


class SampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMPLE_", extra="ignore")


class Credit(BaseModel):
    id: str
    account: str
    amount: int


def build(settings: SampleSettings | None = None) -> ServiceRuntime:
    settings = settings or SampleSettings()
    rt = ServiceRuntime("sample", settings, migrations=Path(__file__).parent / "migrations")
    fail_always = os.environ.get("SAMPLE_FAIL_ALWAYS") == "1"

    async def credit(request: Credit, _actor: Any) -> dict[str, Any]:
        async with rt.uow() as tx:
            await tx.session.execute(
                sa.insert(credits).values(id=request.id, amount=request.amount)
            )
            tx.publish(
                make_event(
                    type=SUBJECT,
                    source="/sample",
                    subject=request.account,
                    data=request,
                    event_id=request.id,
                )
            )
        return {"id": request.id}

    async def apply_credit(tx: Tx, event: RawEvent) -> None:
        if fail_always:
            raise RuntimeError("sample consumer configured to fail")
        account, amount = event.data["account"], int(event.data["amount"])
        row = (
            await tx.session.execute(sa.select(tally.c.total).where(tally.c.account == account))
        ).first()
        if row is None:
            await tx.session.execute(sa.insert(tally).values(account=account, total=amount))
        else:
            await tx.session.execute(
                sa.update(tally).where(tally.c.account == account).values(total=row.total + amount)
            )

    rt.rpc(RpcRoute("rpc.sample.credit", credit, Credit))
    rt.consume(EventRoute("sample-tally", ORDERS_STREAM, SUBJECT, apply_credit, ack_wait_s=5))
    return rt


if __name__ == "__main__":
    build().run()
