"""Python's cyclic garbage collector, tuned for the length of a crawl.

Nearly all of a crawl's garbage is freed by reference counting: a page, its lxml tree and
its selector go when its callback is done (``ReleasePageMiddleware`` breaks the one cycle
they had). The cycle collector still ran its young generation every 700 net new
container objects, which a page and its requests reach many times over: ~880 runs in a
3,150-page crawl, and with the older generations they follow ~0.2 ms of CPU a page,
mostly re-finding objects that were alive (docs/benchmarks.md). While a crawl runs,
:class:`CollectorTuning` raises the young generation's threshold to
``NEWSBOT_GC_THRESHOLD`` (5,000: ~44 runs for the same crawl); the older generations keep
Python's ratios. The last crawl of the process to close puts Python's thresholds back.
``NEWSBOT_GC_THRESHOLD = 0`` leaves the collector alone.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING, ClassVar

from scrapy import signals

from newsbot.crawlstate import CrawlState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CollectorTuning:
    """Extension: the collector's young threshold raised from the first crawl's opening in
    the process to the last one's close, then given back as it was."""

    #: Crawls of this process that are open, and Python's thresholds from before the first.
    _open_crawls: ClassVar[int] = 0
    _saved: ClassVar[tuple[int, int, int] | None] = None

    def __init__(self, young_threshold: int) -> None:
        self.young_threshold = young_threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorTuning:
        tuning = cls(CrawlState.of(crawler).settings.gc_threshold)
        if tuning.young_threshold > 0:
            crawler.signals.connect(tuning.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(tuning.spider_closed, signal=signals.spider_closed)
        return tuning

    def spider_opened(self) -> None:
        """Raise the young threshold (the first open crawl saves Python's)."""
        cls = type(self)
        if cls._open_crawls == 0:
            cls._saved = gc.get_threshold()
        cls._open_crawls += 1
        assert cls._saved is not None
        python_young, *older = cls._saved
        if 0 < python_young < self.young_threshold:  # 0: automatic collection is off
            gc.set_threshold(self.young_threshold, *older)
            logger.debug(
                "cycle collector: young threshold %d while the crawl runs", self.young_threshold
            )

    def spider_closed(self) -> None:
        """Give Python's thresholds back once no crawl of the process is open."""
        cls = type(self)
        cls._open_crawls -= 1
        if cls._open_crawls == 0 and cls._saved is not None:
            gc.set_threshold(*cls._saved)
            cls._saved = None
