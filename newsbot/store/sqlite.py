"""The SQLite state store: which canonical URLs are written, and the MinHash bands of
their texts for near-duplicate lookups. SQLite (WAL) by default; safe for several
processes at once because every check-and-record happens inside one IMMEDIATE transaction.

Records are committed in batches (newsbot.store.batch); the bands' tables and their
filter are newsbot.store.bands.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import numpy as np

from newsbot.core.dedup import DUPLICATE_THRESHOLD, band_keys, similarity
from newsbot.store.bands import MERGE_ROWS, BandIndex
from newsbot.store.batch import BATCH_ITEMS, BATCH_SECONDS, BatchedTransactions
from newsbot.store.protocol import Match

_P = ParamSpec("_P")
_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id            TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    feed          TEXT NOT NULL,
    url           TEXT NOT NULL,
    output        TEXT NOT NULL,
    duplicate_of  TEXT,
    signature     BLOB NOT NULL,
    written_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- aliases: links that redirected, written by newsbot 0.1 (read, no longer written)
CREATE TABLE IF NOT EXISTS aliases (
    canonical_url TEXT PRIMARY KEY,
    id            TEXT NOT NULL REFERENCES records(id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS redirects (
    canonical_url TEXT PRIMARY KEY,
    target        TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS skipped (
    canonical_url TEXT PRIMARY KEY,
    feed          TEXT NOT NULL,
    url           TEXT NOT NULL,
    reason        TEXT NOT NULL,
    skipped_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
-- adopted: how far each archive file is known to hold only recorded lines
CREATE TABLE IF NOT EXISTS adopted (
    output        TEXT PRIMARY KEY,
    size          INTEGER NOT NULL,
    ending        BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passes (
    feed          TEXT PRIMARY KEY,
    complete      INTEGER NOT NULL,
    pages         INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
"""


def _locked(
    method: Callable[Concatenate[SqliteStateStore, _P], _T],
) -> Callable[Concatenate[SqliteStateStore, _P], _T]:
    """Run a store method under the store's lock (see ``SqliteStateStore.__init__``)."""

    @functools.wraps(method)
    def run(store: SqliteStateStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        with store._lock:
            return method(store, *args, **kwargs)

    return run


class SqliteStateStore(BandIndex, BatchedTransactions):
    """Seen URLs and text fingerprints in one SQLite file (``:memory:`` for a one-off run)."""

    def __init__(
        self,
        path: str | Path,
        timeout: float = 60.0,
        batch_items: int = BATCH_ITEMS,
        batch_seconds: float = BATCH_SECONDS,
        merge_rows: int = MERGE_ROWS,
    ) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # One connection, usable from any thread, every use under one lock (each method
        # is @_locked). A crawl mostly runs in one thread, but not always: `scrapy shell`
        # builds the crawler's components in the main thread and crawls in a reactor
        # thread, and its user may ask the store from the console. A connection per
        # thread would not do: an in-memory store (":memory:") is private to its
        # connection. The lock is re-entrant and held for a whole transaction, so no
        # other thread's statement lands inside one.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Each item's savepoint keeps a statement journal: in memory, not a temp file (as
        # a file it was ~300 KB written per item, thrown away; docs/benchmarks.md).
        self._db.execute("PRAGMA temp_store=MEMORY")
        # The log is copied into the database every 10,000 pages (~40 MB), not SQLite's
        # 1,000: a page that batch after batch rewrites (the recent bands) is copied once
        # per checkpoint, not once per batch.
        self._db.execute("PRAGMA wal_autocheckpoint=10000")
        self._db.executescript(_SCHEMA)
        self._last_output: str | None = None
        self._init_bands(merge_rows)
        self._init_batches(batch_items, batch_seconds)

    @classmethod
    def snapshot(cls, path: str | Path) -> SqliteStateStore:
        """An in-memory copy of the store at ``path`` (an empty store if there is none),
        read without writing a byte there: no ``-wal``/``-shm`` file, no lock (a dry run).
        """
        store = cls(":memory:")
        if Path(path).exists():
            uri = Path(path).resolve().as_uri() + "?immutable=1"
            source = sqlite3.connect(uri, uri=True)
            try:
                source.backup(store._db)
            finally:
                source.close()
        return store

    @_locked
    def close(self) -> None:
        """Commit the open batch and close the database. A batch that cannot be committed
        (a full disk) is rolled back with a warning: its records' lines are on disk, and
        the next run adopts them (newsbot.store.adoption)."""
        self.commit_or_warn("the last batch")
        self._db.close()

    @_locked
    def known_url(self, canonical_url: str) -> str | None:
        """Id of the record written for this canonical URL, if any."""
        row = self._db.execute(
            "SELECT id FROM records WHERE canonical_url = ?", (canonical_url,)
        ).fetchone()
        return row[0] if row else None

    @_locked
    def known_urls(self, canonical_urls: list[str]) -> set[str]:
        """Which of these canonical URLs are known: written, skipped with a reason, or a
        redirect (chain) to a written record."""
        found: set[str] = set()
        for start in range(0, len(canonical_urls), 300):
            chunk = canonical_urls[start : start + 300]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"""WITH RECURSIVE hop(start, target, depth) AS (
                    SELECT canonical_url, target, 1 FROM redirects
                    WHERE canonical_url IN ({marks})
                    UNION ALL
                    SELECT hop.start, r.target, hop.depth + 1 FROM hop
                    JOIN redirects r ON r.canonical_url = hop.target WHERE hop.depth < 10
                )
                SELECT canonical_url FROM records WHERE canonical_url IN ({marks})
                UNION SELECT canonical_url FROM aliases WHERE canonical_url IN ({marks})
                UNION SELECT canonical_url FROM skipped WHERE canonical_url IN ({marks})
                UNION SELECT hop.start FROM hop JOIN records x ON x.canonical_url = hop.target""",
                chunk * 4,
            )
            found.update(row[0] for row in rows)
        return found

    @_locked
    def add_redirect(self, canonical_url: str, target: str) -> None:
        """Remember that ``canonical_url`` redirects to ``target`` (both canonical): once
        the target is written, the link counts as known."""
        self._urgent = True
        self._db.execute(
            "INSERT OR REPLACE INTO redirects (canonical_url, target) VALUES (?, ?)",
            (canonical_url, target),
        )

    @_locked
    def add_skipped(self, canonical_url: str, feed: str, url: str, reason: str) -> None:
        """Remember an article read and deliberately not written (a duplicate, filtered,
        too old), so later runs do not download it again."""
        self._urgent = True
        self._db.execute(
            "INSERT OR REPLACE INTO skipped (canonical_url, feed, url, reason) VALUES (?, ?, ?, ?)",
            (canonical_url, feed, url, reason),
        )

    @_locked
    def skipped_reason(self, canonical_url: str) -> str | None:
        """Why this URL was read and not written, if it was."""
        row = self._db.execute(
            "SELECT reason FROM skipped WHERE canonical_url = ?", (canonical_url,)
        ).fetchone()
        return str(row[0]) if row else None

    @_locked
    def pass_complete(self, feed: str) -> bool:
        """Whether the feed's last pass finished its paging and every article it listed
        (False when a pass was interrupted, or none is recorded)."""
        row = self._db.execute("SELECT complete FROM passes WHERE feed = ?", (feed,)).fetchone()
        return bool(row and row[0])

    @_locked
    def begin_pass(self, feed: str) -> None:
        """Mark a pass of the feed as under way (incomplete until :meth:`end_pass`)."""
        self._urgent = True
        self._db.execute(
            "INSERT INTO passes (feed, complete, pages) VALUES (?, 0, 0) ON CONFLICT(feed) "
            "DO UPDATE SET complete = 0, pages = 0, updated_at = excluded.updated_at",
            (feed,),
        )

    @_locked
    def end_pass(self, feed: str, complete: bool, pages: int) -> None:
        """Record how the feed's pass ended and how many list pages it read."""
        self._urgent = True
        self._db.execute(
            "UPDATE passes SET complete = ?, pages = ?, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE feed = ?",
            (int(complete), pages, feed),
        )

    @_locked
    def near_duplicate(
        self, signature: np.ndarray, threshold: float = DUPLICATE_THRESHOLD
    ) -> Match | None:
        """The most similar earlier record at or above ``threshold``, if any."""
        rows = self._candidates(band_keys(signature))
        best: Match | None = None
        for record_id, url, blob, _ in sorted(rows, key=lambda row: row[3]):
            score = similarity(signature, np.frombuffer(blob, dtype=np.uint64))
            if score >= threshold and (best is None or score > best.similarity):
                best = Match(record_id, url, score)
        return best

    @_locked
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
        """Record a written item (call inside :meth:`transaction`, after the line is flushed).
        The first item written to a file is committed at once: the next run finds its lines
        to adopt by the file its last committed record names."""
        if output != self._last_output:
            self._urgent, self._last_output = True, output
        self._db.execute(
            "INSERT INTO records (id, canonical_url, feed, url, output, duplicate_of, signature)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record_id, canonical_url, feed, url, output, duplicate_of, signature.tobytes()),
        )
        if duplicate_of is None:  # index originals only: duplicates point at them anyway
            self._add_bands(record_id, band_keys(signature))

    @_locked
    def adopted_through(self, output: str) -> tuple[int, bytes]:
        """How many bytes of ``output`` hold only recorded lines, checked, and the bytes
        they end with; ``(0, b"")`` if none."""
        row = self._db.execute(
            "SELECT size, ending FROM adopted WHERE output = ?", (output,)
        ).fetchone()
        return (int(row[0]), bytes(row[1])) if row else (0, b"")

    @_locked
    def set_adopted_through(self, output: str, size: int, ending: bytes) -> None:
        """Note that the first ``size`` bytes of ``output`` hold only recorded lines."""
        self._db.execute(
            "INSERT OR REPLACE INTO adopted (output, size, ending) VALUES (?, ?, ?)",
            (output, size, ending),
        )

    @_locked
    def last_output(self, feed: str) -> str | None:
        """The file the feed's most recently recorded item was written to."""
        row = self._db.execute(
            "SELECT output FROM records WHERE feed = ? ORDER BY rowid DESC LIMIT 1", (feed,)
        ).fetchone()
        return row[0] if row else None

    @_locked
    def count(self, feed: str | None = None) -> int:
        """Number of records written (for one feed, or all)."""
        if feed is None:
            return int(self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0])
        query = "SELECT COUNT(*) FROM records WHERE feed = ?"
        return int(self._db.execute(query, (feed,)).fetchone()[0])
