"""Who is signed in, CSRF tokens and one-shot messages, all in the signed session cookie.

The cookie (Starlette's SessionMiddleware: signed with WEB_SESSION_SECRET, HttpOnly,
SameSite=Lax, Secure outside local) holds the user's API token, role and a CSRF token. Every form
that changes something posts the CSRF token back; `checked_form` refuses a post without it (403),
so another site cannot make a signed-in browser act (SameSite=Lax alone still lets top-level
GETs through, and the console never changes anything on a GET).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData

Role = Literal["customer", "agent"]
# The gateway scope of agents who run operations (event DLQ, production volumes, analytics page).
OPERATIONS = "operations"


@dataclass(frozen=True)
class User:
    subject: str
    role: Role
    token: str
    locale: str
    scopes: frozenset[str] = frozenset()

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"

    @property
    def runs_operations(self) -> bool:
        return self.is_agent and OPERATIONS in self.scopes


class SignInRequired(Exception):
    """No session: the page sends the browser to the sign-in page."""


class AgentsOnly(Exception):
    """A customer asked for an agent page: answered as 'no such page'."""


class CsrfRefused(Exception):
    """A form post without the session's CSRF token."""


class OperationsOnly(Exception):
    """An agent without the `operations` scope asked for an operators' page."""


def sign_in(request: Request, token: str, subject: str, role: Role, locale: str,
            scopes: str = "") -> None:  # fmt: skip
    # A fresh session on every sign-in: nothing (CSRF token included) survives from before.
    # The scopes (as the token states them, space-separated) only choose which pages to offer:
    # the gateway checks the token itself on every call.
    request.session.clear()
    request.session.update(
        {"token": token, "sub": subject, "role": role, "locale": locale, "scopes": scopes,
         "csrf": secrets.token_urlsafe(32)}
    )  # fmt: skip


def sign_in_again_url(request: Request) -> str:
    """The sign-in page, then back where the user was.

    A page comes back whole, query included (`/agent?tab=centre`). A form's POST cannot be
    replayed by a redirect (it would land on a path that only takes posts: 405), so it comes
    back to the page the form was on, when the browser says it was one of this site's."""
    if request.method in ("GET", "HEAD"):
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
        back = (referer.path + (f"?{referer.query}" if referer.query else "")) if same_site else "/"
    return f"/sign-in?next={quote(back, safe='/')}"


def sign_out(request: Request) -> None:
    request.session.clear()


def set_locale(request: Request, locale: str) -> None:
    request.session["locale"] = locale


def remember_region(request: Request, region: str, customer_id: str | None) -> None:
    """The region last chosen in the shop, for the signed-in customer (`customer_id` None) or
    the one customer an agent last shopped for: one pair, so the cookie stays small."""
    request.session["region_for"] = [customer_id or "", region]


def chosen_region(request: Request, customer_id: str | None) -> str | None:
    kept = request.session.get("region_for")
    if isinstance(kept, list) and len(kept) == 2 and kept[0] == (customer_id or ""):
        return str(kept[1])
    return None


def current_user(request: Request) -> User:
    s = request.session
    if not s.get("token") or s.get("role") not in ("customer", "agent"):
        raise SignInRequired
    return User(subject=s["sub"], role=s["role"], token=s["token"], locale=s["locale"],
                scopes=frozenset(str(s.get("scopes") or "").split()))  # fmt: skip


def current_agent(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_agent:
        raise AgentsOnly
    return user


def current_operator(user: Annotated[User, Depends(current_agent)]) -> User:
    if not user.runs_operations:
        raise OperationsOnly
    return user


def current_customer(user: Annotated[User, Depends(current_user)]) -> User:
    if user.is_agent:
        raise AgentsOnly  # agents act for a customer from the customer view instead
    return user


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's; CsrfRefused otherwise."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused
    return form


def flash(request: Request, kind: str, title: str, code: str = "", detail: str = "") -> None:
    """A message shown once, on the page the browser is sent to next (post/redirect/get)."""
    # It rides in the cookie (4 KB in all): a long problem detail is cut, never the cookie.
    request.session["flash"] = {"kind": kind, "title": title[:200], "code": code[:80],
                                "detail": detail[:600]}  # fmt: skip


def pop_flash(request: Request) -> dict[str, str] | None:
    value = request.session.pop("flash", None)
    return value if isinstance(value, dict) else None


CurrentUser = Annotated[User, Depends(current_user)]
CurrentAgent = Annotated[User, Depends(current_agent)]
CurrentOperator = Annotated[User, Depends(current_operator)]
CurrentCustomer = Annotated[User, Depends(current_customer)]
Form = Annotated[FormData, Depends(checked_form)]
