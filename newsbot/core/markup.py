"""Serializing parsed HTML back to markup without turning text into tags."""

from __future__ import annotations

from html import escape

from lxml import html as lxml_html


def serialize_children(element: lxml_html.HtmlElement) -> str:
    """An element's content as HTML, without its own tag.

    The leading text is escaped like every other text node: lxml hands it over decoded,
    so ``&lt;script&gt;`` there would otherwise come out as a live ``<script>``.
    """
    parts = [escape(element.text or "", quote=False)]
    parts.extend(
        lxml_html.tostring(child, encoding="unicode", method="html", with_tail=True)
        for child in element
    )
    return "".join(parts)
