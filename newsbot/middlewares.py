"""Incremental crawling, as middlewares around the spiders.

- :class:`IncrementalMiddleware` (spider middleware): article links the state store knows
  are not requested again, and a list page whose article links were all known ends the
  paging (older pages are archived too) — but only when the feed's previous pass was
  complete (the paging frontier): after an interrupted pass, paging goes on past known
  pages, so a killed back-fill is finished by the next run.
- :class:`DryRunMiddleware` (spider middleware): in a dry run no article is requested;
  each is announced with the ``article_would_fetch`` signal and counted.
- :class:`HeadMetaRefreshMiddleware` (downloader middleware): Scrapy's meta refresh,
  followed only from the page's ``<head>``.
- :class:`RedirectMemoryMiddleware` (downloader middleware): remembers article links that
  redirect in the state store as they are learnt, so later runs do not fetch them again.
- :class:`RetryBackoffMiddleware` (downloader middleware): a retry waits before it is sent,
  longer after each failure (``NEWSBOT_RETRY_BACKOFF``), instead of hitting a failing
  server again at once.

Spiders mark their requests with meta keys: ``newsbot_article`` (the article's
human-facing URL) on article requests, ``newsbot_list_page`` (1, 2, …) on list pages.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, TextResponse
from w3lib.url import safe_url_string

from newsbot.core.failures import backoff_delay
from newsbot.crawlstate import CrawlState
from newsbot.signals import article_would_fetch

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

ARTICLE_META = "newsbot_article"
LIST_PAGE_META = "newsbot_list_page"


def article_url(output: Any) -> str | None:
    """The article URL a spider output requests, or None if it is not an article request."""
    if isinstance(output, Request):
        link = output.meta.get(ARTICLE_META)
        return str(link) if link else None
    return None


def is_list_request(output: Any) -> bool:
    """Whether a spider output requests a list page."""
    return isinstance(output, Request) and output.meta.get(LIST_PAGE_META) is not None


class _BatchMiddleware:
    """A spider middleware that sees all outputs of one callback at once (list pages
    yield a handful of requests; deciding about paging needs the whole batch)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = CrawlState.of(crawler)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Filter one callback's outputs (synchronous callbacks)."""
        yield from self.filter_batch(response, list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """Filter one callback's outputs (asynchronous callbacks)."""
        for output in self.filter_batch(response, [output async for output in result]):
            yield output

    def filter_batch(self, response: Response, outputs: list[Any]) -> list[Any]:
        """The outputs to pass on."""
        raise NotImplementedError


class ReleasePageMiddleware:
    """Frees a page's parsed tree as soon as its callback is done with it.

    Scrapy's selector of a response refers back to the response, so a page, its text and
    its lxml tree outlive the callback until Python's cycle collector runs: a busy crawl
    held ~100 such pages at a time, most of them garbage. Dropping the response's cached
    selector breaks the cycle; anything that asks for ``response.selector`` later gets a
    new one.
    """

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Pass the outputs on; release the page once they are all out."""
        try:
            yield from result
        finally:
            release_selector(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """Pass the outputs on; release the page once they are all out."""
        try:
            async for output in result:
                yield output
        finally:
            release_selector(response)


def release_selector(response: Response) -> None:
    """Break the response -> selector -> response cycle (Scrapy's cached selector)."""
    if isinstance(response, TextResponse):
        response._cached_selector = None


class IncrementalMiddleware(_BatchMiddleware):
    """Skip known article links; stop paging at a list page whose links are all known,
    when the feed's previous pass was complete. Off (NotConfigured) when the state store
    is not persistent."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        #: Whether an all-known list page may end the paging (the last pass was complete).
        self.trusted = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not CrawlState.of(crawler).settings.persistent:
            raise NotConfigured  # no persistent NEWSBOT_STATE (a message would log a warning)
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        """Read whether the last pass was complete; mark this one as under way."""
        store = self.state.store
        self.trusted = False
        with self.state.recording("the start of the pass"), store.transaction():
            self.trusted = store.pass_complete(spider.name)
            if not self.state.settings.dry_run:
                store.begin_pass(spider.name)
        if not self.trusted:
            logger.info(
                "feed %r: the last pass did not finish; paging past known pages", spider.name
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record the pass as complete only if it ended by itself with nothing failed."""
        if self.state.settings.dry_run or self.state.write_error is not None:
            return  # a crawl stopped at a write error leaves its pass incomplete
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        failed = sum(count for name, count in stats.items() if name.startswith("newsbot/failed/"))
        complete = reason == "finished" and not failed
        store = self.state.store
        with self.state.recording("the end of the pass", close=False), store.transaction():
            store.end_pass(spider.name, complete, stats.get("newsbot/list_pages", 0))

    def filter_batch(self, response: Response, outputs: list[Any]) -> list[Any]:
        links = [link for link in map(article_url, outputs) if link]
        if not links:
            return outputs
        canonical = {link: self.state.canonical(link) for link in links}
        known = self.state.store.known_urls(list(set(canonical.values())))
        skipped = sum(canonical[link] in known for link in links)
        assert self.crawler.stats is not None
        if skipped:
            self.crawler.stats.inc_value("newsbot/skipped_known", skipped)
        stop = skipped == len(links) and self.trusted
        if skipped == len(links):
            stat = "paging_stopped_known" if stop else "paging_past_known"
            self.crawler.stats.inc_value(f"newsbot/{stat}")
        kept = []
        for output in outputs:
            link = article_url(output)
            if link is not None and canonical[link] in known:
                continue  # written (or skipped with a reason) by an earlier run
            if stop and is_list_request(output):
                continue  # this page is archived already, and so are older ones
            kept.append(output)
        return kept


class DryRunMiddleware(_BatchMiddleware):
    """In a dry run (NEWSBOT_DRY_RUN), article requests are announced, not sent."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DryRunMiddleware:
        if not CrawlState.of(crawler).settings.dry_run:
            raise NotConfigured  # not a dry run
        return cls(crawler)

    def filter_batch(self, response: Response, outputs: list[Any]) -> list[Any]:
        kept = []
        feed = getattr(self.crawler.spider, "name", "?")
        for output in outputs:
            link = article_url(output)
            if link is None:
                kept.append(output)
                continue
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsbot/would_fetch")
            self.crawler.signals.send_catch_log(article_would_fetch, url=link, feed=feed)
        return kept


class RedirectMemoryMiddleware:
    """Stores ``link → target`` for every 3xx answer to an article request, at once (a
    killed run keeps what it learnt). It sits below RedirectMiddleware, so it sees the
    redirect even when Scrapy then filters the target as already requested. Off
    (NotConfigured) without a persistent state store, or in a dry run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = CrawlState.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectMemoryMiddleware:
        settings = CrawlState.of(crawler).settings
        if not settings.persistent or settings.dry_run:
            raise NotConfigured  # nothing to remember across runs
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        """Note a redirect of an article link; pass every response on unchanged."""
        location = response.headers.get("Location")
        if (
            300 <= response.status < 400
            and location
            and request.meta.get("newsbot_page") == "article"
        ):
            target = urljoin(
                request.url, safe_url_string(location.decode("latin-1"), encoding="utf-8")
            )
            store = self.state.store
            with self.state.recording(f"the redirect of {request.url}"), store.transaction():
                store.add_redirect(self.state.canonical(request.url), self.state.canonical(target))
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsbot/redirects_learnt")
        return response


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, followed only when the ``<meta http-equiv=refresh>``
    is in the page's ``<head>``: one inside an article's body is content (a pasted
    fragment, a hostile page), never navigation that would lose the article."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        """Follow a head meta refresh as Scrapy does; ignore one anywhere else."""
        if isinstance(response, HtmlResponse) and not response.xpath(_HEAD_REFRESH):
            return response
        return super().process_response(request, response)


_HEAD_REFRESH = "/html/head/meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']"


class RetryBackoffMiddleware:
    """Delays each retry Scrapy's RetryMiddleware schedules: the n-th retry of a request
    waits ``NEWSBOT_RETRY_BACKOFF * 2**(n-1)`` seconds, at most ``NEWSBOT_RETRY_BACKOFF_MAX``
    (0 turns the wait off). Placed before the downloader, so the wait holds no connection."""

    def __init__(self, crawler: Crawler) -> None:
        settings = CrawlState.of(crawler).settings
        self.base, self.cap = settings.retry_backoff, settings.retry_backoff_max
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        """Wait before a retried request goes out (its first attempt is not delayed)."""
        delay = backoff_delay(int(request.meta.get("retry_times", 0)), self.base, self.cap)
        if delay <= 0:
            return
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        logger.debug("retry %d of %s in %.2f s", request.meta["retry_times"], request.url, delay)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsbot/retry_backoff_ms", round(delay * 1000))
        await maybe_deferred_to_future(deferLater(reactor, delay))
