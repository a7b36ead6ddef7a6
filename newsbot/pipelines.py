"""Thin item pipelines: each calls the pure functions of one concern, in the order
validate → clean → normalize date → filter → dedup and write. Items are read and changed
through ItemAdapter. A dropped item raises DropItem with a :class:`DropReason`, counted as
``newsbot/dropped/<reason>`` and logged with the item's feed and URL.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newsbot.core.clean.body import clean_content
from newsbot.core.codes import DropReason, LostReason
from newsbot.core.dates import SHANGHAI, first_date, format_date, parse_date
from newsbot.core.dedup import minhash
from newsbot.core.encoding import CONTROLS, drop_controls
from newsbot.core.labels import render_label
from newsbot.crawlstate import CrawlState
from newsbot.items import RECORD_FIELDS
from newsbot.store import store_errors
from newsbot.store.adoption import adopt_lines, check_own_lines
from newsbot.store.jsonl import JsonlWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newsbot.config import HtmlFeed, JsonFeed

logger = logging.getLogger(__name__)


class ArticleDropped(DropItem):
    """A drop with its reason and detail kept apart (newsbot.outcomes reads them)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason, self.detail = str(reason), detail


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

    def drop(self, article: ItemAdapter, reason: DropReason, detail: str = "") -> ArticleDropped:
        """Count and log a drop (and remember its URL, for a deliberate one); return the
        DropItem to raise.

        Expected drops (already written, filtered out) are logged at INFO, the rest as
        warnings: they mean a page that could not be read.
        """
        self.stats.inc_value(f"newsbot/dropped/{reason}")
        if reason.remembered:
            self._remember(article, reason)
        level = logging.INFO if reason.expected else logging.WARNING
        logger.log(
            level, "feed %r dropped (%s) %s%s", article["feed"], reason, article["url"],
            f": {detail}" if detail else "",
        )  # fmt: skip
        return ArticleDropped(reason, detail)

    def _remember(self, article: ItemAdapter, reason: DropReason) -> None:
        """Store a deliberately dropped article's URL as known, with its reason."""
        state = CrawlState.of(self.crawler)
        if not state.settings.persistent or state.settings.dry_run:
            return
        if state.write_error is not None:
            return  # stopping: this one is read again next run
        canonical = state.canonical(article["url"])
        with state.recording(f"that {article['url']} was {reason}"), state.store.transaction():
            state.store.add_skipped(canonical, article["feed"], article["url"], reason)


class ValidatePipeline(_FeedPipeline):
    """Count articles and bodies found (the health report's fill rates; dates and sources
    are counted where they are read); drop items whose page no charset decodes, or that
    lack a title or a body."""

    def process_item(self, item: Any) -> Any:
        article = ItemAdapter(item)
        self.stats.inc_value("newsbot/articles")
        if article.get("unreadable"):
            raise self.drop(article, DropReason.UNDECODABLE, article["unreadable"])
        if article["content"].strip():
            self.stats.inc_value("newsbot/filled/body")
        if not article["title"].strip():
            raise self.drop(article, DropReason.MISSING_TITLE)
        if not article["content"].strip():
            raise self.drop(article, DropReason.MISSING_BODY)
        return item


class CleanPipeline(_FeedPipeline):
    """Sanitize the body, derive plain text, lift bylines, fill categories and tags."""

    def process_item(self, item: Any) -> Any:
        article, feed = ItemAdapter(item), self.feed
        texts = {name: value for name, value in article.items() if isinstance(value, str)}
        if CONTROLS.search("".join(texts.values())):  # one scan; a field at a time if found
            for name, value in texts.items():  # a JSON API's escaped controls, or a field's
                if CONTROLS.search(value):
                    article[name] = drop_controls(value)
        article["title"] = " ".join(article["title"].split())
        article["content"], lines, bylines = clean_content(
            article["content"],
            article["url"],
            article["title"],
            boilerplate=feed.boilerplate if feed else (),
            cut_after=feed.cut_after if feed else (),
        )
        if article["source"] or bylines.source:  # found on the page, not the feed's default
            self.stats.inc_value("newsbot/filled/source")
        if not lines:
            raise self.drop(article, DropReason.EMPTY_BODY)
        article["text"] = "\n".join(lines)
        article["source"] = article["source"] or bylines.source or (feed.source if feed else None)
        article["author"] = article["author"] or bylines.author
        article["editor"] = article["editor"] or bylines.editor
        if feed is not None:
            article["categories"] = render_label(feed.categories, article["source"], feed.name)
            article["tags"] = render_label(feed.tags, article["source"], feed.name)
        return item


class DatePipeline(_FeedPipeline):
    """Print the date as ``YYYY-MM-DD HH:MM:SS +0800``; drop undatable or too-old items."""

    def process_item(self, item: Any) -> Any:
        article = ItemAdapter(item)
        moment = parse_date(article["date"])
        if moment is not None:  # the page's own date: counted for the fill rate
            self.stats.inc_value("newsbot/filled/date")
        else:
            moment = first_date(article["date_fallbacks"])
        if moment is None:
            raise self.drop(article, DropReason.BAD_DATE, f"date text {article['date']!r}")
        feed = self.feed
        if feed is not None and feed.since is not None and moment.date() < feed.since:
            raise self.drop(article, DropReason.TOO_OLD, format_date(moment))
        article["date"] = format_date(moment)
        return item


class FilterPipeline(_FeedPipeline):
    """Keep only articles matching the feed's ``include`` keywords and none of ``exclude``."""

    def process_item(self, item: Any) -> Any:
        article, feed = ItemAdapter(item), self.feed
        if feed is None:
            return item
        haystack = f"{article['title']}\n{article['text']}"
        if feed.include and not any(word in haystack for word in feed.include):
            raise self.drop(article, DropReason.FILTERED, "no include keyword")
        hit = next((word for word in feed.exclude if word in haystack), None)
        if hit is not None:
            raise self.drop(article, DropReason.FILTERED, f"exclude keyword {hit!r}")
        return item


class ArchivePipeline(_FeedPipeline):
    """Dedup against the state store and write the JSONL line, as one atomic step.

    Inside one transaction: a known canonical URL is dropped; a near-duplicate text gets
    ``duplicate_of`` (or is dropped, per feed); the line is written and flushed; only
    then is the record stored as seen. A kill at any point never leaves a record seen but
    unwritten. The first write error (a full disk) cuts back what part of the line got
    written and stops the crawl (``CrawlState.stop_writing``); nothing more is written.
    The store is the crawl's (newsbot.crawlstate), opened on first use.

    Without a persistent state store (``NEWSBOT_STATE`` empty: a one-off run such as
    ``scrapy crawl FEED -O out.jsonl -s NEWSBOT_STATE=``) the archive is not touched:
    records are deduplicated within the run and go only to Scrapy's feed exports.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = CrawlState.of(crawler)
        self.writer = JsonlWriter(self.state.settings.output, self.state.settings.fsync)
        self.day = datetime.now(SHANGHAI).strftime("%Y-%m-%d")
        self.archive = self.state.settings.persistent
        self._batches_lost_at_start = 0  # the store's count when this run began writing

    def open_spider(self) -> None:
        """Adopt lines a killed run wrote but did not get to record as seen."""
        feed = self.feed
        if not self.archive:
            why = (
                "a fresh re-read (NEWSBOT_FRESH) starts from an empty in-memory state store"
                if self.state.settings.fresh
                else "no state store (NEWSBOT_STATE is empty)"
            )
            logger.info("%s: the archive is not written; records go only to feed exports", why)
            return
        if feed is None or self.state.settings.dry_run:
            return  # a dry run changes nothing
        self._adopt(feed, "an interrupted run")
        self._batches_lost_at_start = self.state.store.batches_lost()

    def _adopt(self, feed: HtmlFeed | JsonFeed, writer: str) -> None:
        """Adopt the unchecked lines of today's file and of the feed's last one (lines
        ``writer`` wrote but did not get to record)."""
        store = self.state.store
        paths = {self.writer.path_for(feed.name, self.day)}
        last = store.last_output(feed.name)
        if last:
            paths.add(Path(last))
        existing = [path for path in paths if path.exists()]
        # This run's lines are all recorded unless a batch of them was lost since it began.
        intact = store.batches_lost() == self._batches_lost_at_start
        unchecked = [
            path
            for path in existing
            if not (intact and check_own_lines(store, path, self.writer.written_run(path)))
        ]
        adopted = sum(adopt_lines(store, path, feed.host_aliases) for path in unchecked)
        if adopted:
            logger.info("feed %r: adopted %d record(s) written by %s", feed.name, adopted, writer)

    def process_item(self, item: Any) -> Any:
        article = ItemAdapter(item)
        if self.state.write_error is not None:  # the crawl is stopping: write nothing more
            stopped = f"not written: the crawl stopped at {self.state.write_error}"
            raise ArticleDropped(LostReason.WRITE_ERROR, stopped)
        canonical = self.state.canonical(article["url"])
        path = self.writer.path_for(article["feed"], self.day)
        store = self.state.store
        duplicate_of: str | None = None
        self._line_start: int | None = None
        try:
            with store.transaction():
                known = store.known_url(canonical)
                if known is None:
                    duplicate_of = self._write(article, canonical, path)
        except (OSError, *store_errors()) as exc:  # type: ignore[misc]  # rolled back: not marked seen, retried next run
            raise self.write_failed(article, path, exc) from exc
        if known is not None:
            raise self.drop(article, DropReason.DUPLICATE_URL, f"already written as {known}")
        if duplicate_of is not None:  # dropped as the same story; remembered after rollback
            raise self.drop(article, DropReason.DUPLICATE_TEXT, f"same story as {duplicate_of}")
        self.stats.inc_value("newsbot/written")
        if self.archive:
            self.stats.set_value("newsbot/output", str(path))
        return item

    def _write(self, article: ItemAdapter, canonical: str, path: Path) -> str | None:
        """Mark a near-duplicate, write the line and record it (inside the transaction);
        or, for a feed that drops near-duplicates, return the earlier copy's URL."""
        feed, store = self.feed, self.state.store
        signature = minhash(article["text"])  # only for items that get this far
        match = store.near_duplicate(signature)
        if match is not None:
            if feed is not None and feed.on_duplicate == "drop":
                return match.url
            article["duplicate_of"] = match.id
            self.stats.inc_value("newsbot/duplicates_marked")
        if self.archive:
            record = {name: article[name] for name in RECORD_FIELDS}
            self._line_start = self.writer.write(record, path)
        store.add(
            article["id"], canonical, article["feed"], article["url"], str(path), signature,
            article["duplicate_of"],
        )  # fmt: skip
        return None

    def write_failed(self, article: ItemAdapter, path: Path, exc: Exception) -> ArticleDropped:
        """A record the archive could not take: its line, if written, is cut off again (its
        record is not in the store), the crawl stops (``CrawlState.stop_writing``); return the
        DropItem to raise."""
        if self._line_start is not None:  # the line is on disk, its record is not: cut it
            self.writer.cut(path, self._line_start)
        settings = self.state.settings
        where = settings.store_location if isinstance(exc, store_errors()) else str(path)
        detail = self.state.stop_writing(article["url"], where, exc)
        return ArticleDropped(LostReason.WRITE_ERROR, detail)

    def close_spider(self) -> None:
        """Close the output files and check this run's lines in the store, so the next run
        need not read them (the store closes itself, when the engine stops)."""
        self.writer.close()
        feed = self.feed
        if feed is None or not self.archive or self.state.settings.dry_run:
            return
        if self.state.write_error is not None:
            return  # stopped on a write error: the next run adopts what got written
        with self.state.recording(f"the check of feed {feed.name!r}'s archive", close=False):
            # Any line adopted here is another process's, killed while this run wrote.
            self._adopt(feed, "another run")
