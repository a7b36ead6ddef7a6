"""The cycle collector while a crawl runs (newsbot.collector): its young generation's
threshold raised for the crawl, Python's given back after it."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest_twisted
from scrapy import signals

from tests.conftest import crawl_site
from tests.testsite import SITE_FEED, write_site


async def thresholds_while_crawling(tmp_path: Path, **settings: Any) -> list[tuple[int, ...]]:
    """The collector's thresholds at each record of a 40-article crawl of a test site."""
    write_site(tmp_path / "sites", articles=40, per_page=20)
    seen: list[tuple[int, ...]] = []

    def watch(crawler: Any) -> None:
        def note(item: Any) -> None:
            seen.append(gc.get_threshold())

        crawler.signals.connect(note, signal=signals.item_scraped, weak=False)

    result = await crawl_site(
        tmp_path / "sites", SITE_FEED, "test_site", tmp_path, watch=watch, **settings
    )
    assert result.stats["newsbot/written"] == 40 == len(seen)
    return seen


@pytest_twisted.ensureDeferred
async def test_a_crawl_collects_young_garbage_rarely_and_gives_pythons_thresholds_back(
    tmp_path: Path,
) -> None:
    # Python's young threshold (700) ran the collector ~880 times in a 3,150-page crawl,
    # ~0.2 ms of CPU a page spent finding the live objects alive (docs/benchmarks.md).
    python = gc.get_threshold()
    seen = await thresholds_while_crawling(tmp_path)
    assert set(seen) == {(5000, *python[1:])}
    assert gc.get_threshold() == python


@pytest_twisted.ensureDeferred
async def test_a_threshold_of_zero_leaves_the_collector_alone(tmp_path: Path) -> None:
    python = gc.get_threshold()
    seen = await thresholds_while_crawling(tmp_path, NEWSBOT_GC_THRESHOLD=0)
    assert set(seen) == {python}
