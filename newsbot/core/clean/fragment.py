"""Parsing and serializing body HTML fragments: what every cleaning step shares."""

from __future__ import annotations

from lxml import html as lxml_html

from newsbot.core.markup import serialize_children

#: Whitespace, ASCII or not (no-break, full-width, thin, zero-width, BOM) ...
INLINE_SPACE_CHARS = " \t\r\n\xa0\u3000\u2002\u2003\u2009\u200b\ufeff"
#: ... and the same within one line: runs of it in a whole text never cross a line break.
LINE_SPACE_CHARS = INLINE_SPACE_CHARS.replace("\n", "")


def collapse_space(text: str, chars: str = INLINE_SPACE_CHARS) -> str:
    """Each run of ``chars`` as one space, none at either end: ``re.sub(f"[{chars}]+",
    " ", text).strip(" ")``, by ``str.replace`` and ``split`` (the regex tests every
    character against the class: several times slower on a long Chinese text)."""
    for char in chars:
        if char != " " and char in text:
            text = text.replace(char, " ")
    return " ".join(part for part in text.split(" ") if part)


def parse_fragment(html: str) -> lxml_html.HtmlElement:
    """Parse body HTML under one ``<div>`` root."""
    return lxml_html.fragment_fromstring(html, create_parent="div")


def serialize_fragment(root: lxml_html.HtmlElement) -> str:
    """The root's content as HTML, no-break spaces written as ``&nbsp;``."""
    return serialize_children(root).replace("\xa0", "&nbsp;")
