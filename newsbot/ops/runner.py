"""One ``newsbot crawl``: every (or the named) feed in one Scrapy process, with logging
to stderr and a rotating file, a progress line on a terminal, a summary table, and a
run report that flags broken feeds (newsbot.ops.health)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from newsbot.config.loader import FeedConfigError, load_feeds
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
from newsbot.store.jsonl import check_pattern

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    from twisted.internet.task import LoopingCall

EXIT_OK, EXIT_FAILED, EXIT_BAD_CONFIG = 0, 1, 2
#: Records go to ``<out>/<pattern>``; ``{feed}``, ``{day}`` and ``{month}`` are filled in.
DEFAULT_PATTERN = "{feed}/{day}.jsonl"
#: The rotating log: this many bytes per file, this many old files kept.
LOG_FILE_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUPS = 5
PROGRESS_INTERVAL = 1.0


@dataclass
class RunOptions:
    """What ``newsbot crawl`` was asked to do."""

    feeds: Sequence[str] = ()
    out: Path = Path("data")
    pattern: str = DEFAULT_PATTERN
    log_level: str = "WARNING"
    #: The rotating log file; None: no log file.
    log_file: Path | None = None
    log_file_level: str = "INFO"
    dry_run: bool = False
    #: Print the summary only when a feed is not ok (for cron, which mails any output).
    quiet: bool = False
    #: The progress line; None: only when stderr is a terminal.
    progress: bool | None = None
    #: Scrapy settings given as NAME=VALUE (like ``scrapy crawl -s``).
    overrides: Sequence[str] = ()
    command: list[str] = field(default_factory=list)

    @property
    def runs_dir(self) -> Path:
        """Where run reports are written."""
        return self.out / "_runs"


def project_settings() -> Settings:
    """The Scrapy settings of this project (newsbot.settings and scrapy.cfg)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


def crawl_settings(options: RunOptions) -> Settings:
    """The project settings with the run's output, state, logging and overrides."""
    settings = project_settings()
    for override in options.overrides:
        name, sep, value = override.partition("=")
        if not sep or not name:
            raise ValueError(f"setting {override!r} is not NAME=VALUE")
        settings.set(name, value, priority="cmdline")
    pattern = Path(options.pattern)
    output = pattern if pattern.is_absolute() else options.out / pattern
    check_pattern(str(output))
    settings.set("NEWSBOT_OUTPUT", str(output), priority="cmdline")
    settings.set("NEWSBOT_STATE", str(options.out / "_state" / "newsbot.sqlite3"), "cmdline")
    settings.set("NEWSBOT_DRY_RUN", options.dry_run, priority="cmdline")
    # newsbot installs its own handlers (stderr and the rotating file, at their levels);
    # LOG_LEVEL is the lower of the two so that the file sees what it should.
    levels = [_level(options.log_level)]
    if options.log_file is not None:
        levels.append(_level(options.log_file_level))
    settings.set("LOG_LEVEL", logging.getLevelName(min(levels)), priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    return settings


def _level(name: str) -> int:
    level = logging.getLevelName(name.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {name!r}")
    return level


def install_log_handlers(settings: Settings, options: RunOptions) -> list[logging.Handler]:
    """stderr at ``log_level`` and, if asked, a rotating file at ``log_file_level``."""
    from scrapy.utils.log import TopLevelFormatter

    formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(_level(options.log_level))
    if options.log_file is not None:
        options.log_file.parent.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(
            options.log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS,
            encoding="utf-8",
        )  # fmt: skip
        rotating.setLevel(_level(options.log_file_level))
        handlers.append(rotating)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(TopLevelFormatter(["scrapy"]))
        logging.root.addHandler(handler)
    logging.root.setLevel(min(handler.level for handler in handlers))
    return handlers


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
        return EXIT_BAD_CONFIG
    known = [feed.name for feed in feeds]
    unknown = [name for name in options.feeds if name not in known]
    if unknown:
        print(
            f"newsbot crawl: unknown feed(s): {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}",
            file=sys.stderr,
        )
        return EXIT_BAD_CONFIG
    selected = list(dict.fromkeys(options.feeds)) or known
    started_at, started = now_utc(), time.monotonic()
    process = CrawlerProcess(settings)
    handlers = install_log_handlers(settings, options)
    try:
        crawlers = []
        for name in selected:
            crawler = process.create_crawler(name)
            crawlers.append(crawler)
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
        return print_dry_run(crawlers)
    history = load_reports(options.runs_dir)
    report = RunReport(
        started=started_at.isoformat(),
        finished=now_utc().isoformat(),
        elapsed=round(time.monotonic() - started, 2),
        feeds=[
            judge(feed_report(_name(crawler), crawler.stats.get_stats()),
                  feed_history(history, _name(crawler)))
            for crawler in crawlers
        ],
        command=options.command,
    )  # fmt: skip
    path = write_report(options.runs_dir, report)
    if not options.quiet or report.status != OK:
        print_summary(report)
        print(f"run report: {path}")
    return report.exit_code


def _name(crawler: Crawler) -> str:
    return crawler.spidercls.name


def print_summary(report: RunReport) -> None:
    """The per-feed table: pages, new, duplicates, drops, errors, elapsed, status."""
    header = (
        f"{'feed':<20} {'pages':>6} {'new':>6} {'dupes':>6} {'dropped':>8} {'errors':>7} "
        f"{'elapsed':>8}  {'status':<7} output"
    )
    print(header)
    print("-" * len(header))
    for feed in report.feeds:
        print(_summary_row(feed))
        for reason, count in sorted(feed.dropped.items()):
            print(f"{'':<20} dropped {reason}: {count}")
        if feed.skipped_known:
            print(f"{feed.feed:<20} skipped {feed.skipped_known} known article(s)")
        for reason in feed.reasons:
            print(f"{feed.feed:<20} {feed.status}: {reason}")
    print(f"elapsed {report.elapsed:.1f}s; status {report.status} (exit {report.exit_code})")


def _summary_row(feed: FeedReport) -> str:
    drops = sum(feed.dropped.values())
    return (
        f"{feed.feed:<20} {feed.pages:>6} {feed.new:>6} {feed.duplicates:>6} {drops:>8} "
        f"{feed.errors:>7} {feed.elapsed:>7.1f}s  {feed.status:<7} {feed.output or '-'}"
    )


def print_dry_run(crawlers: Sequence[Crawler]) -> int:
    """What a real run would fetch: per feed, the new article URLs its list pages gave."""
    print("dry run: list pages read; no article fetched, nothing written")
    failed = False
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        urls = getattr(crawler.spider, "would_fetch", [])
        errors = stats.get("log_count/ERROR", 0)
        failed = failed or errors > 0
        print(
            f"{_name(crawler)}: {stats.get('newsbot/list_pages', 0)} list page(s) read, "
            f"{len(urls)} new article(s) to fetch, "
            f"{stats.get('newsbot/skipped_known', 0)} known"
            + (f", {errors} error(s)" if errors else "")
        )
        for url in urls:
            print(f"  {url}")
    return EXIT_FAILED if failed else EXIT_OK


class Progress:
    """A one-line progress display on a terminal, redrawn every second."""

    def __init__(self, crawlers: Sequence[Crawler], stream: TextIO) -> None:
        self.crawlers, self.stream = crawlers, stream
        self.started = time.monotonic()
        self._loop: LoopingCall | None = None

    def line(self) -> str:
        """``[newsbot] 12s · feeds 3/16 done · pages 120 · new 85 · errors 0``."""
        totals = {"pages": 0, "new": 0, "errors": 0}
        done = 0
        for crawler in self.crawlers:
            stats = crawler.stats.get_stats()
            totals["pages"] += stats.get("downloader/response_count", 0)
            totals["new"] += stats.get("item_scraped_count", 0)
            totals["errors"] += stats.get("log_count/ERROR", 0)
            done += "finish_reason" in stats
        elapsed = time.monotonic() - self.started
        return (
            f"[newsbot] {elapsed:.0f}s · feeds {done}/{len(self.crawlers)} done · "
            f"pages {totals['pages']} · new {totals['new']} · errors {totals['errors']}"
        )

    def draw(self) -> None:
        """Redraw the line in place."""
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()

    def start(self) -> None:
        """Redraw every second while the reactor runs."""
        from twisted.internet import task

        self._loop = task.LoopingCall(self.draw)
        self._loop.start(PROGRESS_INTERVAL, now=False)

    def stop(self) -> None:
        """Draw the final state and end the line."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
