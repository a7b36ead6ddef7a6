"""``scrapy parse``: Scrapy's command, with the spider arguments checked first and no
state store (``--pipelines`` prints the cleaned item and writes nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.parse import Command as ScrapyParse

from newsbot.ops.commands import check_spider_arguments, without_state

if TYPE_CHECKING:
    import argparse


class Command(ScrapyParse):
    """Refuse unknown or bad ``-a`` arguments in one line (exit 2); parse one page
    with an in-memory state store, so a known article is not dropped as already
    written, and nothing goes to the archive."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        without_state(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process
        check_spider_arguments(self.crawler_process.spider_loader, opts.spider, opts.spargs)
        super().run(args, opts)
