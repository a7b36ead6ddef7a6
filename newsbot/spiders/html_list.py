"""HTML list pages → HTML article pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from newsbot.config.models import HtmlFeed
from newsbot.core.dates import parse_date
from newsbot.core.extract.lists import read_list_page
from newsbot.core.extract.selectors import extract_dated_links
from newsbot.items import Article
from newsbot.spiders.base import FeedSpider, reads_article


class HtmlListSpider(FeedSpider):
    """Reads article links (and the next page) from list pages, then each article page."""

    feed: HtmlFeed

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.browser_missing():
            return
        for url in self.feed.start_urls:
            yield self.list_request(url, self.parse, 1, "list")

    def first_list_request(self) -> scrapy.Request:
        """The request for the feed's first list page (``scrapy check``'s sample)."""
        return self.list_request(self.feed.start_urls[0], self.parse, 1, "list")

    def parse(self, response: Response, list_page: int = 1, **_: Any) -> Iterator[scrapy.Request]:
        """A list page (``scrapy parse`` reads one by default): follow every article link;
        go on to the next page within ``max_pages`` (known links and the paging past
        archived pages are newsbot.middlewares' business).

        @feed_list
        @returns requests 1
        """
        page = self.text_page(response)
        if page is None:
            return
        found = read_list_page(page.selector, page.url, self.feed.list)
        links = found.links
        if not links:
            self.report("no article links on list page", response.url, "empty_list_pages")
        self.listed(len(links))
        links, too_old = self._recent(links, page)
        # The next page first (too_old: older than `since`, and so are older pages): it
        # reaches the downloader before this page's articles fill it, so the next
        # articles are known before these run out.
        if not too_old and list_page < self.feed.max_pages and found.next_page:
            yield self.list_request(
                found.next_page, self.parse, list_page + 1, "list", links_ahead=len(links)
            )
        for link in links:
            yield self.article_request(link, self.parse_article)

    def _recent(self, links: list[str], response: TextResponse) -> tuple[list[str], bool]:
        """The links not older than ``since`` by their list-page date (``list.dates``),
        and whether any was older."""
        since, dates_query = self.feed.since, self.feed.list.dates
        links_query = self.feed.list.links
        if since is None or dates_query is None or links_query is None:
            return links, False
        pairs = extract_dated_links(response.selector, links_query, dates_query, response.url)
        if pairs is None:
            self.report(
                "list.dates and list.links match different numbers of nodes; dates ignored",
                response.url, "list_dates_mismatch",
            )  # fmt: skip
            return links, False
        dated = dict(pairs)
        recent = []
        for link in links:
            moment = parse_date(dated.get(link, ""))
            if moment is None or moment.date() >= since:
                recent.append(link)
        if len(recent) < len(links):
            self.crawler.stats.inc_value("newsbot/listed_too_old", len(links) - len(recent))
        return recent, len(recent) < len(links)

    @reads_article
    def parse_article(self, response: Response, **_: Any) -> Iterator[Article]:
        """One article page → one item (raw; the pipelines clean it).

        @feed_article
        @article
        """
        page = self.text_page(response)
        if page is None:
            return
        raw = self.read_article_page(page)
        yield self.make_article(raw, page.url, page.selector)
