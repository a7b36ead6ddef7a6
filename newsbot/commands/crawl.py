"""``scrapy crawl`` with newsbot's exit codes: 74 (``ExitCode.WRITE_FAILED``) when the
crawl stopped at a write error of the archive or the state store, as ``newsbot crawl``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from newsbot.core.codes import CloseReason, ExitCode

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler


class Command(ScrapyCrawl):
    """Scrapy's ``crawl``; the exit code also tells a crawl that could not write."""

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler: Crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        crawler = getattr(self, "crawler", None)
        stats = crawler.stats if crawler is not None else None
        if stats is not None and stats.get_value("finish_reason") == CloseReason.WRITE_FAILED:
            self.exitcode = ExitCode.WRITE_FAILED
