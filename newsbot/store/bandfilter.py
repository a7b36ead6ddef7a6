"""A Bloom filter over the ``(band, key)`` rows of the SQLite store's big ``bands`` table.

A near-duplicate lookup asks for 32 band keys. Nearly every article is new, so nearly
every key is absent, and each absent key still cost an index probe into a table that grows
with the archive (0.14 ms a lookup at 1,000 records, 0.27 at 20,000). The filter answers
"certainly absent" for most of them in memory, and the lookup probes only the rest.

The filter is kept in the database (table ``band_filter``, one row) and updated in the
same transaction as the merge that adds rows to ``bands``; its ``generation`` is a new
random number at every change, so a store that sees another generation than its own
(another process merged, or its own merge was rolled back) reads it again before trusting
it. It only ever errs towards "maybe": a false
"maybe" costs one probe, never a missed duplicate. 10 bits and 7 hashes per row: ~1 % of
absent keys are probed anyway. It holds ~1.25 bytes per row, 40 per record.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

FILTER_SCHEMA = """
CREATE TABLE IF NOT EXISTS band_filter (
    id          INTEGER PRIMARY KEY CHECK (id = 0),
    generation  INTEGER NOT NULL,
    capacity    INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    bits        BLOB NOT NULL
);
"""
BITS_PER_ROW = 10
HASHES = 7
#: Rows a new filter is sized for; it is rebuilt twice as large when it holds more.
INITIAL_CAPACITY = 64_000
_MIX = np.uint64(0x9E3779B97F4A7C15)  # spreads the band number over the key's bits
_LOW = np.uint64(0xFFFFFFFF)
_STEPS = np.arange(HASHES, dtype=np.uint64)
_CHUNK = 4096  # rows read and added at once


class BandFilter:
    """The set of ``(band, key)`` rows, approximately: no false "absent"."""

    def __init__(self, capacity: int, bits: bytes | None = None, rows: int = 0) -> None:
        self.capacity = capacity
        self.size = np.uint64(max(8, capacity * BITS_PER_ROW // 8 * 8))
        self.bits = (
            np.zeros(int(self.size) // 8, dtype=np.uint8)
            if bits is None
            else np.frombuffer(bits, dtype=np.uint8).copy()
        )
        self.rows = rows
        self.generation: int | None = None  # None: not stored

    def add(self, bands: Sequence[int], keys: Sequence[int]) -> None:
        """Hold these rows."""
        if len(keys):
            self.add_hashed(row_hashes(bands, keys))

    def add_hashed(self, hashes: np.ndarray) -> None:
        """Hold the rows of these :func:`row_hashes`."""
        positions = (hashes % self.size).ravel()
        masks = np.left_shift(np.uint8(1), (positions & np.uint64(7)).astype(np.uint8))
        np.bitwise_or.at(self.bits, positions >> np.uint64(3), masks)
        self.rows += len(hashes)

    def add_rows(self, rows: sqlite3.Cursor) -> None:
        """Hold every ``(band, key)`` row of a query, read a few thousand at a time (a
        crawl's peak memory must not grow with the table)."""
        while chunk := rows.fetchmany(_CHUNK):
            bands, keys = zip(*chunk, strict=True)
            self.add(bands, keys)

    def may_hold(self, bands: Sequence[int], keys: Sequence[int]) -> list[bool]:
        """For each row: False if it is certainly not held, True if it may be."""
        return self.may_hold_hashed(row_hashes(bands, keys))

    def may_hold_hashed(self, hashes: np.ndarray) -> list[bool]:
        """:meth:`may_hold` of the rows of these :func:`row_hashes`."""
        positions = hashes % self.size
        held = (self.bits[positions >> np.uint64(3)] >> (positions & np.uint64(7))) & 1
        return [bool(row) for row in held.all(axis=1)]

    @property
    def full(self) -> bool:
        """Whether it holds more rows than it was sized for (false "maybe"s then grow)."""
        return self.rows > self.capacity


def row_hashes(bands: Sequence[int], keys: Sequence[int]) -> np.ndarray:
    """HASHES hashes of each row (double hashing), the same for every filter: a filter
    takes them modulo its size. A lookup computes them once for both of a store's
    filters, and the record it adds next."""
    mixed = np.asarray(keys, dtype=np.uint64) ^ (np.asarray(bands, dtype=np.uint64) * _MIX)
    first, step = mixed & _LOW, (mixed >> np.uint64(32)) | np.uint64(1)
    hashes: np.ndarray = first[:, None] + _STEPS[None, :] * step[:, None]
    return hashes


def stored_generation(db: sqlite3.Connection) -> int | None:
    """The generation of the filter in the database (None: there is none yet)."""
    row = db.execute("SELECT generation FROM band_filter WHERE id = 0").fetchone()
    return None if row is None else int(row[0])


def load(db: sqlite3.Connection) -> BandFilter | None:
    """The filter stored in the database, if there is one."""
    row = db.execute(
        "SELECT generation, capacity, rows, bits FROM band_filter WHERE id = 0"
    ).fetchone()
    if row is None:
        return None
    loaded = BandFilter(int(row[1]), bytes(row[3]), int(row[2]))
    loaded.generation = int(row[0])
    return loaded


def rebuild(db: sqlite3.Connection, generation: int | None) -> BandFilter:
    """A filter of every row of ``bands``, sized for twice as many (not yet stored)."""
    count = int(db.execute("SELECT COUNT(*) FROM bands").fetchone()[0])
    fresh = BandFilter(max(INITIAL_CAPACITY, 2 * count))
    fresh.add_rows(db.execute("SELECT band, key FROM bands"))
    fresh.generation = generation
    return fresh


def store(db: sqlite3.Connection, kept: BandFilter) -> None:
    """Write the filter (in the caller's transaction)."""
    db.execute(
        "INSERT OR REPLACE INTO band_filter (id, generation, capacity, rows, bits) "
        "VALUES (0, ?, ?, ?, ?)",
        (kept.generation, kept.capacity, kept.rows, kept.bits.data),  # a view: no copy
    )
