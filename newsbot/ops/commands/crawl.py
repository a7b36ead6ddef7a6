"""``scrapy crawl FEED``, as Scrapy runs it, plus ``--fresh`` and newsbot's exit codes.

- Spider arguments (``-a max_pages=1``) are checked first: a bad or unknown one is one
  line and exit 2, before anything starts.
- ``--fresh`` (or ``-s NEWSBOT_FRESH=1``) re-reads every article with an empty in-memory
  state store: the state file and the archive are untouched, records go only to ``-O``.
- Scrapy's dumps (settings, components, stats) and a robots.txt download error (with
  its traceback) are DEBUG, as in ``newsbot crawl``'s log (newsbot.ops.logs).
- A crawl stopped by a write error (a full disk: ``write-failed``) exits 74
  (``ExitCode.WRITE_FAILED``), as ``newsbot crawl`` does.
- A feed the health rules judge **failed** (newsbot.ops.health: a page failed, nothing
  was downloaded — an unreachable site) exits 1, as ``newsbot crawl`` does; Scrapy
  itself exits 0 whenever the crawl could start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from newsbot.core.codes import CloseReason, ExitCode
from newsbot.ops.commands import check_spider_arguments
from newsbot.ops.health import FAILED, feed_report, judge
from newsbot.ops.logs import demote_boilerplate

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler


class Command(ScrapyCrawl):
    """Scrapy's ``crawl``: spider arguments checked first, ``--fresh``, exit 1 for a
    failed feed."""

    def __init__(self) -> None:
        super().__init__()
        self.crawlers: list[Crawler] = []

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="re-read every article with an empty in-memory state store; the state "
            "file and the archive are untouched (records go only to -O/-o)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if opts.fresh:
            assert self.settings is not None
            self.settings.set("NEWSBOT_FRESH", True, priority="cmdline")

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        self.crawlers.append(crawler)
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process
        if len(args) == 1:
            check_spider_arguments(self.crawler_process.spider_loader, args[0], opts.spargs)
        restore_levels = demote_boilerplate()
        try:
            super().run(args, opts)
        finally:
            restore_levels()
        for crawler in self.crawlers:
            if crawler.stats is None or crawler.spider is None:
                continue  # never started: Scrapy's bootstrap_failed already says 1
            if crawler.stats.get_value("finish_reason") == CloseReason.WRITE_FAILED:
                self.exitcode = ExitCode.WRITE_FAILED  # a full disk outranks a failed feed
                return
            report = judge(feed_report(crawler.spider.name, crawler.stats.get_stats()), [])
            if report.status == FAILED:
                self.exitcode = max(self.exitcode, ExitCode.FAILED)
