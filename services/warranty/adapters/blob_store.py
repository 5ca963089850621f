"""Blob stores for claim evidence (label photos), both implementing the `BlobStore` port of
domain/ports.py: a local folder (the default) and any S3-compatible bucket (production: AWS S3,
MinIO, Ceph RGW...). `blob_store_from(settings)` picks one from the warranty settings."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

from services.warranty.domain.ports import BlobStore
from shared.errors import DomainError, ErrorKind

__all__ = ["BlobStore", "BlobStoreUnavailable", "LocalFolderBlobStore", "S3BlobStore"]

KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")


class BlobStoreUnavailable(DomainError):
    code = "blob_store_unavailable"
    kind = ErrorKind.UNAVAILABLE


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a blob key: {key!r}")
    return key


class LocalFolderBlobStore:
    """One file per key; written to a temporary name and renamed, so a reader never sees half."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def _write(self, key: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        final = self._path(key)
        partial = final.with_name(f".{key}.partial")
        partial.write_bytes(data)
        os.replace(partial, final)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def check(self) -> None:
        def writable() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK):
                raise PermissionError(f"{self.root} is not writable")

        try:
            await asyncio.to_thread(writable)
        except OSError as exc:
            raise BlobStoreUnavailable(f"The photo folder cannot be used: {exc}") from exc


class S3BlobStore:
    """An S3-compatible bucket through boto3 (its blocking calls run in worker threads).

    Credentials are the `credentials` pair when given (key id, secret), else boto3's usual chain
    (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or the instance's or pod's role);
    `endpoint_url` points at a non-AWS store."""

    def __init__(
        self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
        prefix: str = "", client: Any = None, credentials: tuple[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.bucket, self.prefix = bucket, prefix
        self._client = client or _s3_client(endpoint_url, region, credentials)

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._client.put_object, Bucket=self.bucket, Key=self._key(key),
                                Body=data, ContentType=content_type)  # fmt: skip

    async def get(self, key: str) -> bytes | None:
        def read() -> bytes | None:
            try:
                found = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
            except self._client.exceptions.NoSuchKey:
                return None
            body: bytes = found["Body"].read()
            return body

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def check(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            await asyncio.to_thread(self._client.head_bucket, Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise BlobStoreUnavailable(
                f"The photo bucket {self.bucket!r} cannot be used: {exc}",
                details={"bucket": self.bucket},
            ) from exc


def _s3_client(
    endpoint_url: str | None, region: str | None, credentials: tuple[str, str] | None
) -> Any:
    import boto3  # only when the S3 store is chosen
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3})
    keys = {}
    if credentials is not None:
        keys = {"aws_access_key_id": credentials[0], "aws_secret_access_key": credentials[1]}
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config, **keys)
