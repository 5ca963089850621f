"""The OCR model is loaded when the warranty service starts, off the event loop (in the OCR child
process): /readyz says not ready (`ocr: false`) until it is loaded, while /healthz and the
service's RPCs answer; the child ends with the service."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from services.warranty.app import build
from services.warranty.settings import Settings
from shared.runtime.nats_server import free_port
from tests.support.waiting import eventually


class SlowToLoad:
    """An engine whose model loads when the test lets it (and records where it loaded)."""

    def __init__(self) -> None:
        self.gate, self.loaded_in = threading.Event(), ""

    def warm_up(self) -> None:
        self.gate.wait(30)
        self.loaded_in = threading.current_thread().name

    def read(self, image: bytes) -> list[Any]:
        return []


async def test_readyz_waits_for_the_ocr_model(nats_server: Any, sqlite_url: str, tmp_path: Path):
    port = free_port()
    rt = build(Settings(nats_url=nats_server.url, database_url=sqlite_url, health_port=port,
                        photo_dir=tmp_path / "photos", ocr_warmup=True))  # fmt: skip
    engine = SlowToLoad()
    rt.photos.reader = engine
    await rt.app.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            early = await http.get("/readyz")
            assert early.status_code == 503
            assert early.json()["checks"]["ocr"] is False and early.json()["checks"]["started"]
            started = time.monotonic()
            assert (await http.get("/healthz")).status_code == 200
            assert time.monotonic() - started < 0.5  # the loop is free while the model loads
            assert (await http.get("/readyz")).status_code == 503
            engine.gate.set()

            async def ready() -> bool:
                return (await http.get("/readyz")).status_code == 200

            await eventually(ready, timeout=15)
        assert engine.loaded_in.startswith("ocr")  # in the reader's pool, not on the loop
    finally:
        rt.photos.close()
        await rt.app.stop()


async def test_without_warm_up_readyz_does_not_wait_for_the_model(
    nats_server: Any, sqlite_url: str, tmp_path: Path
) -> None:
    port = free_port()
    rt = build(Settings(nats_url=nats_server.url, database_url=sqlite_url, health_port=port,
                        photo_dir=tmp_path / "photos", ocr_warmup=False))  # fmt: skip
    engine = rt.photos.reader = SlowToLoad()
    await rt.app.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            reply = await http.get("/readyz")
            assert reply.status_code == 200 and "ocr" not in reply.json()["checks"]
    finally:
        engine.gate.set()
        rt.photos.close()
        await rt.app.stop()


async def test_the_model_loads_in_a_child_process_the_service_ends_at_shutdown(
    nats_server: Any, sqlite_url: str, tmp_path: Path
) -> None:
    """The real engine, warmed at start in the OCR child: warranty itself stays without it, and
    stopping the service leaves no OCR process behind."""
    port = free_port()
    rt = build(Settings(nats_url=nats_server.url, database_url=sqlite_url, health_port=port,
                        photo_dir=tmp_path / "photos", ocr_warmup=True))  # fmt: skip
    await rt.app.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

            async def ready() -> bool:
                return (await http.get("/readyz")).status_code == 200

            await eventually(ready, timeout=60)
        pid = rt.photos.reader.pid
        child = psutil.Process(pid)
        assert child.ppid() == os.getpid() and "ocr_child" in " ".join(child.cmdline())
        assert child.memory_info().rss > 80 * 2**20  # the engine is there, not in this process
    finally:
        await rt.app.stop()
    with pytest.raises(psutil.NoSuchProcess):  # ended and reaped, not left behind
        child.wait(5)
        psutil.Process(pid).status()
