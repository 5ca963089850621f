"""Story 1 from a photo, through the public HTTP API only (issue 16 acceptance).

The customer photographs the label instead of reading the tiny code over the phone: the photo
(one of the generated label photos, carrying the phone's GPS position in EXIF) is read by
`POST /v1/labels/read`, the decoded code checks coverage, the claim is opened with the photo as
its evidence, and the RMA is issued. An agent then fetches the evidence photo (metadata gone);
another customer cannot. The stack starts with the OCR warm-up on, as in production: the stack
is ready only once the model is loaded.
"""

from __future__ import annotations

import io
import random
import uuid

import psutil
import pytest
from PIL import Image

from tests.support.warranty.photo_set import render

pytestmark = pytest.mark.e2e

STACK_ENV = {"WARRANTY_OCR_WARMUP": "true"}
STORY_CODE = "SD-2551-VT02-00120Z"  # story 1's handbag


def phone_photo() -> bytes:
    """A moderately hard generated photo of the story's label, as a phone sends it (EXIF with
    the camera's make and a GPS position)."""
    photo = Image.open(io.BytesIO(render(STORY_CODE, "moderate", random.Random(2))))
    tags = Image.Exif()
    tags[0x010F] = "PhoneMaker"
    tags[0x8825] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90, exif=tags.tobytes())
    return out.getvalue()


def test_handbag_without_receipt_from_a_photo(running_stack):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    me = running_stack.client(customer)
    agent = running_stack.client("agent-photo", role="agent")
    assert "label.ocr_warmed" in running_stack.log("warranty")  # loaded before "ready"
    photo = phone_photo()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the GPS position is there

    r = me.post("/v1/labels/read", files={"image": ("label.jpg", photo, "image/jpeg")},
                timeout=60)  # fmt: skip
    assert r.status_code == 200, r.text
    reading = r.json()
    label = reading["label"]
    assert label["code"] == STORY_CODE and label["manufacture_date"] == "2025-12-15"
    assert reading["photo_id"].startswith("PH-")

    r = me.post("/v1/warranty/check", json={"region": "UK", "label_code": label["code"]})
    assert r.status_code == 200 and r.json()["covered"], r.text

    r = me.post("/v1/claims", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "region": "UK", "label_code": label["code"], "components": ["handles", "piping"],
        "description": "The piping on both handles broke.", "photo_id": reading["photo_id"]})  # fmt: skip
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["status"] == "awaiting_item" and claim["rma"]["number"].startswith("RMA-")
    assert claim["evidence_photo"]["photo_id"] == reading["photo_id"]
    r = me.get(f"/v1/claims/{claim['id']}/rma.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")

    seen = agent.get(claim["evidence_photo"]["path"])
    assert seen.status_code == 200 and seen.headers["content-type"] == "image/jpeg"
    kept = Image.open(io.BytesIO(seen.content))
    assert kept.size == Image.open(io.BytesIO(photo)).size
    assert not kept.getexif() and b"PhoneMaker" not in seen.content  # metadata stripped
    assert agent.get(f"/v1/claims/{claim['id']}").json()["evidence_photo"] == claim[
        "evidence_photo"]  # fmt: skip

    stranger = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    r = stranger.get(claim["evidence_photo"]["path"])
    assert r.status_code == 404


def ocr_child(running_stack) -> psutil.Process:  # type: ignore[no-untyped-def]
    [warranty] = [c for c in running_stack.stack.children if c.spec.name == "warranty"]
    [child] = [p for p in psutil.Process(warranty.pid).children()
               if "ocr_child" in " ".join(p.cmdline())]  # fmt: skip
    return child


def test_a_killed_ocr_process_is_replaced_and_the_photo_still_read(running_stack):
    """The OCR engine runs in a child process of warranty; killing it (as the kernel's OOM
    killer would) costs no more than a fresh child for the next photo."""
    me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    old = ocr_child(running_stack)
    warranty = psutil.Process(old.ppid())
    old.kill()
    old.wait(5)
    r = me.post("/v1/labels/read", files={"image": ("label.jpg", phone_photo(), "image/jpeg")},
                timeout=60)  # fmt: skip
    assert r.status_code == 200 and r.json()["label"]["code"] == STORY_CODE, r.text
    new = ocr_child(running_stack)
    assert new.pid != old.pid and warranty.is_running()
    assert running_stack.client("agent-x", role="agent").get("/readyz").status_code == 200
