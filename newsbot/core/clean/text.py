"""Plain text of body HTML: one line per block, spaces normalized."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree
from lxml import html as lxml_html

from newsbot.core.clean.boilerplate import strip_boilerplate_in_place
from newsbot.core.clean.fragment import (
    LINE_SPACE_CHARS,
    collapse_space,
    parse_fragment,
    serialize_fragment,
)
from newsbot.core.clean.sanitize import DROPPED_TAGS

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "figure",
        "figcaption",
        "hr",
        "center",
        "section",
        "article",
        "caption",
    ]
)
#: A ``<`` that would open a tag, a comment or a declaration if the text were read as HTML.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def html_to_lines(html: str) -> list[str]:
    """Plain-text lines of body HTML: one per block, spaces normalized, no empty lines.

    Text never holds markup: a ``<`` that would open a tag (escaped markup in the body,
    ``&lt;script&gt;``) is written as the full-width ``＜``, which reads the same and
    that no parser takes for a tag; a ``<`` before a digit or a space (``市盈率<10倍``)
    stays as it is."""
    if not html or not html.strip():
        return []
    return tree_to_lines(parse_fragment(html))


def clean_body(
    html: str,
    title: str | None = None,
    boilerplate: Sequence[str] = (),
    cut_after: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """``strip_boilerplate(html, …)`` and the plain-text lines of its result, from one
    parse of the body (the same as ``html_to_lines`` of the stripped HTML)."""
    if not html or not html.strip():
        return "", []
    return clean_body_tree(parse_fragment(html), title, boilerplate, cut_after)


def clean_body_tree(
    root: lxml_html.HtmlElement,
    title: str | None = None,
    boilerplate: Sequence[str] = (),
    cut_after: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """:func:`clean_body` of a body already parsed (stripped in place)."""
    strip_boilerplate_in_place(root, title, boilerplate, cut_after)
    return serialize_fragment(root).strip(), tree_to_lines(root)


def tree_to_lines(root: etree._Element) -> list[str]:
    """:func:`html_to_lines` of a parsed body."""
    chunks: list[str] = []
    _collect_text(root, chunks)
    text = "".join(chunks)
    if "<" in text:
        text = _TAG_OPEN.sub("＜", text)
    text = collapse_space(text, LINE_SPACE_CHARS)  # one pass, not one per line
    lines = (line.strip() for line in text.split("\n"))
    return [line for line in lines if line]


def _collect_text(node: etree._Element, chunks: list[str]) -> None:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag in DROPPED_TAGS or not isinstance(node.tag, str):
        return
    block = tag in BLOCK_TAGS
    if block:
        chunks.append("\n")
    if tag in ("td", "th"):
        chunks.append(" ")
    keep_breaks = tag == "pre"
    chunks.append(_flatten(node.text, keep_breaks))
    for child in node:
        _collect_text(child, chunks)
        chunks.append(_flatten(child.tail, keep_breaks))
    if block:
        chunks.append("\n")


def _flatten(text: str | None, keep_breaks: bool) -> str:
    """Source line breaks inside a block are spaces (only <pre> keeps them)."""
    if not text:
        return ""
    return text if keep_breaks else text.replace("\r", " ").replace("\n", " ")


def html_to_text(html: str) -> str:
    """Plain text of body HTML, paragraphs separated by ``\\n``."""
    return "\n".join(html_to_lines(html))
