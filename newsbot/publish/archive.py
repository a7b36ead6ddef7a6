"""Importing an archive of Jekyll posts: every post file of a folder read into a record,
the files that are not posts named with why, and each record's ``kind`` taken from the
feed of its URL's host (unknown, ``None``, when no feed or two feeds of other kinds say it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbot.config import HtmlFeed, JsonFeed
from newsbot.config.checks import declared_urls
from newsbot.publish.jekyll import PostFormatError, PostStyle, parse_post

#: File suffixes read as posts; other files are skipped and named.
POST_SUFFIXES = (".md", ".markdown", ".txt", ".html")


def url_host(url: str) -> str:
    """The lower-case host of a URL (no port), "" when it has none."""
    return (urlsplit(url).hostname or "").lower()


def feed_kinds(feeds: Iterable[HtmlFeed | JsonFeed]) -> dict[str, str]:
    """Host → kind of the feeds whose URLs (or host aliases) are on that host; a host that
    feeds of different kinds share is left out (its kind is not known)."""
    kinds: dict[str, set[str]] = {}
    for feed in feeds:
        hosts = {url_host(url) for url in declared_urls(feed)}
        hosts |= {host.lower() for pair in feed.host_aliases.items() for host in pair}
        for host in hosts - {""}:
            kinds.setdefault(host, set()).add(feed.kind)
    return {host: next(iter(found)) for host, found in kinds.items() if len(found) == 1}


@dataclass
class Imported:
    """What an import read: the records, and each skipped file with why."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Files looked at."""
        return len(self.records) + len(self.skipped)

    @property
    def failed(self) -> int:
        """Post files that could not be read (a file of another suffix is not a failure)."""
        return sum(1 for path, _ in self.skipped if path.suffix in POST_SUFFIXES)


def read_post(path: Path, style: PostStyle, feed: str) -> dict[str, Any]:
    """One post file's record (PostFormatError naming the file when it is not a post)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PostFormatError(f"{path.name}: not UTF-8 (byte {exc.start})") from None
    return parse_post(text, path.name, style, feed)


def import_posts(
    directory: Path,
    style: PostStyle,
    kinds: Mapping[str, str],
    feed: str = "import",
    kind: str | None = None,
) -> Imported:
    """The records of the post files in ``directory``; ``kind`` (when given) is every
    record's kind, else the kind ``kinds`` gives the record's URL host, else None."""
    result = Imported()
    for path in sorted(directory.iterdir()):
        if path.is_dir():
            result.skipped.append((path, "a folder (posts are read from the folder itself)"))
            continue
        if path.suffix not in POST_SUFFIXES:
            result.skipped.append((path, f"not a post file (not {', '.join(POST_SUFFIXES)})"))
            continue
        try:
            record = read_post(path, style, feed)
        except PostFormatError as exc:
            result.skipped.append((path, str(exc).removeprefix(f"{path.name}: ")))
            continue
        record["kind"] = kind or kinds.get(url_host(str(record["url"])))
        result.records.append(record)
    return result
