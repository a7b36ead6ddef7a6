"""The one line every crawl ends with, per feed: what it wrote and why not more.

A run that writes nothing must say why: its articles were all known to the state store
(``--fresh`` re-reads them), the site was unreachable, or pages failed. The
:class:`ClosingLine` extension logs the line when the engine stops (after Scrapy's stats
dump: the last word of ``scrapy crawl``) and keeps it as the ``newsbot/closing_line``
stat, which ``newsbot crawl`` prints under its summary.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from newsbot.crawlstate import CrawlState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newsbot.config.runtime import NewsbotSettings

logger = logging.getLogger(__name__)

#: The stat holding the line, and the one holding unreachable hosts (host → what failed).
CLOSING_LINE_STAT = "newsbot/closing_line"
UNREACHABLE_STAT = "newsbot/unreachable"


def plural(count: int, noun: str) -> str:
    """``1 new record``, ``2 new records``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def unreachable_hosts(stats: Mapping[str, Any]) -> dict[str, str]:
    """The hosts no page could be downloaded from, when none was (host → what failed)."""
    if stats.get("downloader/response_count", 0):
        return {}
    return dict(stats.get(UNREACHABLE_STAT) or {})


def closing_line(feed: str, stats: Mapping[str, Any], settings: NewsbotSettings) -> str:
    """``nfra_news: 0 new records; 2 known articles skipped — state in data/_state;
    `--fresh` for a full re-read``."""
    parts = [f"{feed}: {plural(int(stats.get('item_scraped_count', 0)), 'new record')}"]
    skipped = int(stats.get("newsbot/skipped_known", 0))
    if settings.fresh:
        parts.append("fresh re-read: the state store and the archive were not used")
    elif not settings.persistent:
        parts.append("no state store (NEWSBOT_STATE empty): the archive was not written")
    elif skipped:
        state_dir = settings.redis_url or Path(settings.state).parent
        parts.append(
            f"{plural(skipped, 'known article')} skipped — state in {state_dir}; "
            "`--fresh` for a full re-read"
        )
    hosts = unreachable_hosts(stats)
    if hosts:
        named = ", ".join(f"{host} ({detail})" for host, detail in sorted(hosts.items()))
        parts.append(f"no page downloaded: unreachable {named}")
    failures = sum(v for k, v in stats.items() if k.startswith("newsbot/failed/"))
    if failures and not hosts:
        parts.append(f"{plural(failures, 'failure')} (see the log)")
    line = "; ".join(parts)
    output = stats.get("newsbot/output")
    return f"{line} → {output}" if output else line


class ClosingLine:
    """Logs each crawl's closing line when its engine stops, and keeps it as a stat."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClosingLine:
        return cls(crawler)

    def engine_stopped(self) -> None:
        """Log the line and store it."""
        stats = self.crawler.stats
        spider = self.crawler.spider
        if stats is None or spider is None:
            return  # the crawl never started: there is nothing to sum up
        values = stats.get_stats()
        line = closing_line(spider.name, values, CrawlState.of(self.crawler).settings)
        stats.set_value(CLOSING_LINE_STAT, line)
        logger.info(line, extra={"spider": spider})
