"""Sanitizing body HTML: keep the article's structure, drop everything executable or foreign.

What the sanitizer keeps is a short list (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`);
:data:`DROPPED_TAGS` go with their content; any other tag is unwrapped (its text stays).
Clean input passes through unchanged, so a body taken from a post re-renders byte for byte.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import html as lxml_html

from newsbot.core.clean.fragment import parse_fragment, serialize_fragment

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
        "object",
        "embed",
        "applet",
        "form",
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
        "canvas",
        "audio",
        "video",
        "source",
        "template",
    ]
)
VOID_TAGS = frozenset({"embed", "input", "link", "meta", "base", "source", "param", "track", "wbr"})
_EMPTY_DROPPABLE = frozenset({"span", "font", "a", "strong", "b", "em", "i", "u"})
_URL_ATTRIBUTES = ("href", "src")
_INDENT = re.compile(r"^[ \t\r\n]*\u3000+")


def _strip_indent(element: lxml_html.HtmlElement) -> None:
    """Drop the full-width-space paragraph indent East Money and bank pages use."""
    if element.text and _INDENT.match(element.text):
        element.text = _INDENT.sub("", element.text)
    elif not (element.text or "").strip() and len(element) and element[0].tag in ("span", "font"):
        _strip_indent(element[0])


#: SVG and MathML: dropped with their content, unless an unclosed one swallowed the body.
FOREIGN_TAGS = frozenset({"svg", "math"})
#: HTML blocks that never belong inside a real SVG or MathML element.
_BODY_BLOCKS = "p|div|table|ul|ol|h1|h2|h3|h4|h5|h6|blockquote|section|article"
_URL_EDGE = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_BREAKS = re.compile(r"[\t\n\r]")
_URL_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)


def _swallowed_the_body(node: lxml_html.HtmlElement) -> bool:
    """Whether a foreign element holds HTML blocks: libxml2 nests everything after an
    unclosed ``<svg>`` or ``<math>`` inside it."""
    return bool(node.xpath(" | ".join(f".//{tag}" for tag in _BODY_BLOCKS.split("|"))))


def clean_url(value: str) -> str:
    """A URL attribute as a browser reads it: leading and trailing controls and spaces cut,
    tabs and line breaks removed (so ``java\tscript:`` is seen for what it is), any other
    control character percent-encoded (lxml cannot hold them, and they are never meant)."""
    value = _URL_BREAKS.sub("", _URL_EDGE.sub("", value))
    return _URL_CONTROLS.sub(lambda match: f"%{ord(match.group()):02X}", value)


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Keep the article's structure and drop everything executable or foreign.

    Removes DROPPED_TAGS with their content, comments, attributes outside
    ALLOWED_ATTRIBUTES (so every ``on*`` handler) and ``javascript:`` URLs; unwraps other
    unknown tags; strips full-width paragraph indents; makes link and image URLs absolute.
    """
    if not html or not html.strip():
        return ""
    root = parse_fragment(html)
    for node in list(root.iter()):
        if node is root:
            continue
        if not isinstance(node.tag, str):  # comments, processing instructions
            node.drop_tree()
            continue
        tag = node.tag.lower()
        if tag in VOID_TAGS and tag not in ALLOWED_TAGS:
            # libxml2 may nest what follows an unclosed void tag inside it: keep that.
            node.drop_tag()
        elif tag in DROPPED_TAGS:
            if tag in FOREIGN_TAGS and _swallowed_the_body(node):
                node.drop_tag()  # an unclosed <svg>/<math>: keep the article it swallowed
            else:
                node.drop_tree()
        elif tag not in ALLOWED_TAGS:
            node.drop_tag()
    for node in list(root.iter()):
        if node is root or not isinstance(node.tag, str):
            continue
        if node.tag in _EMPTY_DROPPABLE and not len(node) and not (node.text or "").strip():
            node.drop_tag()  # empty placeholders (East Money's quote_ spans), tail kept
            continue
        _clean_attributes(node, base_url)
        if node.tag in ("p", "div", "li", "td", "br"):
            _strip_indent(node)
        if node.tag == "br" and node.tail and _INDENT.match(node.tail):
            node.tail = _INDENT.sub("", node.tail)
    return serialize_fragment(root).strip()


def _clean_attributes(node: lxml_html.HtmlElement, base_url: str | None) -> None:
    allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(node.tag, frozenset())
    if node.tag == "img" and not node.get("src"):
        lazy = node.get("data-src") or node.get("data-original")
        if lazy:
            node.set("src", lazy)
    for name in list(node.attrib):
        value = node.attrib[name]
        if name.lower() not in allowed:
            del node.attrib[name]
        elif name in _URL_ATTRIBUTES:
            url = clean_url(value)
            if _UNSAFE_SCHEME.match(url) and not (
                node.tag == "img" and url.lower().startswith("data:image/")
            ):
                del node.attrib[name]
            else:
                node.set(name, urljoin(base_url, url) if base_url else url)
