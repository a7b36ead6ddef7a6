"""Parsing and serializing body HTML fragments: what every cleaning step shares."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from newsbot.core.markup import serialize_children

#: Runs of whitespace, ASCII or not (no-break, full-width, thin, zero-width, BOM).
INLINE_SPACE = re.compile(r"[ \t\r\n\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
#: The same within one line: runs of it in a whole text never cross a line break.
LINE_SPACE = re.compile(r"[ \t\r\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def parse_fragment(html: str) -> lxml_html.HtmlElement:
    """Parse body HTML under one ``<div>`` root."""
    return lxml_html.fragment_fromstring(html, create_parent="div")


def serialize_fragment(root: lxml_html.HtmlElement) -> str:
    """The root's content as HTML, no-break spaces written as ``&nbsp;``."""
    return serialize_children(root).replace("\xa0", "&nbsp;")
