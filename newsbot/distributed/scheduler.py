"""scrapy-redis' scheduler, with each request a worker takes from the shared queue kept
in that worker's in-flight hash until Scrapy has finished with it (downloaded, its
callback run, its items through the pipelines). A worker killed in the middle leaves its
in-flight requests behind, and another worker puts them back in the queue
(newsbot.distributed.coordinator); nothing taken is lost."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter  # type: ignore[import-untyped]
from scrapy_redis.queue import PriorityQueue  # type: ignore[import-untyped]
from scrapy_redis.scheduler import Scheduler  # type: ignore[import-untyped]

from newsbot.distributed import feed_key

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The scheduler of each crawler (the coordinator asks it what is in flight).
SCHEDULERS: WeakKeyDictionary[Crawler, WorkScheduler] = WeakKeyDictionary()

# KEYS: queue, in-flight hash. The first request moves from the queue (a zset scored by
# -priority) into the hash (request -> score), in one step on the server.
_TAKE = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], r[1], r[2])
return r[1]
"""
# KEYS: in-flight hash, queue; ARGV: requests of the hash to put back in the queue.
_GIVE_BACK = """
for _, data in ipairs(ARGV) do
  local score = redis.call('HGET', KEYS[1], data)
  if score then
    redis.call('ZADD', KEYS[2], score, data)
    redis.call('HDEL', KEYS[1], data)
  end
end
return #ARGV
"""
# KEYS: in-flight hash, queue. Every request in the hash goes back to the queue.
REQUEUE = """
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do redis.call('ZADD', KEYS[2], all[i + 1], all[i]) end
redis.call('DEL', KEYS[1])
return #all / 2
"""


class WorkScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis has no type hints
    """The shared queue and dupefilter of scrapy-redis; taking a request also marks it in
    flight for this worker, and :meth:`settle` unmarks the ones Scrapy is done with."""

    crawler: Crawler
    df: Any  # the dupefilter (scrapy-redis' attribute)
    worker: str
    #: The requests this worker has taken and not finished, with their queue entries.
    taken: dict[Request, bytes]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkScheduler:
        from newsbot.crawlstate import CrawlState

        scheduler: WorkScheduler = cls.from_settings(crawler.settings)
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.worker = worker_name(CrawlState.of(crawler).settings.worker)
        scheduler.taken = {}
        SCHEDULERS[crawler] = scheduler
        return scheduler

    def open(self, spider: Any) -> None:
        """scrapy-redis' ``open`` (the feed's queue and dupefilter), logging through
        this module rather than the deprecated ``Spider.log``."""
        self.spider = spider
        key = self.queue_key % {"spider": spider.name}
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=key, serializer=self.serializer
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if len(self.queue):
            logger.info("feed %r: resuming, %d request(s) in the shared queue",
                        spider.name, len(self.queue))  # fmt: skip
        self.inflight_key = feed_key(spider.name, f"inflight:{self.worker}")
        self._take = self.server.register_script(_TAKE)
        self._give_back = self.server.register_script(_GIVE_BACK)

    def enqueue_request(self, request: Request) -> bool:
        """Scrapy-redis' enqueue, with the dupefilter's mark and the push in one step on
        the server: a worker killed between the two used to leave a request marked seen
        and in no queue, so no worker ever fetched it."""
        seen_or_push = getattr(self.df, "seen_or_push", None)  # another DUPEFILTER_CLASS: no
        if request.dont_filter or (seen_or_push is None and not self.df.request_seen(request)):
            self.queue.push(request)
        elif seen_or_push is None or not seen_or_push(request, self.queue):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """The queue's first request, now in this worker's in-flight hash."""
        assert isinstance(self.queue, PriorityQueue)
        data = self._take(keys=[self.queue.key, self.inflight_key])
        if not data:
            return None
        request: Request = self.queue._decode_request(data)
        self.taken[request] = data
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def settle(self, final: bool = False) -> int:
        """Unmark the requests the engine has finished with; how many are still in flight.
        Once the spider is closing, only a ``final`` settle (of a finished run) unmarks:
        a download cut short by a shutdown also leaves the engine's slot."""
        engine = self.crawler.engine
        slot = engine._slot if engine is not None else None
        if slot is not None and slot.closing is not None and not final:
            return len(self.taken)
        # The engine's slot holds each request from its download until its response is
        # scraped, items included (Scrapy keeps no public view of this).
        active = engine._slot.inprogress if engine is not None and engine._slot else set()
        done = [request for request in self.taken if request not in active]
        if done:
            self.server.hdel(self.inflight_key, *(self.taken.pop(request) for request in done))
        # A take whose answer was lost (Redis restarted) and was retried left a request in
        # the hash that this worker never got: back to the queue with it.
        mine = set(self.taken.values())
        orphans = [data for data in self.server.hkeys(self.inflight_key) if data not in mine]
        if orphans:
            self._give_back(keys=[self.inflight_key, self.queue.key], args=orphans)
        return len(self.taken)


def worker_name(configured: str) -> str:
    """This worker's name: NEWSBOT_WORKER, or ``<host>-<pid>``."""
    if configured:
        return configured
    import os
    import socket

    return f"{socket.gethostname()}-{os.getpid()}"


# KEYS: the dupefilter hash; ARGV: fingerprint, this call's token. New (1) if the
# fingerprint was unknown, or known by this very token (a retried call).
_SEEN = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if not owner then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
if owner == ARGV[2] then return 1 end
return 0
"""

# KEYS: the dupefilter hash, the queue; ARGV: fingerprint, token, score, request. _SEEN,
# and for a new fingerprint the request pushed too (ZADD: a retried call adds it once).
_SEEN_OR_PUSH = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and owner ~= ARGV[2] then return 0 end
if not owner then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


class RetrySafeDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # no type hints upstream
    """scrapy-redis' dupefilter (its fingerprints), safe to retry: its ``SADD`` answers
    "seen" when retried after a lost answer (Redis restarting), and the request would be
    dropped. Here each fingerprint records the token of the call that added it."""

    def request_seen(self, request: Request) -> bool:
        if not hasattr(self, "_seen"):
            self._seen = self.server.register_script(_SEEN)
        fingerprint = self.request_fingerprint(request)
        return not self._seen(keys=[self.key], args=[fingerprint, uuid.uuid4().hex])

    def seen_or_push(self, request: Request, queue: PriorityQueue) -> bool:
        """Mark the request seen and push it to ``queue`` in one step; False (nothing
        pushed) if it was seen already."""
        if not hasattr(self, "_seen_or_push"):
            self._seen_or_push = self.server.register_script(_SEEN_OR_PUSH)
        args = [self.request_fingerprint(request), uuid.uuid4().hex, -request.priority,
                queue._encode_request(request)]  # fmt: skip
        return bool(self._seen_or_push(keys=[self.key, queue.key], args=args))
