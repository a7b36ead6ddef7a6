"""Render feeds: real Chromium (Debian's) through scrapy-playwright, over the mirror."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from newsbot.browser import DEFAULT_CHROMIUM, chromium_available
from tests.conftest import EXPECTED, ROOT, Mirror, crawl, read_jsonl, run_command, seed_post

CHROMIUM = os.environ.get("CHROMIUM_PATH", DEFAULT_CHROMIUM)
HAVE_CHROMIUM = chromium_available(CHROMIUM)
if not HAVE_CHROMIUM and os.environ.get("CI"):
    raise RuntimeError(f"CI must run the browser tests: {CHROMIUM} missing (make system)")
needs_chromium = pytest.mark.skipif(
    not HAVE_CHROMIUM,
    reason=f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (or `make system`)",
)

EM_LIST = {
    "url": "https://np-listapi.eastmoney.com/comm/web/getNewsByColumns?client=web"
    "&biz=web_news_col&column=350&order=1&needInteractData=0&page_index={page}&page_size=20",
    "items": "data.list",
    "fields": {"title": "title", "date": "showTime", "source": "mediaName"},
}
TEST_FEEDS = [
    {   # East Money's share page: a shell whose script fetches GetNewsText.do
        "name": "em_share_rendered", "kind": "portal", "flow": "json",
        "categories": "{source_pinyin}", "tags": "{source}新闻", "max_pages": 2,
        "render": True, "browser": {"wait_for": "#newsContent p"},
        "list_api": {**EM_LIST, "link": "https://choicewzp1.eastmoney.com/html_News/"
                     "NewsShare.html?infoCode=NW{code}"},
        "article": {"title": "#newsTitle", "body": "#newsContent"},
    },
    {   # the same page without a browser
        "name": "em_share_plain", "kind": "portal", "flow": "json",
        "categories": "{source_pinyin}", "tags": "{source}新闻",
        "list_api": {**EM_LIST, "link": "https://choicewzp1.eastmoney.com/html_News/"
                     "NewsShare.html?infoCode=NW{code}"},
        "article": {"title": "#newsTitle", "body": "#newsContent"},
    },
    {   # NFRA's AngularJS-style detail page, filled by XHR from SelectByDocId
        "name": "nfra_rendered", "kind": "regulator", "flow": "json",
        "categories": "nfra", "tags": "监管动态", "max_pages": 2,
        "render": True, "browser": {"wait_for": "#wenzhang-content p", "network_idle": True},
        "list_api": {
            "url": "https://www.nfra.gov.cn/cbircweb/DocInfo/SelectDocByItemIdAndChild"
            "?itemId=915&pageSize=18&pageIndex={page}",
            "items": "data.rows",
            "link": "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html"
            "?docId={docId}&itemId=915&generaltype=0",
        },
        "article": {
            "title": "div.wenzhang-title", "body": "#wenzhang-content",
            "date": "div.xxgkInfoTablePlain span.time",
            "source": {"selector": "div.xxgkInfoTablePlain span.source", "re": "来源：(.+)"},
        },
    },
    {   # a page whose awaited element never appears
        "name": "never_ready", "kind": "portal", "flow": "json",
        "categories": "x", "tags": "x", "render": True,
        "browser": {"wait_for": "#never-there", "timeout": 2},
        "list_api": {**EM_LIST, "link": "https://choicewzp1.eastmoney.com/html_News/"
                     "NewsShare.html?infoCode=NW{code}"},
        "article": {"title": "#newsTitle", "body": "#newsContent"},
    },
]  # fmt: skip


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    """feeds.yaml plus the test feeds above."""
    data = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    data["feeds"] += TEST_FEEDS
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def chromium_processes() -> set[int]:
    """PIDs of live (not zombie) Chromium processes."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split()
        except OSError:
            continue  # the process ended while we looked
        if "chrom" in fields[1] and fields[2] != "Z":
            pids.add(int(stat.parent.name))
    return pids


def wait_until_gone(before: set[int], seconds: float = 10) -> set[int]:
    """Chromium processes not in ``before`` still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := chromium_processes() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@needs_chromium
def test_share_page_is_rendered_from_its_json(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    before = chromium_processes()
    records, log = crawl(mirror, "em_share_rendered", tmp_path, "", feeds_file)
    assert len(records) == 6
    seed = next(record for record in records if "NW202203252323545653" in str(record["url"]))
    assert seed["content"] == seed_post("000")[1]
    assert seed["title"].startswith("集结“同心圆”")
    assert "'playwright/page_count/closed': 6" in log
    served = mirror.requests()
    assert any("/choicewzp1.eastmoney.com/NewsData/GetNewsText.do?id=NW" in r for r in served)
    assert not any("choice_logo.png" in line for line in served)  # images are blocked
    assert wait_until_gone(before) == set()  # the browser is gone with the crawl


def test_share_page_without_a_browser_has_no_article(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    records, log = crawl(mirror, "em_share_plain", tmp_path, "", feeds_file)
    assert {record["text"] for record in records} == {"正在加载…"}
    assert "scrapy-playwright" not in log  # plain feeds never start a browser


@needs_chromium
def test_nfra_shell_page_is_filled_by_its_script(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    records, _ = crawl(mirror, "nfra_rendered", tmp_path, "", feeds_file)
    expected = json.loads((EXPECTED / "nfra_news.json").read_text(encoding="utf-8"))
    assert [{key: record[key] for key in expected[0]} for record in records] == expected


@needs_chromium
def test_a_page_that_never_gets_ready_is_an_error_naming_feed_and_url(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    records, log = crawl(mirror, "never_ready", tmp_path, "", feeds_file)
    assert records == []
    assert (
        "feed 'never_ready': cannot fetch https://choicewzp1.eastmoney.com/html_News/"
        "NewsShare.html?infoCode=NW202203252323545653" in log
    )
    assert "Timeout 2000ms exceeded" in log


def test_missing_chromium_is_explained_and_other_feeds_go_on(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    result = run_command(
        ["newsbot", "crawl", "em_share_rendered", "icbc_news", "--out", str(tmp_path / "data")],
        env={"NEWSBOT_MIRROR": mirror.url, "NEWSBOT_FEEDS": str(feeds_file),
             "CHROMIUM_PATH": str(tmp_path / "no-chromium")},
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        f"feed 'em_share_rendered' needs Chromium (render: true) but {tmp_path}/no-chromium "
        "does not exist: install Debian's Chromium (`apt-get install -y chromium`" in result.stderr
    )
    (written,) = (tmp_path / "data" / "icbc_news").glob("*.jsonl")
    assert len(read_jsonl(written)) == 3
    (run,) = (tmp_path / "data" / "_runs").glob("*.json")
    reports = {item["feed"]: item for item in json.loads(run.read_text(encoding="utf-8"))["feeds"]}
    assert (reports["icbc_news"]["status"], reports["icbc_news"]["failures"]) == ("ok", {})
    assert reports["em_share_rendered"]["failures"] == {"config": 1}


@needs_chromium
def test_a_crashed_browser_fails_its_pages_and_the_crawl_goes_on(tmp_path: Path) -> None:
    from tests.conftest import BIN, start_mirror, stop
    from tests.testsite import SITE_FEED, write_site, written_ids

    write_site(tmp_path / "sites", articles=60, per_page=30)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        SITE_FEED.replace(
            "    source: 测试银行\n",
            "    source: 测试银行\n    render: true\n"
            "    browser: {timeout: 5, wait_for: '#ready'}\n",
        ),
        encoding="utf-8",
    )
    server = start_mirror(tmp_path / "sites")
    archive = tmp_path / "archive"
    before = chromium_processes()
    try:
        crawl_process = subprocess.Popen(
            [str(BIN / "scrapy"), "crawl", "test_site", "-L", "INFO", "-s", "NEWSBOT_STATE=",
             "-s", f"NEWSBOT_OUTPUT={archive}/{{feed}}/{{day}}.jsonl",
             "-s", "DOWNLOAD_DELAY=0.05"],
            cwd=ROOT, env={**os.environ, "NEWSBOT_MIRROR": server.url,
                           "NEWSBOT_FEEDS": str(feeds)},
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while len(written_ids(archive)) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in chromium_processes() - before:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        at_crash = len(written_ids(archive))
        _, log = crawl_process.communicate(timeout=120)
    finally:
        if crawl_process.poll() is None:
            crawl_process.kill()
        stop(server.process)
    assert crawl_process.returncode == 0
    assert re.search(
        r"feed 'test_site': (Chromium crashed or was killed while rendering|Chromium gave no page "
        r"for|cannot fetch) https://bank\.example\.cn/news/",
        log,
    ), log[-3000:]
    assert at_crash < 60 and sorted(set(written_ids(archive))) == sorted(written_ids(archive))
    assert len(written_ids(archive)) == 60  # a new browser took over, failed pages retried
    assert "'playwright/browser_count': 2" in log or "'playwright/browser_count': 3" in log
    assert wait_until_gone(before) == set()
