"""Pure extraction: a page (HTML or JSON) and a feed's rules in, raw article fields out.

Nothing here cleans or parses dates; it only finds things. The parts live in
:mod:`.selectors`, :mod:`.jsonpath`, :mod:`.hints` and :mod:`.challenge`; their public names
are re-exported here so ``from newsbot.core.extract import …`` keeps working.
"""

from __future__ import annotations

from newsbot.core.extract.challenge import looks_like_js_challenge
from newsbot.core.extract.hints import date_fallbacks, metadata_dates, url_date
from newsbot.core.extract.jsonpath import json_fields, json_path, parse_jsonp
from newsbot.core.extract.selectors import (
    ARTICLE_FIELDS,
    ArticleRulesLike,
    FieldRuleLike,
    RawArticle,
    extract_article,
    extract_dated_links,
    extract_links,
    inner_html,
    is_xpath,
    node_text,
    select,
    select_body,
    select_text,
)

__all__ = [
    "ARTICLE_FIELDS",
    "ArticleRulesLike",
    "FieldRuleLike",
    "RawArticle",
    "date_fallbacks",
    "extract_article",
    "extract_dated_links",
    "extract_links",
    "inner_html",
    "is_xpath",
    "json_fields",
    "json_path",
    "looks_like_js_challenge",
    "metadata_dates",
    "node_text",
    "parse_jsonp",
    "select",
    "select_body",
    "select_text",
    "url_date",
]
