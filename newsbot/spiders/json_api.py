"""JSON list API → HTML article pages, or → a JSON article API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import scrapy
from scrapy.http import Response

from newsbot.config.models import JsonFeed
from newsbot.core.codes import LostReason
from newsbot.core.dates import parse_date
from newsbot.core.extract.jsonpath import json_fields, json_path, parse_jsonp
from newsbot.core.extract.selectors import RawArticle
from newsbot.items import Article
from newsbot.spiders.base import FeedSpider, reads_article


class JsonApiSpider(FeedSpider):
    """Pages through a JSON list API; reads each row's article from HTML or a JSON API."""

    feed: JsonFeed

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.browser_missing():
            return
        yield self.first_list_request()

    def first_list_request(self) -> scrapy.Request:
        """The request for the list API's first page (``scrapy check``'s sample)."""
        return self._list_request(self.feed.list_api.first_page)

    def _list_request(self, page: int, links_ahead: int = 0) -> scrapy.Request:
        url = self.feed.list_api.url.format(page=page)
        return self.list_request(url, self.parse, page, links_ahead=links_ahead)

    def _load_json(self, response: Response) -> Any:
        page = self.text_page(response)
        if page is None:
            return None
        try:
            return json.loads(parse_jsonp(page.text))
        except ValueError as exc:
            self.report(f"response is not JSON ({exc})", response.url, "bad_json")
            self.lost_page(response, LostReason.BAD_JSON, f"not JSON ({exc})")
            return None

    def parse(
        self, response: Response, list_page: int | None = None, **_: Any
    ) -> Iterator[scrapy.Request]:
        """A list API page (``scrapy parse`` reads one by default): each wanted row → an
        article request; then the next list page.

        @feed_list
        @returns requests 1
        """
        if list_page is None:
            list_page = self.feed.list_api.first_page
        data = self._load_json(response)
        rows = json_path(data, self.feed.list_api.items) if data is not None else None
        if not isinstance(rows, list):
            self.report(
                f"no list at {self.feed.list_api.items!r} in list API", response.url, "bad_list"
            )
            return
        if not rows and list_page == self.feed.list_api.first_page:
            self.report("list API returned no rows", response.url, "empty_list_pages")
        too_old = False
        requests = []
        wanted = [row for row in rows if isinstance(row, Mapping) and self._wanted(row)]
        self.listed(len(wanted))
        for row in wanted:
            listed = json_fields(row, self.feed.list_api.fields)
            if self._older_than_since(listed.get("date")):
                too_old = True
                continue
            request = self._article_request(row, listed, response.url)
            if request is not None:
                requests.append(request)
        pages_read = list_page - self.feed.list_api.first_page + 1
        if rows and not too_old and pages_read < self.feed.max_pages:
            # first, as HtmlListSpider.parse says
            yield self._list_request(list_page + 1, links_ahead=len(requests))
        yield from requests

    def _wanted(self, row: Mapping[str, Any]) -> bool:
        return all(str(row.get(key)) in values for key, values in self.feed.list_api.where.items())

    def _older_than_since(self, date_text: Any) -> bool:
        if self.feed.since is None or date_text is None:
            return False
        moment = parse_date(date_text)
        return moment is not None and moment.date() < self.feed.since

    def _article_request(
        self, row: Mapping[str, Any], listed: dict[str, Any], list_url: str
    ) -> scrapy.Request | None:
        try:
            link = self.feed.list_api.link.format_map(row)
            api_url = self.feed.article_api.url.format_map(row) if self.feed.article_api else None
        except (KeyError, IndexError, ValueError) as exc:
            self.report(f"list row lacks {exc} for the article URL", list_url, "bad_rows")
            return None
        if api_url is not None:
            return self.article_request(api_url, self.parse_article_api, link=link, listed=listed)
        return self.article_request(link, self.parse_article, listed=listed)

    @reads_article
    def parse_article(
        self,
        response: Response,
        listed: dict[str, Any] | None = None,
        link: str | None = None,
        **_: Any,
    ) -> Iterator[Article]:
        """An HTML article page; the list API's fields win over the page's. For a feed
        with an ``article_api``, the API's answer (as ``parse_article_api``; the record's
        URL is ``link``, else the API URL), so ``scrapy parse -c parse_article`` reads an
        article of every feed.

        @feed_article
        @article
        """
        if self.feed.article_api is not None:
            yield from self.parse_article_api(response, link or response.url, listed or {})
            return
        page = self.text_page(response)
        if page is None:
            return
        raw = self.read_article_page(page, listed)
        yield self.make_article(raw, page.url, page.selector)

    @reads_article
    def parse_article_api(
        self, response: Response, link: str, listed: dict[str, Any]
    ) -> Iterator[Article]:
        """A JSON article; the record's URL is the human-facing ``link``."""
        assert self.feed.article_api is not None
        data = self._load_json(response)
        if data is None:
            return
        found = json_fields(data, self.feed.article_api.fields)
        raw = RawArticle().merged_with(listed).merged_with(found)
        yield self.make_article(raw, link)
