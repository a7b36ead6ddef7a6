"""What becomes of each page and article link of a feed, counted on the feed's own crawler.

- :class:`ExtractFailureMiddleware` (spider middleware, outermost): an exception while
  reading a page is counted as ``newsbot/failed/extract``, logged in one line naming feed
  and URL, and the page gives nothing; the crawl goes on.
- :class:`ArticleOutcomes` (extension): follows every article request, by its
  ``newsbot_article`` link (redirects and retries keep it), to its end: written, dropped
  with a reason, failed, or filtered by Scrapy. A link that ends in none of these when the
  spider closes is ``unknown``. Each loss is counted as ``newsbot/lost/<reason>``; the
  list of lost links (url, reason, detail) is the ``newsbot/lost_links`` stat, the run
  report's ``lost``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware

from newsbot.core.codes import FailureKind, LostReason
from newsbot.core.failures import describe, is_loss, offsite, redirect_loop
from newsbot.crawlstate import CrawlState
from newsbot.middlewares import ARTICLE_META
from newsbot.pipelines import ArticleDropped
from newsbot.signals import article_lost

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)
#: Not looked up yet (ArticleOutcomes._offsite).
_UNKNOWN = object()


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
        """Count, log and swallow the exception; an article's link is reported lost."""
        link = response.meta.get(ARTICLE_META)
        detail = describe(type(exception).__name__, str(exception))
        _stats(self.crawler).inc_value(f"newsbot/failed/{FailureKind.EXTRACT}")
        feed = _feed(self.crawler)
        logger.error("feed %r: cannot read %s: %s", feed, link or response.url, detail)
        # The traceback is for whoever fixes the code, not for the crawl's log of problems.
        logger.debug("feed %r: the exception reading %s", feed, response.url, exc_info=exception)
        if link:
            self.crawler.signals.send_catch_log(
                article_lost, url=str(link), reason=LostReason.EXTRACT_ERROR, detail=detail
            )
        return []


class ArticleOutcomes:
    """Every requested article link ends as written, an expected drop, or a counted loss."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        #: Every article link requested, in order, and those whose outcome is known.
        self.requested: dict[str, None] = {}
        self.settled: set[str] = set()
        #: Links whose (redirected) request Scrapy dropped as a page another link fetches.
        self.same_page: set[str] = set()
        #: Request URL → the first article link that requested it.
        self.first_by_url: dict[str, str] = {}
        self.lost: list[dict[str, str]] = []
        #: Distributed mode: another worker may take a request this one scheduled, so an
        #: article is this worker's to settle once it takes it (reaches its downloader).
        self.shared = CrawlState.of(crawler).settings.distributed
        self._offsite: object = _UNKNOWN  # Scrapy's OffsiteMiddleware, or None if it is off
        if self.shared:  # else every request would call a handler that does nothing
            crawler.signals.connect(self.request_taken, signal=signals.request_reached_downloader)
        for handler, signal in (
            (self.request_scheduled, signals.request_scheduled),
            (self.request_dropped, signals.request_dropped),
            (self.item_scraped, signals.item_scraped),
            (self.item_dropped, signals.item_dropped),
            (self.item_error, signals.item_error),
            (self.lose, article_lost),
            (self.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleOutcomes:
        return cls(crawler)

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """Note an article request; one Scrapy's OffsiteMiddleware filters is lost (it
        filters silently, before any errback)."""
        link = request.meta.get(ARTICLE_META)
        if not link:
            return
        link = str(link)
        if not self.shared:
            self.requested.setdefault(link)
        self.first_by_url.setdefault(request.url, link)
        if self._filtered_offsite(request, spider):
            hosts = list(getattr(spider, "allowed_domains", []))
            redirected = bool(request.meta.get("redirect_urls"))
            self.fetch_failed(link, LostReason.OFFSITE, offsite(request.url, hosts, redirected))

    def request_taken(self, request: Request, spider: Spider) -> None:
        """Distributed mode: note an article request this worker took from the queue."""
        link = request.meta.get(ARTICLE_META)
        if link:
            self.requested.setdefault(str(link))

    def _filtered_offsite(self, request: Request, spider: Spider) -> bool:
        if request.dont_filter or request.meta.get("allow_offsite"):
            return False  # OffsiteMiddleware lets these through
        if self._offsite is _UNKNOWN:  # looked up once the engine (and its downloader) runs
            self._offsite = self.crawler.get_downloader_middleware(OffsiteMiddleware)
        middleware = self._offsite
        return isinstance(middleware, OffsiteMiddleware) and not middleware.should_follow(
            request, spider
        )

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """The dupefilter dropped a request: a redirect back to a page of its own chain is
        a loop (lost); a redirect to a page another link requested is no loss."""
        link = request.meta.get(ARTICLE_META)
        if not link:
            return
        link = str(link)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if request.url in chain[:-1]:
            self.fetch_failed(link, LostReason.REDIRECT_LOOP, redirect_loop(chain))
        elif self.first_by_url.get(request.url, link) != link:
            self.same_page.add(link)
        # else: the link was requested twice; the request in flight has its outcome

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        """The article was written."""
        self.settled.add(self._link(item, response))

    def item_dropped(
        self, item: Any, response: Response, exception: BaseException, spider: Spider
    ) -> None:
        """A drop: lost unless it is the pipelines doing their job (a duplicate…)."""
        link = self._link(item, response)
        if isinstance(exception, ArticleDropped):
            reason, detail = exception.reason, exception.detail
        else:  # a DropItem of another component: no reason of ours, so a loss
            reason, detail = LostReason.DROPPED, str(exception)
        if is_loss(reason):
            self.lose(link, reason, detail)
        else:
            self.settled.add(link)

    def item_error(self, item: Any, response: Response, spider: Spider, failure: Failure) -> None:
        """A pipeline raised (Scrapy logs it with its traceback): a failure, and a loss."""
        _stats(self.crawler).inc_value(f"newsbot/failed/{FailureKind.EXTRACT}")
        error = failure.value
        self.lose(
            self._link(item, response),
            LostReason.ITEM_ERROR,
            describe(type(error).__name__, str(error)),
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Links with no outcome are lost/unknown; publish the list of lost links."""
        open_links = [
            link
            for link in self.requested
            if link not in self.settled and link not in self.same_page
        ]
        feed = _feed(self.crawler)
        if reason == "finished":
            detail = "requested, but no outcome was recorded"
            for link in open_links:
                logger.warning("feed %r: article %s is lost: %s", feed, link, detail)
        else:  # the early end is the news (and not yet marked seen, they come next run)
            detail = f"the run ended ({reason}) before its outcome"
            if open_links:
                logger.warning(
                    "feed %r: the run ended (%s) before %d article link(s) had an outcome",
                    feed, reason, len(open_links),
                )  # fmt: skip
        for link in open_links:
            self.lose(link, LostReason.UNKNOWN, detail)
        if self.lost:
            _stats(self.crawler).set_value("newsbot/lost_links", self.lost)

    def fetch_failed(self, link: str, reason: LostReason, detail: str) -> None:
        """A fetch that failed where no errback sees it: counted and logged as the
        errback does (newsbot.spiders.base), then lost."""
        _stats(self.crawler).inc_value(f"newsbot/failed/{FailureKind.FETCH}")
        logger.error("feed %r: cannot fetch %s: %s", _feed(self.crawler), link, detail)
        self.lose(link, reason, detail)

    def lose(self, url: str, reason: str, detail: str) -> None:
        """Record a lost article link (once: its first outcome is its outcome)."""
        if url in self.settled:
            return
        self.settled.add(url)
        _stats(self.crawler).inc_value(f"newsbot/lost/{reason}")
        self.lost.append({"url": url, "reason": str(reason), "detail": detail})

    @staticmethod
    def _link(item: Any, response: Response) -> str:
        """The article link an item or drop belongs to (its request's meta; else its URL)."""
        link = response.meta.get(ARTICLE_META) if response is not None else None
        return str(link or ItemAdapter(item).get("url", "?"))
