"""Scrapy's own commands on newsbot's feed spiders, run as a user runs them (subprocesses
over the mirror): shell, parse (list and article callbacks), check (contracts of every
feed), and the spider arguments (-a) of crawl."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsbot.config import HtmlFeed, JsonFeed, load_feeds
from newsbot.config.arguments import SpiderArgumentError, apply_arguments
from tests.conftest import ROOT, SITES, Mirror, feeds_with, read_jsonl, run_command, start_mirror
from tests.conftest import stop as stop_process

FEEDS = {feed.name: feed for feed in load_feeds(ROOT / "feeds.yaml")}
ICBC = FEEDS["icbc_news"]
assert isinstance(ICBC, HtmlFeed)
ICBC_LIST = ICBC.start_urls[0]
ICBC_TITLE = "工行召开2022年普惠金融工作推进会"
NFRA_TITLE = "国家金融监督管理总局召开2024年普惠金融工作会议暨小微企业融资协调工作机制推进会"


def env_for(mirror: Mirror, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A persistent state store and an archive under tmp_path, over the mirror."""
    return {
        "NEWSBOT_MIRROR": mirror.url,
        "NEWSBOT_STATE": str(tmp_path / "state" / "newsbot.sqlite3"),
        "NEWSBOT_OUTPUT": f"{tmp_path}/archive/{{feed}}/{{day}}.jsonl",
        **extra,
    }


def test_shell_fetches_and_the_console_reaches_the_store(mirror: Mirror, tmp_path: Path) -> None:
    """`scrapy shell --spider` crawls in a reactor thread; the console (main thread)
    can still ask the state store, which the crawl opened."""
    code = (
        "(response.status, __import__('newsbot.crawlstate').crawlstate"
        ".CrawlState.of(crawler).store.count())"
    )
    result = run_command(
        ["scrapy", "shell", "--spider=icbc_news", ICBC_LIST, "-c", code],
        env=env_for(mirror, tmp_path),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ProgrammingError" not in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "(200, 0)"


def test_parse_reads_a_list_page_by_default(mirror: Mirror, tmp_path: Path) -> None:
    """`scrapy parse --spider FEED LIST_URL`: `parse` is the list callback."""
    result = run_command(
        ["scrapy", "parse", "--spider=icbc_news", ICBC_LIST], env=env_for(mirror, tmp_path)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "NotImplementedError" not in result.stderr
    assert f"<GET {ICBC.check_url}>" in result.stdout
    assert "default-PageList-2.htm>" in result.stdout  # the next list page


@pytest.mark.parametrize(("feed", "title"), [("icbc_news", ICBC_TITLE), ("nfra_news", NFRA_TITLE)])
def test_parse_article_with_pipelines_prints_the_cleaned_item(
    mirror: Mirror, tmp_path: Path, feed: str, title: str
) -> None:
    """`scrapy parse --spider FEED --pipelines -c parse_article URL`: the item as the
    pipelines leave it (date in +0800, plain text, labels), and nothing written, though
    NEWSBOT_STATE names a store: parse runs without one."""
    url = FEEDS[feed].check_url
    assert url is not None
    result = run_command(
        ["scrapy", "parse", f"--spider={feed}", "--pipelines", "-c", "parse_article", url],
        env=env_for(mirror, tmp_path),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"'title': '{title}'" in result.stdout
    assert re.search(r"'date': '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0800'", result.stdout)
    assert f"'categories': '{FEEDS[feed].categories}'" in result.stdout
    assert "'text': ''" not in result.stdout
    assert not (tmp_path / "archive").exists()
    assert not (tmp_path / "state").exists()


def test_check_runs_contracts_of_every_feed(mirror: Mirror, tmp_path: Path) -> None:
    """`scrapy check`: every feed's list callback and article callback, over the mirror,
    with no state store touched."""
    result = run_command(["scrapy", "check"], env=env_for(mirror, tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    match = re.search(r"Ran (\d+) contracts", result.stderr)
    assert match is not None, result.stderr[-2000:]
    assert int(match.group(1)) >= 2 * len(FEEDS)
    assert result.stderr.rstrip().endswith("OK")
    assert not (tmp_path / "state").exists()


def test_check_fails_when_an_article_selector_breaks(mirror: Mirror, tmp_path: Path) -> None:
    """A site that changed its layout: the article contract says what is missing."""
    broken = ICBC.article.model_dump(exclude_none=True)
    broken["title"] = {"selector": "h1.no-such-title"}
    feeds = feeds_with(tmp_path, "icbc_news", article=broken)
    result = run_command(
        ["scrapy", "check", "icbc_news"], env=env_for(mirror, tmp_path, NEWSBOT_FEEDS=str(feeds))
    )
    assert result.returncode == 1
    assert "feed 'icbc_news'" in result.stderr
    assert "no title found" in result.stderr
    assert "generic extractor's fallback was used" in result.stderr  # the crawl would go on
    assert "FAILED (failures=1)" in result.stderr


def list_pages_requested(mirror: Mirror) -> list[str]:
    """The ICBC list pages the mirror served."""
    return [line for line in mirror.requests() if "/default" in line]


def test_max_pages_argument_limits_list_paging(tmp_path: Path) -> None:
    """`-a max_pages=1` reads one list page where feeds.yaml says 2."""
    server = start_mirror(SITES)
    try:
        env = env_for(server, tmp_path)
        crawl = ["scrapy", "crawl", "icbc_news", "-s", "NEWSBOT_STATE="]
        result = run_command([*crawl, "-a", "max_pages=1"], env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        assert len(list_pages_requested(server)) == 1
        result = run_command(crawl, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        assert len(list_pages_requested(server)) == 1 + 2
    finally:
        stop_process(server.process)


def test_since_argument_filters(mirror: Mirror, tmp_path: Path) -> None:
    """`-a since=DATE`: older articles are not kept."""
    out = tmp_path / "out.jsonl"
    crawl = ["scrapy", "crawl", "icbc_news", "-s", "NEWSBOT_STATE=", "-O", str(out)]
    result = run_command([*crawl, "-a", "since=2022-03-24"], env=env_for(mirror, tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    dates = sorted(str(record["date"])[:10] for record in read_jsonl(out))
    assert dates == ["2022-03-24", "2022-03-28"]
    assert result.stderr.count("feed 'icbc_news' dropped (too-old)") == 1


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ("nonsense=1", "unknown spider argument 'nonsense'; accepted: -a max_pages=…, -a since=…"),
        ("max_pages=abc", "-a max_pages='abc' must be a whole number from 1 to 1000"),
        ("since=yesterday", "-a since='yesterday' must be a date, YYYY-MM-DD"),
    ],
)
def test_bad_spider_arguments_are_refused_in_one_line(
    mirror: Mirror, tmp_path: Path, argument: str, says: str
) -> None:
    """A bad -a: `scrapy: error: …` naming the feed and the argument, exit 2, no
    traceback, nothing crawled."""
    result = run_command(
        ["scrapy", "crawl", "icbc_news", "-a", argument], env=env_for(mirror, tmp_path)
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy: error: feed 'icbc_news': ")
    assert says in last
    assert not (tmp_path / "state").exists()


def test_arguments_take_the_feeds_yaml_meaning() -> None:
    """Strings (from -a) and values (from CrawlerProcess.crawl) alike, checked by the
    feed's own model; the feed itself is left as it was."""
    changed = apply_arguments(ICBC, {"max_pages": "1", "since": "2022-03-24"})
    assert (changed.max_pages, str(changed.since)) == (1, "2022-03-24")
    assert apply_arguments(ICBC, {"max_pages": 5}).max_pages == 5
    assert ICBC.max_pages == 2
    nfra = FEEDS["nfra_news"]
    assert isinstance(nfra, JsonFeed)
    assert apply_arguments(nfra, {}) is nfra
    with pytest.raises(SpiderArgumentError, match="max_pages='0' must be a whole number"):
        apply_arguments(ICBC, {"max_pages": "0"})


def test_state_store_is_usable_from_another_thread(tmp_path: Path) -> None:
    """The store a crawl thread opened answers another thread (the shell's console), and
    a transaction keeps other threads' statements out until it ends."""
    import threading

    from newsbot.store.sqlite import SqliteStateStore

    store = SqliteStateStore(tmp_path / "state.sqlite3")
    order: list[str] = []

    def other() -> None:
        store.add_redirect("http://a.cn/2", "http://a.cn/3")
        order.append("other")

    with store.transaction():
        store.add_redirect("http://a.cn/1", "http://a.cn/3")
        worker = threading.Thread(target=other)
        worker.start()
        worker.join(timeout=0.2)  # waits for the transaction: the lock is held
        order.append("transaction")
    worker.join(timeout=10)
    assert order == ["transaction", "other"]
    assert store.count() == 0
    store.close()
