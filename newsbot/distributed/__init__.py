"""Distributed crawling: several workers share each feed's requests through scrapy-redis
on one Redis (``NEWSBOT_REDIS_URL``), and newsbot's state store lives there too
(newsbot.store.redis). ``scheduler`` keeps each worker's fetched-but-unfinished requests
in Redis, ``coordinator`` decides when the work is done (docs/distributed.md).

Every key is ``newsbot:<feed>:…``: ``requests`` (scrapy-redis' priority queue),
``dupefilter``, ``workers`` (the set of worker names), ``alive:<worker>`` (a heartbeat
that expires), ``inflight:<worker>`` (requests taken from the queue and not finished).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

from newsbot.store.protocol import REDIS_PREFIX as PREFIX

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: scrapy-redis' keys for a feed (``%(spider)s`` is the feed's name).
QUEUE_KEY = PREFIX + "%(spider)s:requests"
DUPEFILTER_KEY = PREFIX + "%(spider)s:dupefilter"


def feed_key(feed: str, name: str) -> str:
    """The full name of one of a feed's coordination keys."""
    return f"{PREFIX}{feed}:{name}"


def use_redis(settings: BaseSettings, url: str) -> None:
    """Put the scheduler queue and the request dupefilter of a crawl in the Redis at
    ``url`` (scrapy-redis), at the spider's priority; kept across workers (persisted)
    until the coordinator finds the feed's work done."""
    from newsbot.store.redis import client_options  # the Redis client: distributed runs only

    values = {
        "SCHEDULER": "newsbot.distributed.scheduler.WorkScheduler",
        "DUPEFILTER_CLASS": "newsbot.distributed.scheduler.RetrySafeDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "REDIS_URL": url,
        "REDIS_PARAMS": client_options(),
    }
    for name, value in values.items():
        settings.set(name, value, priority="spider")
    # A worker takes from the shared queue only what it can fetch at once: with Scrapy's
    # CONCURRENT_REQUESTS above the per-site limit, the first worker would hoard a feed's
    # requests in its own download slot while the others wait.
    if (settings.getpriority("CONCURRENT_REQUESTS") or 0) < SETTINGS_PRIORITIES["cmdline"]:
        per_site = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        settings.set("CONCURRENT_REQUESTS", per_site, priority="spider")
