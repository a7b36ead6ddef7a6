"""The pipelines on real pages over the mirror: cleaning targets of seeds 002-004, dates
from fallbacks, filters, dedup across feeds and runs, and a crawl killed with SIGKILL."""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import pytest_twisted

from newsbot.spiders.base import LIST_LOOKAHEAD_PER_SLOT
from tests.conftest import (
    BIN,
    ROOT,
    Mirror,
    crawl_in_process,
    feeds_with,
    read_jsonl,
    start_mirror,
    stop,
)
from tests.testsite import SITE_FEED, write_site, written_ids


def by_title(records: list[dict[str, Any]], start: str) -> dict[str, Any]:
    return next(record for record in records if str(record["title"]).startswith(start))


@pytest_twisted.ensureDeferred
async def test_seed_003_page_is_cleaned_into_fields(mirror: Mirror, tmp_path: Path) -> None:
    records = (await crawl_in_process(mirror, "fnc_bank_branches", tmp_path)).items
    record = by_title(records, "众志成城")
    assert record["title"] == "众志成城 战“疫”有工——三明分行坚守服务阵地为抗“疫”贡献金融力量"
    assert record["date"] == "2020-03-31 16:40:00 +0800"
    assert (record["source"], record["author"], record["editor"]) == (
        "工行三明分行", "工行三明分行 陈丽新", "CXer",
    )  # fmt: skip
    text = str(record["text"])
    assert text.startswith("新年伊始") and text.endswith("助力打赢新冠肺炎疫情阻击战。")
    for noise in ("我要评论", "已有0条评论", "相关链接", "责任编辑", "文章正文", "分享", "打印"):
        assert noise not in text, noise
    content = str(record["content"])
    for tag in ("<script", "<form", "<input", "<iframe", "onclick", "javascript:", "<!--"):
        assert tag not in content, tag
    assert "相关链接" not in content and "已有0条评论" not in content
    assert "<strong>激活全辖防控“一盘棋”</strong>" in content
    assert "\u3000" not in content  # paragraph indents removed


@pytest_twisted.ensureDeferred
async def test_seed_002_date_comes_from_the_url(mirror: Mirror, tmp_path: Path) -> None:
    result = await crawl_in_process(mirror, "fnc_bank_branches", tmp_path)
    records = result.items
    record = by_title(records, "齐心抗“疫”")
    assert record["editor"] == "赵般娇"
    assert str(record["text"]).endswith("坚决打赢防疫阻击战。")
    assert record["date"] == "2022-04-01 00:00:00 +0800"  # /202204/t20220401_187711.html
    assert record["source"] == "渤海银行上海分行"
    assert record["categories"] == "bohaiyinhangshanghaifenhang"
    # its page has no date of its own: read from the URL, not counted as a filled date
    assert (result.stats["newsbot/written"], result.stats["newsbot/filled/date"]) == (3, 2)


@pytest_twisted.ensureDeferred
async def test_seed_004_page_loses_its_teasers(mirror: Mirror, tmp_path: Path) -> None:
    records = (await crawl_in_process(mirror, "caifuhao_jrj15", tmp_path)).items
    record = by_title(records, "苏州银行业保险业")
    assert record["title"] == "苏州银行业保险业全力以赴抗疫情践行使命显担当"
    assert (record["source"], record["editor"]) == ("江苏银保监局", "冀晓航")
    assert record["date"] == "2022-02-23 10:15:30 +0800"  # article:published_time
    text = str(record["text"])
    assert text.startswith("2022年2月13日以来") and text.endswith("传递更多爱心温暖。")
    for noise in ("临港新片区", "澎湃新闻", "评论问答", "本文由", "内容来源", "编辑:", ".."):
        assert noise not in text, noise
    assert text.count("苏州银行业保险业全力以赴抗疫情践行使命显担当") == 0


@pytest_twisted.ensureDeferred
async def test_republished_story_is_marked_across_feeds_and_runs(
    mirror: Mirror, tmp_path: Path
) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = await crawl_in_process(mirror, "nfra_jiangsu", tmp_path, state)
    original = by_title(first.items, "苏州银行业保险业")
    assert [record["duplicate_of"] for record in first.items] == [None, None]
    assert "newsbot/duplicates_marked" not in first.stats
    second = await crawl_in_process(mirror, "caifuhao_jrj15", tmp_path, state)
    records = second.items
    assert by_title(records, "苏州银行业保险业")["duplicate_of"] == original["id"]
    assert by_title(records, "无锡银行业保险业")["duplicate_of"] is None
    assert second.stats["newsbot/duplicates_marked"] == 1
    assert second.stats["newsbot/written"] == 2  # marked, not dropped


@pytest_twisted.ensureDeferred
async def test_on_duplicate_drop(mirror: Mirror, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    await crawl_in_process(mirror, "nfra_jiangsu", tmp_path, state)
    feeds = feeds_with(tmp_path, "caifuhao_jrj15", on_duplicate="drop")
    result = await crawl_in_process(mirror, "caifuhao_jrj15", tmp_path, state, feeds)
    assert [record["title"] for record in result.items] == [
        "无锡银行业保险业多措并举支持小微企业纾困发展"
    ]
    assert result.counts("newsbot/dropped/") == {"duplicate-text": 1}
    assert result.stats["newsbot/written"] == 1
    assert "newsbot/duplicates_marked" not in result.stats
    assert [m for m in result.messages(logging.INFO) if " dropped " in m] == [
        "feed 'caifuhao_jrj15' dropped (duplicate-text) "
        "https://caifuhao.eastmoney.com/news/20220223101530123456780: same story as "
        "https://www.nfra.gov.cn/branch/jiangsu/view/pages/common/ItemDetail.html"
        "?docId=1036155&itemId=4158&generaltype=0"
    ]


@pytest_twisted.ensureDeferred
async def test_seeds_000_and_001_are_not_duplicates(mirror: Mirror, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = await crawl_in_process(mirror, "eastmoney_shzqb", tmp_path, state)
    second = await crawl_in_process(mirror, "eastmoney_zgzqb", tmp_path, state)
    assert first.stats["newsbot/written"] == second.stats["newsbot/written"] == 2
    assert [record["duplicate_of"] for record in second.items] == [None, None]
    assert "newsbot/duplicates_marked" not in second.stats
    assert second.counts("newsbot/dropped/") == {}


@pytest_twisted.ensureDeferred
async def test_a_second_run_writes_nothing_new(mirror: Mirror, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = await crawl_in_process(mirror, "nfra_news", tmp_path, state)
    before = len(mirror.requests())
    second = await crawl_in_process(mirror, "nfra_news", tmp_path, state)
    assert len(first.items) == first.stats["newsbot/written"] == 3 and second.items == []
    assert "newsbot/skipped_known" not in first.stats
    # list page 1 is all known: no page 2, no article; the closing line says so
    assert second.stats.pop("newsbot/closing_line") == (
        f"nfra_news: 0 new records; 2 known articles skipped — state in {tmp_path}; "
        "`--fresh` for a full re-read"
    )
    assert second.counts("newsbot/") == {
        "list_pages": 1, "links": 2, "skipped_known": 2, "paging_stopped_known": 1,
    }  # fmt: skip
    fetched = mirror.requests()[before:]
    assert [line for line in fetched if "SelectByDocId" in line] == []  # no article again
    assert [line for line in fetched if "pageIndex=2" in line] == []
    (archive,) = (tmp_path / "archive" / "nfra_news").glob("*.jsonl")
    assert len(read_jsonl(archive)) == 3
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 3


@pytest_twisted.ensureDeferred
async def test_html_list_dates_stop_paging_at_since(mirror: Mirror, tmp_path: Path) -> None:
    feeds = feeds_with(tmp_path, "boc_news", since="2022-03-29")
    before = len(mirror.requests())
    result = await crawl_in_process(mirror, "boc_news", tmp_path, feeds=feeds)
    fetched = mirror.requests()[before:]
    assert [record["date"][:10] for record in result.items] == ["2022-03-30"]
    assert [line for line in fetched if "t20220328" in line or "index_1.html" in line] == []
    assert result.stats["newsbot/listed_too_old"] == 1
    assert result.stats["newsbot/list_pages"] == 1
    assert result.counts("newsbot/dropped/") == {}  # stopped on the list, not in the pipeline


@pytest_twisted.ensureDeferred
async def test_include_keywords_filter_and_count(mirror: Mirror, tmp_path: Path) -> None:
    feeds = feeds_with(tmp_path, "fnc_bank_branches", include=["疫情"], exclude=["渤海银行"])
    result = await crawl_in_process(mirror, "fnc_bank_branches", tmp_path, feeds=feeds)
    assert [record["title"][:4] for record in result.items] == ["众志成城"]
    assert result.counts("newsbot/dropped/") == {"filtered": 2}
    filtered = [m for m in result.messages(logging.INFO) if "dropped (filtered)" in m]
    assert sorted(m.rsplit(": ", 1)[1] for m in filtered) == [
        "exclude keyword '渤海银行'",
        "no include keyword",
    ]


# --- the synthetic newsroom of tests/testsite.py ------------------------------------


@pytest_twisted.ensureDeferred
async def test_links_that_redirected_are_not_downloaded_again(tmp_path: Path) -> None:
    write_site(tmp_path / "sites", articles=3, per_page=10)
    news = tmp_path / "sites" / "bank.example.cn" / "news"
    links = ["a0.html", "a1.html", "old2.html", "moved-to-0.html"]
    (news / "index.html").write_text(
        '<html><meta charset="utf-8"><ul class="news">'
        + "".join(f'<li><a href="/news/{link}">{link}</a></li>' for link in links)
        + "</ul></html>",
        encoding="utf-8",
    )
    (tmp_path / "sites" / "bank.example.cn" / "_redirects.json").write_text(
        json.dumps({"/news/old2.html": "/news/a2.html", "/news/moved-to-0.html": "/news/a0.html"}),
        encoding="utf-8",
    )
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    state = str(tmp_path / "state.sqlite3")
    server = start_mirror(tmp_path / "sites")
    try:
        first = await crawl_in_process(server, "test_site", tmp_path, state, feeds)
        fetched_first = server.requests()
        second = await crawl_in_process(server, "test_site", tmp_path, state, feeds)
        fetched_second = server.requests()[len(fetched_first) :]
    finally:
        stop(server.process)
    assert [record["url"] for record in first.items] == [
        f"https://bank.example.cn/news/a{n}.html" for n in range(3)
    ]
    assert "GET /bank.example.cn/news/old2.html" in fetched_first
    # moved-to-0 led to a0, which Scrapy had already requested: still remembered
    assert first.stats["newsbot/redirects_learnt"] == 2
    assert first.stats["newsbot/written"] == 3
    assert second.items == []
    assert second.stats["newsbot/skipped_known"] == 4
    assert "newsbot/redirects_learnt" not in second.stats  # nothing fetched, nothing new
    assert [line for line in fetched_second if "/news/" in line] == [
        "GET /bank.example.cn/news/index.html"
    ]


class ServedCrawl(NamedTuple):
    """A crawl of a fresh test site, as its mirror saw it."""

    result: Any
    #: The pages in the order their downloads started (``a0.html``, ``list1.html``, ...).
    fetched: list[str]
    #: The connection each request the mirror answered came on.
    connections: list[str]


async def crawl_in_order(tmp_path: Path, articles: int, per_page: int) -> ServedCrawl:
    """Crawl a fresh test site in process, on a mirror of its own."""
    write_site(tmp_path / "sites", articles=articles, per_page=per_page)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    try:
        result = await crawl_in_process(server, "test_site", tmp_path, feeds=feeds)
        connections = server.connections()
    finally:
        stop(server.process)
    pages = "https://bank.example.cn/news/"
    fetched = [url.removeprefix(pages) for url in result.downloads if url.startswith(pages)]
    return ServedCrawl(result, fetched, connections)


@pytest_twisted.ensureDeferred
async def test_the_next_list_page_is_fetched_before_the_articles_of_this_one(
    tmp_path: Path,
) -> None:
    # A list page's articles fill the downloader (16 requests) at once: a next page
    # queued behind them left the crawl with nothing to fetch until they were all done.
    result, fetched, _ = await crawl_in_order(tmp_path, articles=60, per_page=20)
    assert result.stats["newsbot/written"] == 60
    for page, following in (("index", "list1"), ("list1", "list2")):
        first = 0 if page == "index" else 20
        articles = [fetched.index(f"a{n}.html") for n in range(first, first + 20)]
        assert fetched.index(f"{following}.html") < min(articles), (page, fetched)


@pytest_twisted.ensureDeferred
async def test_list_pages_run_ahead_of_the_articles_only_so_far(tmp_path: Path) -> None:
    # Pages of 100 links: a list page that always went first would queue the whole
    # site's article requests in memory before most of them could be fetched.
    result, fetched, _ = await crawl_in_order(tmp_path, articles=600, per_page=100)
    assert result.stats["newsbot/written"] == 600
    # Going first always, each list page waited only for the downloader (16 requests):
    # list5 went out after ~100 articles. Held back while 4 x 16 wait in the scheduler,
    # it goes out once the pages before are nearly done (the first two may race ahead
    # while the index's links are still being queued).
    before = fetched[: fetched.index("list5.html")]
    articles_before = sum(line.startswith("a") for line in before)
    assert articles_before >= 400 - 2 * LIST_LOOKAHEAD_PER_SLOT * 16 - 72, articles_before


@pytest_twisted.ensureDeferred
async def test_a_crawl_keeps_its_connections_to_a_host(tmp_path: Path) -> None:
    # Scrapy keeps CONCURRENT_REQUESTS_PER_DOMAIN (4) idle connections a host, but a
    # download slot frees before its connection is back in the pool: the next request
    # found none idle and opened one, and a connection was dropped for each. About half
    # the requests paid a TCP handshake (on a live site a TLS one too).
    result, fetched, connections = await crawl_in_order(tmp_path, articles=300, per_page=20)
    assert result.stats["newsbot/written"] == 300
    assert len(connections) >= len(fetched) == 315
    # One crawl at 16 requests, 4 to this host: never more connections than requests
    # in flight (16), whichever order they came back in.
    assert len(set(connections)) <= 16, len(set(connections))


@pytest_twisted.ensureDeferred
async def test_a_page_is_freed_when_its_callback_is_done(tmp_path: Path) -> None:
    # Scrapy's selector and its response refer to each other: every page, with its text
    # and lxml tree, waited for the cycle collector (~100 at a time in a busy crawl).
    # With the collector off, a page still in memory after the crawl is one in a cycle.
    from scrapy.http import HtmlResponse
    from scrapy.utils.trackref import live_refs

    gc.collect()
    gc.disable()
    try:
        result, fetched, _ = await crawl_in_order(tmp_path, articles=60, per_page=20)
        pages = [r for r in live_refs[HtmlResponse] if "bank.example.cn/news/" in r.url]
    finally:
        gc.enable()
    assert result.stats["newsbot/written"] == 60 and len(fetched) == 63
    assert len(pages) <= 1, [page.url for page in pages]


@pytest_twisted.ensureDeferred
async def test_scrapy_reads_a_callbacks_source_once_a_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scrapy parses a generator callback's source to warn about a `return value` in it,
    # and remembers the answer by the callback, weakly. Each request's bound method was
    # its own object: once the request that held the remembered one was freed, the next
    # response's callback was read and parsed again (~2 ms each, ~1 % of a crawl's CPU).
    import inspect

    read: list[str] = []
    real_getsource = inspect.getsource

    def counting_getsource(obj: Any) -> str:
        read.append(getattr(obj, "__qualname__", repr(obj)))
        return real_getsource(obj)

    monkeypatch.setattr(inspect, "getsource", counting_getsource)
    result, fetched, _ = await crawl_in_order(tmp_path, articles=120, per_page=20)
    assert result.stats["newsbot/written"] == 120 and len(fetched) == 126
    assert len(read) == len(set(read)) <= 2, read  # each callback once: list, article


@pytest_twisted.ensureDeferred
async def test_a_feed_added_in_yaml_alone_is_crawled_and_undatable_pages_dropped(
    tmp_path: Path,
) -> None:
    write_site(tmp_path / "sites", articles=4, per_page=2, undatable={3})
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    try:
        result = await crawl_in_process(server, "test_site", tmp_path, feeds=feeds)
    finally:
        stop(server.process)
    records = result.items
    assert [record["title"] for record in records] == [f"测试银行新闻{n}" for n in range(3)]
    assert records[0]["date"] == "2022-03-01 10:00:00 +0800"
    assert records[0]["text"].split("\n")[1] == "第二段：测试银行新闻0的详细内容，编号0。"
    assert "分享到" not in records[0]["content"]
    assert result.counts("newsbot/dropped/") == {"bad-date": 1}
    assert result.stats["newsbot/list_pages"] == 2  # both list pages followed
    assert result.messages(logging.WARNING) == [
        "feed 'test_site' dropped (bad-date) https://bank.example.cn/news/a3.html: date text ''"
    ]


def test_sigkill_never_leaves_a_record_seen_but_unwritten(tmp_path: Path) -> None:
    write_site(tmp_path / "sites", articles=300, per_page=30)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    state, archive = tmp_path / "state.sqlite3", tmp_path / "archive"
    server = start_mirror(tmp_path / "sites")
    command = [
        str(BIN / "scrapy"), "crawl", "test_site", "-L", "WARNING",
        "-s", f"NEWSBOT_OUTPUT={archive}/{{feed}}/{{day}}.jsonl", "-s", f"NEWSBOT_STATE={state}",
    ]  # fmt: skip
    env = {**os.environ, "NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)}
    try:
        first = subprocess.Popen([*command, "-s", "DOWNLOAD_DELAY=0.01"], cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(written_ids(archive)) < 40:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        partial = written_ids(archive)
        assert 40 <= len(partial) < 300
        with sqlite3.connect(state) as db:
            seen = {row[0] for row in db.execute("SELECT id FROM records")}
        assert seen <= set(partial)  # nothing seen that is not on disk

        second = subprocess.run(command, cwd=ROOT, env=env, timeout=120, check=False)
        assert second.returncode == 0
    finally:
        stop(server.process)
    ids = written_ids(archive)
    assert len(ids) == 300 and len(set(ids)) == 300  # all written, none twice


@pytest.mark.parametrize("feed", ["fnc_bank_branches"])
@pytest_twisted.ensureDeferred
async def test_gbk_pages_decode(mirror: Mirror, tmp_path: Path, feed: str) -> None:
    records = (await crawl_in_process(mirror, feed, tmp_path)).items
    assert "——" in by_title(records, "众志成城")["title"]
    assert "·" in by_title(records, "农行南平分行")["title"]


def test_an_article_is_adapted_as_itemadapter_adapts_any_dataclass() -> None:
    # ArticleAdapter only skips itemadapter's search and field listing (~7 -> 1 us an
    # ItemAdapter, five and more a page): what it answers must not differ.
    from dataclasses import dataclass

    from itemadapter import ItemAdapter
    from itemadapter.adapter import DataclassAdapter

    from newsbot.items import Article, ArticleAdapter

    article = Article(title="标题", url="https://x.cn/a.html", fallbacks=["date"])
    fast, plain = ItemAdapter(article), DataclassAdapter(Article(**vars(article)))
    assert isinstance(fast.adapter, ArticleAdapter)
    assert fast.asdict() == dict(plain) and list(fast.field_names()) == list(plain.field_names())
    assert fast.get_field_meta("fallbacks") == plain.get_field_meta("fallbacks")
    fast["text"] = "正文"
    assert article.text == "正文" and ItemAdapter.is_item(article)
    with pytest.raises(KeyError):
        fast["nonsense"] = 1

    @dataclass
    class Other:
        name: str = "x"

    assert isinstance(ItemAdapter(Other()).adapter, DataclassAdapter)
    assert not isinstance(ItemAdapter(Other()).adapter, ArticleAdapter)
    assert ItemAdapter({"a": 1}).asdict() == {"a": 1}
