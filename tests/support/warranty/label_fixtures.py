"""Label fixtures: a catalogue whose styles differ only by look-alikes, and photos of a label."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from services.warranty.domain.labels import encode_gen2
from services.warranty.domain.reference import Catalogue, Factory, Style


def ambiguous_catalogue() -> Catalogue:
    """Two known styles that differ only by look-alikes, both giving a valid check."""
    factory = {"SD": Factory("SD", "US", "San Diego workshop")}
    # Search a serial whose code, read with "5" in the style, is valid for both S-style and 5-style
    # variants under some look-alike check character.
    styles = {
        code: Style(code, code, "handbag", "black", "4202.21", "US") for code in ("AS11", "A511")
    }
    return Catalogue(factories=factory, styles=styles)


CODE = encode_gen2("SD", 2025, 51, "VT02", 120)


def label_photo(text: str = CODE, *, fmt: str = "JPEG", exif: bool = False) -> bytes:
    image = Image.new("RGB", (640, 200), (235, 225, 205))
    ImageDraw.Draw(image).text((30, 70), text, fill=(30, 30, 30),
                               font=ImageFont.load_default(size=40))  # fmt: skip
    image = image.rotate(8, expand=True, fillcolor=(235, 225, 205))
    out = io.BytesIO()
    extra = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS IFD
        extra["exif"] = tags.tobytes()
    image.save(out, fmt, quality=60, **extra) if fmt == "JPEG" else image.save(out, fmt, **extra)
    return out.getvalue()
