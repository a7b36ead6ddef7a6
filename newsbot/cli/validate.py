"""``newsbot validate``: check feeds.yaml and report every problem with its line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsbot.config.loader import FeedConfigError, load_feeds
from newsbot.core.codes import ExitCode
from newsbot.ops.runner import project_settings


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the feeds file; print every problem with its line."""
    from newsbot.spiderloader import feeds_path

    path = Path(args.feeds) if args.feeds else feeds_path(project_settings())
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
    validate.add_argument("--feeds", help="feeds file (default: the project's feeds.yaml)")
    validate.set_defaults(func=cmd_validate)
