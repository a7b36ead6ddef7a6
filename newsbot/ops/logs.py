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

Both are lowered by filters on Scrapy's loggers (:func:`demote_boilerplate`), so they
hold for ``scrapy crawl``'s own handler too; a lowered record is shown (and counted by
Scrapy's log counter) at its new level.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsbot.ops.options import RunOptions, log_level

if TYPE_CHECKING:
    from scrapy.settings import Settings

#: The feed label of lines that belong to the run, not to one feed.
RUN_LABEL = "run"
#: Scrapy loggers whose multi-line INFO records are dumps: versions, add-ons, enabled
#: components, overridden settings, the stats.
DUMP_LOGGERS = (
    "scrapy.utils.log",
    "scrapy.addons",
    "scrapy.middleware",
    "scrapy.crawler",
    "scrapy.statscollectors",
)
#: Scrapy loggers whose records count at most at this level.
DEMOTED = {"scrapy.downloadermiddlewares.robotstxt": logging.DEBUG}


class Demote(logging.Filter):
    """A logger's filter that lowers records: to ``most`` at most, or, with ``most``
    None, a multi-line INFO record (a dump) to DEBUG. Handlers then judge the record at
    its new level (and show it with its new name)."""

    def __init__(self, most: int | None = None) -> None:
        super().__init__()
        self.most = most

    def filter(self, record: logging.LogRecord) -> bool:
        level = record.levelno
        if self.most is not None:
            level = min(level, self.most)
        elif level == logging.INFO and "\n" in record.getMessage():
            level = logging.DEBUG
        if level != record.levelno:
            record.levelno, record.levelname = level, logging.getLevelName(level)
        return True


def demote_boilerplate() -> Callable[[], None]:
    """Install the :class:`Demote` filters on Scrapy's loggers (for any handler: newsbot's
    and ``scrapy crawl``'s own); returns the function that removes them."""
    installed = [(logging.getLogger(name), Demote()) for name in DUMP_LOGGERS]
    installed += [(logging.getLogger(name), Demote(most)) for name, most in DEMOTED.items()]
    for logger, demote in installed:
        logger.addFilter(demote)

    def remove() -> None:
        for logger, demote in installed:
            logger.removeFilter(demote)

    return remove


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


class FeedFilter(logging.Filter):
    """A handler's filter: labels each record with its feed (``%(feed)s``)."""

    def __init__(self, current: CurrentFeed) -> None:
        super().__init__()
        self.current = current

    def filter(self, record: logging.LogRecord) -> bool:
        record.feed = record_feed(record, self.current)
        return True


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
    """Make ``handler`` label lines with their feed and show tracebacks only at DEBUG."""
    tracebacks = handler.level <= logging.DEBUG
    fmt = feed_format(settings.get("LOG_FORMAT"))
    handler.setFormatter(FeedFormatter(fmt, settings.get("LOG_DATEFORMAT"), tracebacks))
    handler.addFilter(FeedFilter(current))


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
