"""The generic extractor's body: which element holds the article, and its chrome cut. Pure.

The container is chosen by the *total* text (outside links) it holds after the title, not
by text density, so an article of many one-line blocks still wins over a dense teaser.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from newsbot.core.extract.generic_meta import BYLINES, DATE_TEXT, squash

#: Elements that never hold article text.
_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "svg",
    "iframe",
    "form",
    "button",
    "select",
    "textarea",
    "nav",
    "footer",
    "aside",
    "template",
)
#: class/id words of page chrome: comments (never a date source), footers, menus, share bars.
_CHROME = re.compile(
    r"comment|reply|评论|foot|copyright|(?:^|[\s_-])bottom|breadcrumb|crumb|share|toolbar|(?:^|[\s_-])nav(?:$|[\s_-])"
    r"|(?:^|[\s_-])menu|login|^quote_",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"comment|reply|评论", re.IGNORECASE)
#: A chrome-named element this short holding an editor's label is a signature, kept.
SIGNATURE = 30
#: A child must hold this share of its parent's text for the search to go down into it.
DESCEND_SHARE = 0.6
#: The child holding the title needs only this share of its parent's text.
TITLE_SHARE = 0.35
#: A teaser list has at least this many items led by a link at least this long.
TEASERS, TEASER_HEAD = 3, 8
#: Lines from which nothing belongs to the article (the line itself is cut too).
CUT_MARKERS = (
    r"[（(【\[]?\s*(?:责任编辑|责编|编辑)\s*[:：].*",
    r"[（(【\[]?\s*(?:本文|文章|内容|稿件)来源(?:于.{0,8}?)?\s*[:：].*",
    r"[（(【\[]?\s*(?:免责声明|郑重声明|风险提示|版权声明)\s*[:：】\]]?.*",
    r"[（(【\[]?\s*(?:特别|法律)?声明\s*[:：】\]].*",
    r"(?:本文|文章|以上内容|本文内容)(?:仅代表|不代表|观点仅代表|仅供参考).{0,60}",
    r"[【\[]?\s*相关(?:阅读|新闻|文章|链接|推荐|报道)\s*[】\]]?(?:[:：\s].*)?",
    r"(?:热点|热门|推荐)(?:新闻|阅读|文章|资讯)\s*[:：]?",
    r"(?:上一篇|下一篇)\s*[:：].*",
    r".{0,20}(?:登录|注册).{0,20}(?:查看|阅读|继续|评论|发言|收看).{0,30}",
    r".{0,20}(?:打开|下载|安装)\s*(?:APP|App|app|客户端).{0,30}",
)
#: Whole lines that are a platform's prompts wherever they sit (dropped, nothing cut).
DROP_MARKERS = (r"[▼▲↓↑☝👇\s]*(?:点击|长按|扫码|扫描|识别).{0,12}(?:关注|名片|蓝字|二维码).{0,20}",)
_DROP = re.compile("|".join(f"(?:{marker})" for marker in DROP_MARKERS))
_CUT = re.compile("|".join(f"(?:{marker})" for marker in CUT_MARKERS))
_META_LINE = re.compile(r"来源|发布时间|发布日期|时间|日期|作者|编辑|字号|浏览|阅读|点击|摘要")
#: Sentence punctuation: a line with it and more than a few words is a paragraph.
_SENTENCE = re.compile(r"[。！？；]|，.{12,}")
#: Lines this long with sentence punctuation are paragraphs, never publish lines.
PUBLISH_LINE = 30


def drop_chrome(doc: lxml_html.HtmlElement, keep: lxml_html.HtmlElement | None) -> None:
    """Remove scripts, SVG, comment sections, footers, menus and share bars in place
    (never ``keep`` or an ancestor of it: the title's element)."""
    protected = set() if keep is None else {keep, *keep.iterancestors()}
    for element in list(doc.iter()):
        if element in protected or element.getparent() is None:
            continue
        if not isinstance(element.tag, str):
            element.drop_tree()
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".strip()
        chrome = bool(names) and _CHROME.search(names) is not None
        if element.tag in _DROPPED_TAGS or (chrome and not _signed_bottom(element, names)):
            element.drop_tree()


def _signed_bottom(element: lxml_html.HtmlElement, names: str) -> bool:
    """Whether a chrome-named element (``artical-bottom``) is only the editor's signature
    (``[责任编辑：邹洁]``): kept, for the bylines below the body. Comments never are."""
    if _COMMENTS.search(names):
        return False
    text = squash(element.text_content())
    return 0 < len(text) <= SIGNATURE and BYLINES["editor"].search(text) is not None


def _own_text(element: lxml_html.HtmlElement) -> int:
    """Characters of text outside links directly in ``element`` (its text and children's tails)."""
    size = 0 if element.tag == "a" else len(squash(element.text))
    return size + sum(len(squash(child.tail)) for child in element)


def text_sizes(
    root: lxml_html.HtmlElement, title: lxml_html.HtmlElement | None
) -> dict[lxml_html.HtmlElement, int]:
    """Total non-link text of every element, counting only text after the title element;
    an element with at least as much link text as other text (a list column, a menu, a
    teaser list) counts as none."""
    order = list(root.iter())
    start = 0
    if title is not None and title in order:
        start = order.index(title) + sum(1 for _ in title.iterdescendants()) + 1
    sizes = {element: 0 for element in order}
    links = dict(sizes)
    for index in range(len(order) - 1, -1, -1):
        element = order[index]
        if element.tag == "a":
            links[element] = len(squash(element.text_content()))
        else:
            sizes[element] += _own_text(element) if index >= start else 0
        if element.tag != "a":
            sizes[element] -= sum(sizes[item] for item in _teasers(element))
        if element.tag != "a" and links[element] >= sizes[element]:
            sizes[element] = links[element] = 0  # navigation, counted once, where it is
        parent = element.getparent()
        if parent is not None and parent in sizes:
            sizes[parent] += sizes[element]
            links[parent] += links[element]
    return sizes


def _teasers(element: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The children of ``element`` that are teasers of other articles, each led by a
    headline-length link (``<a>标题</a><p>摘要…</p><span>11-21</span>``), when there are at
    least :data:`TEASERS` of them: their summaries count as link text, so a column of
    other articles never outweighs the article."""
    children = [child for child in element if isinstance(child.tag, str)]
    if len(children) < TEASERS:
        return []
    led = [child for child in children if _link_led(child)]
    return led if len(led) >= TEASERS else []


def _link_led(item: lxml_html.HtmlElement) -> bool:
    link = next(item.iter("a"), None)
    if link is None:
        return False
    head = squash(link.text_content())
    return len(head) >= TEASER_HEAD and squash(item.text_content()).startswith(head)


def choose_container(
    body: lxml_html.HtmlElement, title: lxml_html.HtmlElement | None
) -> lxml_html.HtmlElement | None:
    """Go down from ``<body>`` into the child holding most of the text (after the title)
    while it holds at least :data:`DESCEND_SHARE` of it; never ``<body>`` itself. The
    child holding the title (the article's column) is taken while it holds at least
    :data:`TITLE_SHARE`: the article follows its heading, a dense sidebar blurb does not."""
    sizes = text_sizes(body, title)
    column = set() if title is None else set(title.iterancestors())
    node = body
    while True:
        children = [child for child in node if isinstance(child.tag, str)]
        if not children:
            break
        best = max(children, key=lambda child: sizes[child])
        holder = next((child for child in children if child in column), None)
        if holder is not None and sizes[holder] >= TITLE_SHARE * sizes[node]:
            best = holder
        if sizes[best] == 0:
            break
        share = TITLE_SHARE if best is holder else DESCEND_SHARE
        if sizes[best] < share * sizes[node] and node is not body:
            break
        node = best
    return None if node is body or sizes[node] == 0 else node


def strip_head(
    container: lxml_html.HtmlElement, title: lxml_html.HtmlElement | None, title_text: str
) -> list[str]:
    """Remove from the container the title, what precedes it, and the leading publish
    lines (来源/发布时间 …); return the removed lines' texts (the publish zone)."""
    removed: list[str] = []
    if title is not None and any(a is container for a in title.iterancestors()):
        for element in list(container.iter()):
            if element is title:
                break
            if element is not container and title not in set(element.iterdescendants()):
                removed.append(squash(element.text_content()))
                element.drop_tree()
        removed.append(squash(title.text_content()))
        title.drop_tree()
    for child in list(container):
        text = squash(child.text_content())
        if squash(container.text) or child.tag in ("br", "img", "table"):
            break  # bare text or an image first: the article starts here
        chrome = _only_links(child) or _DROP.fullmatch(text)
        if text and not _is_publish_line(text, title_text) and not chrome:
            break
        removed.append(text)
        child.drop_tree()
    return [text for text in removed if text]


def _only_links(element: lxml_html.HtmlElement) -> bool:
    """Whether all of an element's text is link text (an ad or a teaser, not a paragraph)."""
    linked = sum(len(squash(a.text_content())) for a in element.iter("a"))
    return element.tag != "a" and linked >= len(squash(element.text_content())) > 0


def _is_publish_line(text: str, title_text: str) -> bool:
    if text == title_text:
        return True
    if len(text) > 120 or (len(text) > PUBLISH_LINE and _SENTENCE.search(text)):
        return False  # a sentence that mentions a time (美东时间3月20日，…) is the article
    if len(text) <= PUBLISH_LINE and _CUT.fullmatch(text):
        return True  # 文章来源于公众号：… above the article heads it, it does not end it
    labelled = _META_LINE.search(text) is not None and bool(
        DATE_TEXT.search(text) or any(p.search(text) for p in BYLINES.values())
    )
    return labelled or bool(DATE_TEXT.fullmatch(text))


def cut_lines(lines: list[str]) -> list[str]:
    """Lines up to the first cut marker (责任编辑, 本文来源, 免责声明, 相关阅读 …)."""
    kept: list[str] = []
    for line in lines:
        if _CUT.fullmatch(line):
            break
        if not _DROP.fullmatch(line):
            kept.append(line)
    return kept


def drop_markers() -> tuple[str, ...]:
    """The drop markers as anchored patterns for :func:`newsbot.core.clean.strip_boilerplate`."""
    return DROP_MARKERS


def cut_markers() -> tuple[str, ...]:
    """The cut markers as anchored patterns for :func:`newsbot.core.clean.strip_boilerplate`."""
    return CUT_MARKERS
