"""A spider loader that makes every feed in feeds.yaml a spider (plus any code spiders)."""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy import Spider
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.conf import closest_scrapy_cfg

from newsbot.config import FeedConfigError, HtmlFeed, JsonFeed, load_feeds
from newsbot.config.messages import unknown_feed
from newsbot.config.runtime import NewsbotSettings
from newsbot.spiders.base import FeedSpider
from newsbot.spiders.html_list import HtmlListSpider
from newsbot.spiders.json_api import JsonApiSpider

FLOW_SPIDERS: dict[str, type[FeedSpider]] = {"html": HtmlListSpider, "json": JsonApiSpider}


def project_dir() -> Path:
    """The directory of the nearest scrapy.cfg, else the current directory."""
    cfg = closest_scrapy_cfg()
    return Path(cfg).parent if cfg else Path.cwd()


def feeds_path(settings: BaseSettings) -> Path:
    """The feeds file (the NEWSBOT_FEEDS setting), relative to the project directory."""
    path = Path(NewsbotSettings.from_settings(settings).feeds)
    return path if path.is_absolute() else project_dir() / path


def spider_class(feed: HtmlFeed | JsonFeed) -> type[FeedSpider]:
    """The spider class of one feed: its flow's generic spider, named after the feed."""
    base = FLOW_SPIDERS[feed.flow]
    class_name = "".join(part.title() for part in feed.name.split("_")) + "Spider"
    attrs = {"name": feed.name, "feed": feed, "__module__": base.__module__}
    return type(class_name, (base,), attrs)


class UnknownFeed(KeyError, UsageError):
    """A spider name that is neither a feed nor a code spider. A KeyError, as Scrapy's API
    says ``load`` raises; a usage error, which Scrapy's commands print in one line and
    exit 2 on (instead of a traceback)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.print_help = False

    def __str__(self) -> str:
        return str(self.args[0])


class FeedSpiderLoader(SpiderLoader):
    """Loads the project's code spiders, then one spider per feed of the feeds file."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        path = feeds_path(settings)
        try:
            for feed in load_feeds(path):
                if feed.name in self._spiders:
                    raise FeedConfigError(
                        [f"{path}: feed {feed.name!r} has the name of a code spider"]
                    )
                self._spiders[feed.name] = spider_class(feed)
        except FeedConfigError as exc:
            # `scrapy list`, `scrapy crawl`: the located problems, not a traceback; exit 2
            # as `newsbot validate` does.
            print(f"{exc}\n{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
            raise SystemExit(2) from None

    def load(self, spider_name: str) -> type[Spider]:
        """The spider of a feed (or code spider); UnknownFeed naming the known ones."""
        if spider_name not in self._spiders:
            raise UnknownFeed(unknown_feed(spider_name, self.list()))
        return super().load(spider_name)
