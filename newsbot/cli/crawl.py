"""``newsbot crawl``, ``demo``, ``run`` and ``status``: crawling and its run history."""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
from pathlib import Path

from newsbot.cli.mirror import BUNDLED_MIRROR
from newsbot.cli.validate import add_feeds_option, feeds_file
from newsbot.config.loader import FeedConfigError, load_feeds
from newsbot.config.messages import unknown_feed
from newsbot.core.codes import ExitCode
from newsbot.mirror import MIRROR_ENV, start_mirror_thread
from newsbot.ops.health import latest_status, load_reports, local_time, status_lines
from newsbot.ops.lock import LockBusy, RunLock
from newsbot.ops.runner import (
    DEFAULT_PATTERN,
    RunOptions,
    output_problem,
    run_feeds,
)

#: The output root of live crawls, and the demo's own (never mixed with live records).
LIVE_OUT, DEMO_OUT = "data", "data-demo"


def run_options(args: argparse.Namespace) -> RunOptions:
    """The run options of a crawl/demo/run command line."""
    out = Path(args.out or LIVE_OUT)
    log_file = None
    if args.log_file:
        log_file = Path(args.log_file)
    elif args.log_file is None and not args.dry_run:  # a dry run writes nothing
        log_file = out / "_logs" / "newsbot.log"
    return RunOptions(
        feeds=args.feeds,
        feeds_file=Path(args.feeds_file).absolute() if args.feeds_file else None,
        out=out,
        pattern=args.pattern,
        log_level=args.log_level,
        log_file=log_file,
        log_file_level=args.log_file_level,
        dry_run=args.dry_run,
        fresh=args.fresh,
        quiet=args.quiet,
        progress=args.progress,
        overrides=args.set,
        command=sys.argv[1:],
        redis=args.redis or "",
        worker=getattr(args, "worker_id", "") or "",
    )


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl the live sites (or the mirror named by $NEWSBOT_MIRROR), one run at a time."""
    options = run_options(args)
    if options.dry_run:
        return run_feeds(options)  # reads list pages only and writes nothing: no lock
    problem = output_problem(options)  # before the lock, which lives under the output root
    if problem is not None:
        print(f"newsbot crawl: {problem}", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    try:
        with RunLock(options.out / "_state" / "crawl.lock"):
            return run_feeds(options)
    except LockBusy as busy:
        print(f"newsbot crawl: {busy}; not starting a second one", file=sys.stderr)
        return ExitCode.LOCKED


def cmd_worker(args: argparse.Namespace) -> int:
    """One worker of a distributed crawl: the feeds' requests shared through Redis with
    every other worker; its records in its own part, ``<day>.<worker>.jsonl``."""
    args.redis = args.redis or os.environ.get("NEWSBOT_REDIS_URL", "")
    if not args.redis:
        print("newsbot worker: give --redis redis://host:port/db (or NEWSBOT_REDIS_URL)",
              file=sys.stderr)  # fmt: skip
        return ExitCode.BAD_CONFIG
    if args.dry_run or args.fresh:
        print("newsbot worker: --dry-run and --fresh are for `newsbot crawl`", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    args.worker_id = args.worker_id or f"{socket.gethostname()}-{os.getpid()}"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", args.worker_id):
        print(f"newsbot worker: --worker-id {args.worker_id!r}: letters, digits, _ . - only",
              file=sys.stderr)  # fmt: skip
        return ExitCode.BAD_CONFIG
    options = run_options(args)
    problem = output_problem(options)
    if problem is not None:
        print(f"newsbot worker: {problem}", file=sys.stderr)
        return ExitCode.BAD_CONFIG
    # Redis' client is imported by the commands that use it only (~0.2 s of start-up).
    from redis import RedisError

    from newsbot.ops.redislock import RedisWorkerLock

    try:  # the id is this machine's (its part's file) and every machine's (Redis)
        with (
            RunLock(options.out / "_state" / f"worker-{options.worker}.lock"),
            RedisWorkerLock(options.redis, options.worker),
        ):
            return run_feeds(options)
    except LockBusy as busy:
        print(f"newsbot worker: {busy}; give another --worker-id", file=sys.stderr)
        return ExitCode.LOCKED
    except RedisError as exc:  # before any feed ran: nothing crawled, nothing lost
        print(f"newsbot worker: Redis at {options.redis} does not answer: {exc}",
              file=sys.stderr)  # fmt: skip
        return ExitCode.FAILED


def cmd_status(args: argparse.Namespace) -> int:
    """Show the last runs of each feed asked for (all by default); exit 1 when one's latest
    run is not ok, 2 when a feed asked for is not in the feeds file."""
    try:
        known = [feed.name for feed in load_feeds(feeds_file(args.feeds_file))]
    except FeedConfigError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.BAD_CONFIG
    unknown = [name for name in args.feeds if name not in known]
    for name in unknown:
        print(f"newsbot status: {unknown_feed(name, known)}", file=sys.stderr)
    if unknown:
        return ExitCode.BAD_CONFIG
    names = list(dict.fromkeys(args.feeds)) or known
    runs_dir = Path(args.out) / "_runs"
    reports = load_reports(runs_dir)
    if not reports:
        print(f"no runs recorded in {runs_dir} yet")
        return ExitCode.OK
    last = reports[-1]
    print(
        f"{len(reports)} run(s) in {runs_dir}; last started {local_time(last.started)}, "
        f"status {last.status} (exit {last.exit_code})"
    )
    for line in status_lines(reports, names, args.runs, lost=args.lost, others=not args.feeds):
        print(line)
    unhealthy = [name for name in names if latest_status(reports, name) not in (None, "ok")]
    return ExitCode.FAILED if unhealthy else ExitCode.OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled pages and crawl every feed over them, offline."""
    from newsbot.spiderloader import project_dir

    directory = Path(args.sites) if args.sites else project_dir() / BUNDLED_MIRROR
    try:
        server = start_mirror_thread(directory)
    except FileNotFoundError as exc:
        print(f"newsbot demo: {exc} (run it in the project directory, or pass --sites)",
              file=sys.stderr)  # fmt: skip
        return ExitCode.FAILED
    os.environ[MIRROR_ENV] = server.url
    args.out = args.out or DEMO_OUT
    print(f"offline demo: mirror of {directory} at {server.url}", flush=True)
    try:
        return cmd_crawl(args)
    finally:
        server.shutdown()
        server.server_close()
        print(f"offline demo: records in {args.out}/ (live crawls write to {LIVE_OUT}/)")


def network_available(host: str = "finance.eastmoney.com", timeout: float = 3.0) -> bool:
    """Whether a real news site answers on port 443."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: a live crawl when the sites are reachable, else the offline demo."""
    if network_available():
        return cmd_crawl(args)
    print("no network to the news sites: running the offline demo instead", flush=True)
    args.sites = None
    return cmd_demo(args)


def add_crawl_arguments(command: argparse.ArgumentParser, out_help: str) -> None:
    """Add the arguments crawl, demo and run share."""
    command.add_argument("feeds", nargs="*", help="feed names (default: all)")
    add_feeds_option(command)
    command.add_argument("--out", help=f"output root (default: {out_help})")
    command.add_argument(
        "--pattern",
        default=DEFAULT_PATTERN,
        help="record files under the output root; {feed}, {day} (YYYY-MM-DD) and {month} "
        f"are filled in (default: {DEFAULT_PATTERN})",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="read list pages only; print the articles a run would fetch; writes nothing",
    )
    command.add_argument(
        "--fresh",
        action="store_true",
        help="re-read every article, with an empty in-memory state store, into a new "
        "--out folder; no archive or state store is read or written",
    )
    command.add_argument(
        "--log-level", default="WARNING", help="log level on stderr (default: WARNING)"
    )
    command.add_argument(
        "--log-file",
        help="rotating log file (default: <out>/_logs/newsbot.log, none in a dry run; '' for none)",
    )
    command.add_argument(
        "--log-file-level", default="INFO", help="log level of the log file (default: INFO)"
    )
    command.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress line on stderr (default: only on a terminal)",
    )
    command.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print the summary only when a feed is broken or failed (cron)",
    )
    command.add_argument(
        "--redis",
        metavar="URL",
        help="distributed mode: the shared request queue and state store in this Redis "
        "(redis://host:port/db; default: $NEWSBOT_REDIS_URL, else none)",
    )
    command.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                         help="a Scrapy setting, as in `scrapy crawl -s`")  # fmt: skip


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``crawl``, ``demo``, ``run`` and ``status`` commands."""
    for name, func, text, out_help in (
        ("crawl", cmd_crawl, "crawl feeds (all by default) into data/<feed>/<date>.jsonl",
         LIVE_OUT),
        ("demo", cmd_demo, "offline demo: serve tests/sites and crawl every feed over it",
         DEMO_OUT),
        ("run", cmd_run, "live crawl if the sites are reachable, else the offline demo",
         f"{LIVE_OUT}, or {DEMO_OUT} for the demo"),
    ):  # fmt: skip
        command = sub.add_parser(name, help=text)
        add_crawl_arguments(command, out_help)
        if name == "demo":
            command.add_argument("--sites", help="mirror directory (default: tests/sites)")
        command.set_defaults(func=func)

    worker = sub.add_parser(
        "worker", help="one worker of a distributed crawl: feeds shared with others via Redis"
    )
    add_crawl_arguments(worker, LIVE_OUT)
    worker.add_argument(
        "--worker-id",
        help="this worker's name, in its part <day>.<id>.jsonl (default: <host>-<pid>)",
    )
    worker.set_defaults(func=cmd_worker)

    status = sub.add_parser("status", help="the last runs of each feed, from <out>/_runs")
    status.add_argument("feeds", nargs="*", help="feed names (default: all)")
    add_feeds_option(status)
    status.add_argument("--out", default="data", help="output directory (default: data)")
    status.add_argument("--runs", type=int, default=5, help="runs per feed (default: 5)")
    status.add_argument(
        "--lost",
        action="store_true",
        help="list each run's lost article links (url, reason, what happened)",
    )
    status.set_defaults(func=cmd_status)
