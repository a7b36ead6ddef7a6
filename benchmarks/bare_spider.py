"""The baseline: a bare Scrapy spider that follows the benchmark newsroom's list pages
and article links and yields only url, title and body length (JSON lines, Scrapy's own
exporter), with the same concurrency as newsbot's benchmark runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

SETTINGS = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "FEED_EXPORT_ENCODING": "utf-8",
}


class BareSpider(scrapy.Spider):
    """List pages → article pages; one small item per article."""

    name = "bare"

    def __init__(self, start_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.start_url, self.parse)

    def parse(self, response: Response, **_: Any) -> Iterator[scrapy.Request]:
        for href in response.css("ul.news a::attr(href)").getall():
            yield response.follow(href, self.parse_article)
        following = response.css("a.next::attr(href)").get()
        if following:
            yield response.follow(following, self.parse)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {
            "url": response.url,
            "title": response.css("h1::text").get(),
            "length": len("".join(response.css("#body ::text").getall())),
        }


def crawl(start_url: str, out: str) -> None:
    """Crawl from ``start_url`` to its end, items to ``out``."""
    process = CrawlerProcess({**SETTINGS, "FEEDS": {out: {"format": "jsonlines"}}})
    process.crawl(BareSpider, start_url=start_url)
    process.start()
