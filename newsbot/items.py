"""The record newsbot writes: one Article per JSONL line."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class Article:
    """One news article, with field names following the Jekyll posts' front matter.

    While an item travels through the pipelines, ``date`` holds the raw date text the
    page gave; the date pipeline replaces it with ``YYYY-MM-DD HH:MM:SS +0800``.
    Fields marked ``internal`` carry work in progress and are never written.
    """

    layout: str = "post"
    title: str = ""
    date: str = ""
    categories: str = ""
    tags: str = ""
    content: str = ""
    url: str = ""
    text: str = ""
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    feed: str = ""
    #: portal, bank or regulator: the feed's; None (unknown) for a post imported with no
    #: feed of its URL's host.
    kind: str | None = ""
    id: str = ""
    crawled_at: str = ""
    duplicate_of: str | None = None
    #: Parts of a Jekyll post that records imported from posts keep (newsbot.publish.jekyll).
    post: dict[str, str] | None = None
    #: Other date texts found on the page (metadata, URL), tried when ``date`` fails.
    date_fallbacks: list[str] = field(default_factory=list, metadata={"internal": True})
    #: Why the page could not be read at all (its bytes decode in no charset); the
    #: validate pipeline drops such an item as ``undecodable``.
    unreadable: str = field(default="", metadata={"internal": True})
    #: Fields whose rule matched nothing, taken from the generic extractor instead.
    fallbacks: list[str] = field(default_factory=list, metadata={"internal": True})


#: The fields of a JSONL record, in order.
RECORD_FIELDS: tuple[str, ...] = tuple(
    item_field.name for item_field in fields(Article) if not item_field.metadata.get("internal")
)
