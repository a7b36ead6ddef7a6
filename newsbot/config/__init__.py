"""feeds.yaml: loading, validation into Feed models, and errors that name file, line and feed.

The models live in :mod:`.models`, loading and located errors in :mod:`.loader`; their public
names are re-exported here so ``from newsbot.config import …`` keeps working.
"""

from __future__ import annotations

from newsbot.config.loader import (
    FeedConfigError,
    feeds_schema,
    iter_feed_urls,
    load_feeds,
    parse_feeds,
)
from newsbot.config.models import (
    API_FIELDS,
    FEED_NAME_PATTERN,
    LABEL_PLACEHOLDERS,
    ArticleApi,
    ArticleRules,
    BrowserOptions,
    Feed,
    FeedBase,
    FieldRule,
    HtmlFeed,
    HtmlListRules,
    JsonFeed,
    ListApi,
    Rule,
)
from newsbot.core.extract.selectors import is_xpath

__all__ = [
    "API_FIELDS",
    "FEED_NAME_PATTERN",
    "LABEL_PLACEHOLDERS",
    "ArticleApi",
    "ArticleRules",
    "BrowserOptions",
    "Feed",
    "FeedBase",
    "FeedConfigError",
    "FieldRule",
    "HtmlFeed",
    "HtmlListRules",
    "JsonFeed",
    "ListApi",
    "Rule",
    "feeds_schema",
    "is_xpath",
    "iter_feed_urls",
    "load_feeds",
    "parse_feeds",
]
