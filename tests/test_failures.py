"""Failures in words (newsbot.core.failures): the reason a failed request stands for, a
one-line detail, mirror URLs put back to real ones, and which drops are losses."""

from __future__ import annotations

import pytest

from newsbot.core.codes import LostReason
from newsbot.core.failures import (
    backoff_delay,
    describe,
    fetch_reason,
    is_loss,
    offsite,
    redirect_loop,
    unmirror,
)
from newsbot.pipelines import ArticleDropped


@pytest.mark.parametrize(
    ("names", "message", "reason"),
    [
        (["DownloadTimeoutError", "Exception"], "Getting x took longer", LostReason.TIMEOUT),
        (["TimeoutError", "OSError"], "Chromium gave no page within 5 s", LostReason.TIMEOUT),
        (["ResponseDataLossError", "Exception"], "", LostReason.TRUNCATED),
        (["HttpError", "IgnoreRequest"], "Ignoring non-200 response", LostReason.HTTP_ERROR),
        (["IgnoreRequest"], "max redirections reached", LostReason.REDIRECT_LOOP),
        (["IgnoreRequest"], "Forbidden by robots.txt", LostReason.ROBOTS_TXT),
        (["IgnoreRequest"], "Filtered offsite request to 'x.cn'", LostReason.OFFSITE),
        (["IgnoreRequest"], "", LostReason.FETCH_ERROR),
        (["DownloadFailedError", "Exception"],
         "[<twisted.python.failure.Failure twisted.internet.error.ConnectionLost: lost>]",
         LostReason.CONNECTION_LOST),
        (["DownloadCancelledError", "Exception"],
         "Expected to receive 15000000 bytes which is larger than download max size (10485760)"
         " in request <GET x>.", LostReason.TOO_LARGE),
        (["CannotResolveHostError", "Exception"], "no such host", LostReason.FETCH_ERROR),
    ],
)  # fmt: skip
def test_a_failed_request_gets_the_reason_its_exception_stands_for(
    names: list[str], message: str, reason: LostReason
) -> None:
    assert fetch_reason(names, message) == reason


def test_a_failure_is_described_in_one_line_that_always_says_something() -> None:
    assert describe("HttpError", "Ignoring non-200 response", 404) == "HTTP 404 Not Found"
    assert describe("HttpError", "Ignoring non-200 response", 599) == "HTTP 599"
    assert describe("ResponseDataLossError", "") == (
        "ResponseDataLossError: the body ended before its Content-Length"
    )
    assert describe("ValueError", "") == "ValueError: no message"
    assert describe("OSError", "disk\n  full") == "OSError: disk full"
    wrapped = "[<twisted.python.failure.Failure twisted.internet.error.ConnectionLost: gone.>]"
    assert describe("DownloadFailedError", wrapped) == "DownloadFailedError: ConnectionLost: gone."


def test_a_retry_waits_longer_each_time_up_to_its_cap() -> None:
    assert [backoff_delay(n, 1.0, 5.0) for n in range(5)] == [0.0, 1.0, 2.0, 4.0, 5.0]
    assert backoff_delay(3, 0.0, 5.0) == 0.0  # off


def test_mirror_urls_in_a_message_become_the_real_url() -> None:
    mirror, real = "http://127.0.0.1:4711", "https://bank.example.cn/news/a4.html"
    message = "Getting http://127.0.0.1:4711/bank.example.cn/news/a4.html took longer than 1 s."
    assert unmirror(message, mirror, real) == f"Getting {real} took longer than 1 s."
    assert unmirror("Got data loss in http://127.0.0.1:4711/b/x.html.", mirror + "/", real) == (
        f"Got data loss in {real}."
    )
    assert unmirror(message, "", real) == message  # no mirror: nothing to replace
    assert unmirror("connection refused", mirror, real) == "connection refused"


def test_loss_details_and_which_drops_are_losses() -> None:
    assert redirect_loop(["a", "b", "a"]) == "redirect loop: a → b → a"
    assert offsite("https://x.org/1", ["a.cn", "b.cn"], redirected=True) == (
        "redirected off-site to https://x.org/1 (the feed's hosts: a.cn, b.cn)"
    )
    assert offsite("https://x.org/1", ["a.cn"], redirected=False).startswith("off-site link")
    dropped = ArticleDropped("bad-date", "date text ''")
    assert (dropped.reason, dropped.detail, str(dropped)) == (
        "bad-date", "date text ''", "bad-date: date text ''",
    )  # fmt: skip
    bare = ArticleDropped("missing-title")
    assert (bare.reason, bare.detail, str(bare)) == ("missing-title", "", "missing-title")
    assert [is_loss(r) for r in ("missing-title", "write-error", "duplicate-url", "too-old")] == [
        True, True, False, False,
    ]  # fmt: skip
