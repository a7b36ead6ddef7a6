"""What ``newsbot crawl`` prints: the per-feed summary table, or the dry-run listing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from newsbot.core.codes import ExitCode
from newsbot.ops.health import FeedReport, RunReport, failure_counts

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def crawler_feed(crawler: Crawler) -> str:
    """The feed (spider) name a crawler runs."""
    return str(crawler.spidercls.name)


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
        if feed.lost:
            print(
                f"{feed.feed:<20} lost {len(feed.lost)} article link(s) "
                f"(newsbot status {feed.feed} --lost)"
            )
        if feed.encoding_fixed:
            print(
                f"{feed.feed:<20} decoded {feed.encoding_fixed} page(s) in another charset "
                "than declared"
            )
        for reason in feed.reasons:
            print(f"{feed.feed:<20} {feed.status}: {reason}")
    for feed in report.feeds:  # the closing line of each feed's crawl (newsbot.closing)
        if feed.closing_line:
            print(feed.closing_line)
    print(f"elapsed {report.elapsed:.1f}s; status {report.status} (exit {report.exit_code})")


def _summary_row(feed: FeedReport) -> str:
    drops = sum(feed.dropped.values())
    return (
        f"{feed.feed:<20} {feed.pages:>6} {feed.new:>6} {feed.duplicates:>6} {drops:>8} "
        f"{feed.errors:>7} {feed.elapsed:>7.1f}s  {feed.status:<7} {feed.output or '-'}"
    )


def print_dry_run(crawlers: Sequence[Crawler], would_fetch: Mapping[str, list[str]]) -> int:
    """What a real run would fetch: per feed, the new article URLs its list pages gave."""
    print("dry run: list pages read; no article fetched, nothing written")
    failed = False
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        urls = would_fetch.get(crawler_feed(crawler), [])
        errors = sum(failure_counts(stats).values())
        failed = failed or errors > 0
        print(
            f"{crawler_feed(crawler)}: {stats.get('newsbot/list_pages', 0)} list page(s) read, "
            f"{len(urls)} new article(s) to fetch, "
            f"{stats.get('newsbot/skipped_known', 0)} known"
            + (f", {errors} error(s)" if errors else "")
        )
        for url in urls:
            print(f"  {url}")
    return ExitCode.FAILED if failed else ExitCode.OK
