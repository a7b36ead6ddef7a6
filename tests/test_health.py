"""Run reports and the rules that flag a feed broken or failed (pure functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot.ops.health import (
    FeedReport,
    RunReport,
    feed_report,
    judge,
    load_reports,
    status_lines,
    write_report,
)
from newsbot.store.jsonl import JsonlWriter, check_pattern


def healthy(**changes: object) -> FeedReport:
    """A run of a feed that read 1 list page with 5 links and wrote 5 full articles."""
    values: dict[str, object] = {
        "feed": "bank", "finish_reason": "finished", "pages": 6, "list_pages": 1,
        "links": 5, "articles": 5, "new": 5,
        "filled": {"date": 5, "body": 5, "source": 5},
    }  # fmt: skip
    values.update(changes)
    return FeedReport(**values)  # type: ignore[arg-type]


def test_a_normal_run_is_ok() -> None:
    report = judge(healthy(), [healthy(), healthy()])
    assert (report.status, report.reasons) == ("ok", [])


def test_an_incremental_run_with_nothing_new_is_ok() -> None:
    quiet = healthy(pages=1, articles=0, new=0, skipped_known=5, filled={})
    assert judge(quiet, [healthy()]).status == "ok"


def test_list_pages_without_links_are_broken_and_name_the_earlier_count() -> None:
    report = judge(healthy(links=0, articles=0, new=0, pages=1), [healthy(links=7), healthy()])
    assert report.status == "broken"
    assert report.reasons == ["list pages yielded no article links (earlier runs found up to 7)"]
    first_run = judge(healthy(links=0, articles=0, new=0, pages=1), [])
    assert first_run.reasons == ["list pages yielded no article links"]


def test_articles_that_all_fail_extraction_are_broken() -> None:
    report = judge(
        healthy(new=0, dropped={"missing-title": 3, "bad-date": 2}, filled={"body": 5}),
        [healthy()],
    )
    assert report.status == "broken"
    assert report.reasons[0] == (
        "all 5 article page(s) failed extraction (bad-date: 2, missing-title: 3)"
    )
    # duplicates are not failures
    fine = judge(healthy(new=0, dropped={"duplicate-url": 5}), [healthy()])
    assert fine.status == "ok"


def test_a_sharp_fall_of_a_fill_rate_is_broken() -> None:
    report = judge(healthy(filled={"date": 5, "body": 5, "source": 1}), [healthy(), healthy()])
    assert report.status == "broken"
    assert report.reasons == ["source found on 20% of articles (previous runs: 100%)"]
    # a gentle fall is not
    assert judge(healthy(filled={"date": 4, "body": 5, "source": 5}), [healthy()]).status == "ok"


def test_fill_rates_need_enough_articles_and_only_recent_runs_count() -> None:
    small = healthy(articles=2, new=2, filled={"date": 2, "body": 2, "source": 0})
    assert judge(small, [healthy()]).status == "ok"  # 2 articles: too few to judge
    no_source_ever = [healthy(filled={"date": 5, "body": 5, "source": 0})] * 5
    # the 6th-oldest run (with sources) is outside the window of 5
    report = judge(
        healthy(filled={"date": 5, "body": 5, "source": 0}), [healthy(), *no_source_ever]
    )
    assert report.status == "ok"


def test_errors_no_pages_or_an_early_end_are_failed_and_outrank_broken() -> None:
    report = judge(healthy(errors=2, links=0, pages=0, finish_reason="shutdown"), [healthy()])
    assert report.status == "failed"
    assert report.reasons == [
        "the run ended early (shutdown)",
        "2 error(s) logged",
        "no page was downloaded",
        "list pages yielded no article links (earlier runs found up to 5)",
    ]


def test_the_worst_feed_sets_the_run_status_and_exit_code() -> None:
    def run(*statuses: str) -> RunReport:
        feeds = [FeedReport(feed=f"f{i}", status=s) for i, s in enumerate(statuses)]
        return RunReport("2026-11-24T01:00:00+00:00", "2026-11-24T01:01:00+00:00", 60, feeds)

    assert (run("ok", "ok").status, run("ok", "ok").exit_code) == ("ok", 0)
    assert (run("ok", "broken").status, run("ok", "broken").exit_code) == ("broken", 3)
    assert (run("broken", "failed").status, run("broken", "failed").exit_code) == ("failed", 1)


def test_feed_report_reads_crawler_stats() -> None:
    stats = {
        "finish_reason": "finished", "elapsed_time_seconds": 1.234,
        "downloader/response_count": 4, "newsbot/list_pages": 1, "newsbot/links": 3,
        "newsbot/articles": 3, "item_scraped_count": 2, "newsbot/dropped/bad-date": 1,
        "newsbot/filled/date": 2, "newsbot/filled/body": 3, "log_count/ERROR": 0,
        "newsbot/output": "data/bank/2026-11-24.jsonl",
    }  # fmt: skip
    report = feed_report("bank", stats)
    assert (report.pages, report.links, report.articles, report.new) == (4, 3, 3, 2)
    assert report.elapsed == 1.23
    assert report.dropped == {"bad-date": 1}
    assert report.filled == {"date": 2, "body": 3, "source": 0}
    assert report.fill_rate("date") == pytest.approx(2 / 3)


def test_failures_are_the_feeds_own_counts_by_kind_not_the_logged_errors() -> None:
    lost = {"url": "https://x.cn/a/1.html", "reason": "timeout", "detail": "took too long"}
    stats = {
        "finish_reason": "finished", "downloader/response_count": 9,
        "log_count/ERROR": 12,  # every log line of the process, of every feed
        "newsbot/failed/fetch": 7, "newsbot/failed/write": 1, "newsbot/lost_links": [lost],
    }  # fmt: skip
    report = feed_report("bank", stats)
    assert (report.errors, report.failures, report.lost) == (8, {"fetch": 7, "write": 1}, [lost])
    judged = judge(report, [])
    assert (judged.status, judged.reasons) == ("failed", ["8 failure(s) (fetch: 7, write: 1)"])
    assert feed_report("bank", {"log_count/ERROR": 3}).errors == 0


def test_an_article_link_with_no_known_outcome_fails_the_feed() -> None:
    unknown = {"url": "https://x.cn/a/1.html", "reason": "unknown", "detail": "no outcome"}
    timeout = {"url": "https://x.cn/a/2.html", "reason": "timeout", "detail": "took too long"}
    report = judge(healthy(lost=[unknown, timeout], errors=1, failures={"fetch": 1}), [])
    assert report.reasons == [
        "1 failure(s) (fetch: 1)",
        "1 article link(s) ended with no known outcome",
    ]
    # A limit the user set cut the run short: the links it left open are no failure.
    limited = judge(healthy(lost=[unknown], finish_reason="closespider_itemcount"), [])
    assert (limited.status, limited.reasons) == ("ok", [])


def test_reports_without_failures_or_lost_links_still_read() -> None:
    older = {"feed": "bank", "status": "failed", "errors": 2, "reasons": ["2 error(s) logged"]}
    report = FeedReport.from_dict(older)
    assert (report.errors, report.failures, report.lost) == (2, {}, [])
    assert judge(report, []).reasons[0] == "2 error(s) logged"


def test_status_lists_lost_links_on_request_and_counts_them_otherwise() -> None:
    lost = [{"url": "https://x.cn/a/1.html", "reason": "truncated", "detail": "cut short"}]
    run = RunReport(
        "2026-11-24T01:00:00+00:00", "2026-11-24T01:00:05+00:00", 5, [healthy(lost=lost)]
    )
    assert status_lines([run], ["bank"], runs=5)[3].strip() == (
        "lost: 1 article link(s) (--lost lists them)"
    )
    assert status_lines([run], ["bank"], runs=5, lost=True)[3].strip() == (
        "lost (truncated) https://x.cn/a/1.html: cut short"
    )


def test_reports_round_trip_in_start_order_and_bad_files_are_skipped(tmp_path: Path) -> None:
    later = RunReport("2026-11-24T02:00:00+00:00", "2026-11-24T02:00:09+00:00", 9, [healthy()])
    earlier = RunReport(
        "2026-11-24T01:00:00.5+00:00", "2026-11-24T01:00:09+00:00", 8.5, [healthy(new=2)]
    )
    path = write_report(tmp_path, later)
    write_report(tmp_path, earlier)
    (tmp_path / "20261124T030000.000000Z.json").write_text("{not json", encoding="utf-8")
    assert path.name == "20261124T020000.000000Z.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["status"], data["exit_code"], data["feeds"][0]["feed"]) == ("ok", 0, "bank")
    assert [report.feeds[0].new for report in load_reports(tmp_path)] == [2, 5]
    assert not list(tmp_path.glob("*.tmp"))


def test_status_lines_show_newest_first_with_reasons_and_never_run_feeds() -> None:
    broken = judge(healthy(links=0, articles=0, new=0), [healthy()])
    reports = [
        RunReport("2026-11-24T01:00:00+00:00", "2026-11-24T01:00:05+00:00", 5, [healthy()]),
        RunReport("2026-11-24T02:00:00+00:00", "2026-11-24T02:00:05+00:00", 5, [broken]),
    ]
    lines = status_lines(reports, ["bank", "other"], runs=5)
    assert lines[2].startswith("bank                 2026-11-24 10:00:00 +0800 broken")
    assert lines[3].strip() == "broken: list pages yielded no article links " + (
        "(earlier runs found up to 5)"
    )
    assert lines[4].startswith("bank                 2026-11-24 09:00:00 +0800 ok")
    assert lines[5].split() == ["other", "never", "run"]
    assert len(status_lines(reports, ["bank"], runs=1)) == 4


def test_output_patterns_take_feed_day_and_month_only() -> None:
    check_pattern("data/{month}/{feed}-{day}.jsonl")
    writer = JsonlWriter("out/{month}/{feed}-{day}.jsonl")
    assert writer.path_for("bank", "2026-11-24") == Path("out/2026-11/bank-2026-11-24.jsonl")
    with pytest.raises(ValueError, match=r"uses \{date\}; only \{feed\}, \{day\} and \{month\}"):
        check_pattern("data/{feed}/{date}.jsonl")
    with pytest.raises(ValueError, match="output pattern"):
        check_pattern("data/{feed")


def test_a_close_spider_limit_the_user_set_is_not_a_failure() -> None:
    assert judge(healthy(finish_reason="closespider_pagecount"), [healthy()]).status == "ok"
    assert judge(healthy(finish_reason="shutdown"), [healthy()]).status == "failed"


def test_the_log_file_rotates_and_stderr_keeps_its_own_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from newsbot.ops.logs import install_log_handlers
    from newsbot.ops.options import RunOptions, project_settings

    options = RunOptions(log_file=tmp_path / "_logs" / "newsbot.log", log_file_bytes=300)
    handlers = install_log_handlers(project_settings(), options)
    try:
        log = logging.getLogger("newsbot.test")
        for number in range(20):
            log.info("line %d of a long crawl", number)
        log.warning("a warning")
    finally:
        for handler in handlers:
            logging.root.removeHandler(handler)
            handler.close()
    files = sorted(path.name for path in (tmp_path / "_logs").iterdir())
    assert files == [f"newsbot.log{suffix}" for suffix in ("", ".1", ".2", ".3", ".4", ".5")]
    assert "a warning" in (tmp_path / "_logs" / "newsbot.log").read_text(encoding="utf-8")
    stderr = capsys.readouterr().err
    assert "a warning" in stderr and "line 19" not in stderr  # INFO stays in the file
