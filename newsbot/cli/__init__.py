"""The ``newsbot`` command: crawl, demo, validate, mirror, snapshot."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from newsbot.config.loader import FeedConfigError, load_feeds
from newsbot.mirror import MIRROR_ENV, MirrorServer, save_page, start_mirror_thread
from newsbot.ops.health import latest_status, load_reports, local_time, status_lines
from newsbot.ops.lock import LockBusy, RunLock
from newsbot.ops.runner import DEFAULT_PATTERN, RunOptions, project_settings, run_feeds
from newsbot.publish.atom import atom_feed
from newsbot.publish.jekyll import (
    PostFormatError,
    PostStyle,
    category_page,
    parse_post,
    post_path,
    render_post,
    safe_filename,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl is running; cron will try again later
#: Where the bundled offline pages live, relative to the project directory.
BUNDLED_MIRROR = Path("tests") / "sites"


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
        return EXIT_BAD_CONFIG
    print(f"{path}: {len(feeds)} feeds OK: {', '.join(feed.name for feed in feeds)}")
    return EXIT_OK


def cmd_mirror(args: argparse.Namespace) -> int:
    """Serve a directory of saved pages in the foreground."""
    try:
        server = MirrorServer(args.directory, host=args.host, port=args.port)
    except (FileNotFoundError, OSError) as exc:
        print(f"newsbot mirror: {exc}", file=sys.stderr)
        return EXIT_FAILED
    # The first line is the contract tests and scripts read: the base URL.
    print(server.url, flush=True)
    print(
        f"serving {server.root}; set {MIRROR_ENV}={server.url} to route feeds here",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Save a live page (or a local file's bytes) into the mirror layout."""
    if args.body:
        body = Path(args.body).read_bytes()
    else:
        request = urllib.request.Request(args.url, headers={"User-Agent": "Mozilla/5.0 newsbot"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
        except OSError as exc:
            print(f"newsbot snapshot: cannot fetch {args.url}: {exc}", file=sys.stderr)
            return EXIT_FAILED
    print(save_page(args.dir, args.url, body))
    return EXIT_OK


def run_options(args: argparse.Namespace) -> RunOptions:
    """The run options of a crawl/demo/run command line."""
    out = Path(args.out)
    log_file = None
    if args.log_file != "":
        log_file = Path(args.log_file) if args.log_file else out / "_logs" / "newsbot.log"
    return RunOptions(
        feeds=args.feeds,
        out=out,
        pattern=args.pattern,
        log_level=args.log_level,
        log_file=log_file,
        log_file_level=args.log_file_level,
        dry_run=args.dry_run,
        quiet=args.quiet,
        progress=args.progress,
        overrides=args.set,
        command=sys.argv[1:],
    )


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl the live sites (or the mirror named by $NEWSBOT_MIRROR), one run at a time."""
    options = run_options(args)
    if options.dry_run:
        return run_feeds(options)  # reads list pages only and writes nothing: no lock
    try:
        with RunLock(options.out / "_state" / "crawl.lock"):
            return run_feeds(options)
    except LockBusy as busy:
        print(f"newsbot crawl: {busy}; not starting a second one", file=sys.stderr)
        return EXIT_LOCKED


def cmd_status(args: argparse.Namespace) -> int:
    """Show each feed's last runs; exit 1 when a feed's latest run is not ok."""
    from newsbot.spiderloader import feeds_path

    try:
        names = [feed.name for feed in load_feeds(feeds_path(project_settings()))]
    except FeedConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_CONFIG
    if args.feeds:
        names = list(args.feeds)
    runs_dir = Path(args.out) / "_runs"
    reports = load_reports(runs_dir)
    if not reports:
        print(f"no runs recorded in {runs_dir} yet")
        return EXIT_OK
    last = reports[-1]
    print(
        f"{len(reports)} run(s) in {runs_dir}; last started {local_time(last.started)}, "
        f"status {last.status} (exit {last.exit_code})"
    )
    for line in status_lines(reports, names, args.runs):
        print(line)
    unhealthy = [name for name in names if latest_status(reports, name) not in (None, "ok")]
    return EXIT_FAILED if unhealthy else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled pages and crawl every feed over them, offline."""
    from newsbot.spiderloader import project_dir

    directory = Path(args.sites) if args.sites else project_dir() / BUNDLED_MIRROR
    try:
        server = start_mirror_thread(directory)
    except FileNotFoundError as exc:
        print(f"newsbot demo: {exc} (run it in the project directory, or pass --sites)",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    os.environ[MIRROR_ENV] = server.url
    print(f"offline demo: mirror of {directory} at {server.url}", flush=True)
    try:
        return cmd_crawl(args)
    finally:
        server.shutdown()
        server.server_close()


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


def read_records(source: Path) -> list[dict[str, object]]:
    """Every record of the JSONL files under ``source`` (a file or a folder)."""
    files = [source] if source.is_file() else sorted(source.rglob("*.jsonl"))
    records = []
    for path in files:
        if any(part.startswith("_") for part in path.relative_to(source).parts[:-1]):
            continue  # _state, _runs
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                print(f"{path}:{number}: skipped, not JSON ({exc})", file=sys.stderr)
    return records


def _style(args: argparse.Namespace) -> PostStyle:
    return PostStyle(site=args.site, filename=args.filename)


def cmd_export_posts(args: argparse.Namespace) -> int:
    """Write one Jekyll post per record; files already up to date are left alone."""
    style, target = _style(args), Path(args.to)
    target.mkdir(parents=True, exist_ok=True)
    written = unchanged = skipped = 0
    for record in read_records(Path(args.source)):
        if record.get("duplicate_of") and not args.include_duplicates:
            skipped += 1
            continue
        path = post_path(record, style, target)
        data = render_post(record, style).encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            unchanged += 1
            continue
        path.write_bytes(data)
        written += 1
    print(f"posts: {written} written, {unchanged} unchanged, {skipped} duplicates skipped")
    return EXIT_OK


def cmd_export_category_pages(args: argparse.Namespace) -> int:
    """Write category/<categories>.html for every category of the records."""
    target = Path(args.to)
    target.mkdir(parents=True, exist_ok=True)
    labels = {str(r["categories"]): str(r["tags"]) for r in read_records(Path(args.source))}
    written = 0
    for categories, tags in sorted(labels.items()):
        path = target / safe_filename(f"{categories}.html")
        data = category_page(categories, tags).encode("utf-8")
        if not (path.exists() and path.read_bytes() == data):
            path.write_bytes(data)
            written += 1
    print(f"category pages: {written} written, {len(labels) - written} unchanged")
    return EXIT_OK


def cmd_export_atom(args: argparse.Namespace) -> int:
    """Write an Atom feed of the latest records."""
    records = [r for r in read_records(Path(args.source)) if not r.get("duplicate_of")]
    Path(args.to).write_bytes(atom_feed(records, args.site, args.title, args.limit))
    print(f"atom feed: {min(len(records), args.limit)} entries in {args.to}")
    return EXIT_OK


def cmd_import_posts(args: argparse.Namespace) -> int:
    """Read Jekyll posts of the seed format into JSONL records."""
    style = _style(args)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    failed = 0
    try:
        for path in sorted(Path(args.directory).iterdir()):
            if not path.is_file() or path.suffix not in (".md", ".markdown", ".txt", ".html"):
                continue
            try:
                record = parse_post(path.read_text(encoding="utf-8"), path.name, style, args.feed)
            except (PostFormatError, UnicodeDecodeError) as exc:
                print(f"skipped {exc}", file=sys.stderr)
                failed += 1
                continue
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return EXIT_FAILED if failed else EXIT_OK


def _add_export_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser("export", help="publish records: Jekyll posts, category pages, Atom")
    kinds = export.add_subparsers(dest="what", required=True)
    for name, func, text, default_to in (
        ("posts", cmd_export_posts, "one Jekyll post per record", "_posts"),
        ("category-pages", cmd_export_category_pages, "category index pages", "category"),
        ("atom", cmd_export_atom, "Atom feed of the latest records", "feed.xml"),
    ):
        command = kinds.add_parser(name, help=text)
        command.add_argument("--from", dest="source", default="data", help="JSONL file or folder")
        command.add_argument("--to", default=default_to, help=f"target (default: {default_to})")
        command.add_argument("--site", default=PostStyle.site, help="site host for links")
        command.add_argument("--filename", default=PostStyle.filename, help="post file pattern")
        command.set_defaults(func=func)
        if name == "posts":
            command.add_argument("--include-duplicates", action="store_true")
        if name == "atom":
            command.add_argument("--title", default="金融消息")
            command.add_argument("--limit", type=int, default=50)
    importer = sub.add_parser("import", help="read records from published posts")
    what = importer.add_subparsers(dest="what", required=True)
    posts = what.add_parser("posts", help="Jekyll posts (seed format) → JSONL records")
    posts.add_argument("directory")
    posts.add_argument("--out", help="JSONL file (default: stdout)")
    posts.add_argument("--feed", default="import", help="feed name the records get")
    posts.add_argument("--site", default=PostStyle.site)
    posts.add_argument("--filename", default=PostStyle.filename)
    posts.set_defaults(func=cmd_import_posts)


def _add_crawl_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("feeds", nargs="*", help="feed names (default: all)")
    command.add_argument("--out", default="data", help="output root (default: data)")
    command.add_argument(
        "--pattern",
        default=DEFAULT_PATTERN,
        help="record files under the output root; {feed}, {day} (YYYY-MM-DD) and {month} "
        f"are filled in (default: {DEFAULT_PATTERN})",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="read list pages only; print the articles a run would fetch",
    )
    command.add_argument(
        "--log-level", default="WARNING", help="log level on stderr (default: WARNING)"
    )
    command.add_argument(
        "--log-file", help="rotating log file (default: <out>/_logs/newsbot.log; '' for none)"
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
    command.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                         help="a Scrapy setting, as in `scrapy crawl -s`")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``newsbot``."""
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check feeds.yaml and report every problem")
    validate.add_argument("--feeds", help="feeds file (default: the project's feeds.yaml)")
    validate.set_defaults(func=cmd_validate)

    for name, func, text in (
        ("crawl", cmd_crawl, "crawl feeds (all by default) into data/<feed>/<date>.jsonl"),
        ("demo", cmd_demo, "offline demo: serve tests/sites and crawl every feed over it"),
        ("run", cmd_run, "live crawl if the sites are reachable, else the offline demo"),
    ):
        command = sub.add_parser(name, help=text)
        _add_crawl_arguments(command)
        if name == "demo":
            command.add_argument("--sites", help="mirror directory (default: tests/sites)")
        command.set_defaults(func=func)

    status = sub.add_parser("status", help="the last runs of each feed, from <out>/_runs")
    status.add_argument("feeds", nargs="*", help="feed names (default: all)")
    status.add_argument("--out", default="data", help="output directory (default: data)")
    status.add_argument("--runs", type=int, default=5, help="runs per feed (default: 5)")
    status.set_defaults(func=cmd_status)

    mirror = sub.add_parser("mirror", help="serve a directory of saved pages")
    mirror.add_argument("directory")
    mirror.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    mirror.add_argument("--host", default="127.0.0.1")
    mirror.set_defaults(func=cmd_mirror)

    snapshot = sub.add_parser("snapshot", help="save a page into the mirror layout")
    snapshot.add_argument("url")
    snapshot.add_argument("--dir", default=str(BUNDLED_MIRROR), help="mirror directory")
    snapshot.add_argument("--body", help="save this file's bytes instead of fetching the URL")
    snapshot.set_defaults(func=cmd_snapshot)
    _add_export_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsbot`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `newsbot status | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
