"""Setting up data behind a page through the public API (quick), when what a test checks is
the console's view of it rather than the steps that made it."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt

from tests.e2e.conftest import JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET


def api_client(api_url: str, subject: str, role: str = "customer") -> httpx.Client:
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": JWT_ISSUER, "aud": JWT_AUDIENCE,
              "iat": now, "exp": now + 600}  # fmt: skip
    token = jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"kid": "local"})
    return httpx.Client(base_url=api_url, timeout=15,
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def post(client: httpx.Client, path: str, body: dict | None = None, status: int = 201) -> dict:
    r = client.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == status, (path, r.text)
    result: dict = r.json()
    return result
