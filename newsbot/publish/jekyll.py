"""Jekyll posts: render records into posts exactly like the seed posts, and read such posts
back into records, byte for byte.

A post is::

    ---
    <front matter: layout, title (double-quoted), date, categories, tags>
    ---
    <body HTML>

    <URL>

    [返回<tags>](//<site>/category/<categories>.html)｜[返回首页](//<site>/)

with no trailing newline. What a :class:`PostStyle` cannot derive from a record (an unusual
front matter, a blank line before the body, another back-link line, a file name that is not
the pattern's, a trailing newline) is kept in the record's ``post`` field by
:func:`parse_post`, so that :func:`render_post` gives the same bytes back.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from newsbot.core.clean.bylines import split_bylines
from newsbot.core.clean.text import html_to_lines
from newsbot.core.dedup import record_id

FRONT_MATTER_KEYS = ("layout", "title", "date", "categories", "tags")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
#: Bytes one path component may have on Linux file systems (ext4, xfs, tmpfs).
NAME_MAX = 255
#: Longest extension (with its dot) that :func:`fit_filename` keeps.
_EXTENSION_MAX = 16
#: The back-link lines of the site's posts: category and home links, home only, none.
BackLinks = Literal["full", "home", "none"]
_URL_LINE = re.compile(r"<(\S+)>")
_LINKS = re.compile(
    r"(?:\[返回[^\]\n]*\]\(//[^/)\s]+/[^)\s]*\)｜)?\[返回首页\]\(//(?P<site>[^/)\s]+)/\)"
)


@dataclass(frozen=True)
class PostStyle:
    """How records become posts: the site's host, file names and section pages."""

    site: str = "finews.withounder.com"
    filename: str = "{date}-{id}.md"
    #: Categories whose back link is a section page instead of category/<cat>.html.
    sections: Mapping[str, str] = field(default_factory=lambda: {"emnews": "/emnews/"})

    def back_links(
        self, categories: str, tags: str, site: str | None = None, shape: BackLinks = "full"
    ) -> str:
        """The last line of a post: back to the category (or section) page and home
        (``full``), home only (``home``), or nothing (``none``); ``site`` is the host
        written in the links (older posts name an older host)."""
        host = site or self.site
        home = f"[返回首页](//{host}/)"
        if shape == "none":
            return ""
        if shape == "home":
            return home
        page = self.sections.get(categories, f"/category/{categories}.html")
        return f"[返回{tags}](//{host}{page})｜{home}"

    def file_name(self, record: Mapping[str, Any]) -> str:
        """The post's file name from the pattern ({date}, {id}, {categories}, {feed})."""
        return self.filename.format(
            date=str(record.get("date", ""))[:10],
            id=record.get("id", ""),
            categories=record.get("categories", ""),
            feed=record.get("feed", ""),
        )


def yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar that any title survives (quotes, backslashes, ``: ``,
    ``#``, control characters, Unicode line separators)."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char in ("\u0085", "\u2028", "\u2029"):
        quoted = quoted.replace(char, f"\\u{ord(char):04x}")
    return quoted


def default_front_matter(record: Mapping[str, Any]) -> str:
    """The front matter lines of a record (between the ``---`` lines)."""
    return (
        f"layout: {record.get('layout') or 'post'}\n"
        f"title: {yaml_quote(str(record.get('title', '')))}\n"
        f"date: {record.get('date', '')}\n"
        f"categories: {record.get('categories', '')}\n"
        f"tags: {record.get('tags', '')}\n"
    )


def render_post(record: Mapping[str, Any], style: PostStyle) -> str:
    """The post text of a record."""
    kept: Mapping[str, Any] = record.get("post") or {}
    front = kept.get("front_matter", default_front_matter(record))
    url_line = kept.get("url_line", f"<{record.get('url', '')}>")
    links = kept.get("links")
    if links is None:
        shape = kept.get("back_links", "full")
        links = style.back_links(
            str(record.get("categories", "")), str(record.get("tags", "")), kept.get("site"), shape
        )
    ending = f"\n\n{links}" if links else ""
    return (
        f"---\n{front}---\n{kept.get('lead', '')}{record.get('content', '')}"
        f"\n\n{url_line}{ending}{kept.get('tail', '')}"
    )


class PostFormatError(ValueError):
    """A file is not a post of this format; the message names the file and the problem."""


def split_front_matter(text: str, filename: str) -> tuple[str, dict[str, Any], str]:
    """A post's front matter (as written, and parsed) and the text after it."""
    if not text.startswith("---\n"):
        raise PostFormatError(f"{filename}: does not start with a front matter '---' line")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise PostFormatError(f"{filename}: front matter is not closed by a '---' line")
    front = text[4 : end + 1]
    try:
        matter = yaml.load(front, Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as exc:
        raise PostFormatError(f"{filename}: front matter is not YAML: {exc}") from None
    if not isinstance(matter, dict):
        raise PostFormatError(f"{filename}: front matter is not a mapping")
    return front, matter, text[end + 5 :]


def split_ending(body: str, filename: str) -> tuple[str, str, str]:
    """A post's body, ``<URL>`` line and back-link line ("" when it ends with the URL)."""
    head, blank, last = body.rpartition("\n\n")
    if blank and _URL_LINE.fullmatch(last):
        return head, last, ""
    content, blank, url_line = head.rpartition("\n\n")
    if not blank:
        raise PostFormatError(
            f"{filename}: no '<URL>' line after the body (expected body, blank line, <URL>, "
            "and optionally a blank line and the back links)"
        )
    return content, url_line, last


def links_kept(links: str, categories: str, tags: str, style: PostStyle) -> dict[str, str]:
    """What a record keeps of a post's back-link line: the host when it is not the style's,
    the shape when it is not ``full``, or the whole line when no shape gives it."""
    match = _LINKS.fullmatch(links)
    site = match.group("site") if match else style.site
    for shape in get_args(BackLinks):
        if style.back_links(categories, tags, site, shape) == links:
            kept = {} if site == style.site else {"site": site}
            return kept if shape == "full" else {**kept, "back_links": shape}
    return {"links": links}


def parse_post(text: str, filename: str, style: PostStyle, feed: str = "import") -> dict[str, Any]:
    """A record from a post's text; whatever ``style`` cannot derive goes into ``post``."""
    front, matter, rest = split_front_matter(text, filename)
    body_part = rest.rstrip("\n")
    tail = rest[len(body_part) :]
    lead = body_part[: len(body_part) - len(body_part.lstrip("\n"))]
    content, url_line, links = split_ending(body_part[len(lead) :], filename)
    url_match = _URL_LINE.fullmatch(url_line)
    url = url_match.group(1) if url_match else ""
    lines, bylines = split_bylines(html_to_lines(content))
    record: dict[str, Any] = {
        "layout": matter.get("layout", "post"),
        "title": matter.get("title", ""),
        "date": matter.get("date", ""),
        "categories": matter.get("categories", ""),
        "tags": matter.get("tags", ""),
        "content": content,
        "url": url,
        "text": "\n".join(lines),
        "source": bylines.source,
        "author": bylines.author,
        "editor": bylines.editor,
        "feed": feed,
        "kind": None,  # unknown; the importer sets it from a feed of the URL's host
        "id": record_id(url) if url else Path(filename).stem,
        "crawled_at": None,
        "duplicate_of": None,
    }
    kept: dict[str, Any] = {}
    if front != default_front_matter(record):
        kept["front_matter"] = front
    if lead:
        kept["lead"] = lead
    if url_line != f"<{url}>":
        kept["url_line"] = url_line
    kept.update(links_kept(links, str(record["categories"]), str(record["tags"]), style))
    if tail:
        kept["tail"] = tail
    if style.file_name(record) != filename:
        kept["filename"] = filename
    record["post"] = kept or None
    return record


def fit_filename(name: str, keep: str = "", limit: int = NAME_MAX) -> str:
    """``name`` cut to ``limit`` UTF-8 bytes at a character boundary, ending ``~<keep><ext>``."""
    data = name.encode("utf-8")
    if len(data) <= limit:
        return name
    dot = name.rfind(".")
    extension = name[dot:] if dot > 0 else ""
    if len(extension.encode("utf-8")) > _EXTENSION_MAX:
        extension = ""  # a dot inside the text, not an extension
    stem = name[: len(name) - len(extension)]
    if not keep or len(f"~{keep}{extension}".encode()) > limit // 2:
        keep = hashlib.sha256(data).hexdigest()[:12]  # stable, and unique for another name
    tail = f"~{keep}{extension}"
    budget = limit - len(tail.encode("utf-8"))
    head = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return head + tail


def safe_filename(name: str, keep: str = "") -> str:
    """A file name that stays inside its folder: no separators, ``..``, control characters,
    at most :data:`NAME_MAX` bytes (cut by :func:`fit_filename`, keeping ``keep``)."""
    cleaned = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    kept = re.sub(r"\.{2,}", ".", _UNSAFE_NAME.sub("_", keep))
    return fit_filename(cleaned, kept) if cleaned else "post.md"


def post_path(record: Mapping[str, Any], style: PostStyle, target: Path) -> Path:
    """Where a record's post is written: its kept file name or the pattern's, made safe."""
    kept: Mapping[str, Any] = record.get("post") or {}
    name = safe_filename(
        str(kept.get("filename") or style.file_name(record)), str(record.get("id", ""))
    )
    path = (target / name).resolve()
    if path.parent != target.resolve():
        raise ValueError(f"post file name {name!r} leaves {target}")
    return path


def category_file(categories: str) -> str:
    """The file name of a category's page: ``<categories>.html``, hash-tailed when long."""
    return safe_filename(f"{categories}.html")


def category_page(categories: str, tags: str, style: PostStyle | None = None) -> str:
    """The index page of one category, as Jekyll needs: its permalink is the page the posts'
    back links name (``/category/<categories>.html``, or the style's section page), with the
    file's shortened name for a category too long for one path component."""
    section = (style or PostStyle()).sections.get(categories)
    permalink = section or f"/category/{category_file(categories)}"
    return (
        f"---\nlayout: category\ntitle: {yaml_quote(tags)}\ncategory: {categories}\n"
        f"permalink: {permalink}\n---\n"
    )
