"""Spider arguments (``scrapy crawl FEED -a NAME=VALUE``): feeds.yaml keys a single run
may override, validated by the feed's own model so a value means what it means in
feeds.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from newsbot.config.models import HtmlFeed, JsonFeed

#: The accepted ``-a`` arguments (feeds.yaml keys) and the form of their values.
SPIDER_ARGUMENTS: dict[str, str] = {
    "max_pages": "a whole number from 1 to 1000",  # list pages read in this run
    "since": "a date, YYYY-MM-DD",  # older articles are neither followed nor kept
}


class SpiderArgumentError(ValueError):
    """A ``-a`` argument a feed spider does not accept, or a bad value; one line."""


def accepted_arguments() -> str:
    """The accepted arguments, as a short list for messages."""
    return ", ".join(f"-a {name}=…" for name in SPIDER_ARGUMENTS)


def apply_arguments(feed: HtmlFeed | JsonFeed, arguments: Mapping[str, Any]) -> HtmlFeed | JsonFeed:
    """``feed`` with the run's arguments in place of its feeds.yaml values; raises
    :class:`SpiderArgumentError` for an unknown argument or a value the model refuses."""
    unknown = sorted(set(arguments) - set(SPIDER_ARGUMENTS))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise SpiderArgumentError(
            f"feed {feed.name!r}: unknown spider argument {names}; accepted: {accepted_arguments()}"
        )
    if not arguments:
        return feed
    try:
        return type(feed).model_validate({**feed.model_dump(), **arguments})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        raise SpiderArgumentError(
            f"feed {feed.name!r}: -a {name}={arguments.get(name)!r} must be "
            f"{SPIDER_ARGUMENTS.get(name, 'a valid value')} ({error['msg']})"
        ) from None
