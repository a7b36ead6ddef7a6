"""Pure cleaning: sanitize body HTML, turn it into plain text, lift bylines into fields.

What the sanitizer keeps is a short list (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`);
:data:`DROPPED_TAGS` go with their content; any other tag is unwrapped (its text stays).
Clean input passes through unchanged, so a body taken from a post re-renders byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from newsbot.core.markup import serialize_children

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
VOID_TAGS = frozenset({"embed", "input", "link", "meta", "base", "source", "param", "track", "wbr"})
_EMPTY_DROPPABLE = frozenset({"span", "font", "a", "strong", "b", "em", "i", "u"})
_URL_ATTRIBUTES = ("href", "src")
_INDENT = re.compile(r"^[ \t\r\n]*\u3000+")
_INLINE_SPACE = re.compile(r"[ \t\r\n\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def _parse_fragment(html: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(html, create_parent="div")


def _serialize_children(root: lxml_html.HtmlElement) -> str:
    return serialize_children(root).replace("\xa0", "&nbsp;")


def _strip_indent(element: lxml_html.HtmlElement) -> None:
    """Drop the full-width-space paragraph indent East Money and bank pages use."""
    if element.text and _INDENT.match(element.text):
        element.text = _INDENT.sub("", element.text)
    elif not (element.text or "").strip() and len(element) and element[0].tag in ("span", "font"):
        _strip_indent(element[0])


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Keep the article's structure and drop everything executable or foreign.

    Removes DROPPED_TAGS with their content, comments, attributes outside
    ALLOWED_ATTRIBUTES (so every ``on*`` handler) and ``javascript:`` URLs; unwraps other
    unknown tags; strips full-width paragraph indents; makes link and image URLs absolute.
    """
    if not html or not html.strip():
        return ""
    root = _parse_fragment(html)
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
    return _serialize_children(root).strip()


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
            if re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE) and not (
                node.tag == "img" and value.startswith("data:image/")
            ):
                del node.attrib[name]
            elif base_url:
                node.set(name, urljoin(base_url, value.strip()))


#: Whole-element texts that are page chrome, never article text (anchored regexes).
DEFAULT_BOILERPLATE = (
    r"文章正文",
    r"我要评论\s*[(（]\d+[)）]",
    r"已有\s*\d+\s*条评论",
    r"(网友)?评论问答",
    r"本文由.{1,40}?来源发布",
    r"返回(首页|.{0,16}新闻)",
    r"(?:[【\[]?(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部|(?:字号|字体)[:：]?\s*大\s*中\s*小)"
    r"[】\]]?\s*)+",
    r"分享(?:到|至)?[:：].{0,40}|分享到.{0,40}",
    r"[【】\[\]()（）|｜/、\s]+",  # brackets left behind by removed links
    r"扫一扫.{0,20}分享.{0,20}",
    r".{4,200}[^.]\.\.",  # related-article teasers cut off with two ASCII dots
)
#: Texts after which nothing belongs to the article (the marker is removed too).
DEFAULT_CUT_AFTER = (r"【相关链接】", r"相关(链接|阅读|新闻|文章)[:：]?", r"网友评论")


def strip_boilerplate(
    html: str,
    title: str | None = None,
    boilerplate: Sequence[str] = (),
    cut_after: Sequence[str] = (),
) -> str:
    """Remove page chrome from body HTML: elements whose whole text is boilerplate
    (defaults plus ``boilerplate``), a repeat of the title, and everything from a
    ``cut_after`` marker (defaults plus ``cut_after``) to the end."""
    if not html or not html.strip():
        return ""
    drop = _anchored((*DEFAULT_BOILERPLATE, *boilerplate))
    cut = _anchored((*DEFAULT_CUT_AFTER, *cut_after))
    wanted_title = _normalized(title or "")
    root = _parse_fragment(html)
    for node in list(root.iter()):
        if node is root or not isinstance(node.tag, str) or node.getparent() is None:
            continue
        if not _in_tree(node, root):
            continue
        text = _normalized(node.text_content())
        if not text:
            continue
        if cut.fullmatch(text):
            _cut_from(node, root)
        elif drop.fullmatch(text) or (wanted_title and text == wanted_title):
            node.drop_tree()
    return _serialize_children(root).strip()


def _anchored(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _normalized(text: str) -> str:
    return _INLINE_SPACE.sub(" ", text).strip()


def _in_tree(node: lxml_html.HtmlElement, root: lxml_html.HtmlElement) -> bool:
    return any(ancestor is root for ancestor in node.iterancestors())


def _cut_from(node: lxml_html.HtmlElement, root: lxml_html.HtmlElement) -> None:
    """Remove ``node`` and everything after it, up to the end of ``root``."""
    current = node
    while current is not root:
        parent = current.getparent()
        for following in list(current.itersiblings()):
            following.drop_tree()
        if current is node or _is_empty(current):
            current.drop_tree()
        current = parent


def _is_empty(node: lxml_html.HtmlElement) -> bool:
    return not _normalized(node.text_content()) and not node.xpath(".//img|.//table")


def html_to_lines(html: str) -> list[str]:
    """Plain-text lines of body HTML: one per block, spaces normalized, no empty lines."""
    if not html or not html.strip():
        return []
    root = _parse_fragment(html)
    chunks: list[str] = []
    _collect_text(root, chunks)
    text = "".join(chunks)
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
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


@dataclass(frozen=True)
class Bylines:
    """Publisher, author and editor lifted out of the body text."""

    source: str | None = None
    author: str | None = None
    editor: str | None = None


_OPEN = r"[\[【(（]?\s*"
_CLOSE = r"\s*[\]】)）]?"
BYLINE_PATTERNS: dict[str, re.Pattern[str]] = {
    "source": re.compile(rf"^{_OPEN}(?:文章来源|内容来源|来源)\s*[:：]\s*(.+?){_CLOSE}$"),
    "author": re.compile(rf"^{_OPEN}作者\s*[:：]\s*(.+?){_CLOSE}$"),
    "editor": re.compile(rf"^{_OPEN}(?:责任编辑|编辑)\s*[:：]\s*(.+?){_CLOSE}$"),
}


_TRAILING_DATE = re.compile(r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月].*$")


def split_bylines(lines: list[str]) -> tuple[list[str], Bylines]:
    """Remove byline lines (来源/作者/责任编辑 …) from the text's head and tail; return them."""
    found: dict[str, str] = {}
    kept = list(lines)
    for edge in (0, -1):
        while kept:
            line = kept[edge]
            name = next((n for n, p in BYLINE_PATTERNS.items() if p.match(line)), None)
            if name is None:
                break
            match = BYLINE_PATTERNS[name].match(line)
            assert match is not None
            found.setdefault(name, _TRAILING_DATE.sub("", match.group(1)).strip())
            kept.pop(edge)
    return kept, Bylines(**found)
