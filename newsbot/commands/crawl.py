"""``scrapy crawl``: Scrapy's command, with the spider arguments checked first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from newsbot.commands import check_spider_arguments

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    """Refuse unknown or bad ``-a`` arguments in one line (exit 2), then crawl."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process
        if len(args) == 1:
            check_spider_arguments(self.crawler_process.spider_loader, args[0], opts.spargs)
        super().run(args, opts)
