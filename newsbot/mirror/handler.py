"""The download handler that, in mirror mode, fetches every plain request from the
offline mirror while Scrapy keeps seeing the real URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.misc import build_from_crawler, load_object

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
