"""The ``newsbot`` command: crawl, demo, validate, mirror, snapshot, export, doctor."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from newsbot.cli import crawl, doctor, export, mirror, validate
from newsbot.cli.crawl import (
    cmd_crawl,
    cmd_demo,
    cmd_run,
    cmd_status,
    network_available,
    run_options,
)
from newsbot.cli.export import (
    cmd_export_atom,
    cmd_export_category_pages,
    cmd_export_posts,
    cmd_import_posts,
    read_records,
)
from newsbot.cli.mirror import BUNDLED_MIRROR, cmd_mirror, cmd_snapshot
from newsbot.cli.validate import cmd_validate
from newsbot.core.codes import ExitCode

__all__ = [
    "BUNDLED_MIRROR",
    "build_parser",
    "cmd_crawl",
    "cmd_demo",
    "cmd_export_atom",
    "cmd_export_category_pages",
    "cmd_export_posts",
    "cmd_import_posts",
    "cmd_mirror",
    "cmd_run",
    "cmd_snapshot",
    "cmd_status",
    "cmd_validate",
    "main",
    "network_available",
    "read_records",
    "run_options",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``newsbot``."""
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    # Each module adds its own commands; this order is the order `newsbot --help` lists them.
    validate.add_parsers(sub)
    crawl.add_parsers(sub)
    mirror.add_parsers(sub)
    export.add_parsers(sub)
    doctor.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsbot`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `newsbot status | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
