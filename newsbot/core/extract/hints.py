"""Date hints outside the article's own date text: page metadata and the URL."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from parsel import Selector

_META_DATE_QUERIES = (
    "//meta[@property='article:published_time']/@content",
    "//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'pubdate' or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    " 'abcdefghijklmnopqrstuvwxyz') = 'publishdate']/@content",
    "//*[@itemprop='datePublished']/@content",
)
_URL_DATES = (
    re.compile(r"/(?:20\d{4}/)?t((?:19|20)\d{6})_"),  # TRS: /202203/t20220325_123.html
    re.compile(r"/a/((?:19|20)\d{6})\d{10}\.html"),  # East Money: /a/202203252323545653.html
    re.compile(
        r"[/_-]((?:19|20)\d{2}[-/]?[01]\d[-/]?[0-3]\d)(?=[/_.-])"
    ),  # /2022-03-25/, /20220325/
)


def metadata_dates(page: Selector) -> list[str]:
    """Date texts from a page's metadata: Open Graph, PubDate meta tags, JSON-LD."""
    found = [value.strip() for query in _META_DATE_QUERIES for value in page.xpath(query).getall()]
    for script in page.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for block in data if isinstance(data, list) else [data]:
            if isinstance(block, Mapping) and block.get("datePublished"):
                found.append(str(block["datePublished"]))
    return [value for value in found if value]


def url_date(url: str) -> str | None:
    """A date written into the URL's path (``YYYYMMDD``), if there is one."""
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match:
            return re.sub(r"\D", "", match.group(1))
    return None


def date_fallbacks(page: Selector | None, url: str) -> list[str]:
    """Date texts to try, in order, when the article's own date text fails."""
    hints = metadata_dates(page) if page is not None else []
    from_url = url_date(url)
    return [*hints, from_url] if from_url else hints
