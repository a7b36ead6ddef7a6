"""Thin item pipelines: each calls the pure functions of one concern, in the order
validate → clean → normalize date. A dropped item raises DropItem with a reason that is
counted as ``newsbot/dropped/<reason>`` and logged with the item's URL.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from newsbot.clean import html_to_lines, sanitize_html, split_bylines
from newsbot.dates import format_date, parse_date
from newsbot.items import Article
from newsbot.labels import render_label

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newsbot.config import HtmlFeed, JsonFeed

logger = logging.getLogger(__name__)


class _FeedPipeline:
    """Base: keeps the crawler for stats and the running spider's feed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _FeedPipeline:
        return cls(crawler)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    @property
    def feed(self) -> HtmlFeed | JsonFeed | None:
        return getattr(self.crawler.spider, "feed", None)

    def drop(self, item: Article, reason: str, detail: str = "") -> DropItem:
        """Count and log a drop; return the DropItem to raise."""
        self.stats.inc_value(f"newsbot/dropped/{reason}")
        logger.warning("dropped (%s) %s%s", reason, item.url, f": {detail}" if detail else "")
        return DropItem(reason)


class ValidatePipeline(_FeedPipeline):
    """Drop items that lack a title or a body before any work is spent on them."""

    def process_item(self, item: Article) -> Article:
        if not item.title.strip():
            raise self.drop(item, "missing-title")
        if not item.content.strip():
            raise self.drop(item, "missing-body")
        return item


class CleanPipeline(_FeedPipeline):
    """Sanitize the body, derive plain text, lift bylines, fill categories and tags."""

    def process_item(self, item: Article) -> Article:
        item.title = " ".join(item.title.split())
        item.content = sanitize_html(item.content, base_url=item.url)
        lines, bylines = split_bylines(html_to_lines(item.content))
        if not lines:
            raise self.drop(item, "empty-body")
        item.text = "\n".join(lines)
        feed = self.feed
        item.source = item.source or bylines.source or (feed.source if feed else None)
        item.author = item.author or bylines.author
        item.editor = item.editor or bylines.editor
        if feed is not None:
            item.categories = render_label(feed.categories, item.source, feed.name)
            item.tags = render_label(feed.tags, item.source, feed.name)
        return item


class DatePipeline(_FeedPipeline):
    """Print the date as ``YYYY-MM-DD HH:MM:SS +0800``; drop undatable or too-old items."""

    def process_item(self, item: Article) -> Article:
        moment = parse_date(item.date)
        if moment is None:
            raise self.drop(item, "bad-date", f"date text {item.date!r}")
        feed = self.feed
        if feed is not None and feed.since is not None and moment.date() < feed.since:
            raise self.drop(item, "too-old", format_date(moment))
        item.date = format_date(moment)
        return item
