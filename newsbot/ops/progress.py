"""The one-line progress display of ``newsbot crawl`` on a terminal."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from newsbot.ops.health import failure_counts

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.task import LoopingCall

PROGRESS_INTERVAL = 1.0


def pages_left(crawler: Crawler) -> str:
    """``: 7 pages left`` (requests queued or downloading), or '' when not known."""
    engine = crawler.engine
    scheduler = getattr(engine, "scheduler", None)
    if engine is None or scheduler is None or not hasattr(scheduler, "__len__"):
        return ""
    left = len(scheduler) + len(engine.downloader.active)
    return f": {left} page{'' if left == 1 else 's'} left"


class Progress:
    """A one-line progress display on a terminal, redrawn every second."""

    def __init__(self, crawlers: Sequence[Crawler], stream: TextIO) -> None:
        self.crawlers, self.stream = crawlers, stream
        self.started = time.monotonic()
        self._loop: LoopingCall | None = None

    def line(self) -> str:
        """``[newsbot] 12s · feeds 3/16 done · nfra_news: 7 pages left · pages 120 · new 85
        · errors 0``: the feed being crawled, and the pages it has yet to fetch (queued
        and downloading) where its engine says."""
        totals = {"pages": 0, "new": 0, "errors": 0}
        done, crawling = 0, ""
        for crawler in self.crawlers:
            if crawler.stats is None:
                continue  # not started yet: feeds run one after the other
            stats = crawler.stats.get_stats()
            totals["pages"] += stats.get("downloader/response_count", 0)
            totals["new"] += stats.get("item_scraped_count", 0)
            totals["errors"] += sum(failure_counts(stats).values())
            if "finish_reason" in stats:
                done += 1
            elif crawler.spider is not None:
                crawling = f"{crawler.spider.name}{pages_left(crawler)} · "
        elapsed = time.monotonic() - self.started
        return (
            f"[newsbot] {elapsed:.0f}s · feeds {done}/{len(self.crawlers)} done · {crawling}"
            f"pages {totals['pages']} · new {totals['new']} · errors {totals['errors']}"
        )

    def draw(self) -> None:
        """Redraw the line in place."""
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()

    def start(self) -> None:
        """Redraw every second while the reactor runs."""
        from twisted.internet import task

        self._loop = task.LoopingCall(self.draw)
        self._loop.start(PROGRESS_INTERVAL, now=False)

    def stop(self) -> None:
        """Draw the final state and end the line."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
