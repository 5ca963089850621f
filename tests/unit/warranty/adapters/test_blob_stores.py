"""The `BlobStore` port, one contract for both adapters: the local folder, and an S3-compatible
bucket served by moto's server over real HTTP (as MinIO or AWS would be reached). Also: the
settings that choose the store (tests/integration/warranty/test_photo_store_start.py: an
unusable bucket stops the service at start)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.warranty.adapters.blob_store import (
    BlobStoreUnavailable,
    LocalFolderBlobStore,
    S3BlobStore,
)
from services.warranty.app import blob_store_from
from services.warranty.settings import Settings
from tests.support.warranty.s3 import TEST_CREDENTIALS, create_bucket, moto_s3

BUCKET = "concierge-photos"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TEST_CREDENTIALS.items():
        monkeypatch.setenv(name, value)


s3_bucket = create_bucket


@pytest.fixture(params=["local", "s3"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[LocalFolderBlobStore | S3BlobStore]:
    if request.param == "local":
        yield LocalFolderBlobStore(tmp_path / "blobs")
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    request.getfixturevalue("s3_credentials")
    name = f"photos-{tmp_path.name.lower().replace('_', '-')}"[:63]
    s3_bucket(endpoint, name)
    yield S3BlobStore(name, endpoint_url=endpoint, region="us-east-1", prefix="evidence/")


async def test_a_store_keeps_returns_and_deletes_photos(store: Any) -> None:
    await store.check()
    jpeg = b"\xff\xd8\xff" + bytes(range(256)) * 40
    await store.put("PH-1.jpeg", jpeg, "image/jpeg")
    assert await store.get("PH-1.jpeg") == jpeg
    assert await store.get("PH-2.jpeg") is None
    await store.delete("PH-1.jpeg")
    assert await store.get("PH-1.jpeg") is None
    await store.delete("PH-1.jpeg")  # deleting what is gone is not an error


@pytest.mark.parametrize("key", ["../escape", "a/b", ".hidden", "", "x" * 200])
async def test_a_store_refuses_keys_that_are_not_flat_names(store: Any, key: str) -> None:
    with pytest.raises(ValueError):
        await store.put(key, b"x", "image/jpeg")


async def test_the_s3_store_writes_under_its_prefix(s3_endpoint: str, s3_credentials) -> None:  # type: ignore[no-untyped-def]
    import boto3

    s3_bucket(s3_endpoint, "prefixed")
    store = S3BlobStore("prefixed", endpoint_url=s3_endpoint, prefix="evidence/")
    await store.put("PH-9.png", b"png", "image/png")
    raw = boto3.client("s3", endpoint_url=s3_endpoint)
    found = raw.get_object(Bucket="prefixed", Key="evidence/PH-9.png")
    assert found["Body"].read() == b"png" and found["ContentType"] == "image/png"


async def test_a_missing_bucket_is_a_clear_error(s3_endpoint: str, s3_credentials) -> None:  # type: ignore[no-untyped-def]
    store = S3BlobStore("no-such-bucket", endpoint_url=s3_endpoint)
    with pytest.raises(BlobStoreUnavailable) as caught:
        await store.check()
    assert caught.value.code == "blob_store_unavailable" and "no-such-bucket" in str(caught.value)


def test_the_settings_choose_the_store(tmp_path: Path, s3_credentials) -> None:  # type: ignore[no-untyped-def]
    local = blob_store_from(Settings(photo_dir=tmp_path))
    assert isinstance(local, LocalFolderBlobStore) and local.root == tmp_path
    s3 = blob_store_from(Settings(blob_store="s3", blob_bucket=BUCKET,
                                  blob_endpoint_url="http://127.0.0.1:9000"))  # fmt: skip
    assert isinstance(s3, S3BlobStore) and s3.bucket == BUCKET


@pytest.mark.parametrize(
    ("env", "message"),
    [({"WARRANTY_BLOB_STORE": "s3"}, "needs WARRANTY_BLOB_BUCKET"),
     ({"WARRANTY_BLOB_STORE": "azure"}, "blob_store"),
     ({"WARRANTY_BLOB_STORE": "s3", "WARRANTY_BLOB_BUCKET": "Bad_Bucket"}, "blob_bucket"),
     ({"WARRANTY_BLOB_ENDPOINT_URL": "minio:9000"}, "blob_endpoint_url")],
)  # fmt: skip
def test_a_bad_store_configuration_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert message in str(caught.value)


def test_a_production_service_on_the_local_folder_is_warned(tmp_path: Path) -> None:
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        blob_store_from(Settings(photo_dir=tmp_path, env="production"))
        blob_store_from(Settings(photo_dir=tmp_path))
    assert [e["event"] for e in logs] == ["photos.local_store_in_production"]


async def test_the_services_own_keys_sign_the_requests(
    s3_endpoint: str, s3_credentials: None
) -> None:
    """Deployments set WARRANTY_BLOB_ACCESS_KEY_ID / _SECRET_ACCESS_KEY (one prefix per
    process): those sign the requests, whatever AWS_* variables the environment holds."""
    s3_bucket(s3_endpoint, "keyed-photos")
    store = blob_store_from(Settings(
        blob_store="s3", blob_bucket="keyed-photos", blob_endpoint_url=s3_endpoint,
        blob_region="us-east-1", blob_access_key_id="concierge", blob_secret_access_key="k" * 40,
    ))  # fmt: skip
    assert isinstance(store, S3BlobStore)
    signing = store._client._request_signer._credentials.get_frozen_credentials()
    assert (signing.access_key, signing.secret_key) == ("concierge", "k" * 40)
    await store.check()
    await store.put("PH-2.jpeg", b"\xff\xd8\xff", "image/jpeg")
    assert await store.get("PH-2.jpeg") == b"\xff\xd8\xff"


def test_one_key_without_the_other_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARRANTY_BLOB_ACCESS_KEY_ID", "concierge")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "go together" in str(caught.value)
