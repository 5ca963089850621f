"""What the claim routes share: the claim id in paths, and a claim as each role may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from services.gateway.auth import Principal
from shared.contracts import warranty as c

ClaimId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]

# A claim as its owner sees it, and as an agent sees it (with owner and review reasons).
ClaimOut = c.ClaimOwnerView
AgentClaimOut = c.ClaimView


def claim_view(principal: Principal) -> type[ClaimOut]:
    """The model a claim is read as: customers see less than agents."""
    return ClaimOut if principal.type == "customer" else AgentClaimOut
