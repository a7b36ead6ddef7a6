"""FeedSpider: what every feed spider shares (settings, records, error reporting)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from newsbot.browser import INSTALL_HINT, apply_render_settings, chromium_available, render_meta
from newsbot.charset import UNDECODABLE
from newsbot.closing import UNREACHABLE_STAT
from newsbot.config import HtmlFeed, JsonFeed, iter_feed_urls
from newsbot.config.arguments import SpiderArgumentError, apply_arguments
from newsbot.config.runtime import OVERRIDE_PRIORITY, NewsbotSettings, user_agent
from newsbot.core.codes import FailureKind, LostReason
from newsbot.core.dates import parse_date
from newsbot.core.dedup import canonical_record_id
from newsbot.core.extract import RawArticle, date_fallbacks, looks_like_js_challenge
from newsbot.core.extract.reading import read_article
from newsbot.core.failures import describe, fetch_reason, unmirror
from newsbot.crawlstate import CrawlState
from newsbot.distributed import use_redis
from newsbot.items import Article
from newsbot.middlewares import ARTICLE_META, LIST_PAGE_META
from newsbot.signals import article_lost

if TYPE_CHECKING:
    from parsel import Selector
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

#: The scheduler's priority of a list page over an article page (0): the next list page
#: is downloaded before the articles already queued, so the crawl never runs dry of links
#: while a page of them waits behind a full downloader.
LIST_PRIORITY = 10
#: ... but only while fewer than this many requests per CONCURRENT_REQUESTS wait in the
#: scheduler: list pages read ever further ahead would queue the site's article requests
#: in memory for no more speed.
LIST_LOOKAHEAD_PER_SLOT = 4
#: The priority of a list page held back: after the articles waiting in the scheduler.
#: At the articles' own priority (0) it went out first whenever a download slot freed
#: before its page's articles were queued (Scrapy hands the spider's output over one
#: request at a time, and its scheduler is last in, first out).
HELD_BACK_PRIORITY = -1

ArticleCallback = TypeVar("ArticleCallback", bound=Callable[..., Iterator[Article]])


def reads_article(callback: ArticleCallback) -> ArticleCallback:
    """An article callback that first turns a page whose bytes decode in no charset
    (flagged by newsbot.charset) into its :meth:`FeedSpider.undecodable_article` item, so
    every flow drops it the same way. The docstring (and its contracts) is kept."""

    @functools.wraps(callback)
    def read(self: FeedSpider, response: Response, *args: Any, **kwargs: Any) -> Iterator[Article]:
        unreadable = self.undecodable_article(response)
        if unreadable is not None:
            yield unreadable
            return
        yield from callback(self, response, *args, **kwargs)

    return cast("ArticleCallback", read)


class FeedSpider(scrapy.Spider):
    """Base of the generic spiders; a subclass per feed sets ``name`` and ``feed``."""

    #: The feed (a class attribute set by the spider loader; an instance gets its own
    #: copy when spider arguments override feeds.yaml keys for one run).
    feed: HtmlFeed | JsonFeed

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        runtime = NewsbotSettings.from_settings(settings)  # what follows sets no NEWSBOT_*
        if runtime.mirror:
            # A local mirror needs no politeness; keep tests and the demo fast.
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        elif cls.feed.delay is not None:
            settings.set("DOWNLOAD_DELAY", cls.feed.delay, priority="spider")
        if cls.feed.render:
            apply_render_settings(settings, cls.feed.browser)
        if runtime.distributed:  # the queue and dupefilter in Redis (docs/distributed.md)
            use_redis(settings, runtime.redis_url)
        if (settings.getpriority("USER_AGENT") or 0) < OVERRIDE_PRIORITY:
            # The User-Agent follows NEWSBOT_CONTACT_URL unless USER_AGENT itself is given.
            settings.set("USER_AGENT", user_agent(runtime.contact_url), priority="spider")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Spider arguments (-a NAME=VALUE) are feeds.yaml keys for this run only; any
        # other is refused rather than silently set as an attribute, as Scrapy would.
        try:
            feed = apply_arguments(self.feed, kwargs)
        except SpiderArgumentError as exc:
            raise UsageError(str(exc), print_help=False) from None
        super().__init__(*args)
        self.feed = feed
        hosts = {urlsplit(url).hostname for url in iter_feed_urls(self.feed)}
        self.allowed_domains = sorted(host for host in hosts if host and "{" not in host)
        self._methods: dict[Any, Any] = {}  # see one_method

    def one_method(self, method: Any) -> Any:
        """This spider's one bound-method object for ``method`` (any other callable as
        it is). Every request carries the same object: Scrapy remembers what it learnt of
        a callback (whether its source returns a value, which it parses to find out) by
        the object, weakly, so a bound method made per request had it parsed again and
        again."""
        function = getattr(method, "__func__", None)
        if function is None or getattr(method, "__self__", None) is not self:
            return method
        return self._methods.setdefault(function, method)

    def first_list_request(self) -> scrapy.Request:
        """The request for the feed's first list page (each flow says which)."""
        raise NotImplementedError

    def check_request(self) -> scrapy.Request | None:
        """The request for the feed's ``check_url`` (``scrapy check``'s sample article),
        built as a crawl would (Chromium for a render feed's page), or None."""
        url = self.feed.check_url
        if url is None:
            return None
        page = None if getattr(self.feed, "article_api", None) else "article"
        return self.request(url, self.parse_article, page)

    def parse_article(self, response: Response, **kwargs: Any) -> Any:
        """One article → one item (each flow reads its own)."""
        raise NotImplementedError

    @property
    def settings_once(self) -> NewsbotSettings:
        """The crawl's NEWSBOT_* settings (read once per crawler)."""
        return CrawlState.of(self.crawler).settings

    def listed(self, links: int) -> None:
        """Count a list page and the article links it gave (known or not): the health
        report flags a feed whose list pages stop yielding links."""
        self.crawler.stats.inc_value("newsbot/list_pages")
        self.crawler.stats.inc_value("newsbot/links", links)

    def list_request(
        self,
        url: str,
        callback: Any,
        list_page: int,
        page: str | None = None,
        links_ahead: int = 0,
    ) -> scrapy.Request:
        """A request for list page number ``list_page`` (HTML when ``page`` is "list"),
        ahead of the article requests in the scheduler (``LIST_PRIORITY``) unless enough
        of them wait there already, counting the ``links_ahead`` about to be queued; then
        after them (``HELD_BACK_PRIORITY``)."""
        request = self.request(url, callback, page, list_page=list_page)
        request.meta[LIST_PAGE_META] = list_page
        stats = self.crawler.stats
        # Requests in the scheduler by its stats (scrapy-redis' keeps others: 0 waiting).
        waiting = stats.get_value("scheduler/enqueued", 0) - stats.get_value(
            "scheduler/dequeued", 0
        )
        lookahead = LIST_LOOKAHEAD_PER_SLOT * self.crawler.settings.getint("CONCURRENT_REQUESTS")
        ahead = waiting + links_ahead < lookahead
        request.priority = LIST_PRIORITY if ahead else HELD_BACK_PRIORITY
        return request

    def article_request(
        self, url: str, callback: Any, link: str | None = None, **cb_kwargs: Any
    ) -> scrapy.Request:
        """A request for one article: its HTML page at ``url``, or, when ``link`` is
        given, a JSON article API at ``url`` for the article page ``link``."""
        if link is None:
            request = self.request(url, callback, "article", **cb_kwargs)
        else:
            request = self.request(url, callback, None, link=link, **cb_kwargs)
        request.meta[ARTICLE_META] = link or url
        return request

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
            callback=self.one_method(callback),
            errback=self.one_method(self.on_error),
            headers=self.feed.headers or None,
            cb_kwargs=cb_kwargs,
            meta=meta,
        )

    @property
    def mirror(self) -> str:
        """The offline mirror's base URL, or ''."""
        return self.settings_once.mirror

    def browser_missing(self) -> bool:
        """True (and an error saying how to install it) when a render feed has no Chromium."""
        if not self.feed.render:
            return False
        path = self.settings_once.chromium_path
        if chromium_available(path):
            return False
        self.failed(FailureKind.CONFIG)
        logger.error(
            "feed %r needs Chromium (render: true) but %s does not exist: %s; "
            "skipping this feed",
            self.feed.name, path, INSTALL_HINT,
        )  # fmt: skip
        return True

    def read_article_page(
        self, page: TextResponse, listed: Mapping[str, Any] | None = None
    ) -> RawArticle:
        """An article page's raw fields: the feed's rules (the list's fields winning), and
        the generic extractor for what they leave out — every field for a feed without
        ``article:`` rules; for one with rules, each field whose rule matched nothing,
        counted as ``newsbot/fallback/<field>``."""
        rules = self.feed.article
        reading = read_article(page.selector, page.text, page.url, rules, listed)
        if rules is not None:
            for name in reading.filled:
                self.crawler.stats.inc_value(f"newsbot/fallback/{name}")
        return reading.raw

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
            id=self.record_id(url),
            crawled_at=datetime.now(UTC).isoformat(timespec="seconds"),
            date_fallbacks=self.date_fallbacks(raw, url, page),
            fallbacks=list(raw.extra.get("fallbacks", [])),
        )

    def record_id(self, url: str) -> str:
        """The id of the record of the article at ``url`` (its canonical URL, kept by the
        crawl's state, hashed)."""
        return canonical_record_id(CrawlState.of(self.crawler).canonical(url))

    @staticmethod
    def date_fallbacks(raw: RawArticle, url: str, page: Selector | None) -> list[str]:
        """The date texts DatePipeline tries when the page's own date fails: looked for
        (the page's metadata, its URL, the generic extractor's hint) only then."""
        if raw.date and parse_date(raw.date) is not None:
            return []
        return [*date_fallbacks(page, url), *raw.extra.get("date_fallbacks", [])]

    def undecodable_article(self, response: Response) -> Article | None:
        """For an article page whose bytes decode in no charset (flagged by
        newsbot.charset), an empty item the validate pipeline drops as ``undecodable``
        (counted, logged with feed and URL, the link reported lost); else None."""
        if UNDECODABLE not in response.flags:
            return None
        url = str(response.meta.get(ARTICLE_META) or response.url)
        return Article(
            url=url,
            feed=self.feed.name,
            kind=self.feed.kind,
            id=self.record_id(url),
            unreadable="its bytes decode in no candidate charset (newsbot.core.encoding)",
        )

    def on_error(self, failure: Failure) -> None:
        """Count a failed request (once: errbacks run after the retries) and log it in one
        line naming feed, URL and what happened; an article is reported lost. The crawl
        goes on."""
        self.failed(FailureKind.FETCH)
        error, request = failure.value, getattr(failure, "request", None)
        status = error.response.status if isinstance(error, HttpError) else None
        url = request.url if request is not None else "?"
        # In mirror mode a download error names the mirror's URL; the log names real ones.
        detail = unmirror(describe(type(error).__name__, str(error), status), self.mirror, url)
        link = request.meta.get(ARTICLE_META) if request is not None else None
        logger.error("feed %r: cannot fetch %s: %s", self.feed.name, link or url, detail)
        if not isinstance(error, (HttpError, IgnoreRequest)):  # no answer at all
            self.unreachable(url, detail)
        if link:
            names = [cls.__name__ for cls in type(error).__mro__]
            self.lost(str(link), fetch_reason(names, str(error)), detail)

    def unreachable(self, url: str, detail: str) -> None:
        """Note that ``url``'s host gave no answer (the first such failure per host): with
        no page downloaded, the closing line and the run report say the site was
        unreachable."""
        hosts = dict(self.crawler.stats.get_value(UNREACHABLE_STAT) or {})
        hosts.setdefault(urlsplit(url).hostname or url, detail)
        self.crawler.stats.set_value(UNREACHABLE_STAT, hosts)

    def failed(self, kind: FailureKind) -> None:
        """Count a failure of this feed, on its own crawler (the health rules read it)."""
        self.crawler.stats.inc_value(f"newsbot/failed/{kind}")

    def lost(self, link: str, reason: LostReason, detail: str) -> None:
        """Report an article that gives no item (newsbot.outcomes lists it)."""
        self.crawler.signals.send_catch_log(article_lost, url=link, reason=reason, detail=detail)

    def lost_page(self, response: Response, reason: LostReason, detail: str) -> None:
        """Report the article of ``response`` lost; a list page's problem loses no article."""
        link = response.meta.get(ARTICLE_META)
        if link:
            self.lost(str(link), reason, detail)

    def text_page(self, response: Response) -> TextResponse | None:
        """The response as a text page to read, or None (and a report naming feed and URL)
        when it is not text (an image, a PDF) or is a JavaScript challenge."""
        if not isinstance(response, TextResponse):
            self.report("not a text page", response.url, "not_text")
            content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
            self.lost_page(response, LostReason.NOT_TEXT, f"not a text page ({content_type})")
            return None
        if UNDECODABLE in response.flags:
            self.report("no charset decodes this page", response.url, "undecodable_pages")
            return None
        if not looks_like_js_challenge(response.text):
            return response
        self.failed(FailureKind.BLOCKED)
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
        self.lost_page(response, LostReason.BLOCKED, "a JavaScript anti-bot challenge")
        return None

    def report(self, message: str, url: str, stat: str) -> None:
        """Log a page problem naming feed and URL, and count it as newsbot/<stat>."""
        self.crawler.stats.inc_value(f"newsbot/{stat}")
        logger.warning("feed %r: %s: %s", self.feed.name, message, url)
