"""Sanitizing body HTML: keep the article's structure, drop everything executable or foreign.

The security core is nh3 (the Rust sanitizer ammonia, parsing with html5ever as a browser
does): it keeps a short list (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`), removes
:data:`DROPPED_TAGS` with their content and comments, unwraps any other tag (its text stays),
and judges every kept URL and style through :func:`.attributes.filter_attribute`. What it
returns is already safe; newsbot's tidying then works on that tree (empty placeholders,
paragraph indents, lazy images, absolute URLs) and writes it with every text escaped.
Clean input passes through unchanged, so a body taken from a post re-renders byte for byte.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import nh3
from lxml import html as lxml_html

from newsbot.core.clean.attributes import URL_SCHEMES, clean_url, filter_attribute, safe_url
from newsbot.core.clean.fragment import parse_fragment, serialize_fragment
from newsbot.core.encoding import drop_controls

__all__ = ["clean_url", "sanitize_html", "sanitize_tree"]

ALLOWED_TAGS = frozenset(
    [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "span",
        "div",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "sub",
        "sup",
        "pre",
        "code",
        "figure",
        "figcaption",
        "hr",
        "center",
    ]
)
#: Attributes kept, per tag ("*" = every allowed tag). Presentational ones the sources use
#: (align, style, class) stay so a body re-renders as the source showed it.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "style", "align", "title"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "width"}),
    "th": frozenset({"colspan", "rowspan", "width"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "width"}),
}
DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "embed",
        "input",
        "button",
        "select",
        "textarea",
        "option",
        "noscript",
        "link",
        "meta",
        "base",
        "svg",
        "source",
        "template",
        "math",
        "noembed",
        "noframes",
    ]
)
#: Containers whose content is fallback text a browser shows (or which hold the rest of a
#: body when left unclosed): unwrapped like any unknown tag, never dropped with their
#: content, so an unclosed ``<audio>`` or ``<form>`` cannot swallow the article.
FALLBACK_TAGS = frozenset({"object", "applet", "form", "canvas", "audio", "video"})
VOID_TAGS = frozenset({"embed", "input", "link", "meta", "base", "source", "param", "track", "wbr"})
_EMPTY_DROPPABLE = frozenset({"span", "font", "a", "strong", "b", "em", "i", "u"})
_LAZY_SOURCES = ("data-src", "data-original")
#: What the tidying acts on, found in nh3's output: an indent, a URL, an empty placeholder.
_NEEDS_TIDYING = re.compile(
    r"\u3000|<a\s|<img\s|>\s*</(?:" + "|".join(sorted(_EMPTY_DROPPABLE)) + r")>"
)

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_TAGS),
    attributes={
        tag: set(names | ({*_LAZY_SOURCES} if tag == "img" else set()))
        for tag, names in ALLOWED_ATTRIBUTES.items()
    },
    attribute_filter=filter_attribute,
    strip_comments=True,
    link_rel=None,
    url_schemes=set(URL_SCHEMES),
    url_relative="pass_through",
)


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Keep the article's structure and drop everything executable or foreign.

    Control characters go first. nh3 removes DROPPED_TAGS with their content, comments,
    attributes outside ALLOWED_ATTRIBUTES (so every ``on*`` handler), URLs outside the
    allowed schemes and dangerous style declarations, and unwraps other tags. Then the
    tidying: empty placeholders go, full-width paragraph indents are stripped, lazy images
    get their ``src``, link and image URLs become absolute.
    """
    safe = _nh3_clean(html)
    if not _NEEDS_TIDYING.search(safe):
        return safe.strip()  # nothing to tidy: nh3's output is the answer
    root = parse_fragment(safe)
    _tidy(root, base_url)
    return serialize_fragment(root).strip()


def sanitize_tree(html: str, base_url: str | None = None) -> lxml_html.HtmlElement | None:
    """:func:`sanitize_html`'s result as a parsed fragment (None when nothing is left),
    for a caller that goes on working on the tree (the cleaning: one parse per body)."""
    safe = _nh3_clean(html)
    if not safe.strip():
        return None
    root = parse_fragment(safe)
    if _NEEDS_TIDYING.search(safe):
        _tidy(root, base_url)
    return root


def _nh3_clean(html: str) -> str:
    """nh3's output for the body without its control characters ("" for an empty one)."""
    if not html or not html.strip():
        return ""
    return _CLEANER.clean(drop_controls(html))


def _tidy(root: lxml_html.HtmlElement, base_url: str | None) -> None:
    """Empty placeholders, paragraph indents, lazy images and relative URLs (in place)."""
    for node in list(root.iter(*_EMPTY_DROPPABLE)):
        if not len(node) and not (node.text or "").strip():
            node.drop_tag()  # empty placeholders (East Money's quote_ spans), tail kept
    for node in root.iter("a", "img"):
        _tidy_urls(node, base_url)
    for node in root.iter("p", "div", "li", "td", "br"):
        _strip_indent(node)
        if node.tag == "br" and node.tail:
            tail = _without_indent(node.tail)
            if tail is not None:
                node.tail = tail


def _strip_indent(element: lxml_html.HtmlElement) -> None:
    """Drop the full-width-space paragraph indent East Money and bank pages use."""
    text = element.text
    stripped = _without_indent(text) if text else None
    if stripped is not None:
        element.text = stripped
    elif not (text or "").strip() and len(element) and element[0].tag in ("span", "font"):
        _strip_indent(element[0])


def _without_indent(text: str) -> str | None:
    """The text without its leading indent (``^[ \\t\\r\\n]*\\u3000+``: ASCII space,
    then full-width spaces), or None if it has none; by ``str`` methods, several times
    faster than that regex on a paragraph's text."""
    after_space = text.lstrip(" \t\r\n")
    if not after_space.startswith("\u3000"):
        return None
    return after_space.lstrip("\u3000")


def _tidy_urls(node: lxml_html.HtmlElement, base_url: str | None) -> None:
    """A lazy image's source becomes its ``src``; kept URLs become absolute."""
    if node.tag == "img":
        lazy = [node.attrib.pop(name) for name in _LAZY_SOURCES if name in node.attrib]
        if lazy and not node.get("src"):
            node.set("src", lazy[0])
    for name in ("href", "src"):
        value = node.get(name)
        if value is None:
            continue
        url = safe_url(value)  # already judged by nh3's filter: this only re-checks
        if url is None:
            del node.attrib[name]
        else:
            node.set(name, urljoin(base_url, url) if base_url else url)
