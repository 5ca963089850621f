"""Reading a label from a photo: refuse bad files, read off the event loop, judge by the check
character, and keep the metadata-free photo only when a code was read.

OCR is CPU-bound and takes around a second: it runs in a pool of its own with a bounded number of
workers, and a bounded queue in front (a burst of photos gets `label_reader_busy`, 503, rather
than a growing backlog that stalls every later request).
"""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import structlog

from services.warranty.domain.label_reading import LabelReader, LabelReading, judge
from services.warranty.domain.ports import BlobStore, PhotoCleaner, PhotoInbox
from services.warranty.domain.reference import Catalogue
from shared.clock import Clock, SystemClock
from shared.errors import DomainError, ErrorKind

log = structlog.get_logger()


class ReaderBusy(DomainError):
    code = "label_reader_busy"
    kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class PhotoReading:
    reading: LabelReading
    photo_key: str  # the stored, metadata-free copy (claim evidence)


@dataclass
class LabelPhotos:
    reader: LabelReader
    blobs: BlobStore
    catalogue: Catalogue
    clean: PhotoCleaner  # refuses bad files; strips metadata by re-encoding the pixels
    workers: int = 2
    max_waiting: int = 8
    clock: Clock = field(default_factory=SystemClock)
    inbox: PhotoInbox | None = None  # where the gateway hands over photos too large for a message
    _pool: ThreadPoolExecutor = field(init=False)
    _slots: asyncio.Semaphore | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ocr")

    def _admit(self) -> asyncio.Semaphore:
        if self._slots is None:  # created on the running loop
            self._slots = asyncio.Semaphore(self.workers + self.max_waiting)
        if self._slots.locked():
            raise ReaderBusy("Too many photos are being read; try again shortly.")
        return self._slots

    async def read(self, photo: bytes) -> PhotoReading:
        slots = self._admit()
        async with slots:
            loop = asyncio.get_running_loop()
            clean = await loop.run_in_executor(self._pool, self.clean, photo)  # refusals first
            lines = await loop.run_in_executor(self._pool, self.reader.read, clean.data)
        reading = judge(lines, today=self.clock.now().date(), catalogue=self.catalogue)
        key = hashlib.sha256(clean.data).hexdigest() + "." + clean.content_type.split("/")[1]
        await self.blobs.put(key, clean.data, clean.content_type)
        log.info("label.photo_read", code=reading.label.code, photo_key=key)
        return PhotoReading(reading, key)

    async def read_handed_over(self, name: str, sha256: str) -> PhotoReading:
        """Read the photo the gateway put into the inbox under `name` (taken once, then gone)."""
        if self.inbox is None:
            raise ReaderBusy("Photo hand-over is not configured.", code="label_reader_unavailable")
        return await self.read(await self.inbox.take(name, sha256))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
