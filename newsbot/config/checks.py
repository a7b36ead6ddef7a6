"""Checks the feed models run on their fields: selectors compile, URLs are absolute
http(s), templates parse; and the URLs a feed declares."""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

from parsel import Selector

from newsbot.core.extract.selectors import is_xpath


def check_selector(selector: str) -> str:
    """Compile a CSS (or, when it starts with ``/`` or ``(``, XPath) selector or raise."""
    probe = Selector(text="<html><body></body></html>")
    try:
        if is_xpath(selector):
            probe.xpath(selector)
        else:
            probe.css(selector)
    except (ValueError, SyntaxError) as exc:  # cssselect's SelectorSyntaxError is a SyntaxError
        raise ValueError(f"invalid selector {selector!r}: {exc}") from None
    return selector


def check_regex(pattern: str | None) -> str | None:
    """The pattern, if it compiles as a Python regex (else ValueError); None stays None."""
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
    return pattern


def check_url(url: str) -> str:
    """The URL, if it is an absolute http(s) URL (else ValueError)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an absolute http(s) URL (got {url!r})")
    return url


def declared_urls(feed: object) -> list[str]:
    """The start URLs and URL templates a feed declares (whatever its flow)."""
    urls = list(getattr(feed, "start_urls", []))
    list_api, article_api = getattr(feed, "list_api", None), getattr(feed, "article_api", None)
    if list_api is not None:
        urls += [list_api.url, list_api.link]
    if article_api is not None:
        urls.append(article_api.url)
    check = getattr(feed, "check_url", None)
    if check:
        urls.append(check)
    return urls


def template_fields(template: str) -> set[str]:
    """The placeholders a str.format template uses (ValueError if it does not parse)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from None
