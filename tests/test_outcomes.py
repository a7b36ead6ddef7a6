"""Failures and losses, feed by feed: a page that fails is counted by kind on its own feed
(never on the others), and every article link that does not become a record ends as a
counted reason, logged once with its feed and real URL and listed in the run report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import read_jsonl, run_command, start_mirror, stop
from tests.test_scheduled import last_report, newsbot_crawl
from tests.testsite import api_feed, site_feed, story_text, write_site

API_FEED = api_feed("api_site")


def feeds_file(tmp_path: Path, *blocks: str) -> Path:
    """A feeds.yaml of these feed blocks."""
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n" + "".join(blocks), encoding="utf-8")
    return path


def rules(host_dir: Path, name: str, table: dict[str, Any]) -> None:
    """Write a mirror rule file (``_redirects.json``, ``_faults.json``) of a host."""
    (host_dir / name).write_text(json.dumps(table), encoding="utf-8")


def write_api_site(root: Path, docs: int, broken: int) -> None:
    """A JSON list API of ``docs`` rows and their article API; doc ``broken`` answers JSON
    nested deeper than any parser goes (json.loads raises RecursionError)."""
    site = root / "api.example.cn"
    site.mkdir(parents=True)
    rows = [{"id": n} for n in range(1, docs + 1)]
    (site / "list@page=1").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    for n in range(1, docs + 1):
        doc = {
            "data": {
                "title": f"测试银行接口新闻{n}",
                "date": f"2022-03-0{n} 10:00",
                "body": f"<p>{story_text(200 + n)}</p>",
            }
        }
        text = "[" * 100_000 + "]" * 100_000 if n == broken else json.dumps(doc)
        (site / f"doc@id={n}").write_text(text, encoding="utf-8")


def problem_lines(log: str, feed: str, url: str) -> list[str]:
    """The WARNING and ERROR lines of a log that name a feed and a URL."""
    return [
        line
        for line in log.splitlines()
        if re.search(r"\] (WARNING|ERROR): ", line) and f"feed {feed!r}" in line and url in line
    ]


def outcome(report: dict[str, Any]) -> tuple[str, int, dict[str, int], int]:
    """A feed report's status, error count, failures by kind and new records."""
    return report["status"], report["errors"], report.get("failures"), report["new"]


def by_feed(out: Path) -> dict[str, dict[str, Any]]:
    """The feeds of the newest run report, by name."""
    return {report["feed"]: report for report in last_report(out)["feeds"]}


def test_each_feed_counts_its_own_failures_once_per_failed_url(tmp_path: Path) -> None:
    sites, out = tmp_path / "sites", tmp_path / "data"
    write_site(sites, articles=3, per_page=10)
    write_site(sites, articles=4, per_page=10, host="holes.example.cn", first=100)
    (sites / "holes.example.cn" / "news" / "a101.html").unlink()  # a 404
    rules(sites / "holes.example.cn", "_faults.json", {"/news/a102.html": {"status": 500}})
    write_api_site(sites, docs=3, broken=2)
    feeds = feeds_file(
        tmp_path,
        site_feed("test_site"),
        site_feed("missing", start="nothing/index.html"),
        site_feed("holes", host="holes.example.cn"),
        API_FEED,
    )
    server = start_mirror(sites)
    try:
        result = newsbot_crawl(server, out, feeds=feeds)
    finally:
        stop(server.process)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    reports = by_feed(out)
    assert outcome(reports["test_site"]) == ("ok", 0, {}, 3)
    assert reports["test_site"]["reasons"] == [] and reports["test_site"]["lost"] == []
    (written,) = (out / "test_site").glob("*.jsonl")
    assert len(read_jsonl(written)) == 3

    assert outcome(reports["missing"]) == ("failed", 1, {"fetch": 1}, 0)
    assert reports["missing"]["reasons"][0] == "1 failure(s) (fetch: 1)"
    start = "https://bank.example.cn/nothing/index.html"
    assert len(problem_lines(result.stderr, "missing", start)) == 1

    # Two of four articles fail (a 404, a 500 retried twice): two failures, not log lines.
    assert outcome(reports["holes"]) == ("failed", 2, {"fetch": 2}, 2)
    holes = "https://holes.example.cn/news/a{}.html".format
    assert reports["holes"]["lost"] == [
        {"url": holes(101), "reason": "http-error", "detail": "HTTP 404 Not Found"},
        {"url": holes(102), "reason": "http-error", "detail": "HTTP 500 Internal Server Error"},
    ]
    for n in (101, 102):
        assert len(problem_lines(result.stderr, "holes", holes(n))) == 1, result.stderr

    # An exception in a callback: counted, logged once, the other articles written.
    assert outcome(reports["api_site"]) == ("failed", 1, {"extract": 1}, 2)
    broken = "https://api.example.cn/a/2.html"
    (lost,) = reports["api_site"]["lost"]
    assert (lost["url"], lost["reason"]) == (broken, "extract-error")
    assert lost["detail"].startswith("RecursionError: maximum recursion depth exceeded")
    (line,) = problem_lines(result.stderr, "api_site", broken)
    assert "RecursionError" in line and "Traceback" not in result.stderr
    assert "test_site            failed" not in result.stdout
    assert "holes                failed: 2 failure(s) (fetch: 2)" in result.stdout
    assert "holes                lost 2 article link(s) (newsbot status holes --lost)" in (
        result.stdout
    )


def test_an_unwritable_output_folder_fails_only_its_feed_and_marks_nothing_seen(
    tmp_path: Path,
) -> None:
    sites, out = tmp_path / "sites", tmp_path / "data"
    write_site(sites, articles=3, per_page=10)
    write_site(sites, articles=3, per_page=10, host="other.example.cn", first=100)
    feeds = feeds_file(tmp_path, site_feed("test_site"), site_feed("second", "other.example.cn"))
    out.mkdir()
    # Tests run as root, where permissions stop no write: a file where the folder goes does.
    (out / "second").write_text("not a folder\n", encoding="utf-8")
    server = start_mirror(sites)
    try:
        first = newsbot_crawl(server, out, feeds=feeds)
        (out / "second").unlink()
        second = newsbot_crawl(server, out, feeds=feeds)
    finally:
        stop(server.process)
    assert first.returncode == 74, first.stdout + first.stderr[-3000:]  # WRITE_FAILED
    day = next((out / "test_site").glob("*.jsonl")).name
    path = out / "second" / day
    assert len(read_jsonl(out / "test_site" / day)) == 3
    reports = json.loads(sorted((out / "_runs").glob("*.json"))[0].read_text(encoding="utf-8"))
    first_run = {report["feed"]: report for report in reports["feeds"]}
    assert outcome(first_run["test_site"]) == ("ok", 0, {}, 3)
    # The first write error stops the feed's crawl: one failure, one line; the rest unwritten.
    assert outcome(first_run["second"]) == ("failed", 1, {"write": 1}, 0)
    assert first_run["second"]["finish_reason"] == "write-failed"
    detail = f"FileExistsError: [Errno 17] File exists: '{out / 'second'}'"
    urls = [f"https://other.example.cn/news/a{n}.html" for n in range(100, 103)]
    lost = sorted(first_run["second"]["lost"], key=lambda lost: lost["url"])
    assert [entry["url"] for entry in lost] == urls
    (failed,) = [entry for entry in lost if entry["detail"] == detail]
    assert failed["reason"] == "write-error"
    assert all(entry["reason"] in ("write-error", "unknown") for entry in lost)
    (line,) = [line for line in first.stderr.splitlines() if "] ERROR: " in line]
    assert failed["url"] in line and str(path) in line and detail in line

    # Nothing of the failed feed was marked seen: the next run writes all of it.
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    assert outcome(by_feed(out)["second"]) == ("ok", 0, {}, 3)
    assert len(read_jsonl(path)) == 3


def test_every_article_link_not_written_ends_as_a_logged_reason_with_its_real_url(
    tmp_path: Path,
) -> None:
    sites, out = tmp_path / "sites", tmp_path / "data"
    write_site(sites, articles=7, per_page=10)
    host = sites / "bank.example.cn"
    real = "https://bank.example.cn/news/{}.html".format
    rules(host, "_redirects.json", {
        "/news/a0.html": "/news/a6.html",  # moved to a page listed too: not a loss
        "/news/a1.html": "/news/b1.html", "/news/b1.html": "/news/a1.html",
        "/news/a2.html": "https://elsewhere.example.org/a2.html",
    })  # fmt: skip
    rules(host, "_faults.json", {"/news/a3.html": {"truncate": 200}, "/news/a4.html": {"hang": 5}})
    feeds = feeds_file(tmp_path, site_feed("test_site"))
    server = start_mirror(sites)
    try:
        result = newsbot_crawl(server, out, "-s", "DOWNLOAD_TIMEOUT=1", feeds=feeds)
        status = run_command(
            ["newsbot", "status", "test_site", "--lost", "--out", str(out)],
            env={"NEWSBOT_FEEDS": str(feeds)},
        )
    finally:
        stop(server.process)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    (report,) = last_report(out)["feeds"]
    assert outcome(report) == ("failed", 4, {"fetch": 4}, 2)
    lost = sorted(report["lost"], key=lambda entry: entry["url"])
    assert lost == [
        {"url": real("a1"), "reason": "redirect-loop",
         "detail": f"redirect loop: {real('a1')} → {real('b1')} → {real('a1')}"},
        {"url": real("a2"), "reason": "offsite",
         "detail": "redirected off-site to https://elsewhere.example.org/a2.html "
                   "(the feed's hosts: bank.example.cn)"},
        {"url": real("a3"), "reason": "truncated",
         "detail": "ResponseDataLossError: the body ended before its Content-Length"},
        {"url": real("a4"), "reason": "timeout",
         "detail": f"DownloadTimeoutError: Getting {real('a4')} took longer than 1.0 seconds."},
    ]  # fmt: skip
    for entry in lost:
        (line,) = problem_lines(result.stderr, "test_site", entry["url"])
        assert entry["detail"] in line
    assert server.url not in "".join(problem_lines(result.stderr, "test_site", "bank.example"))
    log = (out / "_logs" / "newsbot.log").read_text(encoding="utf-8")
    for entry in lost:  # one ERROR line per failure in the log file too (no repeat)
        assert sum(entry["url"] in line for line in log.splitlines() if " ERROR: " in line) == 1
    assert "Dumping Scrapy stats" not in log  # the counts are the run report's
    assert status.returncode == 1, status.stdout + status.stderr
    for entry in lost:
        assert f"lost ({entry['reason']}) {entry['url']}: {entry['detail']}" in status.stdout
