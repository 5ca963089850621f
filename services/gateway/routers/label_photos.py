"""`POST /v1/labels/read`: read the label code from a photo; `GET /v1/claims/{id}/photo`: the
photo kept as a claim's evidence.

A photo (up to 8 MB; the body cap of this one route is raised in limits.py) does not fit in a
NATS message, so it is handed over through the JetStream object store bucket declared in
shared/messaging/photo_bucket.py: the gateway puts the bytes there under a random name and asks
the warranty service with the name and the SHA-256 only. The service reads the object, checks
the hash, reads the label and deletes the object; one never read expires with the bucket's TTL.
A claim's evidence photo comes back the same way, in the other direction.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from nats.errors import Error as NatsError

from services.gateway.auth import CustomerOrAgent
from services.gateway.errors import problem_response, problem_responses
from services.gateway.routers._ask import ask
from services.gateway.routers._claims import ClaimId
from services.gateway.runtime import Rpc, get_runtime
from shared.contracts import label_photos as lp
from shared.errors import DomainError, ErrorKind
from shared.messaging.photo_bucket import open_photo_bucket

router = APIRouter(prefix="/v1", tags=["warranty"])

# OCR takes about a second and a half per photo on a quiet machine, the engine's first reading in
# a process several times that, and a photo may wait its turn in the reader's bounded queue: far
# longer than the gateway's default RPC budget. Reading changes no state, so a retried request
# (even one whose Idempotency-Key lease ran out meanwhile) only reads again.
READ_TIMEOUT_S = 30.0
PHOTO_DESCRIPTION = (
    "The photo of the label: JPEG, PNG or WebP, at most 8 MB and 40 megapixels. Metadata (EXIF, "
    "GPS) is stripped before the photo is kept."
)
ERRORS = """Errors: 413 `body_too_large` / `photo_too_large` (over 8 MB; nothing is stored);
422 `photo_not_an_image`, `photo_too_large` (over 40 megapixels), `photo_too_small`,
`label_unreadable` (no code with a valid check character; `details.read` lists what was read and,
when a well-formed code failed its check, `details.code` and `details.recheck` the characters to
re-check),
`label_ambiguous` (more than one valid code); 503 `label_reader_busy`,
`label_reader_unavailable` (the reader stopped while reading this photo; a fresh one reads the
next) or `upstream_unavailable` (retry shortly)."""


async def photo_bucket(request: Request) -> Any:
    """The object store bucket, opened once per app on first use."""
    state = request.app.state
    bucket = getattr(state, "photo_bucket", None)
    if bucket is None:
        runtime = get_runtime(request)
        if runtime.js is None:
            raise DomainError("Photo uploads are not available.", code="upstream_unavailable",
                              kind=ErrorKind.UNAVAILABLE)  # fmt: skip
        bucket = state.photo_bucket = await open_photo_bucket(
            runtime.js, runtime.settings.stream_replicas
        )
    return bucket


async def hand_over(bucket: Any, photo: bytes) -> lp.ReadLabelRequest:
    """Put the photo into the bucket; the request names it and carries its hash."""
    name = secrets.token_urlsafe(24)
    await bucket.put(name, photo)
    return lp.ReadLabelRequest(object_name=name, sha256=hashlib.sha256(photo).hexdigest())


@router.post(
    "/labels/read",
    response_model=lp.LabelPhotoReading,
    responses=problem_responses(401, 403, 410, 413, 422, 429, 503, 504),
    summary="Read the label code from a photo",
    description="Read the code on a photographed label, judged by its check character like a "
    "typed code, and decode it (the same answer as `POST /v1/labels/decode`, plus what was read "
    "and a confidence). Open the claim with `label.code`.\n\n" + ERRORS,
)
async def read_label(
    request: Request,
    image: Annotated[UploadFile, File(description=PHOTO_DESCRIPTION)],
    principal: CustomerOrAgent,
    rpc: Rpc,
) -> Any:
    photo = await image.read(lp.PHOTO_MAX_BYTES + 1)
    if len(photo) > lp.PHOTO_MAX_BYTES:
        return too_large(request)
    try:
        handed = await hand_over(await photo_bucket(request), photo)
    except (NatsError, TimeoutError) as exc:
        raise DomainError("The photo could not be handed over; try again shortly.",
                          code="upstream_unavailable", kind=ErrorKind.UNAVAILABLE) from exc  # fmt: skip
    return await ask(
        _Timed(rpc, READ_TIMEOUT_S), lp.Subjects.READ_LABEL, handed, principal.actor(),
        lp.LabelPhotoReading,
    )  # fmt: skip


@router.get(
    "/claims/{claim_id}/photo",
    response_class=Response,
    responses={200: {"content": {m: {} for m in lp.PHOTO_MEDIA_TYPES},
                     "description": "The image, metadata stripped."},
               **problem_responses(401, 403, 404, 503, 504)},
    summary="The label photo kept as a claim's evidence",
    description="The photo the claim was opened from (`photo_id` on `POST /v1/claims`), for "
    "agents and the claim's owner; anyone else, and a claim without a photo, gets 404.",
)  # fmt: skip
async def claim_photo(
    request: Request, claim_id: ClaimId, principal: CustomerOrAgent, rpc: Rpc
) -> Response:
    out = await ask(rpc, lp.Subjects.CLAIM_PHOTO, {"claim_id": claim_id}, principal.actor(),
                    lp.ClaimPhotoHandOut)  # fmt: skip
    data = await take_back(await photo_bucket(request), out)
    return Response(data, media_type=out.content_type, headers={
        "Cache-Control": "private, no-store", "Content-Disposition": "inline",
    })  # fmt: skip


async def take_back(bucket: Any, out: lp.ClaimPhotoHandOut) -> bytes:
    """Read the photo the service put into the bucket, once; then delete it."""
    try:
        data: bytes = (await bucket.get(out.object_name)).data or b""
    except (NatsError, TimeoutError) as exc:
        raise DomainError("The photo could not be fetched; try again shortly.",
                          code="upstream_unavailable", kind=ErrorKind.UNAVAILABLE) from exc  # fmt: skip
    finally:
        with contextlib.suppress(NatsError, TimeoutError):
            await bucket.delete(out.object_name)
    if hashlib.sha256(data).hexdigest() != out.sha256:
        raise DomainError("The photo was damaged on the way; try again.",
                          code="upstream_unavailable", kind=ErrorKind.UNAVAILABLE)  # fmt: skip
    return data


def too_large(request: Request) -> JSONResponse:
    return problem_response(
        413, "photo_too_large", f"The photo exceeds {lp.PHOTO_MAX_BYTES} bytes.",
        request=request, max_bytes=lp.PHOTO_MAX_BYTES,
    )  # fmt: skip


class _Timed:
    """The RPC client with a longer budget for this one call."""

    def __init__(self, rpc: Any, timeout: float) -> None:
        self._rpc, self._timeout = rpc, timeout

    async def call(self, subject: str, payload: Any, **options: Any) -> Any:
        return await self._rpc.call(subject, payload, timeout=self._timeout, **options)
