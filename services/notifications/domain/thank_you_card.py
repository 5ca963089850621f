"""The thank-you card packed with a repaired or replaced item: what it says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import NotificationError


class ThankYouCardError(NotificationError):
    code = "notifications_thank_you_card_invalid"


@dataclass(frozen=True)
class ThankYouCard:
    customer_name: str
    item_name: str
    resolution: Literal["repair", "replacement"]
    claim_id: str
    parts: Sequence[str] = field(default_factory=tuple)
    replacement_name: str | None = None
    repair_summary: str | None = None
    signed_by: str = "The Concierge repair team"

    def __post_init__(self) -> None:
        if self.resolution not in ("repair", "replacement"):
            raise ThankYouCardError(f"unknown resolution {self.resolution!r}")
        if not self.item_name.strip():
            raise ThankYouCardError("the card must name the item")

    def what_we_did(self) -> str:
        if self.resolution == "repair":
            done = f"We repaired your {self.item_name}"
            if self.repair_summary:
                done += f": {self.repair_summary}"
            if self.parts:
                done += f", using new {', '.join(self.parts)}"
            return done + "."
        replacement = self.replacement_name or f"a new {self.item_name}"
        return f"We replaced your {self.item_name} with {replacement}."


def part_labels(parts: Any) -> list[str]:
    """The parts a repair used, as the card names them: `handle pair (tan)`."""
    labels = []
    for part in parts or []:
        if isinstance(part, dict):
            name = _humanise(part.get("part", "part"))
            labels.append(f"{name} ({part['colour']})" if part.get("colour") else name)
        else:
            labels.append(str(part))
    return labels


def _humanise(code: object) -> str:
    """`HANDLE-PAIR` or `handle_piping` -> `handle pair` / `handle piping`."""
    return str(code).replace("_", " ").replace("-", " ").lower()
