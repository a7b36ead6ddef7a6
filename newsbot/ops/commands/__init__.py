"""newsbot's versions of Scrapy commands (COMMANDS_MODULE): ``scrapy crawl``, ``parse``
and ``check`` refuse bad spider arguments in one line before anything starts; ``parse``
and ``check`` run without the state store. Everything else is Scrapy's own command."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.spiderloader import SpiderLoaderProtocol

from newsbot.config.arguments import SpiderArgumentError, apply_arguments


def check_spider_arguments(
    loader: SpiderLoaderProtocol, name: str | None, arguments: dict[str, Any]
) -> None:
    """Raise UsageError (``scrapy …: error: <one line>``, exit 2) when a feed spider
    would refuse ``arguments``. Unknown spiders are left to Scrapy."""
    if not name:
        return
    try:
        feed = getattr(loader.load(name), "feed", None)
    except KeyError:
        return
    if feed is None:
        return
    try:
        apply_arguments(feed, arguments)
    except SpiderArgumentError as exc:
        raise UsageError(str(exc), print_help=False) from None


def without_state(settings: Settings) -> None:
    """Run with an in-memory state store (NEWSBOT_STATE empty): the archive and the
    feeds' paging passes are left alone. For commands that look at a page or two
    (``scrapy parse``, ``scrapy check``), where remembering URLs or marking a pass would
    change what the next crawl does. ``-s NEWSBOT_STATE=…`` still wins."""
    # Between "spider" and "cmdline", like Scrapy's own ITEM_PIPELINES under `check`; at
    # or above "spider" it also beats the NEWSBOT_STATE environment variable.
    priority = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2
    settings.set("NEWSBOT_STATE", "", priority=priority)
