"""The Redis state store: the SQLite store's protocol over one Redis shared by several
workers (``newsbot worker --redis URL``). Every check-and-record runs under one write lock
(``SET NX PX`` with a token), and the record itself is written by a Lua script that checks,
atomically on the server, that the lock is still this writer's and the URL still unknown.
Lookups are one round trip each (Lua): known URLs with their redirect chains, and the
near-duplicate candidates of all bands of a signature at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from newsbot.core.dedup import DUPLICATE_THRESHOLD, band_keys, similarity
from newsbot.store.protocol import REDIS_PREFIX, Match

#: Every key newsbot writes starts with this (scrapy-redis' keys too: newsbot:<feed>:…).
PREFIX = REDIS_PREFIX
#: How long the write lock lives if its holder dies holding it (milliseconds).
LOCK_TTL_MS = 10_000
#: How long a writer waits for the lock before giving up (seconds), as SQLite's timeout.
LOCK_WAIT = 60.0

_KNOWN = """
local found = {}
for _, url in ipairs(ARGV) do
  if redis.call('HEXISTS', KEYS[1], url) == 1 or redis.call('HEXISTS', KEYS[2], url) == 1 then
    table.insert(found, url)
  else
    local hop = url
    for _ = 1, 10 do
      hop = redis.call('HGET', KEYS[3], hop)
      if not hop then break end
      if redis.call('HEXISTS', KEYS[1], hop) == 1 then table.insert(found, url) break end
    end
  end
end
return found
"""
_NEAR = """
local ids = redis.call('SUNION', unpack(KEYS))
local out = {}
for _, id in ipairs(ids) do
  local row = redis.call('HMGET', ARGV[1] .. id, 'url', 'signature', 'seq')
  table.insert(out, id) table.insert(out, row[1]) table.insert(out, row[2])
  table.insert(out, row[3])
end
return out
"""
# KEYS: lock, records, record:<id>, last_output, counts, seq, band keys…
# ARGV: token, canonical, id, feed, url, output, duplicate_of, signature, last-output field
_ADD = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('newsbot: the write lock was lost before the record was stored')
end
local have = redis.call('HGET', KEYS[2], ARGV[2])
if have == ARGV[3] then return 0 end  -- a retry of this very call, whose answer was lost
if have then return redis.error_reply('newsbot: ' .. ARGV[2] .. ' is already recorded') end
local seq = redis.call('INCR', KEYS[6])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[3], 'canonical_url', ARGV[2], 'feed', ARGV[4], 'url', ARGV[5],
           'output', ARGV[6], 'duplicate_of', ARGV[7], 'signature', ARGV[8], 'seq', seq)
redis.call('HSET', KEYS[4], ARGV[9], ARGV[6])
redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
redis.call('HINCRBY', KEYS[5], '', 1)
if ARGV[7] == '' then
  for i = 7, #KEYS do redis.call('SADD', KEYS[i], ARGV[3]) end
end
return seq
"""
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def client_options() -> dict[str, Any]:
    """Options of every Redis client newsbot makes (the store's, scrapy-redis'): retried
    with backoff for about a minute when Redis restarts (or is loading its AOF)."""
    return {
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 80),
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError],
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
    }


def connect(url: str) -> redis.Redis:
    """A client of the Redis at ``url`` (``redis://host:port/db``), retrying as above."""
    return redis.Redis.from_url(url, **client_options())


def _text(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisStateStore:
    """Seen URLs, text fingerprints and per-feed passes in one Redis, shared by workers.

    ``worker`` names this process (its JSONL part): :meth:`last_output` is the file this
    worker last wrote to, so adopting a killed run's lines never reads a live worker's part.
    """

    def __init__(self, url: str, worker: str = "") -> None:
        self.path = url
        self.worker = worker
        self.db = connect(url)
        self.db.ping()
        self._token = ""
        self._known = self.db.register_script(_KNOWN)
        self._near = self.db.register_script(_NEAR)
        self._add = self.db.register_script(_ADD)
        self._unlock = self.db.register_script(_UNLOCK)

    def key(self, name: str) -> str:
        """The full name of one of the store's keys."""
        return PREFIX + name

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the write lock: every other worker's check-and-record waits until this one
        ends. A lock left by a killed worker expires after ``LOCK_TTL_MS``."""
        token, lock = uuid.uuid4().hex, self.key("lock:write")
        deadline = time.monotonic() + LOCK_WAIT
        while not self.db.set(lock, token, nx=True, px=LOCK_TTL_MS):
            if self.db.get(lock) == token.encode():  # taken by a retried SET whose answer was lost
                break
            if time.monotonic() > deadline:
                raise redis.TimeoutError(f"the write lock {lock} was not free for {LOCK_WAIT}s")
            time.sleep(0.001)
        self._token = token
        try:
            yield
        finally:
            self._token = ""
            self._unlock(keys=[lock], args=[token])

    def known_url(self, canonical_url: str) -> str | None:
        """Id of the record written for this canonical URL, if any."""
        return _text(self.db.hget(self.key("records"), canonical_url))

    def known_urls(self, canonical_urls: list[str]) -> set[str]:
        """Which of these canonical URLs are known: written, skipped with a reason, or a
        redirect (chain) to a written record; one round trip."""
        if not canonical_urls:
            return set()
        keys = [self.key("records"), self.key("skipped"), self.key("redirects")]
        return {str(_text(url)) for url in self._known(keys=keys, args=canonical_urls)}

    def add_redirect(self, canonical_url: str, target: str) -> None:
        """Remember that ``canonical_url`` redirects to ``target`` (both canonical)."""
        self.db.hset(self.key("redirects"), canonical_url, target)

    def add_skipped(self, canonical_url: str, feed: str, url: str, reason: str) -> None:
        """Remember an article read and deliberately not written, with the reason."""
        self.db.hset(self.key("skipped"), canonical_url, reason)

    def skipped_reason(self, canonical_url: str) -> str | None:
        """Why this URL was read and not written, if it was."""
        return _text(self.db.hget(self.key("skipped"), canonical_url))

    def pass_complete(self, feed: str) -> bool:
        """Whether the feed's last pass finished (its paging and every article listed)."""
        return _text(self.db.hget(self.key("passes"), feed)) == "1"

    def begin_pass(self, feed: str) -> None:
        """Mark a pass of the feed as under way."""
        self.db.hset(self.key("passes"), feed, "0")

    def end_pass(self, feed: str, complete: bool, pages: int) -> None:
        """Record how the feed's pass ended and how many list pages it read."""
        pipe = self.db.pipeline()
        pipe.hset(self.key("passes"), feed, "1" if complete else "0")
        pipe.hset(self.key("pass_pages"), feed, pages)
        pipe.execute()

    def near_duplicate(
        self, signature: np.ndarray, threshold: float = DUPLICATE_THRESHOLD
    ) -> Match | None:
        """The most similar earlier original record at or above ``threshold``: the
        candidates of every band fetched in one round trip, scored here."""
        keys = [self.key(f"band:{band}:{key}") for band, key in enumerate(band_keys(signature))]
        rows = self._near(keys=keys, args=[self.key("record:")])
        candidates = sorted(
            (int(rows[i + 3]), str(_text(rows[i])), str(_text(rows[i + 1])), rows[i + 2])
            for i in range(0, len(rows), 4)
        )
        best: Match | None = None
        for _, record_id, url, blob in candidates:
            score = similarity(signature, np.frombuffer(blob, dtype=np.uint64))
            if score >= threshold and (best is None or score > best.similarity):
                best = Match(record_id, url, score)
        return best

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
        """Record a written item (inside :meth:`transaction`, after its line is flushed):
        one Lua script, refused if the lock was lost or the URL is recorded already."""
        bands = [self.key(f"band:{band}:{key}") for band, key in enumerate(band_keys(signature))]
        keys = [self.key("lock:write"), self.key("records"), self.key(f"record:{record_id}"),
                self.key("last_output"), self.key("counts"), self.key("seq"), *bands]  # fmt: skip
        args: list[str | bytes] = [
            self._token, canonical_url, record_id, feed, url, output, duplicate_of or "",
            signature.tobytes(), f"{feed}\0{self.worker}",
        ]  # fmt: skip
        self._add(keys=keys, args=args)

    def last_output(self, feed: str) -> str | None:
        """The file this worker last recorded one of the feed's items in."""
        return _text(self.db.hget(self.key("last_output"), f"{feed}\0{self.worker}"))

    def adopted_through(self, output: str) -> tuple[int, bytes]:
        """How many bytes of ``output`` hold only recorded lines, checked, and the bytes
        they end with; ``(0, b"")`` if none."""
        value = self.db.hget(self.key("adopted"), output)
        if value is None:
            return 0, b""
        raw = value if isinstance(value, bytes) else value.encode()  # bytes: no decoding
        size, _, ending = raw.partition(b":")
        return int(size), ending

    def set_adopted_through(self, output: str, size: int, ending: bytes) -> None:
        """Note that the first ``size`` bytes of ``output`` hold only recorded lines."""
        self.db.hset(self.key("adopted"), output, str(size).encode() + b":" + ending)

    def count(self, feed: str | None = None) -> int:
        """Number of records written (for one feed, or all)."""
        return int(self.db.hget(self.key("counts"), feed or "") or 0)

    def batches_lost(self) -> int:
        """None ever is: each record is written to Redis as it is added."""
        return 0

    def close(self) -> None:
        """Close the connections."""
        self.db.close()
