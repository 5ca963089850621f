"""The verified-token cache: a token is served from it only while it is valid, recently
verified, and the cache holds a bounded number of tokens."""

from __future__ import annotations

import time

import pytest

from services.gateway.auth import Authenticator, AuthError, mint_token
from services.gateway.token_cache import DEFAULT_MAX_AGE, VerifiedTokenCache
from tests.support.gateway.harness import make_settings


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_verified_token_is_served_until_it_expires() -> None:
    clock = Clock()
    cache = VerifiedTokenCache[str](clock=clock)
    cache.put("tok", "cust-1", expires_at=clock.now + 30)
    clock.now += 29.9
    assert cache.get("tok") == "cust-1"
    clock.now += 0.1  # exactly `exp`: expired
    assert cache.get("tok") is None
    assert len(cache) == 0


def test_an_expired_token_is_never_stored() -> None:
    clock = Clock()
    cache = VerifiedTokenCache[str](clock=clock)
    cache.put("tok", "cust-1", expires_at=clock.now)
    assert cache.get("tok") is None


def test_a_long_lived_token_is_verified_again_after_max_age() -> None:
    clock = Clock()
    cache = VerifiedTokenCache[str](max_age=60, clock=clock)
    cache.put("tok", "cust-1", expires_at=clock.now + 3600)
    clock.now += 59
    assert cache.get("tok") == "cust-1"
    clock.now += 1
    assert cache.get("tok") is None


def test_the_least_recently_used_token_goes_first_beyond_max_size() -> None:
    clock = Clock()
    cache = VerifiedTokenCache[str](max_size=2, clock=clock)
    cache.put("a", "A", clock.now + 60)
    cache.put("b", "B", clock.now + 60)
    assert cache.get("a") == "A"  # "b" is now the least recently used
    cache.put("c", "C", clock.now + 60)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert len(cache) == 2


def test_clear_forgets_every_token() -> None:
    cache = VerifiedTokenCache[str]()
    cache.put("a", "A", time.time() + 60)
    cache.clear()
    assert cache.get("a") is None


def test_nonsensical_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        VerifiedTokenCache[str](max_size=0)
    with pytest.raises(ValueError):
        VerifiedTokenCache[str](max_age=0)


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_changed_signing_key_refuses_a_cached_token_once_its_entry_is_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings()
    auth = Authenticator(settings, None)
    token = mint_token(settings, "cust-1", "customer", 600)
    first = await auth.authenticate(_bearer(token))
    assert first is not None and first.id == "cust-1"
    auth._static_key = "a-rotated-secret-" + "y" * 40  # the key the token was signed with is gone
    later = time.time() + DEFAULT_MAX_AGE + 1
    monkeypatch.setattr("services.gateway.token_cache.time.time", lambda: later)
    with pytest.raises(AuthError) as refused:
        await auth.authenticate(_bearer(token))
    assert refused.value.code == "invalid_token"


async def test_a_refused_token_is_refused_again_not_remembered() -> None:
    settings = make_settings()
    auth = Authenticator(settings, None)
    forged = mint_token(make_settings(jwt_secret="another-secret-" + "z" * 40), "c", "customer", 60)
    for _ in range(2):
        with pytest.raises(AuthError) as refused:
            await auth.authenticate(_bearer(forged))
        assert refused.value.code == "invalid_token"
