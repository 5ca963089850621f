"""The schemathesis hook's label photos: two uploads in three become a real JPEG of a genuine
label, the third keeps its fuzzed bytes, and no other operation or body is touched."""

from __future__ import annotations

import io

from PIL import Image

from tests.fuzz.label_photos import OPERATION, with_label_photo


def test_two_uploads_in_three_carry_a_real_photo() -> None:
    fuzzed = {"image": b"\x00not an image"}
    bodies = [with_label_photo(*OPERATION, fuzzed, turn=t) for t in range(6)]
    assert [b is fuzzed for b in bodies] == [False, False, True, False, False, True]
    for body in bodies[:2]:
        with Image.open(io.BytesIO(body["image"])) as photo:
            assert photo.format == "JPEG" and photo.width > 100


def test_other_operations_and_bodies_without_an_image_are_left_alone() -> None:
    body = {"image": b"x"}
    assert with_label_photo("POST", "/v1/labels/decode", body, turn=0) is body
    no_image = {"file": b"x"}
    assert with_label_photo(*OPERATION, no_image, turn=0) is no_image
    assert with_label_photo(*OPERATION, None, turn=0) is None
