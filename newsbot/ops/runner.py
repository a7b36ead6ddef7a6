"""One ``newsbot crawl``: every (or the named) feed in one Scrapy process, with logging
to stderr and a rotating file, a progress line on a terminal, a summary table, and a
run report that flags broken feeds (newsbot.ops.health)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from newsbot.config import FeedConfigError, load_feeds
from newsbot.config.messages import unknown_feed
from newsbot.core.codes import ExitCode
from newsbot.ops.health import (
    OK,
    FeedReport,
    RunReport,
    feed_history,
    feed_report,
    judge,
    load_reports,
    now_utc,
    write_report,
)
from newsbot.ops.logs import CurrentFeed, demote_boilerplate, install_log_handlers
from newsbot.ops.options import (
    DEFAULT_PATTERN,
    RunOptions,
    crawl_settings,
    fresh_output,
    output_problem,
    project_settings,
)
from newsbot.ops.progress import Progress
from newsbot.ops.summary import crawler_feed, print_dry_run, print_summary
from newsbot.signals import article_would_fetch

if TYPE_CHECKING:
    from collections.abc import Generator

    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PATTERN", "RunOptions", "output_problem", "project_settings", "run_feeds"]


def run_feeds(options: RunOptions) -> int:
    """Crawl the feeds; print the summary (or the dry-run listing); write the run report.

    Returns the exit code: 0 all ok, 1 a feed failed, 2 bad configuration or options,
    3 a feed is broken, 74 a feed stopped at a write error (newsbot.ops.health).
    """
    try:
        settings = crawl_settings(options)
        selected = select_feeds(options.feeds, settings)
    except (FeedConfigError, ValueError) as exc:
        print(f"newsbot crawl: {exc}", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    started_at, started = now_utc(), time.monotonic()
    crawlers, would_fetch = crawl(settings, selected, options)
    if options.dry_run:
        return print_dry_run(crawlers, would_fetch)
    report = RunReport(
        started=started_at.isoformat(),
        finished=now_utc().isoformat(),
        elapsed=round(time.monotonic() - started, 2),
        feeds=feed_reports(crawlers, options),
        command=options.command,
    )  # fmt: skip
    try:
        written = f"run report: {write_report(options.runs_dir, report)}"
    except OSError as exc:  # a full disk: the summary still says what happened
        written = f"newsbot crawl: cannot write the run report to {options.runs_dir}: {exc}"
        print(written, file=sys.stderr)
    if not options.quiet or report.status != OK:
        print_summary(report)
        print(written)
    return report.exit_code


def feed_reports(crawlers: Sequence[Crawler], options: RunOptions) -> list[FeedReport]:
    """Each feed's report, judged against its previous runs in ``options.out``."""
    history = load_reports(options.runs_dir)
    reports = []
    for crawler in crawlers:
        name = crawler_feed(crawler)
        report = feed_report(name, crawler.stats.get_stats())
        if options.fresh:  # written by Scrapy's feed exports, not the archive pipeline
            report.output = str(fresh_output(options, name))
        reports.append(judge(report, feed_history(history, name)))
    return reports


def select_feeds(names: Sequence[str], settings: Settings) -> list[str]:
    """The feeds to crawl, in the order asked (all, in feeds.yaml order, when none is
    named); ValueError naming the unknown ones."""
    from newsbot.spiderloader import feeds_path

    known = [feed.name for feed in load_feeds(feeds_path(settings))]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError("; ".join(unknown_feed(name, known) for name in unknown))
    return list(dict.fromkeys(names)) or known


def crawl(
    settings: Settings, selected: Sequence[str], options: RunOptions
) -> tuple[list[Crawler], dict[str, list[str]]]:
    """Run one crawler per feed in one process, one feed after the other in the order
    given, with newsbot's log handlers and the progress line; the crawlers, and per feed
    the URLs a dry run would fetch.

    One after the other, so that which feed's copy of a story is the original does not
    depend on which response happens to arrive first (docs/dedup.md): the earlier feed
    in feeds.yaml always wins.
    """
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.reactor import install_reactor

    process = CrawlerProcess(settings)
    # The reactor Scrapy would install at the first crawl, installed before anything here
    # (the progress line, the feeds' chain) imports it.
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    current = CurrentFeed()
    handlers = install_log_handlers(settings, options, current)
    restore_levels = demote_boilerplate()
    crawlers: list[Crawler] = []
    would_fetch: dict[str, list[str]] = {}
    try:
        for name in selected:
            crawler = process.create_crawler(name)
            crawlers.append(crawler)
            urls = would_fetch.setdefault(name, [])
            crawler.signals.connect(_collector(urls), signal=article_would_fetch, weak=False)
        show_progress = sys.stderr.isatty() if options.progress is None else options.progress
        progress = Progress(crawlers, sys.stderr) if show_progress else None
        if progress is not None:
            progress.start()
        _run_in_order(process, crawlers, current)
        if progress is not None:
            progress.stop()
    finally:
        restore_levels()
        for handler in handlers:
            logging.root.removeHandler(handler)
            handler.close()
    return crawlers, would_fetch


def _run_in_order(
    process: CrawlerProcess, crawlers: Sequence[Crawler], current: CurrentFeed
) -> None:
    """Crawl each crawler after the previous one ended, then stop the reactor; a crawler
    that fails to start is logged with its feed and the others still run. ``current``
    names the feed being crawled (the log labels lines that do not say it)."""
    from twisted.internet import defer, reactor

    @defer.inlineCallbacks
    def in_order() -> Generator[Deferred[None], None, None]:
        for crawler in crawlers:
            current.name = crawler_feed(crawler)
            try:
                yield process.crawl(crawler)
            except Exception:  # a broken feed must not stop the feeds after it
                logger.exception("feed %r: the crawl could not run", crawler_feed(crawler))
            finally:
                current.name = None

    def stop(_: object) -> None:
        reactor.stop()  # type: ignore[misc]  # twisted types the global reactor loosely

    def begin() -> None:
        in_order().addBoth(stop)

    reactor.callWhenRunning(begin)
    process.start(stop_after_crawl=False)


def _collector(urls: list[str]) -> Callable[..., None]:
    """A handler of ``article_would_fetch`` that appends each announced URL to ``urls``."""

    def collect(url: str, **_: object) -> None:
        urls.append(url)

    return collect
