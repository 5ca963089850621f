"""Blob stores for claim evidence (label photos). The local folder is the default; an
S3-compatible store is the production plan (not written yet). Both implement the `BlobStore`
port of domain/ports.py."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from services.warranty.domain.ports import BlobStore

__all__ = ["BlobStore", "LocalFolderBlobStore"]


class LocalFolderBlobStore:
    """One file per key; written to a temporary name and renamed, so a reader never sees half."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key or "/" in key or key.startswith("."):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key

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
        return await asyncio.to_thread(path.read_bytes) if path.exists() else None
