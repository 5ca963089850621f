"""What the claim routes share: the claim id in paths, and a claim as each role may see it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Path

from services.gateway.auth import Principal
from services.gateway.routers._ask import read_as
from shared.contracts import warranty as c

ClaimId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]

# A claim as its owner sees it, and as an agent sees it (with owner and review reasons).
ClaimOut = c.ClaimOwnerView
AgentClaimOut = c.ClaimView


def claim_view(principal: Principal) -> type[ClaimOut]:
    """The model a claim is read as: customers see less than agents."""
    return ClaimOut if principal.type == "customer" else AgentClaimOut


# The step that hands a claim to an agent gives its reasons in sentences for agents ("The same
# label was claimed by another customer."): they speak of other customers and of which check
# caught the claim. Its owner reads that a check happens, as the claim view keeps
# `review_reasons` from her.
CHECK_SEEN_BY_OWNER = "An agent checks this claim before it goes on."


def timeline_seen_by(
    principal: Principal, entries: Sequence[c.TimelineEntry]
) -> list[c.TimelineEntryView] | list[c.TimelineEntry]:
    """A claim's steps as `principal` may read them: an agent, every step with who took it; the
    owner, no actor ids and the review step's reason in words for her."""
    if principal.type != "customer":
        return read_as(c.TimelineEntry, entries)
    return [
        c.TimelineEntryView.model_validate(
            e.model_dump(exclude={"actor_id"})
            | ({"reason": CHECK_SEEN_BY_OWNER} if e.to_status == "needs_review" else {})
        )
        for e in entries
    ]
