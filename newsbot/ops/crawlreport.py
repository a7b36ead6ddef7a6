"""The run report of a ``scrapy crawl FEED``: the same report ``newsbot crawl`` writes, so
that ``newsbot status`` shows runs of either command.

An extension: at ``spider_closed`` it judges the feed's run against its earlier runs and
writes ``<records root>/_runs/<start>.json``, where the records root is the folder of
``NEWSBOT_OUTPUT`` before its first placeholder (``data`` for ``data/{feed}/{day}.jsonl``,
as ``newsbot crawl --out data`` uses). It writes nothing for a one-off run (no persistent
state store), a dry run, the scrapy commands that only look at pages (``shell``,
``parse``, ``check``), nor under ``newsbot crawl``, which writes one report for all its
feeds and turns ``NEWSBOT_RUN_REPORT`` off.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot.core.codes import CloseReason
from newsbot.crawlstate import CrawlState
from newsbot.ops.health import (
    RunReport,
    feed_history,
    feed_report,
    judge,
    load_reports,
    now_utc,
    write_report,
)

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


#: The scrapy commands whose crawl is a run of the feed (shell, parse, check look at pages).
REPORTED_COMMANDS = frozenset({"crawl"})


def scrapy_command_line() -> list[str] | None:
    """``scrapy COMMAND ARGS…`` as typed, when this process is the scrapy command (Scrapy
    pops the command's name from ``sys.argv``; ``sys.orig_argv`` keeps it)."""
    script, typed = sys.argv[0], list(sys.orig_argv)
    if not script or script not in typed:
        return None
    if Path(script).name != "scrapy" and Path(script).parts[-2:] != ("scrapy", "__main__.py"):
        return None
    return ["scrapy", *typed[typed.index(script) + 1 :]]


def reported(command_line: list[str] | None) -> bool:
    """Whether a run started so writes its report: a ``scrapy crawl``, or a crawl started
    from Python (not another scrapy command)."""
    if command_line is None:
        return True
    # the command is the first argument that is no option, as Scrapy's cmdline finds it
    name = next((arg for arg in command_line[1:] if not arg.startswith("-")), None)
    return name in REPORTED_COMMANDS


def records_root(output: str) -> Path:
    """The folder of an output pattern before its first placeholder."""
    head, brace, _ = output.partition("{")
    if not brace:
        return Path(output).parent
    return Path(head) if head.endswith(("/", "\\")) or not head else Path(head).parent


class CrawlReport:
    """Writes one feed's run report when its spider closes (see the module docstring)."""

    def __init__(self, crawler: Crawler, runs_dir: Path, command: list[str] | None) -> None:
        self.crawler = crawler
        self.runs_dir = runs_dir
        self.command = command or list(sys.argv)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        """The extension, when this crawl writes its own report."""
        settings = CrawlState.of(crawler).settings
        command_line = scrapy_command_line()
        # NotConfigured without a message: Scrapy logs a message as a WARNING
        if not settings.run_report or not settings.persistent or settings.dry_run:
            raise NotConfigured  # newsbot crawl writes the report; a one-off or dry run
        if not reported(command_line):
            raise NotConfigured  # shell, parse, check: they only look at pages
        extension = cls(crawler, records_root(settings.output) / "_runs", command_line)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Judge the run against the feed's earlier ones and write the report."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        finished = now_utc()
        started = stats.get("start_time")
        started = started if isinstance(started, datetime) else finished
        name = str(spider.name)
        feed = judge(feed_report(name, stats), feed_history(load_reports(self.runs_dir), name))
        report = RunReport(
            started=started.isoformat(),
            finished=finished.isoformat(),
            elapsed=round((finished - started).total_seconds(), 2),
            feeds=[feed],
            command=self.command,
        )
        try:
            path = write_report(self.runs_dir, report)
        except OSError as exc:
            # After a write error that stopped the crawl (a full disk) that ERROR line is
            # the one to read; the report failing on the same disk is a consequence.
            level = logging.WARNING if reason == CloseReason.WRITE_FAILED else logging.ERROR
            logger.log(level, "feed %r: cannot write its run report in %s: %s", name,
                       self.runs_dir, exc)  # fmt: skip
            return
        logger.info("feed %r: run %s; report %s", name, feed.status, path)
