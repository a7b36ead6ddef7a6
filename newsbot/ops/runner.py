"""One ``newsbot crawl``: every (or the named) feed in one Scrapy process, with logging
to stderr and a rotating file, a progress line on a terminal, a summary table, and a
run report that flags broken feeds (newsbot.ops.health)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from newsbot.config import FeedConfigError, load_feeds
from newsbot.core.codes import ExitCode
from newsbot.ops.health import (
    OK,
    RunReport,
    feed_history,
    feed_report,
    judge,
    load_reports,
    now_utc,
    write_report,
)
from newsbot.ops.logs import install_log_handlers
from newsbot.ops.options import DEFAULT_PATTERN, RunOptions, crawl_settings, project_settings
from newsbot.ops.progress import Progress
from newsbot.ops.summary import crawler_feed, print_dry_run, print_summary
from newsbot.signals import article_would_fetch

__all__ = ["DEFAULT_PATTERN", "RunOptions", "project_settings", "run_feeds"]


def run_feeds(options: RunOptions) -> int:
    """Crawl the feeds; print the summary (or the dry-run listing); write the run report.

    Returns the exit code: 0 all ok, 1 a feed failed, 2 bad configuration or options,
    3 a feed is broken (newsbot.ops.health).
    """
    from scrapy.crawler import CrawlerProcess

    from newsbot.spiderloader import feeds_path

    try:
        settings = crawl_settings(options)
        feeds = load_feeds(feeds_path(settings))
    except (FeedConfigError, ValueError) as exc:
        print(f"newsbot crawl: {exc}", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    known = [feed.name for feed in feeds]
    unknown = [name for name in options.feeds if name not in known]
    if unknown:
        print(
            f"newsbot crawl: unknown feed(s): {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}",
            file=sys.stderr,
        )
        return ExitCode.BAD_CONFIG
    selected = list(dict.fromkeys(options.feeds)) or known
    started_at, started = now_utc(), time.monotonic()
    process = CrawlerProcess(settings)
    handlers = install_log_handlers(settings, options)
    try:
        crawlers = []
        would_fetch: dict[str, list[str]] = {}
        for name in selected:
            crawler = process.create_crawler(name)
            crawlers.append(crawler)
            urls = would_fetch.setdefault(name, [])
            crawler.signals.connect(_collector(urls), signal=article_would_fetch, weak=False)
            process.crawl(crawler)
        show_progress = sys.stderr.isatty() if options.progress is None else options.progress
        progress = Progress(crawlers, sys.stderr) if show_progress else None
        if progress is not None:
            progress.start()
        process.start()
        if progress is not None:
            progress.stop()
    finally:
        for handler in handlers:
            logging.root.removeHandler(handler)
            handler.close()
    if options.dry_run:
        return print_dry_run(crawlers, would_fetch)
    history = load_reports(options.runs_dir)
    report = RunReport(
        started=started_at.isoformat(),
        finished=now_utc().isoformat(),
        elapsed=round(time.monotonic() - started, 2),
        feeds=[
            judge(feed_report(crawler_feed(crawler), crawler.stats.get_stats()),
                  feed_history(history, crawler_feed(crawler)))
            for crawler in crawlers
        ],
        command=options.command,
    )  # fmt: skip
    path = write_report(options.runs_dir, report)
    if not options.quiet or report.status != OK:
        print_summary(report)
        print(f"run report: {path}")
    return report.exit_code


def _collector(urls: list[str]) -> Callable[..., None]:
    """A handler of ``article_would_fetch`` that appends each announced URL to ``urls``."""

    def collect(url: str, **_: object) -> None:
        urls.append(url)

    return collect
