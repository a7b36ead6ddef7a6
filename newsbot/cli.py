"""The ``newsbot`` command: crawl, demo, validate, mirror, snapshot."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.config import FeedConfigError, load_feeds
from newsbot.export.atom import atom_feed
from newsbot.export.jekyll import (
    PostFormatError,
    PostStyle,
    category_page,
    parse_post,
    post_path,
    render_post,
    safe_filename,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
from newsbot.lock import LockBusy, RunLock
from newsbot.mirror import MIRROR_ENV, MirrorServer, save_page, start_mirror_thread

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl is running; cron will try again later
#: Where the bundled offline pages live, relative to the project directory.
BUNDLED_MIRROR = Path("tests") / "sites"


def _project_settings():  # type: ignore[no-untyped-def]
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the feeds file; print every problem with its line."""
    from newsbot.spiderloader import feeds_path

    path = Path(args.feeds) if args.feeds else feeds_path(_project_settings())
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


def run_feeds(names: Sequence[str], out_dir: Path, log_level: str = "WARNING") -> int:
    """Crawl the named feeds (all when empty) in one process; print a summary table."""
    from scrapy.crawler import CrawlerProcess

    from newsbot.spiderloader import feeds_path

    settings = _project_settings()
    try:
        feeds = load_feeds(feeds_path(settings))
    except FeedConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_CONFIG
    known = {feed.name for feed in feeds}
    unknown = [name for name in names if name not in known]
    if unknown:
        print(f"unknown feed(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return EXIT_BAD_CONFIG
    selected = list(names) or [feed.name for feed in feeds]
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("NEWSBOT_OUTPUT", str(out_dir / "{feed}" / "{day}.jsonl"), priority="cmdline")
    state = out_dir / "_state" / "newsbot.sqlite3"
    settings.set("NEWSBOT_STATE", str(state), priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    started = time.monotonic()
    for name in selected:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler)
    process.start()
    elapsed = time.monotonic() - started
    return print_summary(crawlers, elapsed)


def print_summary(crawlers: Sequence[Crawler], elapsed: float) -> int:
    """One line per feed: pages, new records, duplicates, drops, errors; non-zero on failure."""
    header = (
        f"{'feed':<20} {'pages':>6} {'new':>6} {'dupes':>6} {'dropped':>8} {'errors':>7}  output"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        pages = stats.get("downloader/response_count", 0)
        records = stats.get("item_scraped_count", 0)
        marked = stats.get("newsbot/duplicates_marked", 0)
        dropped = {
            key.removeprefix("newsbot/dropped/"): value
            for key, value in stats.items()
            if key.startswith("newsbot/dropped/")
        }
        errors = stats.get("log_count/ERROR", 0)
        failed = failed or errors > 0 or pages == 0
        drops = sum(dropped.values())
        target = stats.get("newsbot/output", "-")
        name = crawler.spider.name if crawler.spider else "?"
        print(f"{name:<20} {pages:>6} {records:>6} {marked:>6} {drops:>8} {errors:>7}  {target}")
        for reason, count in sorted(dropped.items()):
            print(f"{'':<20} dropped {reason}: {count}")
        known = stats.get("newsbot/skipped_known", 0)
        if known:
            print(f"{name:<20} skipped {known} known article(s)")
    print(f"elapsed {elapsed:.1f}s")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl the live sites (or the mirror named by $NEWSBOT_MIRROR), one run at a time."""
    out = Path(args.out)
    try:
        with RunLock(out / "_state" / "crawl.lock"):
            return run_feeds(args.feeds, out, args.log_level)
    except LockBusy as busy:
        print(f"newsbot crawl: {busy}; not starting a second one", file=sys.stderr)
        return EXIT_LOCKED


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled pages and crawl every feed over them, offline."""
    from newsbot.spiderloader import project_dir

    directory = Path(args.sites) if args.sites else project_dir() / BUNDLED_MIRROR
    server = start_mirror_thread(directory)
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
        command.add_argument("feeds", nargs="*", help="feed names (default: all)")
        command.add_argument("--out", default="data", help="output directory (default: data)")
        command.add_argument(
            "--log-level", default="WARNING", help="Scrapy log level (default: WARNING)"
        )
        if name == "demo":
            command.add_argument("--sites", help="mirror directory (default: tests/sites)")
        command.set_defaults(func=func)

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
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
