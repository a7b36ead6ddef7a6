"""The archive's memory: the state store (behind :class:`StateStore`), the durable JSONL
writer, adoption of lines a killed run wrote, and redirect aliases."""

from __future__ import annotations

from newsbot.store.protocol import Match, StateStore
from newsbot.store.sqlite import SqliteStateStore

__all__ = ["Match", "SqliteStateStore", "StateStore", "open_store"]


def open_store(location: str, snapshot: bool = False) -> StateStore:
    """The state store at ``location``: a SQLite file path, or '' / ``:memory:`` for a
    store forgotten at the end of the run; with ``snapshot``, an in-memory copy of the
    file (nothing is written to it, nor created beside it)."""
    if snapshot and location and location != ":memory:":
        return SqliteStateStore.snapshot(location)
    return SqliteStateStore(location or ":memory:")
