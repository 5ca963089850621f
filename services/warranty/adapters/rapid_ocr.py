"""The `LabelReader` on RapidOCR (ONNX Runtime): its detection and recognition models ship inside
the `rapidocr-onnxruntime` wheel, so nothing is downloaded at run time.

CPU per photo (docs/label-photos.md, "Accuracy"; `python -m bench.photo_ocr`): the package's
defaults cost about 1.4 s of CPU per label photo, almost all of it in detection, because
`det_limit_type: min` / `det_limit_side_len: 736` *enlarges* every photo until its shorter side is
736 px (a 470x150 label becomes about 2300x736), and ONNX Runtime's default thread pool spins on
every core. This reader:
- detects on the photo scaled down to at most `DETECT_SIDE` on its longest side, never enlarged.
  rapidocr-onnxruntime 1.4.4 has no setting for that (with `det_limit_type: max` it ignores
  `det_limit_side_len` and picks 960/1500/2000 from the photo's size), so the detector's
  preprocessing is replaced after the engine is built. The boxes come back in the photo's
  coordinates and recognition reads them from the photo itself (bounded at 2000 px, the package's
  `max_side_len`), so small text in a large photo keeps its pixels;
- runs each ONNX session on one thread: the service reads photos in a bounded pool of its own, so
  parallelism comes from there.
The service does not build it in its own process: it runs in the OCR child (ocr_process.py).
The angle classifier (0/180 degrees, for upside-down photos) stays on: it costs about 2 ms.
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

if TYPE_CHECKING:  # the OCR child reads lines (`read_lines`) without the warranty domain
    from services.warranty.domain.label_reading import TextLine

DETECT_SIDE = 1280  # px: the longest side detection works on (larger photos are scaled down)


class RapidOcrReader:
    def __init__(self, *, detect_side: int = DETECT_SIDE, threads: int = 1) -> None:
        self._options: dict[str, Any] = {
            "det_limit_type": "max",
            "intra_op_num_threads": threads,
            "inter_op_num_threads": 1,
        }
        self._detect_side = detect_side
        self._engine: Any = None
        self._lock = threading.Lock()  # one engine per process, built on first use

    def _get_engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR  # heavy import: only when needed
                from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

                engine = RapidOCR(**self._options)
                det = engine.text_det  # see the module docstring: a bounded side, never enlarged
                det.get_preprocess = lambda _longest: DetPreProcess(
                    self._detect_side, "max", det.mean, det.std
                )
                self._engine = engine
            return self._engine

    def warm_up(self) -> None:
        """Load both models and run them once on a blank image (ONNX Runtime builds its
        sessions lazily: the first real photo would pay for it)."""
        self._get_engine()(np.full((48, 160, 3), 255, dtype=np.uint8))

    def read(self, image: bytes) -> list[TextLine]:
        from services.warranty.domain.label_reading import TextLine

        return [TextLine(text, score) for text, score in self.read_lines(image)]

    def read_lines(self, image: bytes) -> list[tuple[str, float]]:
        """(text, confidence) per line, top to bottom."""
        pixels = np.array(Image.open(io.BytesIO(image)).convert("RGB"))
        result, _elapsed = self._get_engine()(pixels)
        # Each result: [box, text, score]; top-to-bottom order keeps wrapped codes adjacent.
        ordered = sorted(
            result or [], key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0]))
        )
        return [(str(text), float(score)) for _box, text, score in ordered]
