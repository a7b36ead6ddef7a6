"""Run reports: what each feed did in a run, and whether it looks broken.

A site that changes its layout rarely makes a crawler fail loudly: the list page still
answers, only the selectors find nothing. So each feed's run is judged against the
feed's previous runs (the JSON reports in ``<out>/_runs``):

- **failed**: a page of the feed failed (``newsbot/failed/<kind>`` on the feed's own
  crawler: fetch, blocked, extract, write, config), an article link ended with no known
  outcome, nothing was downloaded (the reason names the unreachable hosts), or the run
  ended early;
- **broken**: the list pages yielded no article links, or every article page failed
  extraction, or a field (date, body, source) was found on sharply fewer articles than
  in the previous runs;
- **ok** otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsbot.closing import CLOSING_LINE_STAT, unreachable_hosts
from newsbot.core.codes import EXTRACTION_DROPS, CloseReason, ExitCode, LostReason
from newsbot.core.dates import SHANGHAI

logger = logging.getLogger(__name__)

#: Fields whose fill rate (share of extracted articles that had them) is watched.
FILL_FIELDS = ("date", "body", "source")
#: How many of a feed's previous runs its current run is compared with.
HISTORY_RUNS = 5
#: A fill rate this far below the previous runs' rate is a sharp fall.
FILL_DROP = 0.3
#: Articles a run (and the previous runs together) need before a fill rate is judged.
MIN_SAMPLE = 3

OK, BROKEN, FAILED = "ok", "broken", "failed"
#: Exit codes of a crawl, by its worst feed.
EXIT_CODES = {OK: ExitCode.OK, FAILED: ExitCode.FAILED, BROKEN: ExitCode.BROKEN}


@dataclass
class FeedReport:
    """One feed's part of a run report."""

    feed: str
    status: str = OK
    reasons: list[str] = field(default_factory=list)
    finish_reason: str = ""
    elapsed: float = 0.0
    pages: int = 0
    list_pages: int = 0
    links: int = 0
    skipped_known: int = 0
    articles: int = 0
    new: int = 0
    duplicates: int = 0
    #: Pages decoded in another charset than Scrapy would have used (newsbot.charset).
    encoding_fixed: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    #: The sum of ``failures`` (reports older than ``failures`` counted logged errors).
    errors: int = 0
    #: Failures by kind (newsbot.core.codes.FailureKind).
    failures: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)
    #: Articles whose rule for a field matched nothing, the generic extractor filling it in.
    fallbacks: dict[str, int] = field(default_factory=dict)
    output: str | None = None
    #: Article links that did not become records, not counting expected drops: each with
    #: its ``url``, ``reason`` (newsbot.core.codes) and ``detail``.
    lost: list[dict[str, str]] = field(default_factory=list)
    #: With no page downloaded, the hosts that gave no answer (host → what failed).
    unreachable: dict[str, str] = field(default_factory=dict)
    #: The crawl's closing line (newsbot.closing): new records, known ones skipped…
    closing_line: str = ""
    #: The worker of a distributed run (its share of the feed), '' for a whole crawl.
    worker: str = ""

    def fill_rate(self, name: str) -> float | None:
        """Share of this run's extracted articles that had the field, if any were."""
        return self.filled.get(name, 0) / self.articles if self.articles else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeedReport:
        """Read a report written by this or an older version (unknown keys ignored)."""
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


#: Stats prefix of the generic extractor's fallbacks, per field (newsbot.spiders.base).
FALLBACK = "newsbot/fallback/"


def failure_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """A crawler's failures by kind, from its ``newsbot/failed/<kind>`` stats."""
    prefix = "newsbot/failed/"
    return {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}


def feed_report(name: str, stats: Mapping[str, Any]) -> FeedReport:
    """A feed's report from its crawler's stats (status not judged yet)."""
    prefix = "newsbot/dropped/"
    failures = failure_counts(stats)
    return FeedReport(
        feed=name,
        finish_reason=str(stats.get("finish_reason", "")),
        elapsed=round(float(stats.get("elapsed_time_seconds", 0.0)), 2),
        pages=stats.get("downloader/response_count", 0),
        list_pages=stats.get("newsbot/list_pages", 0),
        links=stats.get("newsbot/links", 0),
        skipped_known=stats.get("newsbot/skipped_known", 0),
        articles=stats.get("newsbot/articles", 0),
        new=stats.get("item_scraped_count", 0),
        duplicates=stats.get("newsbot/duplicates_marked", 0),
        encoding_fixed=stats.get("newsbot/encoding_fixed", 0),
        dropped={k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)},
        errors=sum(failures.values()),
        failures=failures,
        filled={name: stats.get(f"newsbot/filled/{name}", 0) for name in FILL_FIELDS},
        fallbacks={k.removeprefix(FALLBACK): v for k, v in stats.items() if k.startswith(FALLBACK)},
        output=stats.get("newsbot/output"),
        lost=[dict(entry) for entry in stats.get("newsbot/lost_links", [])],
        unreachable=unreachable_hosts(stats),
        closing_line=str(stats.get(CLOSING_LINE_STAT, "")),
        worker=str(stats.get("newsbot/worker", "")),
    )


def judge(report: FeedReport, history: Sequence[FeedReport]) -> FeedReport:
    """Set ``status`` and ``reasons`` of a feed's run, given its previous runs (oldest
    first); returns the same report."""
    failures = []
    # closespider_* is a limit the user set (CLOSESPIDER_PAGECOUNT…): not a failure
    if report.finish_reason not in ("", "finished") and not report.finish_reason.startswith(
        "closespider_"
    ):
        failures.append(f"the run ended early ({report.finish_reason})")
    if report.errors:
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(report.failures.items()))
        failures.append(
            f"{report.errors} failure(s) ({kinds})" if kinds else f"{report.errors} error(s) logged"
        )
    unknown = sum(entry.get("reason") == LostReason.UNKNOWN for entry in report.lost)
    if unknown and report.finish_reason in ("", "finished"):  # else the early end says why
        failures.append(f"{unknown} article link(s) ended with no known outcome")
    if report.pages == 0 and not report.worker:  # a worker may find the work all taken
        hosts = ", ".join(f"{host} ({why})" for host, why in sorted(report.unreachable.items()))
        failures.append(
            f"no page was downloaded: unreachable {hosts}" if hosts else "no page was downloaded"
        )
    broken = _broken_reasons(report, list(history)[-HISTORY_RUNS:])
    report.reasons = failures + broken
    report.status = FAILED if failures else BROKEN if broken else OK
    return report


def _broken_reasons(report: FeedReport, history: Sequence[FeedReport]) -> list[str]:
    reasons = []
    if report.list_pages and not report.links:
        before = max((run.links for run in history), default=0)
        reasons.append(
            "list pages yielded no article links"
            + (f" (earlier runs found up to {before})" if before else "")
        )
    failed = sum(report.dropped.get(reason, 0) for reason in EXTRACTION_DROPS)
    if report.articles and failed >= report.articles:
        causes = ", ".join(
            f"{reason}: {report.dropped[reason]}"
            for reason in sorted(EXTRACTION_DROPS)
            if report.dropped.get(reason)
        )
        reasons.append(f"all {report.articles} article page(s) failed extraction ({causes})")
    for name, count in sorted(report.fallbacks.items()):
        if report.articles and 2 * count > report.articles:  # most: a layout change absorbed
            reasons.append(
                f"{name}: its rule matched nothing on {count} of {report.articles} article(s);"
                " the generic extractor filled it in"
            )
    earlier_articles = sum(run.articles for run in history)
    if report.articles >= MIN_SAMPLE and earlier_articles >= MIN_SAMPLE:
        for name in FILL_FIELDS:
            rate = report.filled.get(name, 0) / report.articles
            earlier = sum(run.filled.get(name, 0) for run in history) / earlier_articles
            if rate < earlier - FILL_DROP:
                reasons.append(
                    f"{name} found on {rate:.0%} of articles (previous runs: {earlier:.0%})"
                )
    return reasons


@dataclass
class RunReport:
    """What one ``newsbot crawl`` did: written as ``<out>/_runs/<timestamp>.json``."""

    started: str
    finished: str
    elapsed: float
    feeds: list[FeedReport]
    command: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The worst status of its feeds."""
        statuses = {report.status for report in self.feeds}
        return FAILED if FAILED in statuses else BROKEN if BROKEN in statuses else OK

    @property
    def exit_code(self) -> ExitCode:
        """0 when every feed is ok; 1 when one failed; 3 when one is broken (none failed);
        74 when a feed stopped at a write error (a full disk), whatever the others did."""
        if any(item.finish_reason == CloseReason.WRITE_FAILED for item in self.feeds):
            return ExitCode.WRITE_FAILED
        return EXIT_CODES[self.status]

    def to_json(self) -> str:
        """The report as indented JSON, with its overall status and exit code."""
        data = {"status": self.status, "exit_code": self.exit_code, **asdict(self)}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunReport:
        """Read a written report."""
        return cls(
            started=str(data["started"]),
            finished=str(data["finished"]),
            elapsed=float(data.get("elapsed", 0.0)),
            feeds=[FeedReport.from_dict(item) for item in data.get("feeds", [])],
            command=list(data.get("command", [])),
        )


def now_utc() -> datetime:
    """The current time, in UTC (reports store UTC; they are shown in +0800)."""
    return datetime.now(UTC)


def write_report(runs_dir: Path, report: RunReport) -> Path:
    """Write a run report as ``<runs_dir>/<UTC start, to the microsecond>.json``."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.fromisoformat(report.started).astimezone(UTC)
    path = runs_dir / f"{started:%Y%m%dT%H%M%S.%fZ}.json"
    partial = path.with_suffix(".json.tmp")
    try:
        partial.write_text(report.to_json(), encoding="utf-8")
    except OSError:
        partial.unlink(missing_ok=True)  # no half report left behind
        raise
    partial.replace(path)  # a reader never sees half a report
    return path


def load_reports(runs_dir: Path) -> list[RunReport]:
    """Every readable run report, oldest first; unreadable ones are skipped with a warning."""
    reports = []
    for path in sorted(runs_dir.glob("*.json")):
        try:
            reports.append(RunReport.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("skipping unreadable run report %s: %s", path, exc)
    return reports


def feed_history(reports: Iterable[RunReport], feed: str) -> list[FeedReport]:
    """A feed's reports across runs, oldest first."""
    return [item for report in reports for item in report.feeds if item.feed == feed]


def local_time(moment: str) -> str:
    """An ISO timestamp shown as ``YYYY-MM-DD HH:MM:SS +0800``."""
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S %z")


def status_lines(
    reports: Sequence[RunReport],
    feeds: Sequence[str],
    runs: int,
    lost: bool = False,
    others: bool = True,
) -> list[str]:
    """``newsbot status``: the last ``runs`` runs of each feed, newest first; with
    ``lost``, each run's lost article links and why; with ``others``, also the feeds
    the reports hold that ``feeds`` does not name (feeds since removed)."""
    header = (
        f"{'feed':<20} {'run started':<25} {'status':<7} {'pages':>5} {'links':>5} "
        f"{'new':>5} {'dupes':>5} {'drop':>5} {'err':>4} {'elapsed':>8}"
    )
    lines = [header, "-" * len(header)]
    reported = {item.feed for report in reports for item in report.feeds}
    names = list(feeds) + (sorted(reported - set(feeds)) if others else [])
    for name in names:
        ran = [
            (report.started, item)
            for report in reversed(reports)
            for item in report.feeds
            if item.feed == name
        ][:runs]
        if not ran:
            lines.append(f"{name:<20} {'never run':<25}")
            continue
        for started, item in ran:
            lines.append(
                f"{name:<20} {local_time(started):<25} {item.status:<7} {item.pages:>5} "
                f"{item.links:>5} {item.new:>5} {item.duplicates:>5} "
                f"{sum(item.dropped.values()):>5} {item.errors:>4} {item.elapsed:>7.1f}s"
            )
            if item.worker:
                lines.append(f"{'':<20}   worker {item.worker}: its share of a distributed run")
            lines.extend(f"{'':<20}   {item.status}: {reason}" for reason in item.reasons)
            lines.extend(_lost_lines(item, lost))
    return lines


def _lost_lines(report: FeedReport, listed: bool) -> list[str]:
    """Under a run's row: its lost links, one a line, or how many there are."""
    if not report.lost:
        return []
    if not listed:
        return [f"{'':<20}   lost: {len(report.lost)} article link(s) (--lost lists them)"]
    return [
        f"{'':<20}   lost ({entry.get('reason', '?')}) {entry.get('url', '?')}: "
        f"{entry.get('detail', '')}"
        for entry in report.lost
    ]


def latest_status(reports: Sequence[RunReport], feed: str) -> str | None:
    """The status of a feed's most recent run, or None if it never ran."""
    history = feed_history(reports, feed)
    return history[-1].status if history else None
