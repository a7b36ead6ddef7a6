"""A spider loader that makes every feed in feeds.yaml a spider (plus any code spiders)."""

from __future__ import annotations

import os
from pathlib import Path

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.conf import closest_scrapy_cfg

from newsbot.config.loader import FeedConfigError, load_feeds
from newsbot.config.models import HtmlFeed, JsonFeed
from newsbot.spiders.base import FeedSpider
from newsbot.spiders.html_list import HtmlListSpider
from newsbot.spiders.json_api import JsonApiSpider

FEEDS_ENV = "NEWSBOT_FEEDS"
FLOW_SPIDERS: dict[str, type[FeedSpider]] = {"html": HtmlListSpider, "json": JsonApiSpider}


def project_dir() -> Path:
    """The directory of the nearest scrapy.cfg, else the current directory."""
    cfg = closest_scrapy_cfg()
    return Path(cfg).parent if cfg else Path.cwd()


def feeds_path(settings: BaseSettings) -> Path:
    """The feeds file: $NEWSBOT_FEEDS, else the NEWSBOT_FEEDS setting, relative to the project."""
    path = Path(os.environ.get(FEEDS_ENV) or settings.get("NEWSBOT_FEEDS") or "feeds.yaml")
    return path if path.is_absolute() else project_dir() / path


def spider_class(feed: HtmlFeed | JsonFeed) -> type[FeedSpider]:
    """The spider class of one feed: its flow's generic spider, named after the feed."""
    base = FLOW_SPIDERS[feed.flow]
    class_name = "".join(part.title() for part in feed.name.split("_")) + "Spider"
    attrs = {"name": feed.name, "feed": feed, "__module__": base.__module__}
    return type(class_name, (base,), attrs)


class FeedSpiderLoader(SpiderLoader):
    """Loads the project's code spiders, then one spider per feed of the feeds file."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        path = feeds_path(settings)
        for feed in load_feeds(path):
            if feed.name in self._spiders:
                raise FeedConfigError([f"{path}: feed {feed.name!r} has the name of a code spider"])
            self._spiders[feed.name] = spider_class(feed)
