"""Breadth of sources: every shipped feed crawled over the mirror, with exact records."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import pytest_twisted

from newsbot.config import load_feeds
from tests.conftest import EXPECTED, ROOT, Mirror, crawl_in_process, feeds_with, seed_post
from tests.test_render import needs_chromium

FEEDS = {feed.name: feed for feed in load_feeds(ROOT / "feeds.yaml")}
EXPECTED_FEEDS = sorted(path.stem for path in EXPECTED.glob("*.json") if path.stem in FEEDS)


def test_every_expected_file_names_a_feed() -> None:
    assert sorted(path.stem for path in EXPECTED.glob("*.json")) == EXPECTED_FEEDS


@pytest.mark.parametrize(
    "feed",
    [
        pytest.param(name, marks=needs_chromium) if FEEDS[name].render else name
        for name in EXPECTED_FEEDS
    ],
)
@pytest_twisted.ensureDeferred
async def test_feed_gives_exactly_the_expected_records(
    mirror: Mirror, tmp_path: Path, feed: str
) -> None:
    result = await crawl_in_process(mirror, feed, tmp_path)
    records = result.items
    expected = json.loads((EXPECTED / f"{feed}.json").read_text(encoding="utf-8"))
    assert [{key: record[key] for key in expected[0]} for record in records] == expected
    assert {record["kind"] for record in records} == {FEEDS[feed].kind}
    assert result.stats["newsbot/written"] == result.stats["newsbot/articles"] == len(expected)
    assert result.counts("newsbot/dropped/") == {}
    assert [r.getMessage() for r in result.logs if r.levelno >= logging.WARNING] == []


def test_every_feed_has_bounds_and_labels() -> None:
    for feed in FEEDS.values():
        assert feed.categories and feed.tags, feed.name
        assert feed.max_pages >= 1 or feed.since is not None, feed.name


@pytest_twisted.ensureDeferred
async def test_east_money_papers_get_pinyin_categories(mirror: Mirror, tmp_path: Path) -> None:
    records = (await crawl_in_process(mirror, "eastmoney_news", tmp_path)).items
    labels = {(record["source"], record["categories"], record["tags"]) for record in records}
    assert labels == {
        ("上海证券报", "shanghaizhengquanbao", "上海证券报新闻"),
        ("中国证券报", "zhongguozhengquanbao", "中国证券报新闻"),
        ("证券时报", "zhengquanshibao", "证券时报新闻"),
        ("重庆日报", "chongqingribao", "重庆日报新闻"),
    }
    stocks = next(record for record in records if record["source"] == "证券时报")
    assert "其中，五粮液披露业绩预告称，一季度经营情况稳中向好；宁德时代则表示" in stocks["text"]
    assert "quote_" not in stocks["content"] and "<span></span>" not in stocks["content"]


@pytest_twisted.ensureDeferred
async def test_share_page_flow_reads_the_same_articles(mirror: Mirror, tmp_path: Path) -> None:
    portal = (await crawl_in_process(mirror, "eastmoney_news", tmp_path)).items
    share = (await crawl_in_process(mirror, "eastmoney_share", tmp_path)).items
    assert len(share) == len(portal) == 6
    by_title = {record["title"]: record for record in portal}
    for record in share:
        assert record["url"].startswith(
            "https://choicewzp1.eastmoney.com/html_News/NewsShare.html?infoCode=NW"
        )
        twin = by_title[record["title"]]
        for key in ("date", "categories", "tags", "source", "content", "text"):
            assert record[key] == twin[key], key
    _, body = seed_post("000")
    seed = next(record for record in share if "NW202203252323545653" in record["url"])
    assert seed["content"] == body


@pytest_twisted.ensureDeferred
async def test_share_and_portal_copies_dedup_to_one(mirror: Mirror, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    portal = await crawl_in_process(mirror, "eastmoney_news", tmp_path, state)
    share = await crawl_in_process(mirror, "eastmoney_share", tmp_path, state)
    assert len(portal.items) == portal.stats["newsbot/written"] == 6 and share.items == []
    assert share.stats["newsbot/articles"] == 6
    assert share.counts("newsbot/dropped/") == {"duplicate-text": 6}
    assert "newsbot/written" not in share.stats


@pytest_twisted.ensureDeferred
async def test_pbc_without_a_browser_is_an_error_not_silence(
    mirror: Mirror, tmp_path: Path
) -> None:
    feeds = feeds_with(tmp_path, "pbc_news", render=False)
    result = await crawl_in_process(mirror, "pbc_news", tmp_path, feeds=feeds)
    assert result.items == []
    assert result.messages(logging.ERROR) == [
        "feed 'pbc_news': http://www.pbc.gov.cn/goutongjiaoliu/113456/113469/index.html "
        "answered with a JavaScript anti-bot challenge instead of content (set `render: true` "
        "on this feed to fetch it with Chromium); nothing extracted from it"
    ]
    # counted as this feed's failure, one error line for it
    assert result.stats["newsbot/failed/blocked"] == result.stats["log_count/ERROR"] == 1
    assert "newsbot/list_pages" not in result.stats  # nothing was read as a list page


@needs_chromium
@pytest_twisted.ensureDeferred
async def test_pbc_challenge_is_passed_by_chromium(mirror: Mirror, tmp_path: Path) -> None:
    before = len(mirror.requests())
    result = await crawl_in_process(mirror, "pbc_news", tmp_path)
    assert len(result.items) == result.stats["newsbot/written"] == 3
    assert "newsbot/failed/blocked" not in result.stats
    assert result.messages(logging.ERROR) == []
    assert result.stats["playwright/browser_count"] == 1
    requests = mirror.requests()[before:]  # this crawl's: Chromium fetched the pages
    assert any(line.startswith("GET /www.pbc.gov.cn/goutongjiaoliu/") for line in requests)
