"""``scrapy check`` for spiders made from feeds.yaml (SPIDER_CONTRACTS).

The callbacks' docstrings hold the contracts; the sample URLs come from each feed:

- ``@feed_list``: the feed's first list page (its first start URL, or the list API's
  first page), requested as a crawl requests it (headers; Chromium for a render feed).
- ``@feed_article``: the feed's ``check_url`` (an article its ``parse_article`` reads).
- ``@article``: the callback gave exactly one item with a title, a body and a date the
  page states (what the pipelines and the health report need of an article).

Scrapy's ``@returns requests 1`` checks that a list page gives article links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from newsbot.core.dates import parse_date

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Request

    from newsbot.config import HtmlFeed, JsonFeed
    from newsbot.spiders.base import FeedSpider


def _sample_args(args: dict[str, Any], request: Request) -> dict[str, Any]:
    """The contract request's arguments, taken from the spider's own ``request``; the
    callback stays the checked method (Scrapy's contract hooks wrap it)."""
    return {
        **args,
        "url": request.url,
        "headers": request.headers,
        "meta": dict(request.meta),
        "cb_kwargs": dict(request.cb_kwargs),
    }


class _FeedContract(Contract):
    """A contract that reads the spider (and its feed) behind the checked method."""

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.spider: FeedSpider = method.__self__  # type: ignore[attr-defined]


class FeedListContract(_FeedContract):
    """``@feed_list``: the sample request is the feed's first list page."""

    name = "feed_list"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        return _sample_args(args, self.spider.first_list_request())


class FeedArticleContract(_FeedContract):
    """``@feed_article``: the sample request is the feed's ``check_url``."""

    name = "feed_article"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        request = self.spider.check_request()
        if request is None:
            raise ValueError(
                f"feed {self.spider.name!r} has no check_url in feeds.yaml: give it one "
                "article URL to check parse_article against (docs/feeds.md)"
            )
        return _sample_args(args, request)


class ArticleContract(_FeedContract):
    """``@article``: one item, with each of title, body and date the feed's article
    reader names found (a date that parses); fields a JSON feed takes from its list
    rows are not the article's to give."""

    name = "article"

    def post_process(self, output: list[Any]) -> None:
        items = [ItemAdapter(value) for value in output if is_item(value)]
        where = f"feed {self.spider.name!r}, {self.spider.feed.check_url}"
        if len(items) != 1:
            raise ContractFail(f"{where}: {len(items)} items, expected 1")
        item, missing = items[0], []
        fallbacks = item.get("fallbacks") or []
        absorbed = [field for field in article_fields(self.spider.feed) if field in fallbacks]
        for field in article_fields(self.spider.feed):
            value = str(item["content" if field == "body" else field] or "").strip()
            if field not in absorbed and (
                not value or (field == "date" and parse_date(value) is None)
            ):
                missing.append(f"{field} (got {value!r})" if value else field)
        problems = [f"no {', '.join(missing)} found"] if missing else []
        if absorbed:  # the crawl goes on with the generic extractor; the rule is still broken
            problems.append(
                f"no {', '.join(absorbed)} found by its rule "
                "(the generic extractor's fallback was used)"
            )
        if problems:
            raise ContractFail(f"{where}: {'; '.join(problems)}")


def article_fields(feed: HtmlFeed | JsonFeed) -> list[str]:
    """Which of title, body and date the feed's article page or article API gives."""
    api = getattr(feed, "article_api", None)
    if api is not None:
        return [field for field in ("title", "body", "date") if field in api.fields]
    rules = feed.article
    if rules is None:  # the generic extractor: title and body at least
        return ["title", "body"]
    return ["title", "body"] + (["date"] if rules.date is not None else [])
