"""The console's only way into Concierge: the gateway's public HTTP API, with the user's token.

Every API error arrives as RFC 9457 problem+json; `ApiError` carries its status, stable `code`
and readable detail so pages can show them. The console never reads NATS or a service.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.web import problems


class ApiError(Exception):
    """A problem+json answer from the gateway (or the gateway being unreachable)."""

    def __init__(self, status: int, code: str, title: str, detail: str = "",
                 details: dict[str, Any] | None = None, correlation_id: str = "") -> None:  # fmt: skip
        super().__init__(f"{status} {code}: {detail or title}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.details = details or {}  # machine-readable facts (e.g. a CSV's errors per row)
        self.correlation_id = correlation_id  # what support asks for when a person calls

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        code = str(body.get("code") or f"http_{response.status_code}")
        details = body.get("details")
        detail = str(body.get("detail") or "")
        if code == "validation_error":  # which fields, not "The request has invalid fields."
            detail = problems.invalid_fields(body.get("errors")) or detail
        return cls(
            response.status_code,
            code,
            # The gateway's title is the HTTP phrase ("Unprocessable Entity"): people read a
            # sentence about what happened instead; the code stays for support.
            problems.title_for(code, response.status_code),
            detail,
            details if isinstance(details, dict) else None,
            str(body.get("correlation_id") or ""),
        )

    def as_flash(self) -> dict[str, str]:
        return {"kind": "error", "title": self.title, "code": self.code, "detail": self.detail}


UNREACHABLE = ApiError(503, "gateway_unreachable", "The service is not reachable",
                       "Concierge's API did not answer. Try again in a moment.")  # fmt: skip


class Gateway:
    """One signed-in user's view of the API (a fresh `Authorization` header per user)."""

    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **kwargs.pop("headers", {})}
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise UNREACHABLE from exc
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    async def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return (await self._send("GET", path, params=clean)).json()

    async def get_bytes(self, path: str, **params: Any) -> httpx.Response:
        clean = {k: v for k, v in params.items() if v is not None}
        return await self._send("GET", path, params=clean)

    async def post(self, path: str, body: Any = None, idempotency_key: str | None = None,
                   **params: Any) -> Any:  # fmt: skip
        return (await self.post_created(path, body, idempotency_key, **params))[0]

    async def post_created(self, path: str, body: Any = None, idempotency_key: str | None = None,
                           **params: Any) -> tuple[Any, bool]:  # fmt: skip
        """`post`, and whether the API created something (201) rather than answering with
        what an earlier request made (200: a quote ordered before answers with its order)."""
        # Every POST is idempotent at the gateway: a form sent twice (double click, reload)
        # carries the key rendered into it, so the API does the work once.
        key = idempotency_key or uuid.uuid4().hex
        clean = {k: v for k, v in params.items() if v is not None}
        response = await self._send("POST", path, json=body, params=clean,
                                    headers={"Idempotency-Key": key})  # fmt: skip
        return (response.json() if response.content else None), response.status_code == 201

    async def post_file(self, path: str, field: str, filename: str, content: bytes,
                        content_type: str, idempotency_key: str) -> Any:  # fmt: skip
        """A multipart upload of one file (e.g. a CSV), idempotent like every POST."""
        files = {field: (filename, content, content_type)}
        response = await self._send("POST", path, files=files,
                                    headers={"Idempotency-Key": idempotency_key})  # fmt: skip
        return response.json() if response.content else None

    async def delete(self, path: str, idempotency_key: str) -> None:
        """A DELETE, idempotent at the gateway like every POST (the form's key, sent again on a
        retry, deletes once)."""
        await self._send("DELETE", path, headers={"Idempotency-Key": idempotency_key})

    async def put(self, path: str, body: Any, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return (await self._send("PUT", path, json=body, params=clean)).json()

    @asynccontextmanager
    async def stream(self, path: str) -> AsyncIterator[httpx.Response]:
        request = self._client.build_request("GET", path, headers=self._headers,
                                             timeout=httpx.Timeout(10, read=None))  # fmt: skip
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise UNREACHABLE from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                raise ApiError.from_response(response)
            yield response
        finally:
            await response.aclose()
