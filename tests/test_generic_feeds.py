"""Feeds read by the generic extractor over the mirror: without `article:` rules, and
with rules that match nothing (the fallback, field by field, counted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from tests.conftest import EXPECTED, Mirror, crawl_in_process, feeds_with, html_list_feeds

#: Feeds whose article pages are HTML and need no browser: East Money's (one of the three
#: on its host) and every HTML-list feed but the rendered pbc_news.
HTML_ARTICLE_FEEDS = ["eastmoney_news", *html_list_feeds()]


def essentials(records: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(url, title, date to the minute, text) of each record, sorted by URL."""
    return sorted((r["url"], r["title"], (r["date"] or "")[:16], r["text"]) for r in records)


def expected(feed: str) -> list[dict[str, Any]]:
    return list(json.loads((EXPECTED / f"{feed}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("feed", HTML_ARTICLE_FEEDS)
@pytest_twisted.ensureDeferred
async def test_a_feed_without_article_rules_gives_its_records(
    mirror: Mirror, tmp_path: Path, feed: str
) -> None:
    """The generic extractor alone gives the records the selectors give (title, text, the
    date to the minute the page prints); a rule-less feed counts no fallbacks."""
    feeds = feeds_with(tmp_path, feed, article=None)
    result = await crawl_in_process(mirror, feed, tmp_path, feeds=feeds)
    assert essentials(result.items) == essentials(expected(feed))
    assert result.counts("newsbot/fallback/") == {}


@pytest_twisted.ensureDeferred
async def test_rules_that_match_nothing_fall_back_field_by_field(
    mirror: Mirror, tmp_path: Path
) -> None:
    """A layout change that breaks the body and date selectors: the records stay the
    same, and each fallback is counted per field."""
    rules = {
        "title": ".show_title h1",
        "date": ".show_info .gone",
        "body": "div.moved-away",
        "source": {"selector": ".show_info .show_source", "re": "来源[:：]\\s*(\\S+)"},
    }
    feeds = feeds_with(tmp_path, "bankcomm_news", article=rules)
    result = await crawl_in_process(mirror, "bankcomm_news", tmp_path, feeds=feeds)
    assert essentials(result.items) == essentials(expected("bankcomm_news"))
    assert result.counts("newsbot/fallback/") == {"date": 3, "body": 3}
    assert [r["source"] for r in result.items] == [r["source"] for r in expected("bankcomm_news")]
