"""The generic extractor's metadata: the title heading, the publish date, bylines. Pure.

Helpers of :mod:`newsbot.core.extract.generic`; nothing here knows a site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from lxml import html as lxml_html

from newsbot.core.dates import parse_date

_SPACES = re.compile(r"[\s\xa0\u3000\u200b\ufeff]+")
#: What separates a page title from the site's name: ``标题_东方财富网``, ``标题 - 新浪财经``.
_SUFFIX = re.compile(r"^\s*(?:[_|｜\-–—·:：]+|\s-\s)\s*\S.{0,40}$")
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜–—]|\s-\s|-+(?=[^-]{2,20}$))\s*")
_TITLE_CLASS = re.compile(r"title|headline|biaoti|bt", re.IGNORECASE)
_HEADINGS = ("h1", "h2", "h3")
#: A printed date-time: absolute (2022年03月25日 18:22, 2022-03-25 18:22:56), year-less
#: (03-25 18:22, 3月25日 18:22) or relative (今天 10:30, 5分钟前, 刚刚).
DATE_TEXT = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}\s*[年/\-.]\s*\d{1,2}\s*[月/\-.]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}-\d{1,2}(?=\s+\d{1,2}:\d{2}))"
    r"(?:\s*T?\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?:今天|今日|昨天|昨日|前天)\s*\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d+\s*(?:秒|分钟|小时)前|刚刚"
)
_LABELLED = re.compile(
    r"(?:发布|发表|发稿|出版)(?:日期|时间)\s*[:：]\s*(" + DATE_TEXT.pattern + ")"
)
_HAS_TIME = re.compile(r"\d{1,2}\s*[:：时]\s*\d{1,2}")
_META_DATE_NAMES = re.compile(
    r"^(?:article:published_time|og:release_date|datepublished|date|dc\.date)$"
    r"|(?:publish|pub|posting|release|first).{0,6}(?:date|time)",
    re.IGNORECASE,
)
_SCRIPT_DATE = re.compile(
    r"[\"']?(?:publishTime|pubTime|publish_time|pubtime|showTime|ptime|datePublished"
    r"|publishDate|pubDate|publish_date|createTime|create_time)[\"']?\s*[:=]\s*[\"']([^\"']{8,40})[\"']"
)
BYLINES = {
    "source": re.compile(
        r"(?:文章来源|内容来源|本文来源|稿件来源|信息来源|来源)\s*[:：]\s*([^\s|丨/，,）)】\]]+)"
    ),
    "author": re.compile(
        r"(?<!原)(?:作者|记者)\s*[:：]\s*(?:(?:本报|本刊)?记者\s+)?"
        r"([^\s|丨/，,）)】\]]+(?:\s[\u4e00-\u9fff]{2,4}(?=\s|$))*)"
    ),
    "editor": re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*([^\s|丨/，,）)】\]]+)"),
}


_NAMES = r"([\u4e00-\u9fff]{2,4}(?:[\s、]+[\u4e00-\u9fff]{2,4})*)"
_REPORTER = re.compile(
    rf"[（(]\s*(?:本报|本刊)?记者\s*[:：]?\s*{_NAMES}\s*[）)]|^(?:本报|本刊)?记者\s+{_NAMES}$"
)


def squash(text: str | None) -> str:
    """Whitespace (ASCII, full-width, zero-width) collapsed to single spaces, trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def page_title(doc: lxml_html.HtmlElement) -> str:
    """The ``<title>`` text, whitespace collapsed."""
    return squash(" ".join(doc.xpath("//head/title//text() | /html/title//text()")))


def strip_suffix(title: str) -> str:
    """A page title without the site's name after the last separator (when there is one)."""
    parts = _TITLE_SPLIT.split(title)
    return parts[0] if len(parts) > 1 and len(parts[0]) >= 4 else title


def _heading_candidates(doc: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    body = doc.find("body")
    if body is None:
        return
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in _HEADINGS or _TITLE_CLASS.search(names):
            yield element


def _match_rank(text: str, title: str) -> int:
    """How well a heading's text matches the page title: 3 equal, 2 title = text + suffix,
    1 a long part of it, 0 not at all."""
    if not text or len(text) > 200:
        return 0
    if text == title:
        return 3
    if title.startswith(text) and _SUFFIX.match(title[len(text) :]) and len(text) >= 4:
        return 2
    if len(text) >= 8 and (text in title or title in text):
        return 1
    return 0


def find_title(doc: lxml_html.HtmlElement) -> tuple[str | None, lxml_html.HtmlElement | None]:
    """The on-page heading matching ``<title>`` (suffix removed), and its element.

    Without a matching heading: the ``ArticleTitle``/``og:title`` meta, else the title
    without its suffix, else the first ``<h1>``; the element is then None."""
    title = page_title(doc)
    references = [title, *meta_titles(doc)]
    best: tuple[int, int, int, lxml_html.HtmlElement] | None = None
    for element in _heading_candidates(doc):
        text = squash(element.text_content())
        # <title> first: a meta headline may be a sidebar's or cut at a quote
        rank = _match_rank(text, title)
        meta_rank = max((_match_rank(text, meta) for meta in references[1:]), default=0)
        tag_bonus = 1 if element.tag in _HEADINGS else 0
        if (rank or meta_rank) and (best is None or (rank, meta_rank, tag_bonus) > best[:3]):
            best = (rank, meta_rank, tag_bonus, element)
    if best is not None:
        return squash(best[3].text_content()), best[3]
    printed = _printed_headline(doc, title, {strip_suffix(title), *references[1:]} - {""})
    if printed is not None:
        return squash(printed.text_content()), printed
    if references[1:]:
        return references[1], None
    if title:
        return strip_suffix(title), None
    first = doc.xpath("//body//h1")
    return (squash(first[0].text_content()) or None, None) if first else (None, None)


def _printed_headline(
    doc: lxml_html.HtmlElement, title: str, headlines: set[str]
) -> lxml_html.HtmlElement | None:
    """The first small element of the body whose whole text is one of ``headlines``
    (a ``<p class="tit">`` heading that neither its tag nor its class names as one), else
    the small element with the longest text (≥ 8 characters) found inside ``<title>``
    (``[财经要闻] 标题--网站`` around a ``<b>标题</b>``)."""
    body = doc.find("body")
    if body is None:
        return None
    inside: tuple[int, lxml_html.HtmlElement] | None = None
    for element in body.iter():
        if not isinstance(element.tag, str) or len(element) > 2:
            continue
        text = squash(element.text_content())
        if text in headlines:
            return element
        if len(text) >= 8 and text in title and (inside is None or len(text) > inside[0]):
            inside = (len(text), element)
    return None if inside is None else inside[1]


def meta_titles(doc: lxml_html.HtmlElement) -> list[str]:
    """The headline the page's metadata gives (``ArticleTitle``, ``og:title``, ``title``
    meta), in that order: a heading may match it when ``<title>`` is only the site's name."""
    found = []
    for name in ("ArticleTitle", "og:title", "title"):
        values = doc.xpath(f"//meta[@name='{name}' or @property='{name}']/@content")
        if values and squash(values[0]):
            found.append(squash(values[0]))
    return found


def labelled_dates(texts: Iterable[str]) -> list[str]:
    """Dates printed after a publish label (发布日期：, 发布时间：) in ``texts``, in order:
    a release whose publish line is not between its title and its body (a table of
    索引号/成文日期/发布日期 above the title) still says which date is the publication's."""
    found = []
    for text in texts:
        for match in _LABELLED.finditer(text):
            found.append(squash(match.group(1)))
    return found


def meta_dates(doc: lxml_html.HtmlElement) -> list[str]:
    """Date texts of ``<meta>`` tags (article:published_time, PubDate …), then JSON-LD
    ``datePublished``, then publish times assigned in scripts, in that order."""
    found: list[str] = []
    for meta in doc.xpath("//meta[@content]"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        if _META_DATE_NAMES.search(name):
            found.append(meta.get("content", ""))
    for node in doc.xpath("//*[@itemprop='datePublished'][@datetime]"):
        found.append(node.get("datetime", ""))
    for script in doc.xpath("//script[@type='application/ld+json']/text()"):
        found.extend(_json_ld_dates(script))
    for script in doc.xpath("//script[not(@type='application/ld+json')]/text()"):
        found.extend(match.group(1) for match in _SCRIPT_DATE.finditer(script))
    return [squash(value) for value in found if squash(value)]


def _json_ld_dates(script: str) -> list[str]:
    try:
        data = json.loads(script)
    except ValueError:
        return []
    blocks = data if isinstance(data, list) else [data]
    return [
        str(b["datePublished"]) for b in blocks if isinstance(b, dict) and b.get("datePublished")
    ]


def printed_date(texts: Iterable[str], now: datetime | None) -> tuple[str, datetime] | None:
    """The first date-time printed in ``texts`` (in order of nearness to the title)."""
    for text in texts:
        for match in DATE_TEXT.finditer(text):
            moment = parse_date(match.group(0), now=now)
            if moment is not None:
                return squash(match.group(0)), moment
    return None


def choose_date(
    near: list[str], meta: list[str], now: datetime | None
) -> tuple[str | None, datetime | None]:
    """The printed date nearest the title, else the first metadata date. A printed day
    without a time takes the time of a metadata date on the same day."""
    parsed_meta = [(raw, parse_date(raw, now=now)) for raw in meta]
    from_meta = [(raw, moment) for raw, moment in parsed_meta if moment is not None]
    printed = printed_date(near, now)
    if printed is not None:
        raw, moment = printed
        if not _HAS_TIME.search(raw):
            for meta_raw, meta_moment in from_meta:
                if meta_moment.date() == moment.date() and _HAS_TIME.search(meta_raw):
                    return meta_raw, meta_moment
        return raw, moment
    if from_meta:
        return from_meta[0]
    return None, None


def page_clock(meta: list[str], crawl_time: datetime | None) -> datetime | None:
    """What year-less and relative dates count from: the crawl time, else the page's own
    first metadata timestamp, else None (the current time)."""
    if crawl_time is not None:
        return crawl_time
    for raw in meta:
        moment = parse_date(raw)
        if moment is not None and DATE_TEXT.search(raw):
            return moment
    return None


def reporter(lines: Iterable[str]) -> str | None:
    """The reporter a paragraph names in brackets (``上证报中国证券网讯（记者 覃明）…``),
    or a whole line names (``记者 韩宇``)."""
    for line in lines:
        match = _REPORTER.search(line)
        if match:
            return squash(match.group(1) or match.group(2))
    return None


def find_bylines(*zones: Iterable[str]) -> dict[str, str]:
    """Source, author and editor from labelled lines, the first zone that has one winning.

    A line holding one label only gives all of its rest (``作者:工行三明分行 陈丽新``);
    a line with several (``作者：张三 2022-03-25 来源：证券时报``) gives a word each."""
    found: dict[str, str] = {}
    for zone in zones:
        for line in zone:
            for name, pattern in BYLINES.items():
                match = pattern.search(line)
                if match and name not in found:
                    found[name] = _whole_value(line, match) or match.group(1).strip()
    return found


def _whole_value(line: str, match: re.Match[str]) -> str | None:
    """The rest of a line that starts with the label and holds no other label or date."""
    if line[: match.start()].strip(" （(【[") or len(line) > 40:
        return None
    rest = line[match.start(1) :].strip().rstrip("）)】]").strip()
    return None if re.search(r"[:：]", rest) or DATE_TEXT.search(rest) else rest
