"""Label photos kept as claim evidence: who may attach a photo to a claim, and who may see it.

A photo is kept (metadata stripped) once a label code was read from it, under an opaque id that
the reader answers with. It stays unattached until a claim is opened with that id; a photo that
no claim took within the retention period is deleted. The label read from the photo must be the
label the claim is opened for, so the evidence matches the item.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from shared.actor import Actor
from shared.errors import Conflict, NotFound

from .errors import WarrantyInputError

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PHOTO_ID_PATTERN = r"^PH-[0-9A-Z]{20}$"


def new_photo_id(entropy: bytes | None = None) -> str:
    """`PH-` and 20 Crockford base-32 characters (100 random bits): not guessable."""
    value = int.from_bytes(entropy or secrets.token_bytes(13), "big")
    return "PH-" + "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(20)))


@dataclass(frozen=True)
class EvidencePhoto:
    id: str
    blob_key: str
    content_type: str
    label_code: str  # the canonical code read from it
    uploaded_by: str | None  # the customer who sent it; None when an agent did
    uploaded_at: datetime
    claim_id: str | None = None


def photo_not_found(photo_id: str) -> NotFound:
    return NotFound("No such photo.", code="photo_not_found", details={"photo_id": photo_id})


def ensure_attachable(
    photo: EvidencePhoto | None, photo_id: str, actor: Actor | None, label_code: str | None
) -> EvidencePhoto:
    """The photo a claim may take as evidence: the customer's own (or, for an agent, one an
    agent read or the customer they act for sent), not yet on a claim, showing the same label."""
    if photo is None or not _may_use(photo, actor):
        raise photo_not_found(photo_id)
    if photo.claim_id is not None:
        raise Conflict("The photo is already evidence of a claim.", code="photo_already_attached",
                       details={"photo_id": photo_id})  # fmt: skip
    if label_code != photo.label_code:
        raise WarrantyInputError(
            "The photo shows another label than the claim's.", code="photo_label_mismatch",
            details={"photo_id": photo_id, "photo_label_code": photo.label_code},
        )  # fmt: skip
    return photo


def _may_use(photo: EvidencePhoto, actor: Actor | None) -> bool:
    if actor is None or actor.type == "system":
        return True
    if actor.type == "customer":
        return photo.uploaded_by == actor.id
    if actor.type == "agent":
        return photo.uploaded_by in (None, actor.on_behalf_of)
    return False


def claim_photo_missing(claim_id: str) -> NotFound:
    return NotFound("The claim has no photo.", code="claim_photo_not_found",
                    details={"claim_id": claim_id})  # fmt: skip
