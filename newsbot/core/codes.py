"""Names defined once: the exit codes of newsbot's commands, the reasons an article is
dropped, the kinds of failure a feed counts and the reasons an article link is lost. The
pipelines, the spiders, the health rules, the CLI and the docs all use these."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ExitCode(IntEnum):
    """Exit status of ``newsbot`` commands (documented in docs/operations.md)."""

    OK = 0
    #: a feed failed (errors, nothing downloaded, an early end), or a command failed
    FAILED = 1
    #: feeds.yaml, an option or a setting is wrong; nothing was crawled
    BAD_CONFIG = 2
    #: a feed is broken: it ran, but its pages no longer give what they used to
    BROKEN = 3
    #: EX_IOERR: the archive or the state store could not be written (a full disk): the
    #: feed's crawl stopped at the first write error
    WRITE_FAILED = 74
    #: EX_TEMPFAIL: another crawl holds the run lock; cron will try again later
    LOCKED = 75


class CloseReason(StrEnum):
    """Why newsbot closed a spider itself (its ``finish_reason``)."""

    #: the first write error of the archive or state store stops the feed's crawl
    WRITE_FAILED = "write-failed"
    #: a distributed worker lost its Redis for longer than its clients retry (about a minute)
    REDIS_LOST = "redis-lost"


class DropReason(StrEnum):
    """Why an article item did not become a record (counted as newsbot/dropped/<reason>)."""

    MISSING_TITLE = "missing-title"
    MISSING_BODY = "missing-body"
    EMPTY_BODY = "empty-body"
    BAD_DATE = "bad-date"
    TOO_OLD = "too-old"
    FILTERED = "filtered"
    DUPLICATE_URL = "duplicate-url"
    DUPLICATE_TEXT = "duplicate-text"
    #: the page's bytes decode in no candidate charset (newsbot.core.encoding)
    UNDECODABLE = "undecodable"

    @property
    def expected(self) -> bool:
        """Whether this drop is the pipelines doing their job, not a page that could not
        be read (expected drops are logged at INFO, the others as warnings)."""
        return self in EXPECTED_DROPS

    @property
    def remembered(self) -> bool:
        """Whether the article's URL is remembered as known with this reason (read and
        deliberately not written), so later runs do not download it again."""
        return self in REMEMBERED_DROPS

    @property
    def extraction_failure(self) -> bool:
        """Whether the page was fetched but its article could not be read."""
        return self in EXTRACTION_DROPS


EXPECTED_DROPS = frozenset(
    {DropReason.DUPLICATE_URL, DropReason.DUPLICATE_TEXT, DropReason.FILTERED, DropReason.TOO_OLD}
)
REMEMBERED_DROPS = frozenset({DropReason.DUPLICATE_TEXT, DropReason.FILTERED, DropReason.TOO_OLD})
EXTRACTION_DROPS = frozenset(
    {
        DropReason.MISSING_TITLE,
        DropReason.MISSING_BODY,
        DropReason.EMPTY_BODY,
        DropReason.BAD_DATE,
        DropReason.UNDECODABLE,
    }
)


class FailureKind(StrEnum):
    """What failed on a feed (counted as newsbot/failed/<kind> on that feed's crawler; any
    failure makes the feed's run failed)."""

    #: a request failed after its retries: network, timeout, truncated body, a 4xx/5xx
    #: answer, a redirect loop or off-site redirect
    FETCH = "fetch"
    #: a JavaScript anti-bot challenge was answered instead of content
    BLOCKED = "blocked"
    #: an exception while reading a fetched page (a spider callback) or processing its item
    EXTRACT = "extract"
    #: the archive (JSONL file or state store) could not be written
    WRITE = "write"
    #: the feed cannot run here (a render feed without Chromium)
    CONFIG = "config"


class LostReason(StrEnum):
    """Why a requested article link did not become a record, when it was not dropped with
    a :class:`DropReason` (counted as newsbot/lost/<reason>)."""

    TIMEOUT = "timeout"
    TRUNCATED = "truncated"
    #: the connection was reset or closed before a whole answer came
    CONNECTION_LOST = "connection-lost"
    #: the answer was larger than DOWNLOAD_MAXSIZE (refused unread)
    TOO_LARGE = "too-large"
    HTTP_ERROR = "http-error"
    REDIRECT_LOOP = "redirect-loop"
    OFFSITE = "offsite"
    ROBOTS_TXT = "robots-txt"
    FETCH_ERROR = "fetch-error"
    BLOCKED = "blocked"
    NOT_TEXT = "not-text"
    BAD_JSON = "bad-json"
    EXTRACT_ERROR = "extract-error"
    WRITE_ERROR = "write-error"
    ITEM_ERROR = "item-error"
    #: dropped (DropItem) by a pipeline that is not newsbot's, so without a DropReason
    DROPPED = "dropped"
    #: requested, but no outcome arrived before the spider closed
    UNKNOWN = "unknown"
