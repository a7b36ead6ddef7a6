"""`newsbot status`: only the feeds asked for, exit 2 for an unknown one, and the runs of
`scrapy crawl` as well as of `newsbot crawl`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot.ops.crawlreport import records_root, reported
from newsbot.ops.health import FeedReport, RunReport, write_report
from tests.conftest import Mirror, run_command


def two_feeds_ran(out: Path) -> None:
    """One run report in ``out/_runs`` where icbc_news and nfra_news both ran, ok."""
    report = RunReport(
        started="2026-03-01T01:00:00+00:00",
        finished="2026-03-01T01:00:05+00:00",
        elapsed=5.0,
        feeds=[
            FeedReport(feed="icbc_news", finish_reason="finished", pages=3, links=2, new=2),
            FeedReport(feed="nfra_news", finish_reason="finished", pages=6, links=3, new=3),
        ],
    )
    write_report(out / "_runs", report)


def feed_rows(stdout: str) -> list[str]:
    """The first word of each table row (the feed), after the header and its rule."""
    lines = stdout.splitlines()
    rule = next(index for index, line in enumerate(lines) if line.startswith("---"))
    return [line.split()[0] for line in lines[rule + 1 :] if line and not line.startswith(" ")]


def test_status_of_one_feed_shows_only_that_feed(tmp_path: Path) -> None:
    two_feeds_ran(tmp_path)
    result = run_command(["newsbot", "status", "--out", str(tmp_path), "nfra_news"])
    assert result.returncode == 0, result.stderr
    assert feed_rows(result.stdout) == ["nfra_news"]
    assert "never run" not in result.stdout
    everything = run_command(["newsbot", "status", "--out", str(tmp_path)])
    assert feed_rows(everything.stdout)[:2] == ["eastmoney_news", "eastmoney_shzqb"]
    assert {"icbc_news", "nfra_news"} <= set(feed_rows(everything.stdout))


def test_status_of_an_unknown_feed_exits_2_with_did_you_mean(tmp_path: Path) -> None:
    two_feeds_ran(tmp_path)
    result = run_command(["newsbot", "status", "--out", str(tmp_path), "nfra_new"])
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("newsbot status: unknown feed 'nfra_new'; did you mean 'nfra_news'? ")
    assert "known feeds: bankcomm_news, boc_news, " in line


@pytest.mark.parametrize(
    ("output", "root"),
    [
        ("data/{feed}/{day}.jsonl", "data"),
        ("/srv/news/archive/{feed}/{day}.jsonl", "/srv/news/archive"),
        ("data/news-{feed}-{month}.jsonl", "data"),
        ("{feed}/{day}.jsonl", "."),
        ("out/all.jsonl", "out"),
    ],
)
def test_a_scrapy_crawl_reports_beside_its_records(output: str, root: str) -> None:
    assert records_root(output) == Path(root)


@pytest.mark.parametrize(
    ("command_line", "writes"),
    [
        (["scrapy", "crawl", "nfra_news", "-O", "x.jsonl"], True),
        (["scrapy", "parse", "--spider", "nfra_news", "https://www.nfra.gov.cn/"], False),
        (["scrapy", "shell", "--spider=icbc_news", "http://www.icbc.com.cn/"], False),
        (["scrapy", "check"], False),
        (None, True),  # a crawl started from Python
    ],
)
def test_only_a_crawl_writes_a_run_report(command_line: list[str] | None, writes: bool) -> None:
    assert reported(command_line) is writes


def scrapy_crawl(mirror: Mirror, out: Path, *extra: str) -> None:
    """`scrapy crawl nfra_news` over the mirror, its archive and state under ``out``."""
    result = run_command(
        ["scrapy", "crawl", "nfra_news", "-L", "WARNING",
         "-s", f"NEWSBOT_OUTPUT={out}/{{feed}}/{{day}}.jsonl",
         "-s", f"NEWSBOT_STATE={out}/_state/newsbot.sqlite3", *extra],
        env={"NEWSBOT_MIRROR": mirror.url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_scrapy_crawl_run_appears_in_status(mirror: Mirror, tmp_path: Path) -> None:
    scrapy_crawl(mirror, tmp_path)
    scrapy_crawl(mirror, tmp_path)
    (first, second) = sorted((tmp_path / "_runs").glob("*.json"))
    report = json.loads(first.read_text(encoding="utf-8"))
    assert report["command"][:3] == ["scrapy", "crawl", "nfra_news"]
    (feed,) = report["feeds"]
    assert (feed["feed"], feed["status"], feed["new"], feed["links"]) == ("nfra_news", "ok", 3, 3)
    again = json.loads(second.read_text(encoding="utf-8"))["feeds"][0]
    assert (again["status"], again["new"]) == ("ok", 0)
    assert again["skipped_known"] > 0  # the second run knew the articles
    result = run_command(["newsbot", "status", "--out", str(tmp_path), "nfra_news"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"2 run(s) in {tmp_path / '_runs'}; last started ")
    rows = [line.split() for line in result.stdout.splitlines()[3:]]
    assert [(row[0], row[4], row[7]) for row in rows] == [("nfra_news", "ok", "0"),
                                                          ("nfra_news", "ok", "3")]  # fmt: skip


def test_a_one_off_or_dry_scrapy_crawl_writes_no_report(mirror: Mirror, tmp_path: Path) -> None:
    scrapy_crawl(mirror, tmp_path, "-s", "NEWSBOT_STATE=")
    scrapy_crawl(mirror, tmp_path, "-s", "NEWSBOT_DRY_RUN=1")
    assert not (tmp_path / "_runs").exists()


def test_newsbot_crawl_writes_one_report_not_two(mirror: Mirror, tmp_path: Path) -> None:
    result = run_command(
        ["newsbot", "crawl", "nfra_news", "icbc_news", "--out", str(tmp_path)],
        env={"NEWSBOT_MIRROR": mirror.url},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Disabled" not in result.stderr  # the extension steps aside silently
    (report,) = (tmp_path / "_runs").glob("*.json")
    feeds = json.loads(report.read_text(encoding="utf-8"))["feeds"]
    assert [feed["feed"] for feed in feeds] == ["nfra_news", "icbc_news"]
