"""Downloader middleware: note article links that redirect, so that the archive can
remember them as known and later runs do not download them again."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


class RedirectMemoryMiddleware:
    """Records ``spider.redirects[link] = target`` for every 3xx answer to an article
    request. It sits below RedirectMiddleware, so it sees the redirect even when Scrapy
    then filters the target as already requested."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectMemoryMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        """Note a redirect of an article link; pass every response on unchanged."""
        location = response.headers.get("Location")
        redirects = getattr(self.crawler.spider, "redirects", None)
        if (
            300 <= response.status < 400
            and location
            and redirects is not None
            and request.meta.get("newsbot_page") == "article"
        ):
            target = safe_url_string(location.decode("latin-1"), encoding="utf-8")
            redirects[request.url] = urljoin(request.url, target)
        return response
