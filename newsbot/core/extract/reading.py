"""One article page read as a feed reads it: its rules, the list's fields winning, and
the generic extractor for what they leave out. Pure (the spiders count the fallbacks;
``newsbot doctor`` shows each part)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

from newsbot.core.extract.fallback import fill_missing, generic_date_hint, missing_fields
from newsbot.core.extract.generic import GenericArticle, extract_generic
from newsbot.core.extract.selectors import ArticleRulesLike, RawArticle, extract_article


@dataclass(frozen=True)
class ArticleReading:
    """What reading one article page gave."""

    #: The fields as the feed's item gets them (``extra``: ``fallbacks``, ``date_fallbacks``).
    raw: RawArticle
    #: What the rules alone found (None without rules).
    by_rules: RawArticle | None = None
    #: The generic extractor's result, when it ran.
    generic: GenericArticle | None = None
    #: The fields taken from the generic extractor.
    filled: list[str] = field(default_factory=list)


def read_article(
    page: Selector,
    text: str,
    url: str,
    rules: ArticleRulesLike | None,
    listed: Mapping[str, Any] | None = None,
    always_generic: bool = False,
) -> ArticleReading:
    """Every field for a feed without rules comes from the generic extractor; with rules,
    each field whose rule matched nothing (a field without a rule stays empty). The
    generic extractor runs only when needed, unless ``always_generic``."""
    by_rules = None if rules is None else extract_article(page, rules)
    raw = (by_rules or RawArticle()).merged_with(listed or {})
    wanted = [
        name
        for name in missing_fields(raw)
        if rules is None or getattr(rules, name, None) is not None
    ]
    if not wanted and not always_generic:
        return ArticleReading(raw, by_rules)
    generic = extract_generic(text, url)
    raw, filled = fill_missing(raw, generic, wanted)
    if "date" in wanted and "date" not in filled:
        raw.extra["date_fallbacks"] = generic_date_hint(generic)
    if rules is not None:
        raw.extra["fallbacks"] = filled
    return ArticleReading(raw, by_rules, generic, filled)
