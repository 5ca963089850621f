"""Reading a label from a photo: refuse bad files, read off the event loop, judge by the check
character, and keep the metadata-free photo only when a code was read.

OCR is CPU-bound (about 0.06 s of CPU for a label photo, 0.5 s for a 12-megapixel one; see
docs/label-photos.md): it runs in a pool of its own with a bounded number of workers (in the
service they hand each photo to the OCR child process, adapters/ocr_process.py, and wait), and a
bounded queue in front (a burst of photos gets `label_reader_busy`, 503, rather than a growing
backlog that stalls every later request).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import structlog

from services.warranty.domain.evidence import EvidencePhoto, new_photo_id
from services.warranty.domain.label_reading import LabelReader, LabelReading, judge
from services.warranty.domain.ports import BlobStore, CleanedPhoto, PhotoCleaner, PhotoInbox
from services.warranty.domain.reference import Catalogue
from shared.clock import Clock, SystemClock
from shared.errors import DomainError, ErrorKind

from .unit_of_work import UnitOfWork

log = structlog.get_logger()


class ReaderBusy(DomainError):
    code = "label_reader_busy"
    kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class PhotoReading:
    reading: LabelReading
    photo_id: str  # the kept, metadata-free copy (evidence of the claim opened with it)


@dataclass
class LabelPhotos:
    reader: LabelReader
    blobs: BlobStore
    catalogue: Catalogue
    clean: PhotoCleaner  # refuses bad files; strips metadata by re-encoding the pixels
    uow: UnitOfWork  # records each kept photo and who sent it
    workers: int = 2
    max_waiting: int = 8
    clock: Clock = field(default_factory=SystemClock)
    inbox: PhotoInbox | None = None  # where the gateway hands over photos too large for a message
    warmed: bool = False  # the OCR model is loaded (or warming up gave up): photos read fast
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

    async def read(self, photo: bytes, uploaded_by: str | None = None) -> PhotoReading:
        """Read the label; keep the clean photo only when a code was read (`uploaded_by`: the
        customer who sent it, None for an agent)."""
        slots = self._admit()
        async with slots:
            loop = asyncio.get_running_loop()
            clean = await loop.run_in_executor(self._pool, self.clean, photo)  # refusals first
            lines = await loop.run_in_executor(self._pool, self.reader.read, clean.data)
        reading = judge(lines, today=self.clock.now().date(), catalogue=self.catalogue)
        photo_id = await self._keep(clean, reading.label.code, uploaded_by)
        log.info("label.photo_read", code=reading.label.code, photo_id=photo_id)
        return PhotoReading(reading, photo_id)

    async def _keep(self, clean: CleanedPhoto, code: str, uploaded_by: str | None) -> str:
        """The blob first, then its row: a row never names a missing blob."""
        photo_id = new_photo_id()
        key = f"{photo_id}.{clean.content_type.split('/')[1]}"
        await self.blobs.put(key, clean.data, clean.content_type)
        photo = EvidencePhoto(photo_id, key, clean.content_type, code, uploaded_by,
                              self.clock.now())  # fmt: skip
        try:
            async with self.uow() as work:
                await work.photos.add(photo)
        except Exception:
            await self.blobs.delete(key)  # nothing is kept that no row names
            raise
        return photo_id

    async def read_handed_over(
        self, name: str, sha256: str, uploaded_by: str | None = None
    ) -> PhotoReading:
        """Read the photo the gateway put into the inbox under `name` (taken once, then gone)."""
        if self.inbox is None:
            raise ReaderBusy("Photo hand-over is not configured.", code="label_reader_unavailable")
        return await self.read(await self.inbox.take(name, sha256), uploaded_by)

    async def warm_up(self, timeout: float) -> None:
        """Load the OCR model in the reader's pool (off the event loop). Bounded: after `timeout`
        the service stops waiting (the model goes on loading; the first photo waits for it)."""
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(self._pool, self.reader.warm_up), timeout)
            log.info("label.ocr_warmed", seconds=round(time.monotonic() - started, 2))
        except TimeoutError:
            log.warning("label.ocr_warm_up_slow", waited_s=timeout)
        except Exception as exc:  # a broken model: photos will fail with the reason, not start-up
            log.error("label.ocr_warm_up_failed", error=str(exc), error_type=type(exc).__name__)
        finally:
            self.warmed = True

    def close(self) -> None:
        """Stop reading (at shutdown): the pool, and the reader's own resources (its child
        process) if it has any."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        close = getattr(self.reader, "close", None)
        if close is not None:
            close()
