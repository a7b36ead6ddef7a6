"""Durable JSONL writing: a line is flushed before its record counts as seen, and a line
that could not be written whole (a full disk) is cut off again, so no file keeps a torn
line."""

from __future__ import annotations

import json
import os
import string
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

#: The system call that writes bytes to a file (a test stands a failing disk in for it).
_write = os.write

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
        self._files: dict[Path, BinaryIO] = {}
        #: Per file, where this writer's lines begin and end while they follow one
        #: another (None once anything else came between them, or a line was cut).
        self._runs: dict[Path, tuple[int, int] | None] = {}

    def path_for(self, feed: str, day: str) -> Path:
        """The file a feed's records of a crawl day (``YYYY-MM-DD``) go to."""
        return Path(self.pattern.format(feed=feed, day=day, month=day[:7]))

    def write(self, record: Mapping[str, object], path: Path) -> int:
        """Append one record as one line, handed to the OS whole (and to the disk, with
        fsync); return the file's size before it, for :meth:`cut`.

        Raises OSError naming ``path`` when the line cannot be written whole; what part of
        it reached the file is cut off first.
        """
        handle = self._files.get(path) or self._open(path)
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        fd = handle.fileno()
        start = os.fstat(fd).st_size
        try:
            done = 0
            while done < len(data):
                done += _write(fd, data[done:])
            if self.fsync:
                os.fsync(fd)
        except OSError as exc:
            self.cut(path, start)
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        self._extend_run(path, start, start + len(data))
        return start

    def _extend_run(self, path: Path, start: int, end: int) -> None:
        if path not in self._runs:
            self._runs[path] = (start, end)
            return
        run = self._runs[path]
        self._runs[path] = (run[0], end) if run is not None and run[1] == start else None

    def written_run(self, path: Path) -> tuple[int, int] | None:
        """Where this writer's lines in ``path`` begin and end, if they follow one another
        with nothing else between them; None if it wrote none there, or not as one run."""
        return self._runs.get(path)

    def cut(self, path: Path, size: int) -> None:
        """Cut ``path`` back to ``size`` bytes (a line whose record could not be stored)."""
        self._runs[path] = None  # its lines are no longer known to be one run
        handle = self._files.get(path)
        if handle is not None:
            os.ftruncate(handle.fileno(), size)
        else:
            os.truncate(path, size)

    def _open(self, path: Path) -> BinaryIO:
        path.parent.mkdir(parents=True, exist_ok=True)
        drop_torn_tail(path)
        handle = path.open("ab", buffering=0)
        self._files[path] = handle  # FileIO: unbuffered
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
