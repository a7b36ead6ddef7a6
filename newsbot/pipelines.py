"""Thin item pipelines: each calls the pure functions of one concern, in the order
validate → clean → normalize date → filter → dedup and write. A dropped item raises
DropItem with a reason that is counted as ``newsbot/dropped/<reason>`` and logged with
the item's URL.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from newsbot.core.clean.boilerplate import strip_boilerplate
from newsbot.core.clean.bylines import split_bylines
from newsbot.core.clean.sanitize import sanitize_html
from newsbot.core.clean.text import html_to_lines
from newsbot.core.dates import SHANGHAI, format_date, parse_date
from newsbot.core.dedup import canonical_url, minhash
from newsbot.core.labels import render_label
from newsbot.items import Article
from newsbot.store.jsonl import JsonlWriter, drop_torn_tail
from newsbot.store.sqlite import StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newsbot.config.models import HtmlFeed, JsonFeed

logger = logging.getLogger(__name__)
#: Drop reasons that are the pipelines doing their job, not a problem with a page.
EXPECTED_DROPS = frozenset({"duplicate-url", "duplicate-text", "filtered", "too-old"})


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
        """Count and log a drop; return the DropItem to raise.

        Expected drops (already written, filtered out) are logged at INFO, the rest as
        warnings: they mean a page that could not be read.
        """
        self.stats.inc_value(f"newsbot/dropped/{reason}")
        level = logging.INFO if reason in EXPECTED_DROPS else logging.WARNING
        logger.log(
            level, "feed %r dropped (%s) %s%s", item.feed, reason, item.url,
            f": {detail}" if detail else "",
        )  # fmt: skip
        return DropItem(reason)


class ValidatePipeline(_FeedPipeline):
    """Count articles and bodies found (the health report's fill rates; dates and sources
    are counted where they are read); drop items that lack a title or a body."""

    def process_item(self, item: Article) -> Article:
        self.stats.inc_value("newsbot/articles")
        if item.content.strip():
            self.stats.inc_value("newsbot/filled/body")
        if not item.title.strip():
            raise self.drop(item, "missing-title")
        if not item.content.strip():
            raise self.drop(item, "missing-body")
        return item


class CleanPipeline(_FeedPipeline):
    """Sanitize the body, derive plain text, lift bylines, fill categories and tags."""

    def process_item(self, item: Article) -> Article:
        feed = self.feed
        item.title = " ".join(item.title.split())
        content = sanitize_html(item.content, base_url=item.url)
        item.content = strip_boilerplate(
            content,
            title=item.title,
            boilerplate=feed.boilerplate if feed else (),
            cut_after=feed.cut_after if feed else (),
        )
        lines, bylines = split_bylines(html_to_lines(item.content))
        if item.source or bylines.source:  # found on the page, not the feed's default
            self.stats.inc_value("newsbot/filled/source")
        if not lines:
            raise self.drop(item, "empty-body")
        item.text = "\n".join(lines)
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
        if moment is not None:  # the page's own date: counted for the fill rate
            self.stats.inc_value("newsbot/filled/date")
        for text in item.date_fallbacks:
            if moment is not None:
                break
            moment = parse_date(text)
        if moment is None:
            raise self.drop(item, "bad-date", f"date text {item.date!r}")
        feed = self.feed
        if feed is not None and feed.since is not None and moment.date() < feed.since:
            raise self.drop(item, "too-old", format_date(moment))
        item.date = format_date(moment)
        return item


class FilterPipeline(_FeedPipeline):
    """Keep only articles matching the feed's ``include`` keywords and none of ``exclude``."""

    def process_item(self, item: Article) -> Article:
        feed = self.feed
        if feed is None:
            return item
        haystack = f"{item.title}\n{item.text}"
        if feed.include and not any(word in haystack for word in feed.include):
            raise self.drop(item, "filtered", "no include keyword")
        hit = next((word for word in feed.exclude if word in haystack), None)
        if hit is not None:
            raise self.drop(item, "filtered", f"exclude keyword {hit!r}")
        return item


class ArchivePipeline(_FeedPipeline):
    """Dedup against the state store and write the JSONL line, as one atomic step.

    Inside one IMMEDIATE transaction: a known canonical URL is dropped; a near-duplicate
    text gets ``duplicate_of`` (or is dropped, per feed); the line is written and
    flushed; only then is the record stored as seen. A kill at any point never leaves a
    record seen but unwritten. At the end, article links that redirected to a written
    record are remembered as known (``remember_redirects``).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.store = StateStore(settings.get("NEWSBOT_STATE") or ":memory:")
        self.writer = JsonlWriter(settings["NEWSBOT_OUTPUT"], settings.getbool("NEWSBOT_FSYNC"))
        self.day = datetime.now(SHANGHAI).strftime("%Y-%m-%d")

    def open_spider(self) -> None:
        """Adopt lines a killed run wrote but did not get to record as seen."""
        feed = self.feed
        if feed is None or self.store.path == ":memory:":
            return  # no persistent state to reconcile with
        if self.crawler.settings.getbool("NEWSBOT_DRY_RUN"):
            return  # a dry run changes nothing
        paths = {self.writer.path_for(feed.name, self.day)}
        last = self.store.last_output(feed.name)
        if last:
            paths.add(Path(last))
        adopted = sum(self._adopt(path, feed.host_aliases) for path in paths if path.exists())
        if adopted:
            logger.info(
                "feed %r: adopted %d record(s) written by an interrupted run", feed.name, adopted
            )

    def _adopt(self, path: Path, aliases: dict[str, str]) -> int:
        drop_torn_tail(path)
        adopted = 0
        with path.open(encoding="utf-8") as lines, self.store.transaction():
            for line in lines:
                record = json.loads(line)
                canonical = canonical_url(record["url"], aliases)
                if self.store.known_url(canonical) is None:
                    self.store.add(
                        record["id"], canonical, record["feed"], record["url"], str(path),
                        minhash(record["text"]), record.get("duplicate_of"),
                    )  # fmt: skip
                    adopted += 1
        return adopted

    def process_item(self, item: Article) -> Article:
        feed = self.feed
        aliases = feed.host_aliases if feed else {}
        canonical = canonical_url(item.url, aliases)
        path = self.writer.path_for(item.feed, self.day)
        with self.store.transaction():
            known = self.store.known_url(canonical)
            if known is None:
                self._write(item, canonical, path)
        if known is not None:
            raise self.drop(item, "duplicate-url", f"already written as {known}")
        self.stats.inc_value("newsbot/written")
        self.stats.set_value("newsbot/output", str(path))
        return item

    def _write(self, item: Article, canonical: str, path: Path) -> None:
        """Mark or drop a near-duplicate; write the line; record it (inside the transaction)."""
        feed = self.feed
        signature = minhash(item.text)  # only for items that get this far
        match = self.store.near_duplicate(signature)
        if match is not None:
            if feed is not None and feed.on_duplicate == "drop":
                raise self.drop(item, "duplicate-text", f"same story as {match.url}")
            item.duplicate_of = match.id
            self.stats.inc_value("newsbot/duplicates_marked")
        self.writer.write(item, path)
        self.store.add(
            item.id, canonical, item.feed, item.url, str(path), signature, item.duplicate_of
        )

    def remember_redirects(self) -> int:
        """Article links that redirected to a written record count as known from now on:
        later runs do not download them again. Returns how many were remembered."""
        redirects: dict[str, str] = getattr(self.crawler.spider, "redirects", {})
        feed = self.feed
        aliases = feed.host_aliases if feed else {}
        remembered = 0
        with self.store.transaction():
            for link in redirects:
                target, hops = redirects[link], 0
                while target in redirects and hops < 10:  # a chain of redirects
                    target, hops = redirects[target], hops + 1
                record_id = self.store.known_url(canonical_url(target, aliases))
                alias = canonical_url(link, aliases)
                if record_id is not None and alias != canonical_url(target, aliases):
                    self.store.add_alias(alias, record_id)
                    remembered += 1
        return remembered

    def close_spider(self) -> None:
        """Remember redirected links; close the output files and the store."""
        if not self.crawler.settings.getbool("NEWSBOT_DRY_RUN"):
            self.stats.set_value("newsbot/redirects_remembered", self.remember_redirects())
        self.writer.close()
        self.store.close()
