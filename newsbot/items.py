"""The record newsbot writes: one Article per JSONL line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Article:
    """One news article, with field names following the Jekyll posts' front matter.

    While an item travels through the pipelines, ``date`` holds the raw date text the
    page gave; the date pipeline replaces it with ``YYYY-MM-DD HH:MM:SS +0800``.
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
    kind: str = ""
    id: str = ""
    crawled_at: str = ""
    duplicate_of: str | None = None
