"""Reading a label code from OCR text: the check character is the judge.

An OCR engine (behind the `LabelReader` port) returns text lines with confidences. Each line, and
each pair of neighbouring lines (a code printed over two lines), is decoded exactly as a typed
code is: look-alike characters are repaired only by the label-codes rules, and a reading whose
check character fails is never accepted. Only second-generation codes are accepted from a photo:
a first-generation code has no check character, so nothing could tell a misread from a real one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from services.warranty.domain import labels
from services.warranty.domain.errors import LabelError
from services.warranty.domain.reference import Catalogue
from shared.errors import DomainError, ErrorKind


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float  # 0..1, as the engine reports it


class LabelReader(Protocol):
    """An OCR engine. Blocking and CPU-bound: callers run it in a worker pool."""

    def read(self, image: bytes) -> list[TextLine]: ...
    def warm_up(self) -> None:
        """Load the model now (blocking), so the first photo is not slow."""
        ...


@dataclass(frozen=True)
class LabelReading:
    label: labels.DecodedLabel
    raw_text: str  # what the engine read, the candidate that decoded
    confidence: float
    candidates: tuple[str, ...]  # every candidate text tried


class LabelUnreadable(DomainError):
    code = "label_unreadable"
    kind = ErrorKind.INVALID


class LabelAmbiguous(DomainError):
    code = "label_ambiguous"
    kind = ErrorKind.INVALID


def candidates(lines: list[TextLine]) -> list[TextLine]:
    """Each line, and each line joined with the next (codes wrap on narrow labels)."""
    out = list(lines)
    for first, second in itertools.pairwise(lines):
        out.append(TextLine(first.text + second.text, min(first.confidence, second.confidence)))
    return out


def _decode(
    line: TextLine, today: date, catalogue: Catalogue, near_misses: list[dict[str, object]]
) -> labels.DecodedLabel | None:
    """The code a candidate text decodes to; a well-formed code whose check fails is noted in
    `near_misses` with the characters to re-check."""
    try:
        label = labels.decode(line.text, today=today, catalogue=catalogue)
    except LabelError as exc:
        if exc.code == "label_ambiguous_correction":
            raise LabelAmbiguous(
                "The photo reads as more than one valid code.",
                details={"read": line.text, **exc.details},
            ) from exc
        if exc.code == "label_check_mismatch":
            near_misses.append({"read": line.text, "confidence": line.confidence, **exc.details})
        return None
    return label if label.generation == 2 else None


def judge(lines: list[TextLine], *, today: date, catalogue: Catalogue) -> LabelReading:
    """The one code the photo shows, or LabelUnreadable / LabelAmbiguous with what was read."""
    tried = candidates(lines)
    found: dict[str, tuple[labels.DecodedLabel, TextLine]] = {}
    near_misses: list[dict[str, object]] = []
    for line in tried:
        label = _decode(line, today, catalogue, near_misses)
        if label is not None and label.code not in found:
            found[label.code] = (label, line)
    read = [line.text for line in lines]
    if not found:
        # The likeliest near miss (a well-formed code failing its check) says what to re-check.
        best = max(near_misses, key=lambda m: m["confidence"], default=None)  # type: ignore[arg-type,return-value]
        raise LabelUnreadable(
            "No label code with a valid check character could be read; retake the photo or "
            "type the code.",
            details={"read": read} | ({"code": best["code"], "recheck": best["recheck"]}
                                      if best else {}),
        )  # fmt: skip
    if len(found) > 1:
        raise LabelAmbiguous(
            "The photo shows more than one valid code.",
            details={"read": read, "codes": sorted(found)},
        )
    label, line = next(iter(found.values()))
    return LabelReading(label, line.text, line.confidence, tuple(t.text for t in tried))
