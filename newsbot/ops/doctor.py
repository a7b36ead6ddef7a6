"""``newsbot doctor``: what a feed's rules and the generic extractor get from one page.

The page's bytes come from :mod:`newsbot.ops.doctorfetch` (the mirror, the site, Chromium)
or a local file; everything here is reading them. An article page gives one report (a
dict: the record's fields as the feed would write them, each rule's match, the generic
extractor's result, warnings); a list page gives its article links and next page with
the rule or heuristic that found them. :mod:`newsbot.ops.doctorview` prints them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html
from parsel import Selector

from newsbot.config import HtmlFeed, JsonFeed, iter_feed_urls
from newsbot.core.clean.body import clean_content
from newsbot.core.clean.text import html_to_lines
from newsbot.core.dates import SHANGHAI, first_date, format_date, parse_date
from newsbot.core.extract import ARTICLE_FIELDS, date_fallbacks, looks_like_js_challenge
from newsbot.core.extract.generic import GenericArticle, decode_page
from newsbot.core.extract.generic_links import find_article_links, find_next_page
from newsbot.core.extract.lists import read_list_page
from newsbot.core.extract.reading import ArticleReading, read_article

Feed = HtmlFeed | JsonFeed
#: A body with less text than this (characters) is suspiciously short.
SHORT_BODY = 100
#: A date later than now by more than this is in the future (clocks, time zones).
FUTURE_SLACK = timedelta(minutes=10)


def match_feed(url: str, feeds: Sequence[Feed]) -> Feed | None:
    """The feed whose declared URLs share ``url``'s host (or a host alias) and most of its
    path; the first in feeds.yaml order on a tie; None when no feed reads that host."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path
    best: tuple[int, Feed] | None = None
    for feed in feeds:
        declared = [urlsplit(u.replace("{page}", "1")) for u in iter_feed_urls(feed)]
        hosts = {(d.hostname or "").lower() for d in declared}
        hosts |= {alias.lower() for alias, real in feed.host_aliases.items() if real in hosts}
        if host not in hosts:
            continue
        shared = max(_common_prefix(path, d.path) for d in declared)
        if best is None or shared > best[0]:
            best = (shared, feed)
    return best[1] if best is not None else None


def _common_prefix(one: str, other: str) -> int:
    count = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        count += 1
    return count


def examine_article(
    url: str, body: bytes, content_type: str, feed: Feed | None, now: datetime | None = None
) -> dict[str, Any]:
    """The report of one article page (module docstring)."""
    text = decode_page(body, content_type)
    started = time.perf_counter()
    selector = Selector(text=text, base_url=url)
    rules = feed.article if feed is not None else None
    reading = read_article(selector, text, url, rules, always_generic=True)
    generic = reading.generic or GenericArticle()
    if feed is None:
        record = _generic_record(generic)
    else:
        record = _feed_record(reading, selector, url, feed)
    record["ms"] = round((time.perf_counter() - started) * 1000, 1)
    report: dict[str, Any] = {"url": url, "feed": feed.name if feed is not None else None}
    report.update(record)
    report["rules"] = _rule_results(reading, rules)
    report["generic"] = _generic_view(generic)
    report["fallbacks"] = list(reading.filled) if rules is not None else []
    report["warnings"] = _warnings(report, reading, rules, text, now)
    return report


def _generic_record(generic: GenericArticle) -> dict[str, Any]:
    lines = generic.text.split("\n") if generic.text else []
    return {
        "title": generic.title,
        "date": generic.date,
        "date_raw": generic.date_raw,
        "source": generic.source,
        "author": generic.author,
        "editor": generic.editor,
        "text": generic.text,
        "paragraphs": len(lines),
        "links": _link_count(generic.body),
    }


def _feed_record(
    reading: ArticleReading, selector: Selector, url: str, feed: Feed
) -> dict[str, Any]:
    """The record's fields as the feed's pipelines would write them."""
    raw = reading.raw
    title = " ".join((raw.title or "").split()) or None
    html, lines, bylines = clean_content(
        raw.body or "", url, title, boilerplate=feed.boilerplate, cut_after=feed.cut_after
    )
    moment = first_date(  # as DatePipeline: the page's date, then its fallbacks
        [raw.date, *date_fallbacks(selector, url), *raw.extra.get("date_fallbacks", [])]
    )
    return {
        "title": title,
        "date": format_date(moment) if moment is not None else None,
        "date_raw": raw.date,
        "source": raw.source or bylines.source or feed.source,
        "author": raw.author or bylines.author,
        "editor": raw.editor or bylines.editor,
        "text": "\n".join(lines),
        "paragraphs": len(lines),
        "links": _link_count(html),
    }


def _link_count(html: str | None) -> int:
    if not html or not html.strip():
        return 0
    return len(lxml_html.fragment_fromstring(html, create_parent="div").xpath(".//a[@href]"))


def _rule_results(reading: ArticleReading, rules: Any) -> dict[str, Any] | None:
    """Each rule's selector and what it matched (the body as text), None without rules."""
    if rules is None or reading.by_rules is None:
        return None
    results: dict[str, Any] = {}
    for name in ARTICLE_FIELDS:
        rule = getattr(rules, name, None)
        if rule is None:
            continue
        value = getattr(reading.by_rules, name)
        if name == "body" and value:
            value = "\n".join(html_to_lines(value))
        selector = rule.selector + (f" re {rule.re!r}" if rule.re else "")
        results[name] = {"rule": selector, "value": value or None}
    return results


def _generic_view(generic: GenericArticle) -> dict[str, Any]:
    view = _generic_record(generic)
    view["date_origin"] = generic.date_origin
    return view


def _warnings(
    report: dict[str, Any],
    reading: ArticleReading,
    rules: Any,
    text: str,
    now: datetime | None,
) -> list[str]:
    """What looks wrong: a challenge page, rules matching nothing, a missing title or
    date, a date in the future, a short body."""
    warnings = []
    if looks_like_js_challenge(text):
        warnings.append("the page is a JavaScript anti-bot challenge, not content (--render)")
    for name, result in (report["rules"] or {}).items():
        if result["value"] is None:
            filled = " (the generic extractor filled it)" if name in reading.filled else ""
            warnings.append(f"rule article.{name} {result['rule']!r} matched nothing{filled}")
    if not report["title"]:
        warnings.append("no title found")
    if report["date"] is None:
        warnings.append("no date found")
    else:
        moment = parse_date(report["date"])
        current = now or datetime.now(SHANGHAI)
        if moment is not None and moment > current + FUTURE_SLACK:
            warnings.append(f"the date {report['date']} is in the future")
    size = len(report["text"].replace("\n", ""))
    if size < SHORT_BODY:
        warnings.append(f"the body is suspiciously short ({size} characters)")
    return warnings


def examine_list(url: str, body: bytes, content_type: str, feed: Feed | None) -> dict[str, Any]:
    """The article links and next page of a list page: by the feed's list rules (an HTML
    feed's), and what the generic finder gets."""
    text = decode_page(body, content_type)
    started = time.perf_counter()
    selector = Selector(text=text, base_url=url)
    rules = feed.list if isinstance(feed, HtmlFeed) else None
    page = read_list_page(selector, url, rules)
    found = find_article_links(selector.root, url)
    return {
        "url": url,
        "feed": feed.name if feed is not None else None,
        "links": page.links,
        "how": page.how,
        "next_page": page.next_page,
        "next_how": page.next_how,
        "generic": {
            "links": found.links,
            "how": found.how,
            "next_page": find_next_page(selector.root, url),
        },
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "warnings": _list_warnings(page.links, text, feed),
    }


def _list_warnings(links: list[str], text: str, feed: Feed | None) -> list[str]:
    warnings = []
    if looks_like_js_challenge(text):
        warnings.append("the page is a JavaScript anti-bot challenge, not content (--render)")
    if isinstance(feed, JsonFeed):
        warnings.append(f"feed {feed.name!r} reads a JSON list API; this page read generically")
    if not links:
        warnings.append("no article links found")
    return warnings
