"""One crawl at a time: an exclusive lock on a file, released by the kernel when its
process ends — so a lock left by a killed run is stale by construction and taken over."""

from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)


class LockBusy(RuntimeError):
    """Another live process holds the lock; ``holder`` is what it wrote there."""

    def __init__(self, path: Path, holder: dict[str, Any]) -> None:
        self.path, self.holder = path, holder
        super().__init__(
            f"another newsbot crawl is running (pid {holder.get('pid', '?')}, "
            f"started {holder.get('started', '?')}): {path}"
        )


class RunLock:
    """``with RunLock(path):`` — raise LockBusy if a live process holds it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._handle: IO[str] | None = None
        self.previous: dict[str, Any] = {}

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _read(handle.read())
            handle.close()
            raise LockBusy(self.path, holder) from None
        handle.seek(0)
        self.previous = _read(handle.read())
        if self.previous:
            logger.warning(
                "lock %s was left by pid %s (started %s), which is gone: taking it over",
                self.path, self.previous.get("pid"), self.previous.get("started"),
            )  # fmt: skip
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "started": started}))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()  # a clean exit leaves no holder behind
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _read(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        return {"raw": text[:200]}
    return data if isinstance(data, dict) else {}
