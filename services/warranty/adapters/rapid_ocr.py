"""The `LabelReader` on RapidOCR (ONNX Runtime): its detection and recognition models ship inside
the `rapidocr-onnxruntime` wheel, so nothing is downloaded at run time."""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np
from PIL import Image

from services.warranty.domain.label_reading import TextLine


class RapidOcrReader:
    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()  # one engine per process, built on first use

    def _get_engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR  # heavy import: only when needed

                self._engine = RapidOCR()
            return self._engine

    def warm_up(self) -> None:
        """Load both models and run them once on a blank image (ONNX Runtime builds its
        sessions lazily: the first real photo would pay for it)."""
        self._get_engine()(np.full((48, 160, 3), 255, dtype=np.uint8))

    def read(self, image: bytes) -> list[TextLine]:
        pixels = np.array(Image.open(io.BytesIO(image)).convert("RGB"))
        result, _elapsed = self._get_engine()(pixels)
        # Each result: [box, text, score]; top-to-bottom order keeps wrapped codes adjacent.
        ordered = sorted(
            result or [], key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0]))
        )
        return [TextLine(str(text), float(score)) for _box, text, score in ordered]
