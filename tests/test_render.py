"""Render feeds: real Chromium (Debian's) through scrapy-playwright, over the mirror."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
import pytest_twisted
import yaml
from twisted.internet import task, threads

from newsbot.browser import DEFAULT_CHROMIUM, chromium_available
from tests.conftest import (
    EXPECTED,
    ROOT,
    Mirror,
    crawl_in_process,
    read_jsonl,
    run_command,
    seed_post,
    start_mirror,
    stop,
)
from tests.testsite import SITE_FEED, write_site, written_ids

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


# --- the Chromium processes of one test's crawl ---------------------------------------
# Other programs (another checkout's tests, a desktop browser) may run Chromium at the same
# time: a test counts, waits for and kills only the processes its own crawl started.

#: An environment variable set to a fresh token for one crawl; its processes inherit it.
MARK = "NEWSBOT_TEST_CRAWL"


@dataclass(frozen=True)
class Proc:
    """A process: its PID, its start time (which tells a reused PID apart) and name."""

    pid: int
    start: int
    name: str


def new_token() -> str:
    """A ``NAME=VALUE`` environment entry that no other crawl carries."""
    return f"{MARK}={uuid.uuid4().hex}"


def _stat(pid: int) -> tuple[str, str, int, int] | None:
    """Name, state, parent PID and start time of a process; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
    state, ppid, *rest = fields.split()
    return name, state, int(ppid), int(rest[17])


def _carries(pid: int, token: str) -> bool:
    try:
        return token.encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def own_chromium(root: int | None, token: str) -> set[Proc]:
    """Live Chromium processes of one crawl: the descendants of its process ``root`` (the
    renderers, whose environment Chromium overwrites), and those whose environment carries
    ``token`` (the browser, its zygotes, and the crash handler, which detaches to PID 1)."""
    table = {
        int(entry.name): info
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and (info := _stat(int(entry.name))) is not None
    }
    children: dict[int, list[int]] = {}
    for pid, (_, _, ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    descendants: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in descendants:
                descendants.add(child)
                stack.append(child)
    return {
        Proc(pid, start, name)
        for pid, (name, state, _, start) in table.items()
        if "chrom" in name
        and state not in ("Z", "X")
        and (pid in descendants or _carries(pid, token))
    }


def alive(procs: set[Proc]) -> set[Proc]:
    """Those of ``procs`` still running (not zombies, their PID not taken by another)."""
    return {
        proc
        for proc in procs
        if (info := _stat(proc.pid)) is not None and info[3] == proc.start and info[1] != "Z"
    }


def wait_gone(procs: set[Proc], seconds: float = 10) -> set[Proc]:
    """Those of ``procs`` still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := alive(procs)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def kill(procs: set[Proc]) -> set[Proc]:
    """SIGKILL those of ``procs`` still running; the ones signalled."""
    killed = set()
    for proc in alive(procs):
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
            killed.add(proc)
    return killed


# --- tests ---------------------------------------------------------------------------


@needs_chromium
@pytest_twisted.ensureDeferred
async def test_share_page_is_rendered_from_its_json(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    before = len(mirror.requests())
    token, started = new_token(), set[Proc]()
    watch = task.LoopingCall(lambda: started.update(own_chromium(os.getpid(), token)))
    with mock.patch.dict(os.environ, [token.split("=", 1)]):
        watch.start(0.1)
        try:
            result = await crawl_in_process(mirror, "em_share_rendered", tmp_path, "", feeds_file)
        finally:
            watch.stop()
    records = result.items
    assert len(records) == result.stats["newsbot/written"] == 6
    seed = next(record for record in records if "NW202203252323545653" in str(record["url"]))
    assert seed["content"] == seed_post("000")[1]
    assert seed["title"].startswith("集结“同心圆”")
    assert result.stats["playwright/page_count/closed"] == 6
    assert result.stats["playwright/browser_count"] == 1
    assert result.messages(logging.ERROR) == []
    served = mirror.requests()[before:]  # this crawl's
    assert any("/choicewzp1.eastmoney.com/NewsData/GetNewsText.do?id=NW" in r for r in served)
    assert not any("choice_logo.png" in line for line in served)  # images are blocked
    # the browser ran in this crawl, and is gone with it
    assert "chromium" in {proc.name for proc in started}
    left = started | own_chromium(os.getpid(), token)
    assert await threads.deferToThread(wait_gone, left) == set()


@pytest_twisted.ensureDeferred
async def test_share_page_without_a_browser_has_no_article(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    result = await crawl_in_process(mirror, "em_share_plain", tmp_path, "", feeds_file)
    assert len(result.items) == 3  # one list page (no max_pages)
    assert {record["text"] for record in result.items} == {"正在加载…"}
    # plain feeds never start a browser
    assert result.counts("playwright/") == {}
    assert [r for r in result.logs if r.name.startswith("scrapy-playwright")] == []


@needs_chromium
@pytest_twisted.ensureDeferred
async def test_nfra_shell_page_is_filled_by_its_script(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    result = await crawl_in_process(mirror, "nfra_rendered", tmp_path, "", feeds_file)
    expected = json.loads((EXPECTED / "nfra_news.json").read_text(encoding="utf-8"))
    assert [{key: record[key] for key in expected[0]} for record in result.items] == expected
    assert result.stats["playwright/browser_count"] == 1
    assert result.messages(logging.ERROR) == []


@needs_chromium
@pytest_twisted.ensureDeferred
async def test_a_page_that_never_gets_ready_is_an_error_naming_feed_and_url(
    mirror: Mirror, tmp_path: Path, feeds_file: Path
) -> None:
    result = await crawl_in_process(mirror, "never_ready", tmp_path, "", feeds_file)
    assert result.items == []
    share = "https://choicewzp1.eastmoney.com/html_News/NewsShare.html?infoCode=NW"
    codes = ["202203250935118765", "202203251012344556", "202203252323545653"]
    assert sorted(message.split("\n")[0] for message in result.messages(logging.ERROR)) == [
        f"feed 'never_ready': cannot fetch {share}{code}: TimeoutError: "
        "Page.wait_for_selector: Timeout 2000ms exceeded. "
        'Call log: - waiting for locator("#never-there")'
        for code in codes
    ]
    assert result.stats["newsbot/failed/fetch"] == 3
    assert "newsbot/articles" not in result.stats


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


def test_a_page_whose_renderer_crashed_is_retried_as_a_lost_connection_is() -> None:
    # The crash test below lost a page once in a full run: Chromium was killed while
    # page.content() ran, and Playwright said "Page.content: Target crashed" — a plain
    # Playwright error, which scrapy-playwright gives back and Scrapy does not retry.
    from playwright._impl._errors import Error, TargetClosedError
    from scrapy import Request, Spider
    from scrapy.downloadermiddlewares.retry import RetryMiddleware
    from scrapy.utils.test import get_crawler

    from newsbot.browser.handler import BrowserCrashed, browser_crash
    from tests.conftest import project_settings

    crawler = get_crawler(Spider, project_settings().copy_to_dict())
    crawler.spider = Spider.from_crawler(crawler, name="test_site")
    retry = RetryMiddleware.from_crawler(crawler)
    request = Request("https://bank.example.cn/news/a9.html", meta={"playwright": True})
    crashed = Error("Page.content: Target crashed")
    assert retry.process_exception(request, crashed) is None  # as it was: not retried
    as_crash = browser_crash(crashed)
    assert isinstance(as_crash, BrowserCrashed) and "Target crashed" in str(as_crash)
    retried = retry.process_exception(request, as_crash)
    assert isinstance(retried, Request) and retried.meta["retry_times"] == 1
    assert isinstance(browser_crash(TargetClosedError()), BrowserCrashed)
    assert browser_crash(Error("Timeout 5000ms exceeded.")) is None  # not a crash


@needs_chromium
@pytest_twisted.ensureDeferred
async def test_a_crashed_browser_fails_its_pages_and_the_crawl_goes_on(tmp_path: Path) -> None:
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
    archive = tmp_path / "archive"
    token, started, killed, at_crash = new_token(), set[Proc](), set[Proc](), list[int]()

    def crash_at_ten_records() -> None:
        """Note this crawl's Chromium processes; SIGKILL them once 10 records are written."""
        started.update(own_chromium(os.getpid(), token))
        if not killed and len(written_ids(archive)) >= 10:
            at_crash.append(len(written_ids(archive)))
            killed.update(kill(own_chromium(os.getpid(), token)))

    server = start_mirror(tmp_path / "sites")
    watch = task.LoopingCall(crash_at_ten_records)
    try:
        with mock.patch.dict(os.environ, [token.split("=", 1)]):
            watch.start(0.05)
            try:
                result = await crawl_in_process(
                    server,
                    "test_site",
                    tmp_path,
                    str(tmp_path / "state.sqlite3"),
                    feeds,
                    DOWNLOAD_DELAY=0.05,
                )
            finally:
                watch.stop()
    finally:
        stop(server.process)
    assert "chromium" in {proc.name for proc in killed}  # the browser was killed mid-crawl
    errors = result.messages(logging.ERROR)
    assert any(
        re.match(
            r"feed 'test_site': (Chromium crashed or was killed while rendering|Chromium gave "
            r"no page for|cannot fetch) https://bank\.example\.cn/news/",
            message,
        )
        for message in errors
    ), errors
    assert at_crash[0] < 60 and sorted(set(written_ids(archive))) == sorted(written_ids(archive))
    assert len(written_ids(archive)) == result.stats["newsbot/written"] == 60  # retried
    assert result.stats["playwright/browser_count"] in (2, 3)  # a new browser took over
    left = started | own_chromium(os.getpid(), token)
    assert await threads.deferToThread(wait_gone, left) == set()
