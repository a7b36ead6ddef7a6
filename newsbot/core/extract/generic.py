"""A generic extractor for Chinese news pages: no selectors, no network, no Scrapy. Pure.

A page's text (or bytes) and URL in, a :class:`GenericArticle` out. The recipe
(docs/extraction.md):

- **title**: the on-page heading (h1/h2/h3 or an element whose class/id says title) that
  matches ``<title>`` once the site's suffix (``_东方财富网``, ``-中国人民银行``) is removed;
- **container**: from ``<body>`` down into the child holding most of the non-link text
  after the title, while it holds most of it (:mod:`.generic_body`) — total text, not
  density, so many short blocks count; never ``<body>``, never a list column (link text
  does not count); comment sections, footers, menus and share bars are dropped first;
- **publish zone**: the text between the title and the container (and the container's
  leading 来源/发布时间 lines): the date nearest the title and the bylines come from it;
- **date**: that printed date-time (year-less and relative forms against the crawl time or
  the page's own timestamp), else ``<meta>``, JSON-LD and script times;
- **body**: the container's HTML, cut at 责任编辑, 本文来源, 免责声明, 相关阅读 …; its text
  one line per block, bare text and ``<br>`` breaking paragraphs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from newsbot.core.clean.bylines import split_bylines
from newsbot.core.clean.text import clean_body, tree_to_lines
from newsbot.core.dates import format_date
from newsbot.core.encoding import choose_encoding
from newsbot.core.extract.generic_body import (
    choose_container,
    cut_lines,
    cut_markers,
    drop_chrome,
    drop_markers,
    strip_head,
)
from newsbot.core.extract.generic_meta import (
    DATE_TEXT,
    choose_date,
    find_bylines,
    find_title,
    labelled_dates,
    meta_dates,
    page_clock,
    printed_date,
    reporter,
    squash,
)
from newsbot.core.extract.hints import url_date
from newsbot.core.markup import serialize_children

#: Longer body lines are paragraphs or teasers, never a 来源/作者/编辑 byline.
BYLINE_LINE = 60
#: How many texts after the body are read for bylines.
AFTER_TEXTS = 4


@dataclass(frozen=True)
class GenericArticle:
    """What the generic extractor found on one page (None: not found)."""

    title: str | None = None
    #: ``YYYY-MM-DD HH:MM:SS +0800``.
    date: str | None = None
    #: The date as printed (or as the metadata gives it).
    date_raw: str | None = None
    #: Where the date came from: ``printed`` (on the page), ``metadata`` or ``url``.
    date_origin: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    #: The container's HTML, chrome cut (not sanitized: the clean step does that).
    body: str | None = None
    #: Paragraphs joined by ``\n``.
    text: str = ""


def decode_page(page: str | bytes, content_type: str = "") -> str:
    """A page's text; bytes are decoded in the charset they are really in
    (:func:`newsbot.core.encoding.choose_encoding`), with replacement when none fits."""
    if isinstance(page, str):
        return page
    choice = choose_encoding(page, content_type, "utf-8")
    return page.decode(choice.encoding or "utf-8", errors="replace")


def parse_page(text: str) -> lxml_html.HtmlElement | None:
    """The page's document tree, or None when it has no markup."""
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def extract_generic(
    page: str | bytes,
    url: str = "",
    *,
    content_type: str = "",
    crawl_time: datetime | None = None,
) -> GenericArticle:
    """Title, date, bylines and body of a Chinese news article page, without selectors.

    ``crawl_time`` resolves year-less and relative dates (今天 10:30, 5分钟前); without it
    they count from the page's own metadata timestamp, else from now. ``url`` gives the
    last date fallback (``/202204/t20220401_…``); links are left as found (the clean step
    makes them absolute)."""
    doc = parse_page(decode_page(page, content_type))
    if doc is None:
        return GenericArticle()
    metas = meta_dates(doc)
    work = copy.deepcopy(doc)
    title, heading = find_title(work)
    drop_chrome(work, heading)
    body = work.find("body")
    container = choose_container(body, heading) if body is not None else None
    pieces = _publish_zone(work, heading, container)
    after = _texts_after(work, container)
    lines: list[str] = []  # the container's text, before boilerplate is stripped
    stripped: list[str] = []
    body_html = None
    if container is not None:
        pieces.extend(strip_head(container, heading, title or ""))
        lines = tree_to_lines(container)
        body_html, stripped = clean_body(  # one parse: the stripped HTML and its lines
            serialize_children(container),
            title,
            boilerplate=drop_markers(),
            cut_after=cut_markers(),
        )
    zone = [" ".join(pieces)] if pieces else []
    raw, moment, origin = _date(work, container, zone, lines, metas, url, crawl_time)
    text_lines, edge = split_bylines(cut_lines(stripped))
    short = [line for line in lines if len(line) <= BYLINE_LINE]
    found = find_bylines(pieces, zone, short, after)
    return GenericArticle(
        title=title,
        date=format_date(moment) if moment is not None else None,
        date_raw=raw,
        date_origin=origin,
        source=found.get("source") or edge.source,
        author=found.get("author") or edge.author or reporter([*text_lines[:1], *pieces]),
        editor=found.get("editor") or edge.editor,
        body=body_html,
        text="\n".join(line for line in text_lines if line != title),
    )


def _date(
    work: lxml_html.HtmlElement,
    container: lxml_html.HtmlElement | None,
    zone: list[str],
    lines: list[str],
    metas: list[str],
    url: str,
    crawl_time: datetime | None,
) -> tuple[str | None, datetime | None, str | None]:
    """The publish date (raw, parsed, origin): printed in the publish zone, else metadata,
    else after a publish label before the body, a release's signature, the URL."""
    signed = [line for line in lines[-3:] if DATE_TEXT.fullmatch(line)]  # a release's signature
    labelled = labelled_dates(_texts_before(work, container))
    from_url = url_date(url)
    fallbacks = [*metas, *labelled, *signed, *([from_url] if from_url else [])]
    clock = page_clock(metas, crawl_time)
    raw, moment = choose_date(zone, fallbacks, clock)
    if raw is None:
        return None, None, None
    printed = printed_date(zone, clock) is not None or raw in (*labelled, *signed)
    return raw, moment, "printed" if printed else _origin(raw, from_url)


def _origin(raw: str, from_url: str | None) -> str:
    return "url" if raw == from_url else "metadata"


def _texts_before(doc: lxml_html.HtmlElement, container: lxml_html.HtmlElement | None) -> list[str]:
    """The page's texts before the container (all of them without one), in page order,
    as one string: where a publish label and its date may sit in different cells."""
    ancestors = set() if container is None else set(container.iterancestors())
    texts: list[str] = []
    for element in doc.iter():
        if element is container:
            break
        if isinstance(element.tag, str):
            tail = None if element in ancestors else element.tail
            texts.extend(t for t in (squash(element.text), squash(tail)) if t)
    return [" ".join(texts)]


def _publish_zone(
    doc: lxml_html.HtmlElement,
    heading: lxml_html.HtmlElement | None,
    container: lxml_html.HtmlElement | None,
) -> list[str]:
    """Texts after the title element and before the container, in page order, one per
    text node (joined, they are the publish zone the date is read from)."""
    if heading is None or container is None:
        return []
    after = False
    inside = {heading, *heading.iterdescendants()}
    texts: list[str] = []
    for element in doc.iter():
        if element is container:
            break
        if element in inside:
            after = True
            continue
        if after and isinstance(element.tag, str):
            texts.extend(t for t in (squash(element.text), squash(element.tail)) if t)
    return texts


def _texts_after(doc: lxml_html.HtmlElement, container: lxml_html.HtmlElement | None) -> list[str]:
    """The first :data:`AFTER_TEXTS` short texts after the container, where a page often
    signs its editor (``<div class="editor">责任编辑：王洋</div>`` below the body)."""
    if container is None:
        return []
    inside = set(container.iter())
    texts: list[str] = []
    seen = False
    for element in doc.iter():
        if element in inside:
            seen = True
            continue
        if seen and isinstance(element.tag, str):
            texts.extend(t for t in (squash(element.text), squash(element.tail)) if t)
        if len(texts) >= AFTER_TEXTS:
            break
    return [text for text in texts[:AFTER_TEXTS] if len(text) <= BYLINE_LINE]
