"""`POST /v1/labels/read` on fakes: the photo route's own body cap, and the hand-off of the photo
through the object store (the RPC carries the object's name and hash, never the bytes); and
`GET /v1/claims/{id}/photo`, the hand-off back."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from nats.errors import TimeoutError as NatsTimeoutError

from services.gateway.limits import MULTIPART_MARGIN, PHOTO_ROUTE, BodyLimitMiddleware
from shared.contracts import label_photos as lp
from shared.errors import NotFound
from tests.support.gateway.harness import Harness
from tests.support.photo_bucket import FakeObjectBucket

READING = {
    "read_text": "SD-2551-VT02-00120Z",
    "confidence": 0.9,
    "candidates": ["SD-2551-VT02-00120Z"],
    "photo_id": "PH-7K3QX9M2B4C6D8F0G1H2",
}


@pytest.fixture
def photo_gateway(settings: Any) -> tuple[Harness, FakeObjectBucket, TestClient]:
    harness = Harness(settings, real_routers=True)
    bucket = FakeObjectBucket()
    harness.app.state.photo_bucket = bucket
    return harness, bucket, TestClient(harness.app, raise_server_exceptions=False)


def upload(client: TestClient, harness: Harness, photo: bytes) -> Any:
    files = {"image": ("label.jpg", photo, "image/jpeg")}
    return client.post(PHOTO_ROUTE, files=files, headers=harness.auth())


def test_only_the_photo_route_is_allowed_more_than_the_common_cap() -> None:
    limit = BodyLimitMiddleware(app=None, max_bytes=256 * 1024)  # type: ignore[arg-type]
    assert limit.cap_for("POST", PHOTO_ROUTE) == lp.PHOTO_MAX_BYTES + MULTIPART_MARGIN
    assert limit.cap_for("POST", PHOTO_ROUTE + "/") == lp.PHOTO_MAX_BYTES + MULTIPART_MARGIN
    assert limit.cap_for("POST", "/v1/labels/decode") == 256 * 1024
    assert limit.cap_for("PUT", PHOTO_ROUTE) == 256 * 1024
    assert limit.cap_for("POST", "/v1/orders") == 256 * 1024


def test_a_photo_goes_through_the_bucket_and_the_rpc_names_it(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, bucket, client = photo_gateway
    harness.rpc.handlers[lp.Subjects.READ_LABEL] = {**READING, "label": decoded_label()}
    photo = bytes(range(256)) * 4096  # 1 MB: over the common 256 kB cap, within the photo cap
    with client:
        r = upload(client, harness, photo)
    assert r.status_code == 200, r.text
    assert r.json()["label"]["code"] == "SD-2551-VT02-00120Z"
    (call,) = harness.rpc.calls
    sent = call["payload"].model_dump()
    assert set(sent) == {"object_name", "sha256"}  # the bytes never travel in the message
    assert bucket.objects[sent["object_name"]] == photo
    assert sent["sha256"] == hashlib.sha256(photo).hexdigest()
    assert call["actor"].id == "cust-1" and call["timeout"] > harness.settings.rpc_timeout_seconds


@pytest.mark.parametrize(
    ("size", "code"),
    [(9 * 1000 * 1000, "body_too_large"), (lp.PHOTO_MAX_BYTES + 1, "photo_too_large")],
)
def test_an_oversize_photo_is_413_and_nothing_is_stored(photo_gateway, size, code) -> None:  # type: ignore[no-untyped-def]
    harness, bucket, client = photo_gateway
    with client:
        r = upload(client, harness, b"\xff" * size)
    assert r.status_code == 413
    assert r.json()["code"] == code
    assert bucket.objects == {} and harness.rpc.calls == []


def test_other_routes_keep_the_common_cap(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, _bucket, client = photo_gateway
    with client:
        r = client.post("/v1/labels/decode", json={"code": "x" * 300_000}, headers=harness.auth())
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"
    assert harness.rpc.calls == []


def test_partners_may_not_upload_photos(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, bucket, client = photo_gateway
    with client:
        plain, _ = client.portal.call(  # type: ignore[union-attr]
            harness.runtime.partner_keys.create, "acme", ["warranty.claim.*"], ["webhooks.manage"]
        )
        r = client.post(PHOTO_ROUTE, files={"image": ("l.jpg", b"x", "image/jpeg")},
                        headers={"X-API-Key": plain})  # fmt: skip
    assert r.status_code == 403
    assert bucket.objects == {} and harness.rpc.calls == []


def decoded_label() -> dict[str, Any]:
    return {
        "generation": 2, "code": "SD-2551-VT02-00120Z",
        "factory": {"code": "SD", "country": "US", "name": "San Diego workshop"},
        "year": 2025, "week": 51, "manufacture_date": "2025-12-15", "style_code": "VT02",
        "product": None, "serial": "00120",
        "correction": {"applied": False, "original": "SD2551VT0200120Z",
                       "corrected": "SD2551VT0200120Z", "changes": []},
    }  # fmt: skip


class BrokenBucket(FakeObjectBucket):
    async def put(self, name: str, data: bytes) -> None:
        raise NatsTimeoutError


def test_a_bucket_that_fails_is_503_and_no_rpc_is_sent(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, _bucket, client = photo_gateway
    harness.app.state.photo_bucket = BrokenBucket()
    with client:
        r = upload(client, harness, b"\xff\xd8 a photo")
    assert r.status_code == 503 and r.json()["code"] == "upstream_unavailable"
    assert harness.rpc.calls == []


JPEG = b"\xff\xd8\xff\xe0 pixels of a label"


def hand_out(bucket: FakeObjectBucket, data: bytes, sha256: str | None = None) -> Any:
    async def answer(payload: Any, actor: Any) -> dict[str, str]:
        bucket.objects["photo-out-0123456789"] = data
        digest = sha256 or hashlib.sha256(data).hexdigest()
        return {"object_name": "photo-out-0123456789", "sha256": digest,
                "content_type": "image/jpeg"}  # fmt: skip

    return answer


def test_a_claim_photo_comes_back_through_the_bucket_and_is_deleted(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, bucket, client = photo_gateway
    harness.rpc.handlers[lp.Subjects.CLAIM_PHOTO] = hand_out(bucket, JPEG)
    with client:
        r = client.get("/v1/claims/CLM-1/photo", headers=harness.auth("agent-1", "agent"))
    assert r.status_code == 200 and r.content == JPEG
    assert r.headers["content-type"] == "image/jpeg"
    assert "no-store" in r.headers["cache-control"]
    assert bucket.objects == {} and bucket.deleted == ["photo-out-0123456789"]
    (call,) = harness.rpc.calls
    assert call["payload"] == {"claim_id": "CLM-1"} and call["actor"].id == "agent-1"


def test_a_claim_photo_of_someone_else_is_404(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, _bucket, client = photo_gateway
    harness.rpc.handlers[lp.Subjects.CLAIM_PHOTO] = NotFound("No such claim.",
                                                             code="claim_not_found")  # fmt: skip
    with client:
        r = client.get("/v1/claims/CLM-1/photo", headers=harness.auth("cust-2"))
    assert r.status_code == 404 and r.json()["code"] == "claim_not_found"
    assert harness.rpc.calls[0]["actor"].id == "cust-2"


def test_a_claim_photo_damaged_on_the_way_is_503_and_still_deleted(photo_gateway) -> None:  # type: ignore[no-untyped-def]
    harness, bucket, client = photo_gateway
    harness.rpc.handlers[lp.Subjects.CLAIM_PHOTO] = hand_out(bucket, JPEG, sha256="0" * 64)
    with client:
        r = client.get("/v1/claims/CLM-1/photo", headers=harness.auth())
    assert r.status_code == 503 and r.json()["code"] == "upstream_unavailable"
    assert bucket.objects == {}
