"""Skip an included router at once when none of its routes can match the request's path.

FastAPI (0.16x) keeps each included router as one entry of the app's routes and asks it to match
a request by trying each of its routes' patterns in turn (and its nested routers'). A
`POST /v1/orders` was tried against every warranty route first: routing was about 9% of the
gateway's CPU per POST. A route's pattern can only match a path that starts with the pattern's
literal text before its first `{parameter}`, so an included router whose routes' literal prefixes
all differ from the path's start answers "no match" without trying them. Exact: an entry that
would have matched (fully, or by path only: 405) is asked as before, so the same route answers
every request (tests/unit/gateway/test_route_guard.py). Entries whose routes do not all name a
path template are left as they are.

The entry that matched is then asked again, by FastAPI itself: `matches` finds the route and
keeps only "full/partial/none", and `_handle_selected` runs the same search over the router's
routes to find the route again (about 8% of the gateway's own CPU per `POST /v1/orders`). Each
entry's search result is kept in the request's scope for the same path and method, so the
second search is a lookup (`remembered`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match, get_route_path
from starlette.types import Scope

Matches = Callable[[Scope], tuple[Match, Scope]]
# What FastAPI's `_IncludedRouter._match` returns: match, child scope, route, route context.
Selection = tuple[Match, Scope, Any, Any]
_SELECTED = "gateway.route_selection"


def literal_prefixes(entry: Any) -> tuple[str, ...] | None:
    """The literal start of every route pattern under an included router (nested ones too), or
    None when one of them has no path template to read it from."""
    prefixes = set()
    for context in entry.effective_route_contexts():
        template = getattr(context, "path_format", None)
        if not isinstance(template, str) or not template:
            return None
        prefixes.add(template.split("{", 1)[0])
    return tuple(sorted(prefixes))


def guarded(matches: Matches, prefixes: tuple[str, ...]) -> Matches:
    def guarded_matches(scope: Scope) -> tuple[Match, Scope]:
        if not get_route_path(scope).startswith(prefixes):
            return Match.NONE, {}  # what every one of its routes would have answered
        return matches(scope)

    return guarded_matches


def remembered(entry: Any, search: Callable[[Scope], Selection]) -> Callable[[Scope], Selection]:
    """`search`, answered from the request's scope when this entry already searched the same
    path and method for it (the scope is the request's own: nothing outlives the request; a copy
    made for another path, as for a trailing-slash redirect, searches again)."""

    def remembered_search(scope: Scope) -> Selection:
        key = (scope.get("path"), scope.get("root_path"), scope.get("method"), scope["type"])
        kept = scope.get(_SELECTED)
        if kept is not None and kept[0] is entry and kept[1] == key:
            return kept[2]  # type: ignore[no-any-return]
        selection = search(scope)
        scope[_SELECTED] = (entry, key, selection)
        return selection

    return remembered_search


def guard_included_routers(app: FastAPI) -> None:
    """Guard each included router of `app` (call once its routers are all included)."""
    for entry in app.router.routes:
        if not hasattr(entry, "effective_route_contexts"):
            continue  # a route of the app's own: one pattern, nothing to skip
        prefixes = literal_prefixes(entry)
        if prefixes:
            entry.matches = guarded(entry.matches, prefixes)  # type: ignore[method-assign,assignment]
        entry._match = remembered(entry, entry._match)  # type: ignore[attr-defined]
