"""Reading a label from a photo through the real gateway, NATS (the photo travels in the object
store bucket, the RPC carries its name and hash) and the warranty service with the real OCR
engine. Photos come from the generated set; OCR costs about a second and a half each, so only
two photos are read."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.js.errors import NotFoundError
from PIL import Image

from services.gateway.app import create_app
from services.gateway.auth import mint_token
from services.warranty.app import build
from services.warranty.settings import Settings
from shared.contracts.label_photos import PHOTO_BUCKET, PHOTO_TTL_S
from tests.support.gateway.harness import make_settings
from tests.support.warranty.photo_set import generate


@pytest.fixture
async def stack(
    nats_server: Any, nats_client: Any, sqlite_url: str, tmp_path: Path
) -> AsyncIterator[Any]:
    photos = tmp_path / "photos"
    rt = build(Settings(nats_url=nats_server.url, database_url=sqlite_url, photo_dir=photos,
                        relay_sweep_interval=0.1, batch_sweep_interval_s=3600))  # fmt: skip
    await rt.app.start()
    settings = make_settings(nats_url=nats_server.url, rpc_timeout_seconds=20)
    app = create_app(settings, nc=nats_client)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
                headers = {
                    "Authorization": f"Bearer {mint_token(settings, 'cust-1', 'customer', 600)}"
                }  # type: ignore[arg-type]
                yield http, headers, photos, nats_client.jetstream()
    finally:
        rt.photos.close()
        await rt.app.stop()


async def upload(http: httpx.AsyncClient, headers: dict[str, str], photo: bytes) -> Any:
    files = {"image": ("label.jpg", photo, "image/jpeg")}
    return await http.post("/v1/labels/read", files=files, headers=headers, timeout=60)


async def objects_left(js: Any) -> list[str]:
    try:
        bucket = await js.object_store(PHOTO_BUCKET)
        return [info.name for info in await bucket.list(ignore_deletes=True)]
    except NotFoundError:  # no bucket yet, or no object in it
        return []


def blank_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 200), (240, 236, 228)).save(out, "PNG")
    return out.getvalue()


async def test_a_readable_photo_decodes_to_its_label(stack: Any) -> None:
    http, headers, photos, js = stack
    sample = generate(1)[0]  # an easy photo of the generated set
    answer = await upload(http, headers, sample.photo)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["label"]["code"] == sample.code
    assert body["label"]["factory"]["code"] == sample.code[:2]
    assert 0 < body["confidence"] <= 1 and body["read_text"] in body["candidates"]
    decoded = await http.post("/v1/labels/decode", json={"code": sample.code}, headers=headers)
    assert body["label"] == decoded.json()  # the same shape and content as a typed code
    assert len(list(photos.iterdir())) == 1  # the metadata-free copy, kept for a claim
    assert body["photo_id"].startswith("PH-")
    assert await objects_left(js) == []  # the hand-off object is deleted once read
    status = await (await js.object_store(PHOTO_BUCKET)).status()
    assert status.ttl == PHOTO_TTL_S  # what nobody reads expires


async def test_bad_photos_get_stable_refusals_and_change_nothing(stack: Any) -> None:
    http, headers, photos, js = stack
    blank = await upload(http, headers, blank_photo())
    assert blank.status_code == 422 and blank.json()["code"] == "label_unreadable"
    not_image = await upload(http, headers, b"%PDF-1.7 this is no photo")
    assert not_image.status_code == 422 and not_image.json()["code"] == "photo_not_an_image"
    oversize = await upload(http, headers, b"\xff" * 9_000_000)
    assert oversize.status_code == 413 and oversize.json()["code"] == "body_too_large"
    assert not photos.exists() or list(photos.iterdir()) == []
    assert await objects_left(js) == []


async def test_a_claim_opened_from_a_photo_shows_it_to_its_owner_and_agents(stack: Any) -> None:
    http, headers, _photos, js = stack
    sample = generate(1)[0]
    with_gps = add_gps(sample.photo)
    reading = (await upload(http, headers, with_gps)).json()
    body = {"region": "UK", "components": ["handles"], "label_code": reading["label"]["code"],
            "photo_id": reading["photo_id"]}  # fmt: skip
    opened = await http.post("/v1/claims", json=body, headers=headers | {"Idempotency-Key": "k1"})
    assert opened.status_code == 201, opened.text
    claim = opened.json()
    assert claim["evidence_photo"] == {
        "photo_id": reading["photo_id"], "path": f"/v1/claims/{claim['id']}/photo"}  # fmt: skip
    settings = make_settings()
    for subject, role in (("cust-1", "customer"), ("agent-1", "agent")):
        token = mint_token(settings, subject, role, 600)  # type: ignore[arg-type]
        got = await http.get(claim["evidence_photo"]["path"],
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(got.content))
        assert image.size == Image.open(io.BytesIO(sample.photo)).size and not image.getexif()
    stranger = mint_token(settings, "cust-2", "customer", 600)  # type: ignore[arg-type]
    other = await http.get(claim["evidence_photo"]["path"],
                           headers={"Authorization": f"Bearer {stranger}"})  # fmt: skip
    assert other.status_code == 404 and other.json()["code"] == "claim_not_found"
    cancel = await http.post(f"/v1/claims/{claim['id']}/cancel",
                             headers=headers | {"Idempotency-Key": "k2"})  # fmt: skip
    assert cancel.status_code == 200, cancel.text
    reuse = await http.post("/v1/claims", json=body, headers=headers | {"Idempotency-Key": "k3"})
    assert reuse.status_code == 409 and reuse.json()["code"] == "photo_already_attached"
    assert await objects_left(js) == []  # every hand-off object, both ways, is gone


def add_gps(photo: bytes) -> bytes:
    """The photo as a phone sends it: with the camera's make and the GPS position in EXIF."""
    tags = Image.Exif()
    tags[0x010F] = "PhoneMaker"
    tags[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    out = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(out, "JPEG", quality=90, exif=tags.tobytes())
    return out.getvalue()
