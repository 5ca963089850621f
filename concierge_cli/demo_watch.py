"""What a step produced, read back through the API: new timeline entries of a claim or an order
(the events), new items in the customer's in-app inbox (the messages), and PDF checks."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from typing import Any

from concierge_cli.demo_http import Actor, DemoHttp, StepFailed, wait_until

INBOX_PAGE = 100


def oldest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inbox lists newest first; items of one event share a time, so reverse, then sort."""
    return sorted(reversed(items), key=lambda i: i["created_at"])


class Inbox:
    """The customer's in-app inbox; each item is attributed to the first step that saw it."""

    def __init__(self, http: DemoHttp, customer: Actor, timeout: float) -> None:
        self.http, self.customer, self.timeout = http, customer, timeout
        self.seen: set[str] = set()
        self.items: list[dict[str, Any]] = []  # everything attributed so far, oldest first

    def _fresh(self, key: str, value: str) -> list[dict[str, Any]]:
        page = self.http.json(
            self.customer, "GET", "/v1/me/notifications", params={"limit": INBOX_PAGE}
        )
        items = [i for i in page["items"] if i["id"] not in self.seen and i.get(key) == value]
        return oldest_first(items)

    def expect(self, kinds: list[str], *, claim_id: str = "", order_id: str = "") -> list[dict]:
        """Wait (bounded) until every kind in `kinds` has arrived for the claim or order."""
        key, value = ("claim_id", claim_id) if claim_id else ("order_id", order_id)
        # A message may have arrived with an earlier step's look (a fast carrier ships and
        # delivers between two looks): kinds already seen for this object count.
        earlier = Counter(i["kind"] for i in self.items if i.get(key) == value)
        wanted = Counter(kinds) - earlier
        if not wanted:
            return []
        ok, fresh = wait_until(
            lambda: (
                (items := self._fresh(key, value))
                and not wanted - Counter(i["kind"] for i in items)
                and items
            ),
            self.timeout,
        )
        if not ok:
            got = [i["kind"] for i in self._fresh(key, value)]
            raise StepFailed(
                f"the customer's inbox did not get {sorted(wanted)} for {value} within "
                f"{self.timeout:.0f} s (new items: {got or 'none'})",
                body={"missing": sorted((wanted - Counter(got)).elements()), "new": got},
            )
        for item in fresh:
            self.seen.add(item["id"])
            self.items.append(item)
            self.http.current.messages.append(f"{item['kind']}: {item['title']}")
        return list(fresh)


class Timeline:
    """New entries of an object's timeline endpoint since the last look."""

    def __init__(self, http: DemoHttp, actor: Actor, path: str, kind: str) -> None:
        self.http, self.actor, self.path, self.kind = http, actor, path, kind
        self.count = 0
        self.entries: list[dict[str, Any]] = []

    def _read(self) -> list[dict[str, Any]]:
        data = self.http.json(self.actor, "GET", self.path)
        entries: list[dict[str, Any]] = (
            data["entries"] if self.kind == "claim" else data["timeline"]
        )
        return entries

    def new(
        self, until: str | None = None, timeout: float = 10.0, stop: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """Entries added since last time; with `until`, wait (bounded) for that status, and fail
        at once if one of `stop` shows up instead."""
        key = "to_status" if self.kind == "claim" else "status"

        def look() -> list[dict[str, Any]] | None:
            entries = self._read()
            statuses = [e[key] for e in entries[self.count :]]
            # `until` may have arrived with an earlier step's entries (a fast carrier ships and
            # delivers between two looks): statuses never repeat, so look at all of them.
            if until is None or until in {e[key] for e in entries}:
                return entries
            if wrong := set(statuses) & set(stop):
                raise StepFailed(f"{self.kind} went to {sorted(wrong)} instead of '{until}'",
                                 body=entries[self.count :])  # fmt: skip
            return None

        # Long waits (the sandbox carrier) poll once a second, short ones four times a second.
        ok, entries = wait_until(look, timeout if until else 0, 1.0 if timeout > 30 else 0.25)
        if not ok:
            raise StepFailed(f"{self.path} did not reach '{until}' within {timeout:.0f} s",
                             body=self._read()[self.count :])  # fmt: skip
        fresh = entries[self.count :]
        self.count = len(entries)
        self.entries.extend(fresh)
        self.http.current.events.extend(self._describe(e) for e in fresh)
        return list(fresh)

    def _describe(self, entry: dict[str, Any]) -> str:
        if self.kind in ("order", "return"):
            return f"{self.kind} {entry['status']}"
        reason = entry.get("reason") or ""
        reason = reason if len(reason) <= 60 else reason[:57] + "..."
        return f"claim {entry['to_status']} ({entry['actor_type']}: {reason})"


def pdf_text(content: bytes) -> tuple[str, str]:
    """The text of a PDF, and how it was read: pypdf when installed (dev extras), otherwise the
    literal strings of its deflated content streams (enough for core-font PDFs)."""
    try:
        import io

        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(content)).pages
        return " ".join(" ".join((p.extract_text() or "").split()) for p in pages), "pypdf"
    except ImportError:
        pass
    chunks = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    strings = re.findall(rb"\((.*?)\)\s*Tj", b"\n".join(chunks), re.S)
    return " ".join(s.decode("latin-1") for s in strings), "content streams"


def check_pdf(
    content: bytes, content_type: str, must_contain: str, what: str, *, strict: bool = True
) -> str:
    """Fail unless the bytes are a whole PDF mentioning `must_contain`; not `strict`: a PDF
    with an embedded (subset) font passes without pypdf, which alone can read its text."""
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-1024:]:
        raise StepFailed(f"{what} is not a PDF", body=content[:200].decode("latin-1"))
    if "application/pdf" not in content_type:
        raise StepFailed(f"{what} served as {content_type!r}, not application/pdf")
    text, how = pdf_text(content)
    if must_contain not in text:
        if how == "pypdf" or strict:
            raise StepFailed(f"{what} does not mention {must_contain!r}", body=text[:500])
        return f"{what}: {len(content)} bytes PDF (text not checked: install pypdf to read it)"
    return f"{what}: {len(content)} bytes PDF, mentions {must_contain!r} (read with {how})"
