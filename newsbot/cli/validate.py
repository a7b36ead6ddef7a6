"""``newsbot validate``: check feeds.yaml and report every problem with its line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsbot.config.loader import FeedConfigError, load_feeds
from newsbot.core.codes import ExitCode
from newsbot.ops.runner import project_settings

#: The help of every command's ``--feeds FILE``.
FEEDS_HELP = "feeds file (default: $NEWSBOT_FEEDS, else the project's feeds.yaml)"


def feeds_file(given: str | None) -> Path:
    """The feeds file a command reads: the one given (relative to the current directory),
    else the NEWSBOT_FEEDS setting (relative to the project directory)."""
    from newsbot.spiderloader import feeds_path

    return Path(given) if given else feeds_path(project_settings())


def add_feeds_option(command: argparse.ArgumentParser) -> None:
    """Add ``--feeds FILE`` (stored as ``feeds_file``: ``feeds`` holds feed names)."""
    command.add_argument("--feeds", dest="feeds_file", metavar="FILE", help=FEEDS_HELP)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the feeds file; print every problem with its line."""
    if args.file and args.feeds_file and Path(args.file) != Path(args.feeds_file):
        print("newsbot validate: give the feeds file once (FILE or --feeds)", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    path = feeds_file(args.file or args.feeds_file)
    try:
        feeds = load_feeds(path)
    except FeedConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    print(f"{path}: {len(feeds)} feeds OK: {', '.join(feed.name for feed in feeds)}")
    return ExitCode.OK


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` command."""
    validate = sub.add_parser("validate", help="check feeds.yaml and report every problem")
    validate.add_argument("file", nargs="?", help=FEEDS_HELP)
    add_feeds_option(validate)
    validate.set_defaults(func=cmd_validate)
