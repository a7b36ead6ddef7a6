"""Breadth of sources: every shipped feed crawled over the mirror, with exact records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot.config import load_feeds
from tests.conftest import EXPECTED, ROOT, Mirror, crawl, feeds_with, seed_post
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


def test_pbc_without_a_browser_is_an_error_not_silence(mirror: Mirror, tmp_path: Path) -> None:
    feeds = feeds_with(tmp_path, "pbc_news", render=False)
    records, log = crawl(mirror, "pbc_news", tmp_path, feeds=feeds)
    assert records == []
    assert (
        "feed 'pbc_news': http://www.pbc.gov.cn/goutongjiaoliu/113456/113469/index.html "
        "answered with a JavaScript anti-bot challenge instead of content" in log
    )
    assert "set `render: true` on this feed" in log
    assert "'newsbot/failed/blocked': 1" in log  # counted as this feed's failure


@needs_chromium
def test_pbc_challenge_is_passed_by_chromium(mirror: Mirror, tmp_path: Path) -> None:
    records, log = crawl(mirror, "pbc_news", tmp_path)
    assert len(records) == 3
    assert "anti-bot challenge" not in log
    requests = mirror.requests()
    assert any(line.startswith("GET /www.pbc.gov.cn/goutongjiaoliu/") for line in requests)
