"""The run lock of a distributed crawl: one live `newsbot worker` per worker id across every
machine that shares the Redis. The lock is a Redis key holding its owner (host, pid, start)
with a short lifetime that a thread keeps renewing, so a worker that dies frees its id
within :data:`LIFETIME` seconds; on the same host a dead owner's id is taken over at once."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from redis import RedisError

from newsbot.ops.lock import LockBusy
from newsbot.store.redis import connect

logger = logging.getLogger(__name__)

#: Seconds a worker's id stays held after its last renewal (renewed every third of it).
LIFETIME = 10.0

# KEYS: the lock; ARGV: the value we hold, milliseconds. Renew it only if still ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: the lock; ARGV: the value it must hold, the new value, milliseconds. Replace a
# stale owner's value (one we read) and nothing else.
_REPLACE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false
"""
# KEYS: the lock; ARGV: the value we hold. Release it only if still ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class WorkerIdBusy(LockBusy):
    """A live worker elsewhere (or here) holds this worker id."""

    def __init__(self, where: str, holder: dict[str, Any]) -> None:
        self.where, self.holder = where, holder
        RuntimeError.__init__(
            self,
            f"worker id {holder.get('worker', '?')!r} is held by pid {holder.get('pid', '?')} "
            f"on {holder.get('host', '?')} (started {holder.get('started', '?')}): {where}",
        )


def _alive_here(holder: dict[str, Any]) -> bool:
    """Whether the holder is a live process of this host (a pid elsewhere says nothing)."""
    if holder.get("host") != socket.gethostname():
        return True  # another machine's: only the key's lifetime tells
    try:
        os.kill(int(holder.get("pid", 0)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class RedisWorkerLock:
    """``with RedisWorkerLock(url, worker):`` — raise WorkerIdBusy if a live worker has
    the id; hold it (renewed by a thread) until the block ends."""

    def __init__(self, url: str, worker: str, lifetime: float = LIFETIME) -> None:
        self.url, self.worker = url, worker
        self.key = f"newsbot:worker-lock:{worker}"
        self.lifetime_ms = int(lifetime * 1000)
        self.db = connect(url)
        self.value = json.dumps({
            "worker": worker, "host": socket.gethostname(), "pid": os.getpid(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "token": uuid.uuid4().hex,
        })  # fmt: skip
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, daemon=True, name="worker-lock")

    def __enter__(self) -> RedisWorkerLock:
        try:
            if not self.db.set(self.key, self.value, nx=True, px=self.lifetime_ms):
                self._take_over()
        except BaseException:
            self.db.close()
            raise
        self._renewer.start()
        return self

    def _take_over(self) -> None:
        """Take the id from an owner that is gone; else raise WorkerIdBusy."""
        raw = self.db.get(self.key)
        if raw is None:  # expired in between
            if self.db.set(self.key, self.value, nx=True, px=self.lifetime_ms):
                return
            raw = self.db.get(self.key) or b"{}"
        holder = _holder(raw)
        if _alive_here(holder) or not self.db.eval(
            _REPLACE, 1, self.key, raw, self.value, self.lifetime_ms
        ):
            raise WorkerIdBusy(f"{self.url} {self.key}", holder)
        logger.warning("worker id %r was left by pid %s on %s, which is gone: taking it over",
                       self.worker, holder.get("pid"), holder.get("host"))  # fmt: skip

    def _renew(self) -> None:
        """Renew the key every third of its lifetime until the block ends."""
        while not self._stop.wait(self.lifetime_ms / 3000):
            try:
                if not self.db.eval(_RENEW, 1, self.key, self.value, self.lifetime_ms):
                    logger.error("worker id %r: its lock %s was lost (Redis away longer than "
                                 "%d ms?)", self.worker, self.key, self.lifetime_ms)  # fmt: skip
            except RedisError as exc:
                logger.warning("worker id %r: lock not renewed: %s", self.worker, exc)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._renewer.join()
        try:
            self.db.eval(_RELEASE, 1, self.key, self.value)
        except RedisError as error:  # it expires by itself within its lifetime
            logger.warning("worker id %r: lock not released: %s", self.worker, error)
        self.db.close()


def _holder(raw: bytes | str) -> dict[str, Any]:
    """The owner a lock value names ({} when it is not newsbot's JSON)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return {"raw": str(raw)[:200]}
    return data if isinstance(data, dict) else {}
