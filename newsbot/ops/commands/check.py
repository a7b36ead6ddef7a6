"""``scrapy check``: Scrapy's command, run without newsbot's state store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.check import Command as ScrapyCheck

from newsbot.ops.commands import check_spider_arguments, without_state

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCheck):
    """Contracts discard what callbacks return, so, as Scrapy turns off the pipelines
    here, newsbot turns off its state store: a check marks no paging pass."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        without_state(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process
        for name in args or self.crawler_process.spider_loader.list():
            check_spider_arguments(self.crawler_process.spider_loader, name, opts.spargs)
        super().run(args, opts)
