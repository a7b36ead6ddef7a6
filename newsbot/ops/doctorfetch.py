"""Fetching the pages ``newsbot doctor`` examines as a crawl would: each through its
feed's spider (its headers; the mirror when ``NEWSBOT_MIRROR`` is set; Chromium for a
render feed or with ``--render``, its own requests routed to the mirror), one Scrapy
process for all of them, nothing written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsbot.config import HtmlFeed, JsonFeed
from newsbot.core.failures import describe, unmirror
from newsbot.ops.commands import without_state
from newsbot.ops.options import project_settings
from newsbot.spiderloader import spider_class

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response
    from twisted.python.failure import Failure

Feed = HtmlFeed | JsonFeed


@dataclass(frozen=True)
class Fetched:
    """One page as fetched: its bytes and content type, or why there are none."""

    url: str
    body: bytes = b""
    content_type: str = ""
    #: ``mirror``, ``site`` or ``chromium`` (``chromium, mirror`` when both).
    via: str = ""
    error: str | None = None


def fetch_pages(
    jobs: Sequence[tuple[str, Feed]], page: str, overrides: Sequence[str] = ()
) -> dict[str, Fetched]:
    """Fetch each (URL, feed) as the feed fetches its ``page`` kind ("article" or
    "list"); the result per URL."""
    from scrapy.crawler import CrawlerProcess

    settings = project_settings()
    for override in overrides:
        name, _, value = override.partition("=")
        settings.set(name, value, priority="cmdline")
    without_state(settings)
    settings.set("NEWSBOT_RUN_REPORT", False, priority="cmdline")
    settings.set("RETRY_ENABLED", False, priority="cmdline")
    # Every failure of a page comes back through its errback, in one line.
    settings.set("LOG_LEVEL", "CRITICAL", priority="cmdline")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    results: dict[str, Fetched] = {}
    process = CrawlerProcess(settings)
    groups: dict[str, tuple[Feed, list[str]]] = {}
    for url, feed in jobs:
        groups.setdefault(feed.name, (feed, []))[1].append(url)
    for feed, urls in groups.values():
        process.crawl(doctor_spider(feed, urls, page, results))
    process.start()
    return results


def doctor_spider(
    feed: Feed, urls: list[str], page: str, results: dict[str, Fetched]
) -> type[scrapy.Spider]:
    """A feed's spider that only fetches ``urls`` and keeps each answer in ``results``."""
    base = spider_class(feed)

    class DoctorSpider(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.allowed_domains: list[str] = []  # the pages asked for, wherever they are (--feed)

        async def start(self) -> AsyncIterator[scrapy.Request]:
            for url in urls:
                yield self.request(url, self.keep, page, doctor_url=url)

        def keep(self, response: Response, doctor_url: str, **_: Any) -> list[Any]:
            via = "chromium" if response.request and response.request.meta.get("playwright") else ""
            where = "mirror" if self.mirror else "site"
            results[doctor_url] = Fetched(
                url=doctor_url,
                body=response.body,
                content_type=(response.headers.get("Content-Type") or b"").decode("latin-1"),
                via=f"{via}, {where}" if via else where,
            )
            return []

        def on_error(self, failure: Failure) -> None:
            from scrapy.spidermiddlewares.httperror import HttpError

            error, request = failure.value, getattr(failure, "request", None)
            status = error.response.status if isinstance(error, HttpError) else None
            url = request.cb_kwargs.get("doctor_url", request.url) if request else "?"
            detail = describe(type(error).__name__, str(error), status)
            results[url] = Fetched(url=url, error=unmirror(detail, self.mirror, url))

    DoctorSpider.__name__ = DoctorSpider.__qualname__ = base.__name__
    return DoctorSpider
