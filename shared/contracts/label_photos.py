"""Public contracts of reading a label from a photo: the photo hand-off and `rpc.warranty.read_label`.

A photo (up to 8 MB) is larger than a NATS message (1 MB by default), so it does not travel in
the request: the gateway puts the bytes into the JetStream object store bucket `PHOTO_BUCKET` and
sends only the object's name and its SHA-256. The warranty service reads the object, checks the
hash, reads the label, and deletes the object; an object nobody reads expires after
`PHOTO_TTL_S`. The bucket is declared once, by `shared.messaging.photo_bucket`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.warranty.claims import PHOTO_ID_PATTERN
from shared.contracts.warranty.labels import DecodedLabel

PHOTO_BUCKET = "LABEL_PHOTOS"
PHOTO_TTL_S = 600.0  # long enough for a slow reading, short enough that photos never pile up
PHOTO_MAX_BYTES = 8 * 1024 * 1024  # the photo guard's limit (services/warranty/adapters/photos.py)
PHOTO_BUCKET_MAX_BYTES = 64 * PHOTO_MAX_BYTES  # a burst of uploads cannot fill the disk
PHOTO_MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp")
SHA256_PATTERN = r"^[0-9a-f]{64}$"
OBJECT_NAME_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class Subjects:
    READ_LABEL = "rpc.warranty.read_label"
    CLAIM_PHOTO = "rpc.warranty.claim_photo"


class ReadLabelRequest(BaseModel):
    """Where the photo waits in the object store, and the hash its bytes must have."""

    model_config = ConfigDict(extra="forbid")
    object_name: str = Field(
        pattern=OBJECT_NAME_PATTERN, description="Name of the photo object in `LABEL_PHOTOS`."
    )
    sha256: str = Field(
        pattern=SHA256_PATTERN, description="Lower-case hex SHA-256 of the photo bytes as uploaded."
    )


class LabelPhotoReading(BaseModel):
    """The label code read from a photo; open a claim with `label.code` as with a typed code."""

    read_text: str = Field(
        description="The text the OCR engine read that decoded (before look-alike repairs).",
        examples=["SD-2551-VTO2-0O12OZ"],
    )
    confidence: float = Field(
        ge=0,
        le=1,
        description="The OCR engine's confidence in that text (0 to 1).",
        examples=[0.93],
    )
    candidates: list[str] = Field(
        description="Every text tried: each line read, and each pair of neighbouring lines."
    )
    label: DecodedLabel = Field(
        description="The decoded label, the same as `POST /v1/labels/decode` answers for the code."
    )
    photo_id: str = Field(
        pattern=PHOTO_ID_PATTERN, examples=["PH-7K3QX9M2B4C6D8F0G1H2"],
        description="The kept photo (metadata stripped). Give it as `photo_id` to "
        "`POST /v1/claims` to keep the photo as the claim's evidence; a photo no claim takes "
        "is deleted after a day.",
    )  # fmt: skip


class ClaimPhotoHandOut(BaseModel):
    """Reply of `rpc.warranty.claim_photo`: the claim's evidence photo waits in the object store
    bucket (too large for a message); the caller reads it once and deletes it."""

    object_name: str = Field(pattern=OBJECT_NAME_PATTERN, description="Name in `LABEL_PHOTOS`.")
    sha256: str = Field(pattern=SHA256_PATTERN, description="Hex SHA-256 of the bytes.")
    content_type: str = Field(description="Media type of the image.", examples=["image/jpeg"])
