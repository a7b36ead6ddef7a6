"""``newsbot export`` and ``newsbot import``: records to Jekyll posts and Atom, and back."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newsbot.config import FeedConfigError, load_feeds
from newsbot.core.codes import ExitCode
from newsbot.publish.archive import feed_kinds, import_posts
from newsbot.publish.jekyll import (
    PostStyle,
    category_file,
    category_page,
    post_path,
    render_post,
)

#: Fields each export needs in a record; a line without them is skipped as bad.
REQUIRED = {
    "posts": ("id",),
    "category-pages": ("categories", "tags"),
    "atom": ("url", "title", "date"),
}


def parse_line(line: str, required: tuple[str, ...]) -> tuple[dict[str, Any] | None, str]:
    """A JSONL line's record, or None and why the line is bad."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(record, dict):
        return None, f"not a JSON object ({type(record).__name__})"
    missing = [name for name in required if name not in record]
    if missing:
        return None, f"missing {', '.join(missing)}"
    return record, ""


def read_records(source: Path, required: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], int]:
    """The records of the JSONL files under ``source`` (a file or a folder) and the number of
    bad lines, each named on stderr (file:line) and skipped."""
    files = [source] if source.is_file() else sorted(source.rglob("*.jsonl"))
    records: list[dict[str, Any]] = []
    bad = 0
    for path in files:
        if any(part.startswith("_") for part in path.relative_to(source).parts[:-1]):
            continue  # _state, _runs
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            record, problem = parse_line(line, required)
            if record is None:
                print(f"{path}:{number}: skipped, {problem}", file=sys.stderr)
                bad += 1
                continue
            records.append(record)
    return records, bad


def _done(bad: int) -> int:
    """The exit status of an export: FAILED when a bad line was skipped."""
    return ExitCode.FAILED if bad else ExitCode.OK


def _style(args: argparse.Namespace) -> PostStyle:
    return PostStyle(site=args.site, filename=args.filename)


def cmd_export_posts(args: argparse.Namespace) -> int:
    """Write one Jekyll post per record; files already up to date are left alone."""
    style, target = _style(args), Path(args.to)
    target.mkdir(parents=True, exist_ok=True)
    written = unchanged = skipped = 0
    records, bad = read_records(Path(args.source), REQUIRED["posts"])
    for record in records:
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
    print(
        f"posts: {written} written, {unchanged} unchanged, {skipped} duplicates skipped, "
        f"{bad} bad lines"
    )
    return _done(bad)


def cmd_export_category_pages(args: argparse.Namespace) -> int:
    """Write category/<categories>.html for every category of the records."""
    target = Path(args.to)
    target.mkdir(parents=True, exist_ok=True)
    records, bad = read_records(Path(args.source), REQUIRED["category-pages"])
    labels = {str(r["categories"]): str(r["tags"]) for r in records}
    written = 0
    for categories, tags in sorted(labels.items()):
        path = target / category_file(categories)  # long ones: hash-tailed
        data = category_page(categories, tags, _style(args)).encode("utf-8")
        if not (path.exists() and path.read_bytes() == data):
            path.write_bytes(data)
            written += 1
    unchanged = len(labels) - written
    print(f"category pages: {written} written, {unchanged} unchanged, {bad} bad lines")
    return _done(bad)


def cmd_export_atom(args: argparse.Namespace) -> int:
    """Write an Atom feed of the latest records."""
    # Here, not at the top: every `newsbot` command (a crawl too) would hold feedgen and
    # dateutil in memory (1.4 MB) for this one.
    from newsbot.publish.atom import atom_feed

    everything, bad = read_records(Path(args.source), REQUIRED["atom"])
    records = [r for r in everything if not r.get("duplicate_of")]
    Path(args.to).write_bytes(atom_feed(records, args.site, args.title, args.limit))
    print(f"atom feed: {min(len(records), args.limit)} entries in {args.to}, {bad} bad lines")
    return _done(bad)


def _import_kinds(args: argparse.Namespace) -> dict[str, str] | None:
    """Host → kind from the feeds file (``--feeds``, else the project's when it exists);
    None, with the problems on stderr, when the file given does not load."""
    from newsbot.ops.runner import project_settings
    from newsbot.spiderloader import feeds_path

    path = Path(args.feeds) if args.feeds else feeds_path(project_settings())
    if not args.feeds and not path.exists():
        return {}
    try:
        return feed_kinds(load_feeds(path))
    except FeedConfigError as exc:
        print(f"{exc}\n{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        return None


def cmd_import_posts(args: argparse.Namespace) -> int:
    """Read Jekyll posts of the seed format into JSONL records; say how many were read,
    skipped (each file with why, on stderr) and written."""
    kinds = _import_kinds(args)
    if kinds is None:
        return ExitCode.BAD_CONFIG
    result = import_posts(Path(args.directory), _style(args), kinds, args.feed, args.kind)
    for path, why in result.skipped:
        print(f"{path}: skipped, {why}", file=sys.stderr)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for record in result.records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    summary = (
        f"posts: {result.read} read, {len(result.skipped)} skipped, "
        f"{len(result.records)} written to {args.out or 'stdout'}"
    )
    print(summary, file=sys.stdout if args.out else sys.stderr)
    return ExitCode.FAILED if result.failed else ExitCode.OK


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` and ``import`` commands."""
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
    posts.add_argument(
        "--feeds", help="feeds file giving kinds by URL host (default: the project's)"
    )
    posts.add_argument(
        "--kind", choices=["portal", "bank", "regulator"], help="every record's kind"
    )
    posts.set_defaults(func=cmd_import_posts)
