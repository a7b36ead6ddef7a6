"""The SQLite store's LSH band index: each original record's 32 band keys, found again by a
near-duplicate lookup.

Band keys are random, so a batch's rows inserted straight into one big index dirtied
nearly every page of it at each commit (a 5,000-article crawl wrote ~350 MB to keep a 10
MB store). A record's bands go to a small table, ``bands_recent``; once it holds
:data:`MERGE_ROWS` rows they are merged into ``bands`` in key order, in the commit of a
batch (both tables change together or not at all).

A lookup reads each table only for the keys its Bloom filter (newsbot.store.bandfilter)
may hold, and a new story (nearly every one) reads neither. The big table's filter is
stored with it; the small table's is this connection's, built from the table and kept up
to date by its own inserts. Both are checked again when SQLite's ``data_version`` says
another connection has committed since, and after a batch of this one was rolled back.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from newsbot.store import bandfilter

_BAND_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    band  INTEGER NOT NULL,
    key   INTEGER NOT NULL,
    id    TEXT NOT NULL REFERENCES records(id),
    PRIMARY KEY (band, key, id)
) WITHOUT ROWID;
"""
#: ``bands``, and ``bands_recent``: the newest records' bands, merged into ``bands`` in key
#: order every MERGE_ROWS rows.
BANDS_SCHEMA = "".join(_BAND_TABLE.format(name=name) for name in ("bands", "bands_recent"))
#: Band rows gathered in ``bands_recent`` before they are merged (1,000 records).
MERGE_ROWS = 32_000


class BandIndex:
    """The band tables of a store's connection (a mixin of the SQLite store)."""

    _db: sqlite3.Connection

    def _init_bands(self, merge_rows: int) -> None:
        """Create the tables if needed and read the filter (the connection is open)."""
        self._db.executescript(BANDS_SCHEMA + bandfilter.FILTER_SCHEMA)
        self._filter = self._open_filter()
        self._merge_rows = merge_rows
        count = self._db.execute("SELECT COUNT(*) FROM bands_recent").fetchone()[0]
        self._recent_rows = int(count)
        self._recent_filter: bandfilter.BandFilter | None = None  # built at the first lookup
        self._seen_version: int | None = None  # data_version the filters are right for

    def _candidates(self, keys: Sequence[int]) -> list[Any]:
        """Rows (id, url, signature, written_at) of the records sharing a band key: each
        table is read only for the keys its filter may hold (none, for a new story)."""
        merged_filter, recent_filter = self._current_filters()
        hashes = _signature_hashes(tuple(keys))
        where: list[str] = []
        values: list[int] = []
        for table, kept in (("bands_recent", recent_filter), ("bands", merged_filter)):
            held = kept.may_hold_hashed(hashes)
            pairs = [pair for pair, maybe in zip(enumerate(keys), held, strict=True) if maybe]
            if pairs:
                where.append(f"SELECT id FROM {table} WHERE {_pairs(len(pairs))}")
                values.extend(value for pair in pairs for value in pair)
        if not where:
            return []
        return self._db.execute(
            "SELECT r.id, r.url, r.signature, r.written_at FROM records r WHERE r.id IN "
            f"({' UNION '.join(where)})",
            values,
        ).fetchall()

    def _add_bands(self, record_id: str, keys: Sequence[int]) -> None:
        """Index a record's band keys (in the caller's transaction): one statement, its
        rows made by SQLite from a JSON array of the keys (band = position), not one
        bound row after another from Python (~30 % of the insert's time)."""
        self._db.execute(
            "INSERT OR IGNORE INTO bands_recent (band, key, id) "
            "SELECT key, value, ? FROM json_each(?)",
            (record_id, "[" + ",".join(map(str, keys)) + "]"),
        )
        self._recent_rows += len(keys)
        if self._recent_filter is not None:
            self._recent_filter.add_hashed(_signature_hashes(tuple(keys)))

    def _before_commit(self) -> None:
        """Merge the recent bands into ``bands`` once there are enough of them, and add
        them to the filter (in the batch being committed)."""
        if self._recent_rows < self._merge_rows:
            return
        kept = self._current_filter()  # another process may have merged since
        kept.add_rows(self._db.execute("SELECT band, key FROM bands_recent"))
        self._db.execute(
            "INSERT OR IGNORE INTO bands (band, key, id) "
            "SELECT band, key, id FROM bands_recent ORDER BY band, key, id"
        )
        self._db.execute("DELETE FROM bands_recent")
        self._recent_rows = 0
        self._recent_filter = self._new_recent_filter(0)  # if this commit fails: rebuilt
        kept.generation = secrets.randbits(62)  # never the same as another writer's
        if kept.full:
            kept = bandfilter.rebuild(self._db, kept.generation)
        bandfilter.store(self._db, kept)
        self._filter = kept

    def _open_filter(self) -> bandfilter.BandFilter:
        """The stored filter of ``bands``; built (and stored) for a store without one
        whose ``bands`` has rows (an empty one is stored at its first merge)."""
        kept = bandfilter.load(self._db)
        if kept is not None:
            return kept
        if self._db.execute("SELECT 1 FROM bands LIMIT 1").fetchone() is None:
            return bandfilter.BandFilter(bandfilter.INITIAL_CAPACITY)  # generation None
        kept = bandfilter.rebuild(self._db, secrets.randbits(62))
        bandfilter.store(self._db, kept)
        return kept

    def _current_filter(self) -> bandfilter.BandFilter:
        """This store's filter, read again when another process has changed it."""
        if bandfilter.stored_generation(self._db) != self._filter.generation:
            self._filter = self._open_filter()
        return self._filter

    def _current_filters(self) -> tuple[bandfilter.BandFilter, bandfilter.BandFilter]:
        """The filters of ``bands`` and of ``bands_recent``, checked again (and the recent
        one rebuilt from its table) when another connection has committed since the last
        look, or a batch of this one was rolled back."""
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        if version != self._seen_version:
            self._current_filter()
            self._recent_filter = None
            self._seen_version = version
        if self._recent_filter is None:
            self._recent_filter = self._new_recent_filter(self._recent_rows)
            self._recent_filter.add_rows(self._db.execute("SELECT band, key FROM bands_recent"))
        return self._filter, self._recent_filter

    def _new_recent_filter(self, rows: int) -> bandfilter.BandFilter:
        """An empty filter sized for ``bands_recent`` up to its merge (and ``rows``)."""
        return bandfilter.BandFilter(2 * max(self._merge_rows, rows, 1024))

    def _after_rollback(self) -> None:
        """A batch was rolled back (its merge too, maybe): check both filters again."""
        self._seen_version = None


@lru_cache(maxsize=16)
def _signature_hashes(keys: tuple[int, ...]) -> np.ndarray:
    """The filters' row hashes of one signature's band keys (band = position): a lookup
    and the record added after it ask for the same ones."""
    hashes = bandfilter.row_hashes(range(len(keys)), keys)
    hashes.flags.writeable = False  # shared by the callers of this cache
    return hashes


def _pairs(count: int) -> str:
    """``count`` ``(band, key)`` conditions joined by OR (each an index probe)."""
    return " OR ".join("(band = ? AND key = ?)" for _ in range(count))
