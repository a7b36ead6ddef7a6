"""Extraction by selectors: an HTML page and a feed's rules in, raw article fields out.

Selectors are CSS, or XPath when they start with ``/``, ``(`` or ``./`` (:func:`is_xpath`).
The rules are anything shaped like :class:`ArticleRulesLike` (the feeds.yaml models are),
so this room needs nothing from :mod:`newsbot.config`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector, SelectorList

from newsbot.core.markup import serialize_children

_SPACES = re.compile(r"\s+")
#: XPath's string value of a node (all its text), compiled once, not once per node.
_STRING_VALUE = etree.XPath("string(.)", smart_strings=False)


def is_xpath(selector: str) -> bool:
    """Tell an XPath selector from a CSS one."""
    return selector.lstrip().startswith(("/", "(", "./"))


class FieldRuleLike(Protocol):
    """Where one field is on a page (what :class:`newsbot.config.FieldRule` provides)."""

    @property
    def selector(self) -> str: ...

    @property
    def re(self) -> str | None: ...


class ArticleRulesLike(Protocol):
    """Selectors of an article page's fields (what :class:`newsbot.config.ArticleRules` has)."""

    @property
    def title(self) -> FieldRuleLike: ...

    @property
    def body(self) -> FieldRuleLike: ...

    @property
    def date(self) -> FieldRuleLike | None: ...

    @property
    def source(self) -> FieldRuleLike | None: ...

    @property
    def author(self) -> FieldRuleLike | None: ...

    @property
    def editor(self) -> FieldRuleLike | None: ...

    @property
    def remove(self) -> Sequence[str]: ...


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
    raw = root if isinstance(root, str) else str(_STRING_VALUE(root))
    return _SPACES.sub(" ", raw.replace("\u3000", " ")).strip()


def select_text(page: Selector, rule: FieldRuleLike | None) -> str | None:
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


def select_body(page: Selector, rule: FieldRuleLike, remove: Iterable[str] = ()) -> str | None:
    """Inner HTML of the first element the body rule matches, minus ``remove`` matches."""
    for node in select(page, rule.selector):
        if isinstance(node.root, str):
            continue
        if not remove:
            return inner_html(node.root)
        element = copy.deepcopy(node.root)  # the page itself stays whole
        wrapper = Selector(root=element, type="html")
        for query in remove:
            for unwanted in select(wrapper, query):
                if not isinstance(unwanted.root, str) and unwanted.root.getparent() is not None:
                    unwanted.root.drop_tree()
        return inner_html(element)
    return None


def extract_article(page: Selector, rules: ArticleRulesLike) -> RawArticle:
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
