"""The baseline: a bare FastAPI app with the gateway's request body and canned responses.

Served like the gateway (uvicorn, uvloop, httptools, no access log) in its own process:
`python -m uvicorn bench.bare_app:app`. `BENCH_CANNED` names a JSON file holding the gateway's
real responses (`order`, `claim`), so both sides serialize the same payload; nothing else
(auth, idempotency, RPC, database) happens here.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

CANNED: dict[str, Any] = (
    json.loads(open(os.environ["BENCH_CANNED"]).read()) if os.environ.get("BENCH_CANNED") else {}
)

app = FastAPI()


class OrderBody(BaseModel):
    """Same fields and constraints as the gateway's `OrderBody`."""

    model_config = ConfigDict(extra="forbid")

    quote_id: str = Field(min_length=1, max_length=64)
    payment_token: str = Field(min_length=1, max_length=200)
    customer_id: str | None = Field(default=None, max_length=64)


@app.post("/v1/orders", status_code=201)
async def place_order(body: OrderBody) -> dict[str, Any]:
    return CANNED.get("order", {"quote_id": body.quote_id})


@app.get("/v1/claims/{claim_id}")
async def get_claim(claim_id: str) -> dict[str, Any]:
    return CANNED.get("claim", {"id": claim_id})
