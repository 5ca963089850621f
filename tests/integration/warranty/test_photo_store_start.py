"""A photo store the service cannot use stops it at start, with the reason: the bucket check is
a start-up step like the database (retried until WARRANTY_STARTUP_TIMEOUT, named on /readyz)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.warranty.app import build
from services.warranty.settings import Settings
from shared.runtime.startup import DependencyUnavailable
from tests.support.warranty.s3 import TEST_CREDENTIALS, moto_s3


async def test_the_service_does_not_start_on_a_bucket_it_cannot_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in TEST_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with moto_s3() as endpoint:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
            nats_url="nats://127.0.0.1:1", blob_store="s3", blob_bucket="missing-bucket",
            blob_endpoint_url=endpoint, startup_timeout=0.5,
        )  # fmt: skip
        rt = build(settings)
        try:
            with pytest.raises(DependencyUnavailable) as caught:
                await rt.app.start()
            assert "photo store" in str(caught.value) and "missing-bucket" in str(caught.value)
        finally:
            rt.photos.close()
