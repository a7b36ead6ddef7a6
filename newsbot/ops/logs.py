"""Logging of ``newsbot crawl``: stderr at one level, a rotating file at another.

Every line names its feed: ``2026-12-01 10:00:00 [nfra_news] [scrapy.core.engine] INFO:
…``; lines that belong to no feed (the run's start and end) are ``[run]``. Scrapy's own
lines carry their spider (``extra={"spider": …}``) on many lines; for the others, the
feed being crawled is known, since the runner crawls one feed at a time
(:class:`CurrentFeed`).

What a run log should not hold:

- Scrapy's multi-line dumps (overridden settings, enabled components, the stats) count
  as DEBUG: in a DEBUG log, not in an INFO one;
- a traceback is shown only by a DEBUG handler: elsewhere a failure is its one line
  (newsbot's own failure lines say what happened, feed and URL);
- a robots.txt that could not be downloaded is DEBUG (Scrapy says ERROR, with a
  traceback): the page's own request fails too, and that is the failure, logged once by
  the spider's errback (and if the page answers, the robots.txt failure did no harm).

A demoted record is shown (and counted, by Scrapy's log counter) at its new level.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsbot.ops.options import RunOptions, log_level

if TYPE_CHECKING:
    from scrapy.settings import Settings

#: The feed label of lines that belong to the run, not to one feed.
RUN_LABEL = "run"
#: Scrapy loggers whose records count at most at this level.
DEMOTED = {"scrapy.downloadermiddlewares.robotstxt": logging.DEBUG}


@dataclass
class CurrentFeed:
    """The feed the runner is crawling now (None between feeds)."""

    name: str | None = None


def record_feed(record: logging.LogRecord, current: CurrentFeed) -> str:
    """The feed a record belongs to: its spider's, else the one being crawled, else run."""
    spider = getattr(record, "spider", None)
    if spider is None:
        crawler = getattr(record, "crawler", None)
        spider = getattr(crawler, "spider", None) or getattr(crawler, "spidercls", None)
    name = getattr(spider, "name", None)
    return str(name or current.name or RUN_LABEL)


def effective_level(record: logging.LogRecord, logger_name: str) -> int:
    """The level a record counts at: Scrapy's dumps at DEBUG, some errors lower."""
    if not logger_name.startswith("scrapy"):
        return record.levelno
    if record.levelno == logging.INFO and "\n" in record.getMessage():
        return logging.DEBUG  # a dump: settings, enabled components, the stats
    return min(record.levelno, DEMOTED.get(logger_name, record.levelno))


class FeedFilter(logging.Filter):
    """A handler's filter: labels each record with its feed (``%(feed)s``) and passes it
    when its effective level reaches the handler's."""

    def __init__(self, level: int, current: CurrentFeed) -> None:
        super().__init__()
        self.level, self.current = level, current

    def filter(self, record: logging.LogRecord) -> bool:
        # Scrapy's TopLevelFormatter shortens record.name on the first handler: keep it.
        origin = str(getattr(record, "newsbot_logger", record.name))
        record.newsbot_logger = origin
        record.feed = record_feed(record, self.current)
        level = effective_level(record, origin)
        if level != record.levelno:  # the same on every handler: later ones see it lowered
            record.levelno, record.levelname = level, logging.getLevelName(level)
        return level >= self.level


class FeedFormatter(logging.Formatter):
    """Lines labelled with their feed; tracebacks only when ``tracebacks`` is set; any
    continuation line labelled too."""

    def __init__(self, fmt: str, datefmt: str | None, tracebacks: bool) -> None:
        super().__init__(fmt, datefmt)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks or not (record.exc_info or record.stack_info):
            text = super().format(record)
        else:
            saved = record.exc_info, record.exc_text, record.stack_info
            record.exc_info, record.exc_text, record.stack_info = None, None, None
            try:
                text = super().format(record)
            finally:
                record.exc_info, record.exc_text, record.stack_info = saved
        return text.replace("\n", f"\n[{getattr(record, 'feed', RUN_LABEL)}] | ")


def feed_format(log_format: str) -> str:
    """Scrapy's LOG_FORMAT with the feed label after the time."""
    if "%(feed)s" in log_format:
        return log_format
    if "[%(name)s]" in log_format:
        return log_format.replace("[%(name)s]", "[%(feed)s] [%(name)s]", 1)
    return "[%(feed)s] " + log_format


def label_feeds(handler: logging.Handler, settings: Settings, current: CurrentFeed) -> None:
    """Make ``handler`` label lines with their feed, keep Scrapy's dumps and tracebacks
    for DEBUG, and count demoted records at their lower level."""
    tracebacks = handler.level <= logging.DEBUG
    fmt = feed_format(settings.get("LOG_FORMAT"))
    handler.setFormatter(FeedFormatter(fmt, settings.get("LOG_DATEFORMAT"), tracebacks))
    handler.filters.insert(0, FeedFilter(handler.level, current))  # before Scrapy's own


def install_log_handlers(
    settings: Settings, options: RunOptions, current: CurrentFeed | None = None
) -> list[logging.Handler]:
    """stderr at ``log_level`` and, if asked, a rotating file at ``log_file_level``."""
    from scrapy.utils.log import TopLevelFormatter

    current = current or CurrentFeed()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(log_level(options.log_level))
    if options.log_file is not None:
        options.log_file.parent.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(
            options.log_file, maxBytes=options.log_file_bytes, backupCount=options.log_file_backups,
            encoding="utf-8",
        )  # fmt: skip
        rotating.setLevel(log_level(options.log_file_level))
        handlers.append(rotating)
    for handler in handlers:
        handler.addFilter(TopLevelFormatter(["scrapy"]))
        label_feeds(handler, settings, current)
        logging.root.addHandler(handler)
    logging.root.setLevel(min(handler.level for handler in handlers))
    return handlers
