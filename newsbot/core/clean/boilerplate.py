"""Removing page chrome from body HTML: boilerplate elements, title repeats, tails."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import html as lxml_html

from newsbot.core.clean.fragment import collapse_space, parse_fragment, serialize_fragment

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
    root = strip_boilerplate_in_place(parse_fragment(html), title, boilerplate, cut_after)
    return serialize_fragment(root).strip()


def strip_boilerplate_in_place(
    root: lxml_html.HtmlElement,
    title: str | None = None,
    boilerplate: Sequence[str] = (),
    cut_after: Sequence[str] = (),
) -> lxml_html.HtmlElement:
    """:func:`strip_boilerplate` of a fragment already parsed, for a caller that goes on
    reading the tree (plain text) instead of parsing the HTML again (changed in place;
    returned)."""
    drop = _anchored((*DEFAULT_BOILERPLATE, *boilerplate))
    cut = _anchored((*DEFAULT_CUT_AFTER, *cut_after))
    wanted_title = _normalized(title or "")
    for node, whole_text in element_texts(root):
        if node is root or node.getparent() is None:
            continue
        if not _in_tree(node, root):
            continue
        text = _normalized(whole_text)
        if not text:
            continue
        if cut.fullmatch(text):
            _cut_from(node, root)
        elif drop.fullmatch(text) or (wanted_title and text == wanted_title):
            node.drop_tree()
    return root


def element_texts(root: lxml_html.HtmlElement) -> list[tuple[lxml_html.HtmlElement, str]]:
    """Each element of the tree (``root.iter()``'s order) with its whole text, as
    ``text_content()`` gives it: its text, its children's whole texts and their tails
    (a comment's or processing instruction's tail, not its content). Built once from the
    leaves up, not once per element over its whole subtree; by a stack of its own, so no
    depth of nesting runs out of Python's.

    The texts stay right for a caller that drops elements as it goes in this order: an
    element comes before everything in it, so a dropped one is in no later one's text.
    """
    found: list[tuple[lxml_html.HtmlElement, str]] = [(root, "")]
    # Per open element: its slot in ``found``, its children still to read, its text parts.
    open_elements = [(0, iter(root), [root.text or ""])]
    while open_elements:
        slot, children, parts = open_elements[-1]
        child = next(children, None)
        if child is None:  # the element is done: its text goes into its parent's
            open_elements.pop()
            element = found[slot][0]
            text = "".join(parts)
            found[slot] = (element, text)
            if open_elements:
                open_elements[-1][2].extend((text, element.tail or ""))
        elif isinstance(child.tag, str):
            found.append((child, ""))
            open_elements.append((len(found) - 1, iter(child), [child.text or ""]))
        else:
            parts.append(child.tail or "")
    return found


def _anchored(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _normalized(text: str) -> str:
    return collapse_space(text).strip()


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
