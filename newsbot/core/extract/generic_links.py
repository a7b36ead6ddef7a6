"""Article links and the next page of a list page, without selectors. Pure.

The recipe (docs/extraction.md, "List pages without selectors"):

- **candidates**: ``<a href>`` on the page's own site whose anchor text (or ``title``) is
  headline-length, outside page chrome (``<nav>``, ``<header>``, ``<footer>``, ``<aside>``
  and elements whose class/id says nav, menu, footer, sidebar, breadcrumb, hot, rank …);
- **article shape**: when some candidates' URLs carry a date (``/202203/t20220330_…``,
  ``20220329_…``, ``/2022/03/30/``) or a long id (``c7456710``, ``2536127``, a GUID), only
  those count;
- **the main list**: candidates are grouped by their list (the parent of their ``<li>``,
  ``<tr>`` or ``<dd>``, else the lowest element holding two of them); the group with most
  links wins (a list printing dates beats one that does not; then the earlier one), and
  sibling lists of the same tag and class join it (a list in two columns);
- **the next page**: a link reading 下一页 / 下页 / 后页 / > / › / » / next, or ``rel=next``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from posixpath import dirname, splitext
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from newsbot.core.extract.generic_meta import squash

#: Headline length bounds (characters of anchor text).
HEADLINE_MIN, HEADLINE_MAX = 6, 120
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
_CHROME = re.compile(
    r"nav|menu|foot|crumb|sidebar|copyright|friend|(?:^|[\s_-])(?:top|header|head|side"
    r"|hot|rank|recommend|related|links?|tags?|share|position|location)(?:$|[\s_-])",
    re.IGNORECASE,
)
_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt"})
_DATE_IN_URL = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?:[-_/]?(?:0[1-9]|1[0-2]))(?:[-_/]?(?:0[1-9]|[12]\d|3[01]))?(?!\d)"
)
_LONG_ID = re.compile(r"\d{5,}|[0-9a-f]{8}-[0-9a-f]{4}-|[0-9a-f]{16,}", re.IGNORECASE)
_DATE_TEXT = re.compile(r"(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}|\d{1,2}[-/]\d{1,2}(?!\d)")
_NEXT_TEXT = re.compile(
    r"下一?页|下一頁|后一?页|next(?:\s*page)?|[>›»＞]|下一页\s*[>›»]+|\[下一页\]", re.IGNORECASE
)
_TWO_PART_SUFFIXES = frozenset({"com", "gov", "org", "net", "edu", "ac"})


@dataclass(frozen=True)
class FoundLinks:
    """Article links a list page gives, and how they were found (for ``newsbot doctor``)."""

    links: list[str]
    #: e.g. ``heuristic: main list ul#list, 2 links, URLs with a date or long id``.
    how: str


def site_of(host: str) -> str:
    """The registered site of a host: ``www.boc.cn`` → ``boc.cn``, ``a.b.com.cn`` → ``b.com.cn``."""
    labels = host.lower().split(".")
    keep = 3 if len(labels) > 2 and labels[-2] in _TWO_PART_SUFFIXES else 2
    return ".".join(labels[-keep:])


def article_shaped(url: str) -> bool:
    """Whether a URL's path or query carries a date or a long id, as article URLs do."""
    parts = urlsplit(url)
    where = f"{parts.path}?{parts.query}"
    return bool(_DATE_IN_URL.search(where) or _LONG_ID.search(where))


def in_chrome(element: lxml_html.HtmlElement) -> bool:
    """Whether an element sits in page chrome (navigation, header, footer, sidebar)."""
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str):
            continue
        if node.tag in _CHROME_TAGS:
            return True
        words = f"{node.get('class', '')} {node.get('id', '')}".strip()
        if words and _CHROME.search(words):
            return True
    return False


def _href(anchor: lxml_html.HtmlElement, base_url: str) -> str | None:
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    url = urljoin(base_url, href).split("#", 1)[0]
    return url if url.startswith(("http://", "https://")) else None


def _candidates(
    doc: lxml_html.HtmlElement, base_url: str
) -> list[tuple[lxml_html.HtmlElement, str]]:
    """(anchor, absolute URL) of each headline link on the page's site, outside chrome."""
    site = site_of(urlsplit(base_url).hostname or "")
    found = []
    for anchor in doc.iter("a"):
        url = _href(anchor, base_url)
        if url is None or url == base_url or site_of(urlsplit(url).hostname or "") != site:
            continue
        text = squash(anchor.text_content()) or squash(anchor.get("title"))
        if not HEADLINE_MIN <= len(text) <= HEADLINE_MAX or text.isdigit():
            continue
        if not in_chrome(anchor):
            found.append((anchor, url))
    return found


def _containers(
    anchors: list[lxml_html.HtmlElement],
) -> list[lxml_html.HtmlElement]:
    """Each anchor's list: the parent of its item element, else the lowest ancestor that
    holds two candidates, else its parent."""
    held: Counter[lxml_html.HtmlElement] = Counter()
    for anchor in anchors:
        held.update(anchor.iterancestors())
    result = []
    for anchor in anchors:
        item = next((a for a in anchor.iterancestors() if a.tag in _ITEM_TAGS), None)
        if item is not None and item.getparent() is not None:
            result.append(item.getparent())
            continue
        shared = next((a for a in anchor.iterancestors() if held[a] >= 2), None)
        result.append(shared if shared is not None else anchor.getparent())
    return result


def _dated(container: lxml_html.HtmlElement) -> bool:
    """Whether a list prints dates outside its links (a news list does)."""
    texts = [squash(t) for t in container.xpath(".//text()[not(ancestor::a)]")]
    return any(_DATE_TEXT.search(text) for text in texts if text)


def _describe(element: lxml_html.HtmlElement) -> str:
    """A CSS-like name of an element (``ul#list``, ``div#main > ul``)."""
    name = str(element.tag)
    if element.get("id"):
        return f"{name}#{element.get('id')}"
    classes = (element.get("class") or "").split()
    parent = element.getparent()
    if not classes and parent is not None and parent.tag != "body":
        return f"{_describe(parent)} > {name}"
    return name + "".join(f".{c}" for c in classes[:2])


def find_article_links(doc: lxml_html.HtmlElement, base_url: str) -> FoundLinks:
    """The article links of a list page's main list, in page order (module docstring)."""
    found = _candidates(doc, base_url)
    shaped = [pair for pair in found if article_shaped(pair[1])]
    pool = shaped or found
    if not pool:
        return FoundLinks([], "heuristic: no headline links outside navigation")
    containers = _containers([anchor for anchor, _ in pool])
    groups: dict[lxml_html.HtmlElement, list[str]] = {}
    for container, (_, url) in zip(containers, pool, strict=True):
        groups.setdefault(container, []).append(url)
    order = {element: index for index, element in enumerate(doc.iter())}

    def score(container: lxml_html.HtmlElement) -> tuple[float, int]:
        weight = 1.5 if _dated(container) else 1.0
        return (len(set(groups[container])) * weight, -order.get(container, 0))

    best = max(groups, key=score)
    chosen = [
        c for c in groups if c is best or (c.getparent() is best.getparent() and _alike(c, best))
    ]
    links = [url for c in sorted(chosen, key=order.__getitem__) for url in groups[c]]
    if not shaped:
        links = _same_template(links)
    shape = "URLs with a date or long id" if shaped else "URLs of one folder and suffix"
    unique = list(dict.fromkeys(links))
    where = " + ".join(_describe(c) for c in chosen)
    return FoundLinks(unique, f"heuristic: main list {where}, {len(unique)} links, {shape}")


def _alike(one: lxml_html.HtmlElement, other: lxml_html.HtmlElement) -> bool:
    """Whether two sibling lists are columns of one list (same tag, same class)."""
    return bool(one.tag == other.tag and one.get("class") == other.get("class"))


def _same_template(links: list[str]) -> list[str]:
    """The links sharing the most common folder and file suffix."""

    def template(url: str) -> tuple[str, str]:
        path = urlsplit(url).path
        return dirname(path), splitext(path)[1]

    if not links:
        return links
    common, _ = Counter(template(url) for url in links).most_common(1)[0]
    return [url for url in links if template(url) == common]


def find_next_page(doc: lxml_html.HtmlElement, base_url: str) -> str | None:
    """The next list page's URL: a ``rel=next`` link, else a link reading 下一页, 下页,
    后页, >, ›, », next …; None on the last page (no link, or one without a real href)."""
    for element in doc.xpath("//link[@rel='next'] | //a[@rel='next']"):
        url = _href(element, base_url)
        if url and url != base_url:
            return url
    for anchor in doc.iter("a"):
        text = squash(anchor.text_content()) or squash(anchor.get("title"))
        if text and _NEXT_TEXT.fullmatch(text):
            url = _href(anchor, base_url)
            if url and url != base_url:
                return url
    return None
