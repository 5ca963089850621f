"""The demo's HTTP side: who calls (local tokens per actor), every call recorded per step, and
the bounded waits for what happens asynchronously (timelines, the customer's inbox, orders).

Only the public HTTP API is used; nothing here talks to NATS or a database.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import jwt

from services.gateway.settings import GatewaySettings

BODY_LIMIT = 2000


@dataclass
class Call:
    method: str
    path: str
    status: int
    ms: int
    count: int = 1  # repeated polls of the same URL are folded into one line

    def label(self) -> str:
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.method} {self.path} -> {self.status}{times}"


@dataclass
class Step:
    story: str
    number: int
    title: str
    actor: str
    calls: list[Call] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: int = 0
    ok: bool = True
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["calls"] = [{**asdict(c), "label": c.label()} for c in self.calls]
        return data


class StepFailed(Exception):
    """A step misbehaved: unexpected status, wrong state, or nothing arrived in time."""

    def __init__(self, message: str, response: httpx.Response | None = None, body: Any = None):
        super().__init__(message)
        self.body = body
        if response is not None:
            self.body = response.text[:BODY_LIMIT]


@dataclass(frozen=True)
class Actor:
    name: str  # shown in the timeline, e.g. "support agent"
    subject: str  # the token's `sub`: a customer id or a staff id
    role: str  # customer | agent


class DemoHttp:
    """Calls the gateway as one actor or another and records each call in the current step."""

    def __init__(
        self, api: str, settings: GatewaySettings, timeout: float = 15.0, ttl: int = 3600
    ) -> None:
        self.api = api.rstrip("/")
        self.settings = settings
        self.ttl = ttl
        self.client = httpx.Client(base_url=self.api, timeout=timeout)
        self.steps: list[Step] = []
        self.on_step: Callable[[Step], None] = lambda step: None
        self.on_wait: Callable[[str], None] = lambda text: None
        self._tokens: dict[Actor, str] = {}
        self.last_body = ""  # for failures that are not a StepFailed (a malformed reply)

    def close(self) -> None:
        self.client.close()

    def token(self, actor: Actor) -> str:
        """The same local HS256 token `concierge token` prints (gateway settings and env)."""
        if actor not in self._tokens:
            now = int(time.time())
            claims = {"sub": actor.subject, "role": actor.role, "iss": self.settings.jwt_issuer,
                      "aud": self.settings.jwt_audience, "iat": now, "exp": now + self.ttl}  # fmt: skip
            self._tokens[actor] = jwt.encode(
                claims, self.settings.jwt_secret, algorithm="HS256",
                headers={"kid": self.settings.jwt_key_id},
            )  # fmt: skip
        return self._tokens[actor]

    @property
    def current(self) -> Step:
        return self.steps[-1]

    @contextmanager
    def step(self, story: str, title: str, actor: Actor) -> Iterator[Step]:
        step = Step(story, len(self.steps) + 1, title, actor.name)
        self.steps.append(step)
        started = time.monotonic()
        try:
            yield step
        except Exception as exc:
            step.ok, step.error = False, str(exc) or type(exc).__name__
            raise
        finally:
            step.elapsed_ms = round((time.monotonic() - started) * 1000)
            self.on_step(step)

    def request(
        self,
        actor: Actor | None,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        expect: tuple[int, ...] = (200,),
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(actor)}"} if actor else {}
        if method == "POST":
            # Every POST carries a key, so a retry (by a person or a proxy) never acts twice.
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        started = time.monotonic()
        try:
            response = self.client.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise StepFailed(
                f"cannot reach the API at {self.api} ({type(exc).__name__}: {exc}); "
                "is the stack running (`concierge up`) and is --api right?"
            ) from exc
        self._record(method, path, response.status_code, started)
        self.last_body = response.text[:BODY_LIMIT]
        if response.status_code not in expect:
            hint = ""
            if response.status_code == 401:
                hint = ("; the gateway refused the demo's local token: give --jwt-secret, "
                        "--jwt-issuer and --jwt-audience (or the GATEWAY_JWT_* the stack uses)")  # fmt: skip
            raise StepFailed(
                f"{method} {path} answered {response.status_code}, expected "
                f"{' or '.join(map(str, expect))}{hint}",
                response,
            )
        return response

    def json(self, actor: Actor | None, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(actor, method, path, **kwargs).json()

    def _record(self, method: str, path: str, status: int, started: float) -> None:
        ms = round((time.monotonic() - started) * 1000)
        if not self.steps:
            return
        calls = self.current.calls
        last = calls[-1] if calls else None
        if last and (last.method, last.path, last.status) == (method, path, status):
            last.count += 1
            last.ms += ms
        else:
            calls.append(Call(method, path, status, ms))


def wait_until(
    check: Callable[[], Any], timeout: float, interval: float = 0.25
) -> tuple[bool, Any]:
    """Call `check` until it returns something truthy or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return bool(value), value
        time.sleep(interval)


def expect(condition: bool, message: str, body: Any = None) -> None:
    if not condition:
        raise StepFailed(message, body=body)


@dataclass
class DemoContext:
    http: DemoHttp
    run_id: str
    timeout: float  # bounded wait for anything asynchronous (saga steps, messages)
    delivery_timeout: float  # the sandbox carrier is slow on purpose (30 s / 90 s by default)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
