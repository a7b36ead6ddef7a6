"""Durable JSONL writing: a line is flushed before its record counts as seen."""

from __future__ import annotations

import json
import os
import string
from collections.abc import Mapping
from pathlib import Path
from typing import IO

#: The placeholders an output pattern may use.
PATTERN_FIELDS = frozenset({"feed", "day", "month"})


def check_pattern(pattern: str) -> None:
    """Raise ValueError unless ``pattern`` uses only ``{feed}``, ``{day}`` and ``{month}``."""
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValueError(f"output pattern {pattern!r}: {exc}") from exc
    unknown = sorted(used - PATTERN_FIELDS)
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        raise ValueError(
            f"output pattern {pattern!r} uses {names}; only {{feed}}, {{day}} and {{month}} exist"
        )


class JsonlWriter:
    """Appends records to files named by a pattern such as ``data/{feed}/{day}.jsonl``."""

    def __init__(self, pattern: str, fsync: bool = False) -> None:
        self.pattern = pattern
        self.fsync = fsync
        self._files: dict[Path, IO[str]] = {}

    def path_for(self, feed: str, day: str) -> Path:
        """The file a feed's records of a crawl day (``YYYY-MM-DD``) go to."""
        return Path(self.pattern.format(feed=feed, day=day, month=day[:7]))

    def write(self, record: Mapping[str, object], path: Path) -> None:
        """Append one record as one line and flush it to the OS (and disk, with fsync)."""
        handle = self._files.get(path) or self._open(path)
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        if self.fsync:
            os.fsync(handle.fileno())

    def _open(self, path: Path) -> IO[str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        drop_torn_tail(path)
        handle = path.open("a", encoding="utf-8")
        self._files[path] = handle
        return handle

    def close(self) -> None:
        """Close every open file."""
        for handle in self._files.values():
            handle.close()
        self._files.clear()


def drop_torn_tail(path: Path) -> None:
    """Cut a half-written last line left by a killed run (its record was never marked seen)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        handle.seek(0)
        data = handle.read()
        handle.truncate(data.rfind(b"\n") + 1)
