"""An Atom feed of the latest records, built with feedgen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from feedgen.feed import FeedGenerator

from newsbot.core.dates import DATE_FORMAT


def atom_feed(
    records: Iterable[Mapping[str, Any]], site: str, title: str, limit: int = 50
) -> bytes:
    """Atom XML of the ``limit`` newest records (by date)."""
    latest = sorted(records, key=lambda record: str(record.get("date", "")), reverse=True)
    latest = latest[:limit]
    generator = FeedGenerator()
    home = f"https://{site}/"
    generator.id(home)
    generator.title(title)
    generator.link(href=home, rel="alternate")
    generator.link(href=f"{home}feed.xml", rel="self")
    generator.language("zh-CN")
    for record in reversed(latest):  # feedgen prepends: add oldest first
        entry = generator.add_entry()
        entry.id(str(record["url"]))
        entry.title(str(record["title"]))
        entry.link(href=str(record["url"]))
        published = datetime.strptime(str(record["date"]), DATE_FORMAT)
        entry.published(published)
        entry.updated(published)
        if record.get("categories"):
            entry.category(term=str(record["categories"]), label=str(record.get("tags") or ""))
        entry.content(str(record.get("content") or ""), type="html")
    if latest:
        generator.updated(datetime.strptime(str(latest[0]["date"]), DATE_FORMAT))
    atom: bytes = generator.atom_str(pretty=True)
    return atom
