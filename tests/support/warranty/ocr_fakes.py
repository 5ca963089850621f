"""Readers for the OCR child process in tests (`OcrProcess(factory="...:ScriptedReader")`): what a
photo's bytes say is what the child does, so a test can make it hang or die mid-photo."""

from __future__ import annotations

import os
import signal
import time
from typing import NamedTuple


class Line(NamedTuple):
    text: str
    confidence: float


class ScriptedReader:
    """b"hang": never answers; b"die": the child is killed mid-photo (as a native crash would);
    b"fail": the engine raises; anything else: one line naming the child's pid, one echoing."""

    def warm_up(self) -> None:
        time.sleep(float(os.environ.get("OCR_FAKE_WARM_UP_S", "0")))

    def read(self, image: bytes) -> list[Line]:
        if image == b"hang":
            time.sleep(3600)
        if image == b"die":
            os.kill(os.getpid(), signal.SIGKILL)
        if image == b"fail":
            raise ValueError("cannot read this")
        return [Line(f"pid {os.getpid()}", 1.0), Line(image.decode(), 0.5)]
