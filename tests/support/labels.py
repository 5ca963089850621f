"""Label codes for load generators: the story-1 handbag family (SD factory, made in ISO week 51
of 2025, style VT02). Claims on it are covered and approved at once, and broken stitching is
repaired without stocked parts, so every claim can be driven to `closed`."""

from __future__ import annotations

from services.warranty.domain.labels import encode_gen2


def story1_label(serial: int) -> str:
    """The family's code for one serial (0-99999), check character included."""
    return encode_gen2("SD", 2025, 51, "VT02", serial)
