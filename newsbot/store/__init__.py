"""The archive's memory: the state store (behind :class:`StateStore`), the durable JSONL
writer, adoption of lines a killed run wrote, and redirect aliases."""

from __future__ import annotations

import sqlite3
import sys

from newsbot.store.protocol import Match, StateStore
from newsbot.store.sqlite import SqliteStateStore

__all__ = ["Match", "SqliteStateStore", "StateStore", "is_redis", "open_store", "store_errors"]


def store_errors() -> tuple[type[Exception], ...]:
    """What a backend raises when it cannot read or write (a full disk, Redis gone for
    good). Redis' errors count once its client is loaded: a crawl that never opened a
    Redis never imports it (~0.2 s of start-up), and cannot get one of its errors."""
    client = sys.modules.get("redis")
    if client is None:
        return (sqlite3.Error,)
    return (sqlite3.Error, client.RedisError)


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
