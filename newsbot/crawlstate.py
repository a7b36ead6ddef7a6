"""What one crawl shares between its components: the NEWSBOT_* settings read once, the
state store opened once, and what the crawl learns on the way (redirects).

Each crawler has exactly one :class:`CrawlState`, reached with ``CrawlState.of(crawler)``
by the middlewares, the pipelines and the runner; nothing is kept on the spider.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from newsbot.config.runtime import NewsbotSettings
from newsbot.core.dedup import canonical_url
from newsbot.store import StateStore, open_store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_STATES: WeakKeyDictionary[Crawler, CrawlState] = WeakKeyDictionary()


class CrawlState:
    """The one owner of a crawl's state store (opened on first use, closed when the
    engine stops) and of its runtime settings."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = NewsbotSettings.from_settings(crawler.settings)
        self._store: StateStore | None = None
        crawler.signals.connect(self.close, signal=signals.engine_stopped)
        if self.settings.mirror:
            logger.info("Offline mirror on: every request is served by %s", self.settings.mirror)

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlState:
        """The crawler's CrawlState, created on the first call."""
        state = _STATES.get(crawler)
        if state is None:
            state = _STATES[crawler] = cls(crawler)
        return state

    @property
    def store(self) -> StateStore:
        """The state store: an in-memory one when NEWSBOT_STATE is empty or in a fresh
        re-read; an in-memory copy of it in a dry run (which writes nothing)."""
        if self._store is None:
            settings = self.settings
            location = settings.state if settings.persistent else ""
            self._store = open_store(location, snapshot=settings.dry_run)
        return self._store

    def canonical(self, url: str) -> str:
        """The canonical URL of ``url`` under the running feed's ``host_aliases``: the key
        of every known-URL question the store answers."""
        feed = getattr(self.crawler.spider, "feed", None)
        return canonical_url(url, feed.host_aliases if feed is not None else {})

    def close(self) -> None:
        """Close the store, if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None
