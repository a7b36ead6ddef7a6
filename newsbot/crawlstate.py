"""What one crawl shares between its components: the NEWSBOT_* settings read once, the
state store opened once, and what the crawl learns on the way (redirects).

Each crawler has exactly one :class:`CrawlState`, reached with ``CrawlState.of(crawler)``
by the middlewares, the pipelines and the runner; nothing is kept on the spider.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newsbot.config.runtime import NewsbotSettings
from newsbot.core.codes import CloseReason, FailureKind
from newsbot.core.dedup import canonical_url
from newsbot.core.failures import describe
from newsbot.store import StateStore, open_store, store_errors

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_STATES: WeakKeyDictionary[Crawler, CrawlState] = WeakKeyDictionary()


#: Canonical URLs a crawl keeps at most (then forgets them all and starts again).
_CANONICAL_CACHE = 4096


class CrawlState:
    """The one owner of a crawl's state store (opened on first use, closed when the
    engine stops) and of its runtime settings."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = NewsbotSettings.from_settings(crawler.settings)
        self._store: StateStore | None = None
        #: Where and how the first write of the archive or the store failed, if one did:
        #: then nothing more is written and the spider is closing.
        self.write_error: str | None = None
        #: Canonical URLs computed lately: a link's is asked for when its list page is
        #: read, for its record's id and again when its record is written.
        self._canonical: dict[tuple[str, str | None], str] = {}
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
            location = settings.store_location if settings.persistent else ""
            self._store = open_store(location, snapshot=settings.dry_run, worker=settings.worker)
        return self._store

    def canonical(self, url: str) -> str:
        """The canonical URL of ``url`` under the running feed's ``host_aliases``: the key
        of every known-URL question the store answers."""
        feed = getattr(self.crawler.spider, "feed", None)
        key = (url, feed.name if feed is not None else None)
        known = self._canonical.get(key)
        if known is None:
            if len(self._canonical) >= _CANONICAL_CACHE:
                self._canonical.clear()  # a crawl asks again within a page or two
            known = self._canonical[key] = canonical_url(
                url, feed.host_aliases if feed is not None else {}
            )
        return known

    @contextmanager
    def recording(self, what: str, close: bool = True) -> Iterator[None]:
        """A write to the state store (in its own transaction, inside this block): a
        failure (a full disk) is the crawl's write error, :meth:`stop_writing`."""
        try:
            yield
        except store_errors() as exc:
            self.stop_writing(what, self.settings.store_location, exc, close=close)

    def stop_writing(self, what: str, where: str, exc: Exception, close: bool = True) -> str:
        """The first write error of the crawl (archive or store): count it, log one ERROR
        line naming the file and the error, and close the spider (``write-failed``); later
        writes are not tried, later errors not logged. Returns the error's detail."""
        detail = describe(type(exc).__name__, str(exc))
        if self.write_error is not None:
            return detail
        self.write_error = f"{where}: {detail}"
        crawler = self.crawler
        assert crawler.stats is not None and crawler.engine is not None
        crawler.stats.inc_value(f"newsbot/failed/{FailureKind.WRITE}")
        feed = getattr(crawler.spider, "name", "?")
        logger.error(
            "feed %r: cannot write %s to %s: %s; the crawl stops here (nothing unwritten is "
            "marked seen: the next run writes the rest)", feed, what, where, detail,
        )  # fmt: skip
        if not close:  # the spider is closing already
            return detail
        closing = deferred_from_coro(
            crawler.engine.close_spider_async(reason=str(CloseReason.WRITE_FAILED))
        )
        closing.addErrback(lambda failure: logger.error("feed %r: %s", feed, failure.value))
        return detail

    def close(self) -> None:
        """Close the store, if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None
