"""Server faults, one class per case, each on its own feed of a generated site served by
the mirror: the good articles are all written, the faulty page is counted on its own
feed under its kind and lost reason, and retried exactly where a retry can help (the
mirror's request log counts the attempts)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from tests.conftest import SITES, Mirror, crawl_in_process, read_jsonl, start_mirror, stop
from tests.test_outcomes import feeds_file, rules
from tests.testsite import site_feed, write_site

#: Short waits keep the file fast: a hang outlasts the timeout, retries barely wait.
FAST = {"DOWNLOAD_TIMEOUT": 0.5, "NEWSBOT_RETRY_BACKOFF": 0.01}
#: Scrapy's RETRY_TIMES (2) retries after the first attempt.
ATTEMPTS = 3
CHALLENGE = (SITES / "www.pbc.gov.cn" / "_challenge.html").read_bytes()
ERROR_PAGE = (
    '<html><head><meta charset="utf-8"><title>出错了</title></head>'
    "<body><div>404 您访问的页面不存在</div></body></html>"
)


@dataclass
class Case:
    """A feed whose article a1 (or list page list1) misbehaves, and what must follow."""

    name: str
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Articles of the site and per list page.
    articles: int = 4
    per_page: int = 10
    #: Article numbers expected in the archive.
    written: tuple[int, ...] = (0, 2, 3)
    lost: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    #: Requests the faulty path gets (1: not retried).
    attempts: int = 1
    faulty: str = "/news/a1.html"
    redirects: dict[str, str] = field(default_factory=dict)
    page: str | None = None  # a 200 page saved in place of article a1
    #: A reset on a reused keep-alive connection is sent again once by Twisted itself
    #: (HTTPConnectionPool.retryAutomatically), so the wire may see each attempt twice.
    resent: bool = False

    @property
    def host(self) -> str:
        return f"{self.name.replace('_', '-')}.example.cn"


ALL = (0, 1, 2, 3)
CASES = [
    *(
        Case(f"retried_{code}", {"/news/a1.html": {"status": code, "times": 2}},
             written=ALL, attempts=ATTEMPTS)
        for code in (500, 502, 503)
    ),
    Case("permanent_503", {"/news/a1.html": {"status": 503}}, attempts=ATTEMPTS,
         lost={"http-error": 1}, failed={"fetch": 1}),
    Case("permanent_500", {"/news/a1.html": {"status": 500}}, attempts=ATTEMPTS,
         lost={"http-error": 1}, failed={"fetch": 1}),
    *(
        Case(f"gone_{code}", {"/news/a1.html": {"status": code}},
             lost={"http-error": 1}, failed={"fetch": 1})
        for code in (404, 410)
    ),
    Case("hang", {"/news/a1.html": {"hang": 2}}, attempts=ATTEMPTS,
         lost={"timeout": 1}, failed={"fetch": 1}),
    Case("hang_once", {"/news/a1.html": {"hang": 2, "times": 1}}, written=ALL, attempts=2),
    Case("reset", {"/news/a1.html": {"reset": True}}, attempts=ATTEMPTS,
         lost={"connection-lost": 1}, failed={"fetch": 1}, resent=True),
    Case("reset_once", {"/news/a1.html": {"reset": True, "times": 1}}, written=ALL,
         attempts=2, resent=True),
    Case("truncated", {"/news/a1.html": {"truncate": 200}}, attempts=ATTEMPTS,
         lost={"truncated": 1}, failed={"fetch": 1}),
    Case("redirect_loop", redirects={"/news/a1.html": "/news/b1.html",
                                     "/news/b1.html": "/news/a1.html"},
         lost={"redirect-loop": 1}, failed={"fetch": 1}),
    Case("challenge", page="challenge", lost={"blocked": 1}, failed={"blocked": 1}),
    # The title rule matches nothing, so the generic extractor's title (the page's
    # <title>, 出错了) fills it; the page prints no date, so it is dropped as bad-date.
    Case("error_page", page="error", lost={"bad-date": 1}, dropped={"bad-date": 1}),
    # 15 MB refused unread (DOWNLOAD_MAXSIZE is 10 MiB), 3 MB read (above the warning size).
    Case("too_large", {"/news/a1.html": {"pad": 15_000_000}, "/news/a2.html": {"pad": 3_000_000}},
         lost={"too-large": 1}, failed={"fetch": 1}),
    # List page 2 of 3 fails for good: page 1's articles are written, nothing is "lost".
    Case("list_page", {"/news/list1.html": {"status": 500}}, articles=6, per_page=2,
         written=(0, 1), failed={"fetch": 1}, attempts=ATTEMPTS, faulty="/news/list1.html"),
    Case("list_page_once", {"/news/list1.html": {"status": 503, "times": 1}}, articles=6,
         per_page=2, written=(0, 1, 2, 3, 4, 5), attempts=2, faulty="/news/list1.html"),
]  # fmt: skip


@dataclass
class FaultSite:
    """The mirror serving every case's host, and the feeds file naming their feeds."""

    mirror: Mirror
    feeds: Path


@pytest.fixture(scope="module")
def fault_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultSite]:
    root = tmp_path_factory.mktemp("faults")
    sites = root / "sites"
    for case in CASES:
        write_site(sites, articles=case.articles, per_page=case.per_page, host=case.host)
        if case.faults:
            rules(sites / case.host, "_faults.json", case.faults)
        if case.redirects:
            rules(sites / case.host, "_redirects.json", case.redirects)
        if case.page is not None:
            page = CHALLENGE if case.page == "challenge" else ERROR_PAGE.encode()
            (sites / case.host / "news" / "a1.html").write_bytes(page)
    feeds = feeds_file(root, *(site_feed(case.name, host=case.host) for case in CASES))
    server = start_mirror(sites)
    yield FaultSite(server, feeds)
    stop(server.process)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest_twisted.ensureDeferred
async def test_a_fault_is_counted_on_its_feed_and_every_good_article_is_written(
    case: Case, fault_site: FaultSite, tmp_path: Path
) -> None:
    state = str(tmp_path / "state.sqlite3")
    result = await crawl_in_process(
        fault_site.mirror, case.name, tmp_path, state, feeds=fault_site.feeds, **FAST
    )
    archive = [record for path in (tmp_path / "archive").glob("*/*.jsonl")
               for record in read_jsonl(path)]  # fmt: skip
    expected = sorted(f"https://{case.host}/news/a{n}.html" for n in case.written)
    assert sorted(str(record["url"]) for record in archive) == expected
    assert [record["url"] for record in result.items] == expected
    assert result.counts("newsbot/lost/") == case.lost
    assert result.counts("newsbot/failed/") == case.failed
    assert result.counts("newsbot/dropped/") == case.dropped
    lost = result.stats.get("newsbot/lost_links", [])
    assert [entry["url"] for entry in lost] == [f"https://{case.host}/news/a1.html"] * len(
        case.lost
    )
    tries = Counter(line for line in fault_site.mirror.requests()
                    if line.startswith(f"GET /{case.host}/"))  # fmt: skip
    faulty = f"GET /{case.host}{case.faulty}"
    assert {line for line, n in tries.items() if n > 1} == ({faulty} if case.attempts > 1
                                                             else set())  # fmt: skip
    retries = result.stats.get("retry/count", 0)
    if case.resent:
        assert case.attempts <= tries[faulty] <= 2 * case.attempts
        assert retries == case.attempts - 1 or case.written == ALL
    else:
        assert (tries[faulty], retries) == (case.attempts, case.attempts - 1)
    # Each retry waited first: 0.01 s, then 0.02 s (NEWSBOT_RETRY_BACKOFF doubling).
    waited = result.stats.get("newsbot/retry_backoff_ms", 0)
    assert waited == sum(10 * 2**n for n in range(retries))


def test_the_mirror_counts_a_limited_fault_per_path(tmp_path: Path) -> None:
    """``times: N`` fails the first N requests of that path only, then serves the page."""
    from urllib.error import HTTPError
    from urllib.request import urlopen

    write_site(tmp_path, articles=2, per_page=10)
    rules(tmp_path / "bank.example.cn", "_faults.json",
          {"/news/a0.html": {"status": 503, "times": 2}})  # fmt: skip
    server = start_mirror(tmp_path)
    try:
        statuses = []
        for path in ("a0", "a1", "a0", "a0", "a0"):
            try:
                with urlopen(f"{server.url}/bank.example.cn/news/{path}.html") as response:
                    statuses.append(response.status)
            except HTTPError as error:
                statuses.append(error.code)
    finally:
        stop(server.process)
    assert statuses == [503, 200, 503, 200, 200]
