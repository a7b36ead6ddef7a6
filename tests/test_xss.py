"""The sanitizer is a security boundary: escaped markup in a body stays text."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from parsel import Selector

from newsbot.config import FieldRule
from newsbot.core.clean import html_to_text, sanitize_html, strip_boilerplate
from newsbot.core.extract import inner_html, select_body

LEADING_TEXT_PAYLOADS = [
    "&lt;img src=x onerror=alert(1)&gt;正文",
    "&lt;script&gt;alert(1)&lt;/script&gt;<p>正文</p>",
    "<section>&lt;script&gt;alert(1)&lt;/script&gt;</section><p>正文</p>",
    "<font>&lt;svg onload=alert(1)&gt;</font><p>正文</p>",
    "<xmp><script>alert(1)</script></xmp><p>正文</p>",
]


def _has_live_markup(html: str) -> bool:
    """Whether parsing ``html`` yields any element that can run script."""
    root = lxml_html.fragment_fromstring(html or "<span></span>", create_parent="div")
    for node in root.iter():
        if not isinstance(node.tag, str) or node is root:
            continue
        if node.tag in ("script", "svg", "iframe", "object", "embed"):
            return True
        if node.tag == "img" and not node.get("src", "").startswith("http"):
            return True
        if any(name.lower().startswith("on") for name in node.attrib):
            return True
    return False


@pytest.mark.parametrize("body", LEADING_TEXT_PAYLOADS)
def test_escaped_markup_at_the_start_of_a_body_stays_text(body: str) -> None:
    clean = sanitize_html(body, base_url="https://a.cn/x.html")
    assert not _has_live_markup(clean), clean
    stripped = strip_boilerplate(clean, title="标题")
    assert not _has_live_markup(stripped), stripped
    assert html_to_text(stripped).endswith("正文")


def test_leading_text_is_escaped_exactly() -> None:
    assert sanitize_html("&lt;img src=x onerror=alert(1)&gt;正文") == (
        "&lt;img src=x onerror=alert(1)&gt;正文"
    )
    assert strip_boilerplate("&lt;b&gt;正文") == "&lt;b&gt;正文"


def test_inner_html_escapes_the_leading_text() -> None:
    element = lxml_html.fragment_fromstring("<div>&lt;script&gt;x&lt;/script&gt;<p>正文</p></div>")
    assert inner_html(element) == "&lt;script&gt;x&lt;/script&gt;<p>正文</p>"


def test_select_body_keeps_leading_escaped_markup_escaped() -> None:
    page = Selector(
        text="<html><body><div id='c'>&lt;script&gt;alert(1)&lt;/script&gt;"
        "<p>正文</p></div></body></html>"
    )
    body = select_body(page, FieldRule(selector="#c"))
    assert body is not None
    assert not _has_live_markup(sanitize_html(body)), body
