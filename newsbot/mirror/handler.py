"""The download handler that, in mirror mode, fetches every plain request from the
offline mirror while Scrapy keeps seeing the real URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.misc import build_from_crawler, load_object
from twisted.web.client import HTTPConnectionPool

from newsbot.crawlstate import CrawlState
from newsbot.mirror.layout import mirror_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class MirrorDownloadHandler:
    """Download handler that, when a mirror is configured, fetches every request from it.

    The real handler (``NEWSBOT_INNER_DOWNLOAD_HANDLER``) does the download; the response
    gets the real URL back, so spiders, items, cookies, redirects and logs never see the
    mirror.
    """

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        settings = CrawlState.of(crawler).settings
        self.mirror = settings.mirror
        self.inner = build_from_crawler(load_object(settings.inner_download_handler), crawler)
        keep_connections(self.inner, crawler.settings.getint("CONCURRENT_REQUESTS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorDownloadHandler:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        """Download ``request`` (from the mirror, in mirror mode) under its real URL."""
        if request.meta.get("playwright") or not self.mirror:
            # Chromium keeps the real URL: newsbot.browser.routing sends the page's own
            # requests to the mirror.
            direct: Response = await self.inner.download_request(request)
            return direct
        mirrored = request.replace(url=mirror_url(self.mirror, request.url))
        response: Response = await self.inner.download_request(mirrored)
        return response.replace(url=request.url)

    async def close(self) -> None:
        """Close the inner handler."""
        await self.inner.close()


def keep_connections(handler: object, idle_per_host: int) -> None:
    """Let Scrapy's HTTP/1.1 handler (or a subclass: scrapy-playwright's) keep up to
    ``idle_per_host`` idle connections to a host, as many as can be in use at once.

    Scrapy keeps CONCURRENT_REQUESTS_PER_DOMAIN, but a download slot frees before the
    connection its response came on is back in the pool: the next request finds none
    idle and opens one, and the pool then drops one. About half the requests of a busy
    crawl paid a TCP (on a live site a TLS) handshake. In mirror mode every feed's host
    is the mirror's one.
    """
    pool = getattr(handler, "_pool", None)
    if isinstance(pool, HTTPConnectionPool):
        pool.maxPersistentPerHost = max(pool.maxPersistentPerHost, idle_per_host)
