"""What becomes of each page of a feed, counted on the feed's own crawler.

- :class:`ExtractFailureMiddleware` (spider middleware, outermost): an exception while
  reading a page is counted as ``newsbot/failed/extract``, logged in one line naming feed
  and URL, and the page gives nothing; the crawl goes on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from newsbot.core.codes import FailureKind
from newsbot.core.failures import describe
from newsbot.middlewares import ARTICLE_META

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def _feed(crawler: Crawler) -> str:
    return str(getattr(crawler.spider, "name", "?"))


def _stats(crawler: Crawler) -> StatsCollector:
    assert crawler.stats is not None
    return crawler.stats


class ExtractFailureMiddleware:
    """Catches what a spider callback (or a spider middleware) raised and nothing else
    handled: one failure, one log line, no output; the other pages are read as usual."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractFailureMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> list[Any]:
        """Count, log and swallow the exception."""
        link = response.meta.get(ARTICLE_META)
        detail = describe(type(exception).__name__, str(exception))
        _stats(self.crawler).inc_value(f"newsbot/failed/{FailureKind.EXTRACT}")
        feed = _feed(self.crawler)
        logger.error("feed %r: cannot read %s: %s", feed, link or response.url, detail)
        # The traceback is for whoever fixes the code, not for the crawl's log of problems.
        logger.debug("feed %r: the exception reading %s", feed, response.url, exc_info=exception)
        return []
