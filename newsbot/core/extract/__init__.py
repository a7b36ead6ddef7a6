"""Pure extraction: a page (HTML or JSON) and a feed's rules in, raw article fields out.

Nothing here cleans or parses dates; it only finds things. Selectors are CSS, or XPath
when they start with ``/`` or ``(`` (see :func:`newsbot.config.is_xpath`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from parsel import Selector, SelectorList

from newsbot.config import ArticleRules, FieldRule, is_xpath
from newsbot.core.markup import serialize_children

_SPACES = re.compile(r"\s+")


@dataclass
class RawArticle:
    """Fields as found on the page, before cleaning and date parsing."""

    title: str | None = None
    date: str | None = None
    body: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def merged_with(self, preferred: Mapping[str, Any]) -> RawArticle:
        """A copy where the non-empty values of ``preferred`` win (e.g. list-API fields)."""
        values = {name: getattr(self, name) for name in ARTICLE_FIELDS}
        for name, value in preferred.items():
            if name in values and value not in (None, ""):
                values[name] = str(value)
        return RawArticle(**values, extra=dict(self.extra))


ARTICLE_FIELDS = ("title", "date", "body", "source", "author", "editor")


def select(selector: Selector | SelectorList[Selector], query: str) -> SelectorList[Selector]:
    """Apply a CSS or XPath query."""
    return selector.xpath(query) if is_xpath(query) else selector.css(query)


def node_text(node: Selector) -> str:
    """Whitespace-normalized text of a matched node (element or string)."""
    root = node.root
    raw = root if isinstance(root, str) else "".join(node.xpath("string(.)").getall())
    return _SPACES.sub(" ", raw.replace("\u3000", " ")).strip()


def select_text(page: Selector, rule: FieldRule | None) -> str | None:
    """First non-empty text the rule matches, narrowed by its regex when it has one."""
    if rule is None:
        return None
    pattern = re.compile(rule.re) if rule.re else None
    for node in select(page, rule.selector):
        text = node_text(node)
        if not text:
            continue
        if pattern is None:
            return text
        match = pattern.search(text)
        if match:
            return (match.group(1) if match.groups() else match.group(0)).strip()
    return None


def inner_html(element: lxml_html.HtmlElement) -> str:
    """An element's content as HTML, without the element's own tag."""
    return serialize_children(element)


def select_body(page: Selector, rule: FieldRule, remove: Iterable[str] = ()) -> str | None:
    """Inner HTML of the first element the body rule matches, minus ``remove`` matches."""
    for node in select(page, rule.selector):
        if isinstance(node.root, str):
            continue
        element = copy.deepcopy(node.root)
        wrapper = Selector(root=element, type="html")
        for query in remove:
            for unwanted in select(wrapper, query):
                if not isinstance(unwanted.root, str) and unwanted.root.getparent() is not None:
                    unwanted.root.drop_tree()
        return inner_html(element)
    return None


def extract_article(page: Selector, rules: ArticleRules) -> RawArticle:
    """Find every field of an HTML article page by the feed's selectors."""
    return RawArticle(
        title=select_text(page, rules.title),
        date=select_text(page, rules.date),
        body=select_body(page, rules.body, rules.remove),
        source=select_text(page, rules.source),
        author=select_text(page, rules.author),
        editor=select_text(page, rules.editor),
    )


def extract_links(page: Selector, query: str, base_url: str) -> list[str]:
    """Absolute URLs of the links a selector matches (``<a>`` elements or href strings)."""
    return list(dict.fromkeys(link for link in _hrefs(page, query, base_url) if link))


def _hrefs(page: Selector, query: str, base_url: str) -> list[str | None]:
    """One entry per node the selector matches: its absolute URL, or None if not a link."""
    hrefs: list[str | None] = []
    for node in select(page, query):
        href = node.root if isinstance(node.root, str) else node.attrib.get("href")
        href = (href or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            hrefs.append(None)
        else:
            hrefs.append(urljoin(base_url, href))
    return hrefs


def extract_dated_links(
    page: Selector, links_query: str, dates_query: str, base_url: str
) -> list[tuple[str, str]] | None:
    """(URL, date text) of each link, pairing the n-th link node with the n-th date node;
    None when the two selectors match different numbers of nodes (pairing would lie)."""
    hrefs = _hrefs(page, links_query, base_url)
    dates = [node_text(node) or "" for node in select(page, dates_query)]
    if len(hrefs) != len(dates):
        return None
    pairs: dict[str, str] = {}
    for href, date_text in zip(hrefs, dates, strict=True):
        if href is not None and href not in pairs:
            pairs[href] = date_text
    return list(pairs.items())


_MISSING = object()


def json_path(data: Any, dotted: str) -> Any:
    """Follow a dotted path (``data.list``, ``rows.0.title``) into JSON; None when absent."""
    current = data
    for part in dotted.split("."):
        if isinstance(current, Mapping):
            current = current.get(part, _MISSING)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
        if current is _MISSING:
            return None
    return current


def json_fields(data: Any, paths: Mapping[str, str]) -> dict[str, Any]:
    """Article fields read from JSON by a mapping of field name → dotted path."""
    return {name: json_path(data, path) for name, path in paths.items()}


def parse_jsonp(text: str) -> str:
    """Strip a JSONP wrapper or ``var x = …;`` prefix, returning the JSON text."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        return stripped
    match = re.match(r"^(?:var\s+\w+\s*=\s*|[\w.$]+\s*\()(.*?)\)?;?\s*$", stripped, re.DOTALL)
    return match.group(1) if match else stripped


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


_CHALLENGE_MARKERS = re.compile(
    r"wzwschallenge|WZWS_CONFIRM|请开启JavaScript|enable JavaScript|__jsl_clearance|acw_sc__v2",
    re.IGNORECASE,
)


def looks_like_js_challenge(html: str) -> bool:
    """Whether a page is an anti-bot JavaScript challenge rather than content (e.g. PBOC's
    "网站卫士" page: a tiny body, a <noscript> notice and a cookie-setting script)."""
    head = html[:20_000]
    return bool(_CHALLENGE_MARKERS.search(head)) and len(re.sub(r"<[^>]+>|\s", "", head)) < 8000
