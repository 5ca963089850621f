"""Label photos: refuse what is not a small-enough image, and strip every piece of metadata.

Pillow reads the header lazily, so the pixel count is checked before any pixel is decoded; its
own decompression-bomb guard (MAX_IMAGE_PIXELS) is set to the same limit as a second line.
The stored copy is re-encoded from pixels only: no EXIF (GPS, camera serial), XMP, ICC or text
chunks survive.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import DomainError, ErrorKind

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 32  # pixels: below this no label code could be legible
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Pillow's own guard, at our limit (its default is ~89 MP): a warning above, an error at twice.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoRefused(DomainError):
    code = "photo_invalid"
    kind = ErrorKind.INVALID


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # re-encoded, metadata-free
    content_type: str
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise PhotoRefused("The photo is larger than 8 MB.", code="photo_too_large",
                           details={"max_bytes": MAX_BYTES})  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused("The image expands beyond the allowed size.",
                           code="photo_too_large", details={"max_pixels": MAX_PIXELS}) from exc  # fmt: skip
    except (UnidentifiedImageError, OSError) as exc:
        raise PhotoRefused("The file is not a JPEG, PNG or WebP image.",
                           code="photo_not_an_image") from exc  # fmt: skip
    if image.width * image.height > MAX_PIXELS:
        raise PhotoRefused("The photo has more than 40 megapixels.", code="photo_too_large",
                           details={"max_pixels": MAX_PIXELS})  # fmt: skip
    if min(image.width, image.height) < MIN_SIDE:
        raise PhotoRefused(f"The photo is smaller than {MIN_SIDE} pixels on a side.",
                           code="photo_too_small", details={"min_side": MIN_SIDE})  # fmt: skip
    return image


def clean_photo(data: bytes) -> CleanPhoto:
    """Validate and decode the photo; return a metadata-free copy (upright, as it was shot)."""
    image = _open(data)
    fmt = image.format or "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused("The image expands beyond the allowed size.",
                           code="photo_too_large") from exc  # fmt: skip
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt pixel data
        raise PhotoRefused("The image data is damaged.", code="photo_not_an_image") from exc
    pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())  # no info, no exif
    if fmt == "JPEG" and pixels.mode not in ("RGB", "L"):
        pixels = pixels.convert("RGB")
    out = io.BytesIO()
    pixels.save(out, fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return CleanPhoto(out.getvalue(), FORMATS[fmt], pixels.width, pixels.height)
