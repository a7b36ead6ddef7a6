"""FeedSpider: what every feed spider shares (settings, records, error reporting)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse

from newsbot.browser import (
    INSTALL_HINT,
    apply_render_settings,
    chromium_available,
    chromium_path,
    render_meta,
)
from newsbot.config.loader import iter_feed_urls
from newsbot.config.models import HtmlFeed, JsonFeed
from newsbot.core.dedup import canonical_url, record_id
from newsbot.core.extract.challenge import looks_like_js_challenge
from newsbot.core.extract.hints import date_fallbacks
from newsbot.items import Article
from newsbot.mirror import mirror_base
from newsbot.store.sqlite import StateStore

if TYPE_CHECKING:
    from parsel import Selector
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from newsbot.core.extract.selectors import RawArticle

logger = logging.getLogger(__name__)


def article_link(request: scrapy.Request) -> str:
    """The human-facing URL of an article request (a JSON article API's ``link``)."""
    return str(request.cb_kwargs.get("link", request.url))


class FeedSpider(scrapy.Spider):
    """Base of the generic spiders; a subclass per feed sets ``name`` and ``feed``."""

    feed: ClassVar[HtmlFeed | JsonFeed]

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if mirror_base(settings):
            # A local mirror needs no politeness; keep tests and the demo fast.
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        elif cls.feed.delay is not None:
            settings.set("DOWNLOAD_DELAY", cls.feed.delay, priority="spider")
        if cls.feed.render:
            apply_render_settings(settings, cls.feed.browser)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hosts = {urlsplit(url).hostname for url in iter_feed_urls(self.feed)}
        self.allowed_domains = sorted(host for host in hosts if host and "{" not in host)
        self._state: StateStore | None = None
        #: In a dry run (NEWSBOT_DRY_RUN), the article URLs that would have been fetched.
        self.would_fetch: list[str] = []
        #: Article links answered with a redirect → where to (newsbot.middlewares).
        self.redirects: dict[str, str] = {}

    @property
    def dry_run(self) -> bool:
        """Whether this run only reads list pages and lists the articles it would fetch."""
        return self.crawler.settings.getbool("NEWSBOT_DRY_RUN")

    def listed(self, links: int) -> None:
        """Count a list page and the article links it gave (known or not): the health
        report flags a feed whose list pages stop yielding links."""
        self.crawler.stats.inc_value("newsbot/list_pages")
        self.crawler.stats.inc_value("newsbot/links", links)

    def article_requests(self, requests: list[scrapy.Request]) -> list[scrapy.Request]:
        """The requests to send for new articles; in a dry run none, only their links
        noted in ``would_fetch``."""
        if not self.dry_run:
            return requests
        self.would_fetch.extend(article_link(request) for request in requests)
        self.crawler.stats.inc_value("newsbot/would_fetch", len(requests))
        return []

    def unseen(self, urls: list[str]) -> list[str]:
        """The article URLs not written by an earlier run (incremental crawling): known
        ones are not downloaded again, and are counted as newsbot/skipped_known."""
        path = self.crawler.settings.get("NEWSBOT_STATE")
        if not path or not urls:
            return urls
        if self._state is None:
            self._state = StateStore(path)
            self.crawler.signals.connect(self._close_state, signal=signals.spider_closed)
        canonical = {url: canonical_url(url, self.feed.host_aliases) for url in urls}
        known = self._state.known_urls(list(canonical.values()))
        fresh = [url for url in urls if canonical[url] not in known]
        if len(fresh) < len(urls):
            self.crawler.stats.inc_value("newsbot/skipped_known", len(urls) - len(fresh))
        return fresh

    def _close_state(self) -> None:
        if self._state is not None:
            self._state.close()

    def request(
        self, url: str, callback: Any, page: str | None = None, **cb_kwargs: Any
    ) -> scrapy.Request:
        """A request carrying the feed's headers and the shared errback; on render feeds,
        an HTML ``page`` ("list" or "article") goes through Chromium (JSON APIs never do)."""
        meta: dict[str, Any] = {"newsbot_page": page} if page else {}
        if self.feed.render and page is not None:
            options = self.feed.browser
            wait_for = options.list_wait_for if page == "list" else options.wait_for
            meta.update(render_meta(options, self.mirror, wait_for, self.feed.name))
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers=self.feed.headers or None,
            cb_kwargs=cb_kwargs,
            meta=meta or None,
        )

    @property
    def mirror(self) -> str:
        """The offline mirror's base URL, or ''."""
        return mirror_base(self.crawler.settings)

    def browser_missing(self) -> bool:
        """True (and an error saying how to install it) when a render feed has no Chromium."""
        if not self.feed.render:
            return False
        path = chromium_path(self.crawler.settings)
        if chromium_available(path):
            return False
        self.crawler.stats.inc_value("newsbot/errors")
        logger.error(
            "feed %r needs Chromium (render: true) but %s does not exist: %s; "
            "skipping this feed",
            self.feed.name, path, INSTALL_HINT,
        )  # fmt: skip
        return True

    def make_article(self, raw: RawArticle, url: str, page: Selector | None = None) -> Article:
        """The item for one article page, raw fields still uncleaned."""
        return Article(
            layout=self.feed.layout,
            title=raw.title or "",
            date=raw.date or "",
            content=raw.body or "",
            url=url,
            source=raw.source,
            author=raw.author,
            editor=raw.editor,
            feed=self.feed.name,
            kind=self.feed.kind,
            id=record_id(url, self.feed.host_aliases),
            crawled_at=datetime.now(UTC).isoformat(timespec="seconds"),
            date_fallbacks=date_fallbacks(page, url),
        )

    def on_error(self, failure: Failure) -> None:
        """Log a failed request with its feed and URL; count it; the crawl goes on."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        self.crawler.stats.inc_value("newsbot/errors")
        logger.error("feed %r: cannot fetch %s: %s", self.feed.name, url, failure.value)

    def is_blocked(self, response: Response) -> bool:
        """True (and an error naming feed and URL) when the page is a JavaScript challenge."""
        if not isinstance(response, TextResponse) or not looks_like_js_challenge(response.text):
            return False
        self.crawler.stats.inc_value("newsbot/js_challenges")
        hint = (
            "Chromium did not get past it: check browser.wait_for / network_idle"
            if self.feed.render
            else "set `render: true` on this feed to fetch it with Chromium"
        )
        logger.error(
            "feed %r: %s answered with a JavaScript anti-bot challenge instead of content "
            "(%s); nothing extracted from it",
            self.feed.name, response.url, hint,
        )  # fmt: skip
        return True

    def report(self, message: str, url: str, stat: str) -> None:
        """Log a page problem naming feed and URL, and count it as newsbot/<stat>."""
        self.crawler.stats.inc_value(f"newsbot/{stat}")
        logger.warning("feed %r: %s: %s", self.feed.name, message, url)
