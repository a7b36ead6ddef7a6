"""When a distributed crawl's work is done (an extension, on in distributed mode only).

Each worker registers in the feed's ``workers`` set and keeps an ``alive:<worker>`` key
fresh (it expires ``NEWSBOT_WORKER_TIMEOUT`` seconds after the worker stops beating). At
every idle moment a worker puts back in the queue the in-flight requests of dead workers
(after adopting the lines their JSONL part holds but the store does not, so nothing is
written twice), then keeps waiting (``DontCloseSpider``) while the queue holds a request or
any worker has one in flight. Only when the queue is empty and no worker is busy, for
``CONFIRM`` seconds on end, does it let its spider close. scrapy-redis' own idle timer
(``MAX_IDLE_TIME_BEFORE_CLOSE``) is not used: it watches the start-URL key only.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from redis import RedisError
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from twisted.internet import task

from newsbot.config.runtime import part_pattern
from newsbot.core.codes import CloseReason
from newsbot.core.dates import SHANGHAI
from newsbot.crawlstate import CrawlState
from newsbot.distributed import DUPEFILTER_KEY, QUEUE_KEY, feed_key
from newsbot.distributed.scheduler import REQUEUE, SCHEDULERS, WorkScheduler, worker_name
from newsbot.store.adoption import adopt_lines
from newsbot.store.redis import connect

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Seconds the work must look done, on end, before a worker stops.
CONFIRM = 1.0
#: Seconds between heartbeats (and between the engine's looks at an empty queue).
BEAT = 0.5

# KEYS: queue, workers set; ARGV: in-flight key prefix. Requests queued plus in flight.
_PENDING = """
local n = redis.call('ZCARD', KEYS[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  n = n + redis.call('HLEN', ARGV[1] .. id)
end
return n
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class WorkerCoordinator:
    """Registers this worker, beats, recovers dead workers' requests, and closes the
    spider only when no worker has work left."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = CrawlState.of(crawler)
        self.worker = worker_name(self.state.settings.worker)
        self.db = connect(self.state.settings.redis_url)
        self._pending = self.db.register_script(_PENDING)
        self._requeue = self.db.register_script(REQUEUE)
        self.drained_since: float | None = None
        self.beats = task.LoopingCall(self.beat_safely)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerCoordinator:
        if not CrawlState.of(crawler).settings.distributed:
            raise NotConfigured
        return cls(crawler)

    def key(self, name: str) -> str:
        """One of the running feed's keys."""
        assert self.crawler.spider is not None
        return feed_key(self.crawler.spider.name, name)

    @property
    def scheduler(self) -> WorkScheduler:
        return SCHEDULERS[self.crawler]

    def spider_opened(self, spider: Spider) -> None:
        """Join the feed's workers and start beating; the engine looks at the shared
        queue every BEAT seconds when idle, not every 5 s."""
        self.db.sadd(self.key("workers"), self.worker)
        assert self.crawler.stats is not None
        if self.state.settings.worker:  # `newsbot worker`: the run report says whose share
            self.crawler.stats.set_value("newsbot/worker", self.worker)
        self.beat()
        assert self.crawler.engine is not None
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = BEAT  # read when the engine starts
        self.beats.start(BEAT, now=False)
        logger.info("feed %r: worker %s joined the queue at %s",
                    spider.name, self.worker, self.state.settings.redis_url)  # fmt: skip

    def beat_safely(self) -> None:
        """The periodic beat: a Redis error is logged (the idle check decides to stop)."""
        try:
            self.beat()
        except RedisError as exc:
            logger.warning("worker %s: no heartbeat to Redis: %s", self.worker, exc)

    def beat(self) -> None:
        """Say this worker is alive; unmark the requests it has finished."""
        timeout_ms = int(self.state.settings.worker_timeout * 1000)
        self.db.set(self.key(f"alive:{self.worker}"), "1", px=timeout_ms)
        self.scheduler.settle()

    def pending(self) -> int:
        """Requests in the feed's queue plus those any worker has in flight."""
        keys = [QUEUE_KEY % {"spider": self.crawler.spider.name}, self.key("workers")]  # type: ignore[union-attr]
        return int(self._pending(keys=keys, args=[self.key("inflight:")]))

    def spider_idle(self, spider: Spider) -> None:
        """Keep waiting while any worker has work; close after CONFIRM seconds of none;
        close as ``redis-lost`` when Redis stays unreachable past the clients' retries."""
        try:
            self.wait_for_work(spider)
        except RedisError as exc:
            logger.error("feed %r: worker %s lost Redis at %s: %s; stopping (its requests "
                         "stay in flight, for another worker or its restart)", spider.name,
                         self.worker, self.state.settings.redis_url, exc)  # fmt: skip
            raise CloseSpider(str(CloseReason.REDIS_LOST)) from exc

    def wait_for_work(self, spider: Spider) -> None:
        """Raise DontCloseSpider unless no worker has had work for CONFIRM seconds."""
        self.beat()
        self.recover_dead(spider)
        if self.pending():
            self.drained_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.drained_since is None:
            self.drained_since = now
        if now - self.drained_since < CONFIRM:
            raise DontCloseSpider
        logger.info("feed %r: the queue is drained and no worker is busy", spider.name)

    def recover_dead(self, spider: Spider) -> None:
        """Put the in-flight requests of workers whose heartbeat expired back in the queue,
        after adopting what their JSONL part holds unrecorded (when it is on this disk)."""
        members = [_text(name) for name in self.db.smembers(self.key("workers"))]
        pipe = self.db.pipeline()
        for name in members:
            pipe.exists(self.key(f"alive:{name}"))
        for name, alive in zip(members, pipe.execute(), strict=True):
            if alive or name == self.worker:
                continue
            self.adopt_part(spider, name)
            queue = QUEUE_KEY % {"spider": spider.name}
            back = self._requeue(keys=[self.key(f"inflight:{name}"), queue])
            self.db.srem(self.key("workers"), name)
            logger.warning("feed %r: worker %s stopped beating; %d of its requests are "
                           "back in the queue", spider.name, name, back)  # fmt: skip

    def adopt_part(self, spider: Spider, name: str) -> None:
        """Record the lines a dead worker wrote to today's part but did not record."""
        day = datetime.now(SHANGHAI).strftime("%Y-%m-%d")
        pattern = part_pattern(self.state.settings.output_base, name)
        path = Path(pattern.format(feed=spider.name, day=day, month=day[:7]))
        if path.exists() and self.state.settings.persistent:
            feed = getattr(spider, "feed", None)
            adopted = adopt_lines(self.state.store, path, feed.host_aliases if feed else {})
            if adopted:
                logger.info("feed %r: adopted %d record(s) of worker %s", spider.name,
                            adopted, name)  # fmt: skip

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Leave: what this worker still had in flight goes back to the queue (all it
        had marked, when the run was cut short); the last
        worker of a finished feed clears its dupefilter, so the next run reads its list
        pages again."""
        if self.beats.running:
            self.beats.stop()
        if reason == CloseReason.REDIS_LOST:
            return  # nothing to tell Redis; its in-flight requests are recovered later
        if reason == "finished":
            self.scheduler.settle(final=True)
        # else (Ctrl-C, a shutdown) the downloads cut short look finished to the engine:
        # everything still marked goes back (a request done twice is dropped as known)
        queue = QUEUE_KEY % {"spider": spider.name}
        self._requeue(keys=[self.key(f"inflight:{self.worker}"), queue])
        self.db.srem(self.key("workers"), self.worker)
        self.db.delete(self.key(f"alive:{self.worker}"))
        if reason == "finished" and not self.pending():
            self.db.delete(DUPEFILTER_KEY % {"spider": spider.name})
        self.db.close()
