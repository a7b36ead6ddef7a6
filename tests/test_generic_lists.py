"""List pages read without selectors: feeds that give only `start_urls` (the generic
link finder, newsbot.core.extract.generic_links) or a `link_pattern`, over the mirror."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted
import yaml

from tests.conftest import ROOT, Mirror, crawl_in_process, html_list_feeds
from tests.test_generic_feeds import essentials, expected

#: Every HTML-list feed that needs no browser (pbc_news renders).
HTML_LIST_FEEDS = html_list_feeds()


def feeds_without_list(tmp_path: Path, name: str, list_rules: dict[str, str] | None) -> Path:
    """A copy of feeds.yaml where one feed's `list:` is replaced (None: removed)."""
    data = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    for feed in data["feeds"]:
        if feed["name"] == name:
            feed.pop("list")
            if list_rules is not None:
                feed["list"] = list_rules
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("feed", HTML_LIST_FEEDS)
@pytest_twisted.ensureDeferred
async def test_a_feed_with_only_start_urls_gives_its_twins_records(
    mirror: Mirror, tmp_path: Path, feed: str
) -> None:
    """Without `list:` the main list and the next page are found generically, and the
    crawl gives the records of the selector-configured feed (tests/expected)."""
    feeds = feeds_without_list(tmp_path, feed, None)
    result = await crawl_in_process(mirror, feed, tmp_path, feeds=feeds)
    assert essentials(result.items) == essentials(expected(feed))
    assert result.stats.get("newsbot/list_pages", 0) >= 1


@pytest_twisted.ensureDeferred
async def test_a_link_pattern_alone_picks_the_article_links(mirror: Mirror, tmp_path: Path) -> None:
    """`list: {link_pattern: …}` follows every link of the page whose URL matches (here
    also the sidebar's hot list, whose missing page is lost, not written)."""
    rules = {"link_pattern": r"/7162/\d+\.shtml$"}
    feeds = feeds_without_list(tmp_path, "bankcomm_news", rules)
    result = await crawl_in_process(mirror, "bankcomm_news", tmp_path, feeds=feeds)
    assert essentials(result.items) == essentials(expected("bankcomm_news"))
