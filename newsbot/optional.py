"""Extensions whose modules are imported only when they are switched on.

Scrapy imports every extension it lists before the extension may decline
(``NotConfigured``). Three of a crawl's are off unless asked for, and their imports are
the dearest part of a crawl's start-up: Scrapy's remote control (aiohttp, ~0.3 s), its
Telnet console (twisted.conch) and newsbot's distributed coordinator (the Redis client,
~0.2 s). Each stands here in the place of its module, looks at its switch, and builds the
real extension only when the switch is on: ``-s REMOTE_CONTROL_ENABLED=True``,
``-s TELNETCONSOLE_ENABLED=True`` and ``NEWSBOT_REDIS_URL`` work as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object

from newsbot.crawlstate import CrawlState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class OptionalExtension:
    """Builds :attr:`target` (a dotted path) when :meth:`enabled`; declines otherwise."""

    target = ""

    @classmethod
    def enabled(cls, crawler: Crawler) -> bool:
        raise NotImplementedError

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        if not cls.enabled(crawler):
            raise NotConfigured
        return build_from_crawler(load_object(cls.target), crawler)


class RemoteControl(OptionalExtension):
    """Scrapy's remote-control HTTP server (``REMOTE_CONTROL_ENABLED``)."""

    target = "scrapy.extensions.remote_control.RemoteControl"

    @classmethod
    def enabled(cls, crawler: Crawler) -> bool:
        return crawler.settings.getbool("REMOTE_CONTROL_ENABLED")


class TelnetConsole(OptionalExtension):
    """Scrapy's Telnet console (``TELNETCONSOLE_ENABLED``)."""

    target = "scrapy.extensions.telnet.TelnetConsole"

    @classmethod
    def enabled(cls, crawler: Crawler) -> bool:
        return crawler.settings.getbool("TELNETCONSOLE_ENABLED")


class WorkerCoordinator(OptionalExtension):
    """newsbot's coordinator of distributed workers (``NEWSBOT_REDIS_URL``)."""

    target = "newsbot.distributed.coordinator.WorkerCoordinator"

    @classmethod
    def enabled(cls, crawler: Crawler) -> bool:
        return CrawlState.of(crawler).settings.distributed
