"""The state store's protocol: what the crawl needs of any backend (SQLite, Redis)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: The start of every key newsbot keeps in a Redis (its store, distributed crawling's queues).
REDIS_PREFIX = "newsbot:"


@dataclass(frozen=True)
class Match:
    """An earlier record whose text is a near-duplicate."""

    id: str
    url: str
    similarity: float


class StateStore(Protocol):
    """Known article URLs (written or aliased), their text fingerprints, and per-feed
    progress. Every check-and-record runs inside :meth:`transaction`, atomically."""

    path: str

    def transaction(self) -> AbstractContextManager[None]:
        """An exclusive transaction: other writers wait until it ends."""

    def known_url(self, canonical_url: str) -> str | None:
        """Id of the record written for this canonical URL, if any."""

    def known_urls(self, canonical_urls: list[str]) -> set[str]:
        """Which of these canonical URLs are known (written, or an alias of a record)."""

    def add_redirect(self, canonical_url: str, target: str) -> None:
        """Remember that ``canonical_url`` redirects to ``target`` (both canonical)."""

    def add_skipped(self, canonical_url: str, feed: str, url: str, reason: str) -> None:
        """Remember an article read and deliberately not written, with the reason."""

    def skipped_reason(self, canonical_url: str) -> str | None:
        """Why this URL was read and not written, if it was."""

    def pass_complete(self, feed: str) -> bool:
        """Whether the feed's last pass finished (its paging and every article listed)."""

    def begin_pass(self, feed: str) -> None:
        """Mark a pass of the feed as under way."""

    def end_pass(self, feed: str, complete: bool, pages: int) -> None:
        """Record how the feed's pass ended and how many list pages it read."""

    def near_duplicate(self, signature: np.ndarray) -> Match | None:
        """The most similar earlier original record, if it is a near-duplicate."""

    def add(
        self,
        record_id: str,
        canonical_url: str,
        feed: str,
        url: str,
        output: str,
        signature: np.ndarray,
        duplicate_of: str | None,
    ) -> None:
        """Record a written item (inside a transaction, after its line is flushed)."""

    def last_output(self, feed: str) -> str | None:
        """The file the feed's most recently recorded item was written to."""

    def adopted_through(self, output: str) -> tuple[int, bytes]:
        """How many bytes of ``output`` hold only recorded lines, checked, and the bytes
        they end with (to tell the same file from a replaced one); ``(0, b"")`` if none."""

    def set_adopted_through(self, output: str, size: int, ending: bytes) -> None:
        """Note that the first ``size`` bytes of ``output`` (ending with ``ending``) hold
        only recorded lines (inside the transaction that checked them)."""

    def count(self, feed: str | None = None) -> int:
        """Number of records written (for one feed, or all)."""

    def batches_lost(self) -> int:
        """How many batches of recorded items could not be committed since the store was
        opened (their lines are on disk, their records not: the next run adopts them)."""

    def close(self) -> None:
        """Release the backend."""
