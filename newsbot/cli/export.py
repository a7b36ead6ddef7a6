"""``newsbot export`` and ``newsbot import``: records to Jekyll posts and Atom, and back."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsbot.core.codes import ExitCode
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
    return ExitCode.OK


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
    return ExitCode.OK


def cmd_export_atom(args: argparse.Namespace) -> int:
    """Write an Atom feed of the latest records."""
    records = [r for r in read_records(Path(args.source)) if not r.get("duplicate_of")]
    Path(args.to).write_bytes(atom_feed(records, args.site, args.title, args.limit))
    print(f"atom feed: {min(len(records), args.limit)} entries in {args.to}")
    return ExitCode.OK


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
    return ExitCode.FAILED if failed else ExitCode.OK


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
    posts.set_defaults(func=cmd_import_posts)
