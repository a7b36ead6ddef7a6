"""The record newsbot writes: one Article per JSONL line."""

from __future__ import annotations

from dataclasses import Field, dataclass, field, fields
from typing import Any, ClassVar

from itemadapter import ItemAdapter
from itemadapter.adapter import DataclassAdapter


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


class ArticleAdapter(DataclassAdapter):
    """itemadapter's dataclass adapter for :class:`Article` alone, its fields looked up
    once for the class. Scrapy and every pipeline wrap each item in an ``ItemAdapter``
    (five times an item, besides Scrapy's own ``is_item`` checks), which otherwise tries
    the Scrapy-item and mapping adapters first and lists the dataclass's fields anew each
    time. Registered first in ``ItemAdapter.ADAPTER_CLASSES``, itemadapter's extension
    point; any other item is adapted as before."""

    _FIELDS: ClassVar[dict[str, Field[Any]]] = {
        item_field.name: item_field for item_field in fields(Article)
    }

    def __init__(self, item: Any) -> None:
        self.item = item
        self._fields_dict = self._FIELDS

    @classmethod
    def is_item(cls, item: Any) -> bool:
        return type(item) is Article

    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return item_class is Article


ItemAdapter.ADAPTER_CLASSES.appendleft(ArticleAdapter)  # type: ignore[attr-defined]
