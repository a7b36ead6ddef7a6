"""The archive's memory: the state store (behind :class:`StateStore`), the durable JSONL
writer, adoption of lines a killed run wrote, and redirect aliases."""

from __future__ import annotations

import sqlite3

import redis

from newsbot.store.protocol import Match, StateStore
from newsbot.store.sqlite import SqliteStateStore

__all__ = ["STORE_ERRORS", "Match", "SqliteStateStore", "StateStore", "is_redis", "open_store"]

#: What a backend raises when it cannot read or write (a full disk, Redis gone for good).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, redis.RedisError)


def is_redis(location: str) -> bool:
    """Whether ``location`` names a Redis (``redis://``, ``rediss://``, ``unix://``)."""
    return location.startswith(("redis://", "rediss://", "unix://"))


def open_store(location: str, snapshot: bool = False, worker: str = "") -> StateStore:
    """The state store at ``location``: a Redis URL (shared by workers; ``worker`` names
    this one), a SQLite file path, or '' / ``:memory:`` for a store forgotten at the end
    of the run; with ``snapshot``, an in-memory copy of the file (nothing is written to
    it, nor created beside it; a Redis is read live, and a dry run writes nothing)."""
    if is_redis(location):
        from newsbot.store.redis import RedisStateStore

        return RedisStateStore(location, worker)
    if snapshot and location and location != ":memory:":
        return SqliteStateStore.snapshot(location)
    return SqliteStateStore(location or ":memory:")
