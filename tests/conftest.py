"""Shared fixtures: the offline mirror as a child process, CLI runners, and crawls run
in this process on the real Scrapy engine (pytest-twisted's asyncio reactor)."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

import pytest
import yaml

from tests.children import stop

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "sites"
EXPECTED = ROOT / "tests" / "expected"
#: The sample articles that define the output format (seeds 000/001 are Jekyll posts).
SEEDS = ROOT / "tests" / "seeds"
BIN = Path(sys.executable).parent
COMMAND_TIMEOUT = 120


@dataclass
class Mirror:
    """A running ``newsbot mirror`` child process."""

    url: str
    process: subprocess.Popen[str]

    def requests(self) -> list[str]:
        """The requests the mirror has answered so far (``METHOD /host/path``)."""
        return self._request_log("requests")

    def user_agents(self) -> list[str]:
        """The User-Agent of each request the mirror has answered, in the same order."""
        return self._request_log("user-agents")

    def connections(self) -> list[str]:
        """The connection (client ``host:port``) of each request the mirror has answered,
        in the same order."""
        return self._request_log("connections")

    def request_times(self) -> list[float]:
        """When each request the mirror has answered came (``time.monotonic()``, one clock
        for every process of the machine), in the same order."""
        return [float(moment) for moment in self._request_log("times")]

    def _request_log(self, column: str) -> list[str]:
        from urllib.request import urlopen

        with urlopen(f"{self.url}/_mirror/{column}", timeout=10) as response:
            return list(json.load(response))


def start_mirror(directory: Path) -> Mirror:
    """Start ``newsbot mirror DIR --port 0``; its first stdout line is its URL."""
    process = subprocess.Popen(
        [str(BIN / "newsbot"), "mirror", str(directory), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"mirror did not start: {url!r}")
    return Mirror(url, process)


@pytest.fixture(scope="session")
def mirror() -> Iterator[Mirror]:
    """The bundled pages (tests/sites) served on a free loopback port."""
    server = start_mirror(SITES)
    yield server
    stop(server.process)


def run_command(
    args: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a console script of this venv (scrapy, newsbot) and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """Records of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def seed_post(prefix: str) -> tuple[dict[str, str], str]:
    """Front matter and body HTML of a seed post (000, 001)."""
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    _, front, rest = text.split("---\n", 2)
    matter = {}
    for line in front.strip().splitlines():
        key, value = line.split(": ", 1)
        matter[key] = json.loads(value) if value.startswith('"') else value
    body = rest.split("\n\n<http", 1)[0]
    return matter, body


def seed_info_code(prefix: str) -> str:
    """The 18-digit East Money article code of a seed post (from its NewsShare link)."""
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    match = re.search(r"infoCode=NW(\d{18})", text)
    assert match is not None
    return match.group(1)


def html_list_feeds() -> list[str]:
    """The shipped feeds whose list pages are HTML read without a browser."""
    from newsbot.config import load_feeds

    return [f.name for f in load_feeds(ROOT / "feeds.yaml") if f.flow == "html" and not f.render]


def feeds_with(tmp_path: Path, name: str, **changes: Any) -> Path:
    """A copy of feeds.yaml where one feed has some keys changed."""
    data = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    for feed in data["feeds"]:
        if feed["name"] == name:
            feed.update(changes)
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class CrawlResult:
    """What an in-process crawl gave: its records (as JSONL would hold them, sorted by
    URL), the crawler's final stats, every log record it emitted at INFO and above, and
    the URL of each request in the order it reached the downloader (a host's downloads
    start in that order: a download slot's queue is first in, first out)."""

    items: list[dict[str, Any]]
    stats: dict[str, Any]
    logs: list[logging.LogRecord]
    downloads: list[str]

    def counts(self, prefix: str) -> dict[str, Any]:
        """The stats named ``prefix…``, keyed by the rest of their name."""
        return {
            key[len(prefix) :]: value for key, value in self.stats.items() if key.startswith(prefix)
        }

    def messages(self, level: int) -> list[str]:
        """The messages logged at exactly ``level``, in order."""
        return [record.getMessage() for record in self.logs if record.levelno == level]


class _Collect(logging.Handler):
    """Keeps every record it is handed."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def project_settings(**settings: Any) -> Settings:
    """newsbot's Scrapy settings (``get_project_settings()`` with newsbot.settings), with
    ``settings`` at the priority of ``-s``. Scrapy's env handling stays out of os.environ."""
    from scrapy.utils.project import get_project_settings

    with mock.patch.dict(os.environ, {"SCRAPY_SETTINGS_MODULE": "newsbot.settings"}):
        result = get_project_settings()
    result.setdict(settings, priority="cmdline")
    return result


async def crawl_site(
    sites: Path,
    feeds_text: str,
    feed: str,
    workdir: Path,
    state: str = "",
    watch: Callable[[Crawler], None] | None = None,
    **settings: Any,
) -> CrawlResult:
    """Serve ``sites`` with a mirror of its own, crawl ``feed`` of ``feeds_text`` over it in
    this process (:func:`crawl_in_process`, which ``watch`` and ``settings`` go to), and
    stop the mirror."""
    feeds = workdir / "feeds.yaml"
    feeds.write_text(feeds_text, encoding="utf-8")
    server = start_mirror(sites)
    try:
        return await crawl_in_process(server, feed, workdir, state, feeds, watch=watch, **settings)
    finally:
        stop(server.process)


async def crawl_in_process(
    mirror: Mirror,
    feed: str,
    workdir: Path,
    state: str = "",
    feeds: Path | None = None,
    finish: str = "finished",
    watch: Callable[[Crawler], None] | None = None,
    **settings: Any,
) -> CrawlResult:
    """Crawl FEED in this process over the mirror, as `scrapy crawl FEED` would: the
    project settings, the archive and state in ``workdir`` (``state`` empty: in memory);
    it must end with the ``finish`` reason. ``watch`` is handed the crawler before it
    starts (to connect a test's own signal handlers). Await it from a
    ``@pytest_twisted.ensureDeferred`` test."""
    from scrapy import signals
    from scrapy.crawler import CrawlerRunner

    from newsbot.items import RECORD_FIELDS

    options = project_settings(
        NEWSBOT_MIRROR=mirror.url,
        NEWSBOT_OUTPUT=f"{workdir}/archive/{{feed}}/{{day}}.jsonl",
        NEWSBOT_STATE=state,
        NEWSBOT_FEEDS=str(feeds or ROOT / "feeds.yaml"),
        # As in Scrapy's own tests (scrapy.utils.test.get_crawler): no listening consoles.
        TELNETCONSOLE_ENABLED=False,
        REMOTE_CONTROL_ENABLED=False,
        **settings,
    )
    runner = CrawlerRunner(options)  # settings given here beat NEWSBOT_* variables
    crawler = runner.create_crawler(feed)
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped)
    downloads: list[str] = []

    def reached_downloader(request: Any) -> None:
        downloads.append(request.url)

    crawler.signals.connect(reached_downloader, signal=signals.request_reached_downloader)
    if watch is not None:
        watch(crawler)
    handler, root = _Collect(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        await runner.crawl(crawler)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert crawler.stats is not None
    assert crawler.stats.get_value("finish_reason") == finish
    records = [
        json.loads(json.dumps({name: getattr(item, name) for name in RECORD_FIELDS}))
        for item in items
    ]
    return CrawlResult(
        sorted(records, key=lambda record: str(record["url"])),
        crawler.stats.get_stats(),
        handler.records,
        downloads,
    )
