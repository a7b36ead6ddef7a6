"""``newsbot doctor URL|FILE…``: what the matching feed's rules and the generic extractor
get from each page (``--list``: the article links a list page gives)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from newsbot.cli.validate import add_feeds_option, feeds_file
from newsbot.config import FeedConfigError, HtmlFeed, load_feeds
from newsbot.config.messages import unknown_feed
from newsbot.core.codes import ExitCode
from newsbot.ops.doctor import Feed, examine_article, examine_list, match_feed

_URL = re.compile(r"^https?://", re.IGNORECASE)
#: The feed a page no feed reads is fetched as (its own headers and options: none).
NO_FEED = "doctor"


def _fail(message: str) -> int:
    print(f"newsbot doctor: {message}", file=sys.stderr)
    return ExitCode.BAD_CONFIG


def _page_feed(url: str, feeds: list[Feed], chosen: Feed | None, render: bool) -> Feed:
    """The feed to fetch ``url`` as: the one asked for, the one reading its host, else a
    bare one; with ``render``, through Chromium."""
    feed = chosen or match_feed(url, feeds)
    if feed is None:
        bare = {"kind": "portal", "flow": "html", "categories": NO_FEED, "tags": NO_FEED}
        feed = HtmlFeed.model_validate({"name": NO_FEED, "start_urls": [url], **bare})
    return feed.model_copy(update={"render": True}) if render and not feed.render else feed


def cmd_doctor(args: argparse.Namespace) -> int:
    """Examine each page; exit 2 when a file is missing, a URL cannot be fetched, or the
    feeds file or ``--feed`` is wrong."""
    try:
        feeds = list(load_feeds(feeds_file(args.feeds_file)))
    except FeedConfigError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.BAD_CONFIG
    chosen = next((feed for feed in feeds if feed.name == args.feed), None)
    if args.feed and chosen is None:
        return _fail(unknown_feed(args.feed, [feed.name for feed in feeds]))
    missing = [t for t in args.targets if not _URL.match(t) and not Path(t).is_file()]
    if missing:
        for target in missing:
            _fail(f"{target}: no such file, and not an http(s) URL")
        return ExitCode.BAD_CONFIG
    jobs = {t: _page_feed(t, feeds, chosen, args.render) for t in args.targets if _URL.match(t)}
    problem = _browser_problem(list(jobs.values()))
    if problem:
        return _fail(problem)
    fetched = _fetch(jobs, "list" if args.list else "article", args.set)
    status, shown = ExitCode.OK, 0
    for target in args.targets:
        report = _report(target, fetched, jobs, chosen, args.list)
        if report is None:
            status = ExitCode.BAD_CONFIG
            continue
        if shown and not args.json:
            print()
        _print(report, args)
        shown += 1
    return status


def _browser_problem(feeds: list[Feed]) -> str | None:
    if not any(feed.render for feed in feeds):
        return None
    from newsbot.browser import INSTALL_HINT, chromium_available
    from newsbot.config.runtime import NewsbotSettings
    from newsbot.ops.options import project_settings

    path = NewsbotSettings.from_settings(project_settings()).chromium_path
    return (
        None if chromium_available(path) else f"--render needs Chromium at {path}: {INSTALL_HINT}"
    )


def _fetch(jobs: dict[str, Feed], page: str, overrides: list[str]) -> dict[str, Any]:
    if not jobs:
        return {}
    from newsbot.ops.doctorfetch import fetch_pages

    return fetch_pages(list(jobs.items()), page, overrides)


def _report(
    target: str, fetched: dict[str, Any], jobs: dict[str, Feed], chosen: Feed | None, lists: bool
) -> dict[str, Any] | None:
    """The report of one target, or None (and its one line) when it could not be read."""
    if target in jobs:
        page = fetched.get(target)
        if page is None or page.error:
            _fail(f"cannot fetch {target}: {page.error if page else 'no answer'}")
            return None
        url, body, content_type, via = target, page.body, page.content_type, page.via
        feed: Feed | None = None if jobs[target].name == NO_FEED else jobs[target]
    else:
        path = Path(target).resolve()
        url, body, content_type, via, feed = path.as_uri(), path.read_bytes(), "", "file", chosen
    examine = examine_list if lists else examine_article
    return {"target": target, "via": via, **examine(url, body, content_type, feed)}


def _print(report: dict[str, Any], args: argparse.Namespace) -> None:
    from newsbot.ops.doctorview import article_lines, list_lines

    if args.json:
        print(json.dumps(report, ensure_ascii=False), flush=True)
        return
    lines = list_lines(report) if args.list else article_lines(report)
    print("\n".join(lines), flush=True)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``doctor`` command."""
    doctor = sub.add_parser(
        "doctor",
        help="show what a feed's rules and the generic extractor get from pages",
        description="For each page (a URL, fetched through the mirror when NEWSBOT_MIRROR "
        "is set; or a local file): title, date, bylines, text, and warnings, by the "
        "matching feed's rules and by the generic extractor.",
    )
    doctor.add_argument("targets", nargs="+", metavar="URL|FILE")
    doctor.add_argument("--list", action="store_true", help="read list pages: article links")
    doctor.add_argument("--feed", metavar="NAME", help="read the pages as this feed does")
    doctor.add_argument("--render", action="store_true", help="fetch URLs with Chromium")
    doctor.add_argument("--json", action="store_true", help="one JSON object per page")
    doctor.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE",
        help="a Scrapy/newsbot setting for the fetch",
    )  # fmt: skip
    add_feeds_option(doctor)
    doctor.set_defaults(func=cmd_doctor)
