"""Breadth of sources: every shipped feed crawled over the mirror, with exact records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot.config import load_feeds
from tests.conftest import EXPECTED, ROOT, Mirror, seed_post
from tests.test_pipelines import crawl

FEEDS = {feed.name: feed for feed in load_feeds(ROOT / "feeds.yaml")}
EXPECTED_FEEDS = sorted(path.stem for path in EXPECTED.glob("*.json"))


@pytest.mark.parametrize("feed", EXPECTED_FEEDS)
def test_feed_gives_exactly_the_expected_records(mirror: Mirror, tmp_path: Path, feed: str) -> None:
    records, _ = crawl(mirror, feed, tmp_path)
    expected = json.loads((EXPECTED / f"{feed}.json").read_text(encoding="utf-8"))
    assert [{key: record[key] for key in expected[0]} for record in records] == expected
    assert {record["kind"] for record in records} == {FEEDS[feed].kind}


def test_every_feed_has_bounds_and_labels() -> None:
    for feed in FEEDS.values():
        assert feed.categories and feed.tags, feed.name
        assert feed.max_pages >= 1 or feed.since is not None, feed.name


def test_east_money_papers_get_pinyin_categories(mirror: Mirror, tmp_path: Path) -> None:
    records, _ = crawl(mirror, "eastmoney_news", tmp_path)
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


def test_share_page_flow_reads_the_same_articles(mirror: Mirror, tmp_path: Path) -> None:
    portal, _ = crawl(mirror, "eastmoney_news", tmp_path)
    share, _ = crawl(mirror, "eastmoney_share", tmp_path)
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


def test_share_and_portal_copies_dedup_to_one(mirror: Mirror, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    portal, _ = crawl(mirror, "eastmoney_news", tmp_path, state)
    share, log = crawl(mirror, "eastmoney_share", tmp_path, state)
    assert len(portal) == 6 and share == []
    assert "'newsbot/dropped/duplicate-text': 6" in log
