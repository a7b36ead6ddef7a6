"""The extractors benchmarks/extraction.py compares, each behind one small adapter: a case
in, title / normalized date / plain text out. Other tools' HTML output is turned into
text with newsbot's own ``html_to_lines`` (one line per block), their dates normalized
with newsbot's ``parse_date`` (a day only gives ``00:00:00``)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from newsbot.config.loader import iter_feed_urls, load_feeds
from newsbot.config.models import HtmlFeed, JsonFeed
from newsbot.core.clean import html_to_lines, sanitize_html, strip_boilerplate
from newsbot.core.clean.bylines import split_bylines
from newsbot.core.dates import format_date, parse_date
from newsbot.core.extract.fallback import fill_missing, generic_date_hint, missing_fields
from newsbot.core.extract.generic import decode_page, extract_generic
from newsbot.core.extract.hints import url_date
from newsbot.core.extract.selectors import extract_article
from tests.corpus import Case

ROOT = Path(__file__).resolve().parent.parent
MAGIC_RUNNER = Path(__file__).resolve().parent / "magic_html_runner.py"


@dataclass(frozen=True)
class Extracted:
    """What one tool got from one page."""

    title: str | None = None
    date: str | None = None
    text: str = ""
    #: Source, author, editor — for the tools that give them (None: not one of its fields).
    bylines: dict[str, str | None] | None = None


@dataclass
class Tool:
    """A named extractor; ``applies`` limits it to some cases; ``precomputed`` holds
    results (and ms) measured elsewhere (magic-html, in its own interpreter)."""

    name: str
    run: Callable[[Case], Extracted]
    applies: Callable[[Case], bool] | None = None
    precomputed: dict[str, tuple[Extracted, float]] | None = None


def normalized(value: Any, case: Case) -> str | None:
    """A tool's date as ``YYYY-MM-DD HH:MM:SS +0800``, or None."""
    if value in (None, ""):
        return None
    moment = parse_date(str(value), now=case.crawl_time)
    return format_date(moment) if moment is not None else None


def newsbot_tool(cases: list[Case], rounds: int) -> Tool:
    """newsbot's generic extractor (newsbot/core/extract/generic.py)."""

    def run(case: Case) -> Extracted:
        got = extract_generic(case.html, case.url, crawl_time=case.crawl_time)
        bylines = {"source": got.source, "author": got.author, "editor": got.editor}
        return Extracted(got.title, got.date, got.text, bylines)

    return Tool("newsbot generic", run)


def feed_tool(cases: list[Case], rounds: int) -> Tool | str:
    """newsbot's configured feeds (feeds.yaml) on the cases whose host one serves with
    HTML article pages: the feed's rules, the generic extractor for what they miss, then
    the clean and date steps as the pipelines do them."""
    feeds = {host: feed for feed in load_feeds(ROOT / "feeds.yaml") for host in _hosts(feed)}

    def feed_of(case: Case) -> HtmlFeed | JsonFeed | None:
        return feeds.get(urlsplit(case.url).hostname or "")

    def run(case: Case) -> Extracted:
        feed = feed_of(case)
        assert feed is not None
        return _through_feed(feed, case)

    if not any(feed_of(case) for case in cases):
        return "newsbot feeds: no case's host is served by a feed in feeds.yaml"
    return Tool("newsbot feeds (matching host)", run, lambda case: feed_of(case) is not None)


def _hosts(feed: HtmlFeed | JsonFeed) -> set[str]:
    """Hosts whose HTML article pages the feed reads (none for an article_api feed)."""
    if isinstance(feed, JsonFeed) and feed.article is None:
        return set()
    hosts = {urlsplit(url).hostname or "" for url in iter_feed_urls(feed)}
    return {host for host in hosts if host} | set(feed.host_aliases)


def _through_feed(feed: HtmlFeed | JsonFeed, case: Case) -> Extracted:
    text = decode_page(case.html)
    rules = feed.article
    page = Selector(text=text, base_url=case.url)
    raw = extract_article(page, rules) if rules is not None else None
    wanted = missing_fields(raw) if raw is not None else None
    generic = extract_generic(text, case.url, crawl_time=case.crawl_time)
    if raw is None:
        raw, _ = fill_missing(extract_article(page, _EMPTY), generic, ["title", "date", "body"])
    elif wanted:
        raw, _ = fill_missing(raw, generic, [n for n in wanted if getattr(rules, n, None)])
    title = " ".join((raw.title or "").split())
    body = strip_boilerplate(
        sanitize_html(raw.body or "", base_url=case.url),
        title=title,
        boilerplate=feed.boilerplate,
        cut_after=feed.cut_after,
    )
    lines, edge = split_bylines(html_to_lines(body))
    moment = parse_date(raw.date, now=case.crawl_time) if raw.date else None
    for hint in [*generic_date_hint(generic), *filter(None, [url_date(case.url)])]:
        moment = moment or parse_date(hint, now=case.crawl_time)
    bylines = {
        "source": raw.source or edge.source,
        "author": raw.author or edge.author,
        "editor": raw.editor or edge.editor,
    }
    date = format_date(moment) if moment else None
    return Extracted(title or None, date, "\n".join(lines), bylines)


class _NoRules:
    """Article rules that match nothing (a feed without ``article:``)."""

    title = body = None
    date = source = author = editor = None
    remove: tuple[str, ...] = ()


_EMPTY: Any = _NoRules()


def trafilatura_tool(cases: list[Case], rounds: int) -> Tool | str:
    """trafilatura (bare_extraction with metadata; dates asked with their time)."""
    try:
        import trafilatura
    except ImportError as error:
        return f"trafilatura: not installed ({error}); pip install -e '.[bench]'"

    def run(case: Case) -> Extracted:
        doc = trafilatura.bare_extraction(
            case.html,
            url=case.url,
            with_metadata=True,
            date_extraction_params={"extensive_search": True, "outputformat": "%Y-%m-%d %H:%M:%S"},
        )
        if doc is None:
            return Extracted()
        values = doc if isinstance(doc, dict) else doc.as_dict()
        date = normalized(values.get("date"), case)
        author = {"author": values.get("author")}
        return Extracted(values.get("title"), date, values.get("text") or "", author)

    return Tool(f"trafilatura {trafilatura.__version__}", run)


def gne_tool(cases: list[Case], rounds: int) -> Tool | str:
    """GNE's GeneralNewsExtractor (on the page as newsbot decodes it)."""
    try:
        from gne import GeneralNewsExtractor
    except ImportError as error:
        return f"GNE: not installed ({error}); pip install -e '.[bench]'"
    extractor = GeneralNewsExtractor()

    def run(case: Case) -> Extracted:
        try:
            got = extractor.extract(decode_page(case.html), host=case.url)
        except Exception as error:
            print(f"GNE failed on {case.name}: {type(error).__name__}: {error}")
            return Extracted()
        date = normalized(got.get("publish_time"), case)
        author = {"author": got.get("author") or None}
        return Extracted(got.get("title"), date, got.get("content") or "", author)

    return Tool("GNE", run)


def magic_html_tool(cases: list[Case], rounds: int) -> Tool | str:
    """magic-html, run in its own Python >= 3.12 interpreter over all cases at once."""
    python = os.environ.get("MAGIC_HTML_PYTHON") or str(ROOT / ".venv-magic" / "bin" / "python")
    if not Path(python).exists():
        return (f"magic-html: needs Python >= 3.12 (this venv is older); no interpreter at "
                f"{python} — create .venv-magic or set MAGIC_HTML_PYTHON")  # fmt: skip
    pages = [{"name": c.name, "url": c.url, "html": decode_page(c.html)} for c in cases]
    proc = subprocess.run(
        [python, str(MAGIC_RUNNER), str(rounds)],
        input=json.dumps(pages), capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if proc.returncode != 0:
        return f"magic-html: its runner failed: {proc.stderr.strip().splitlines()[-1:]}"
    done: dict[str, tuple[Extracted, float]] = {}
    for row in json.loads(proc.stdout):
        case = next(c for c in cases if c.name == row["name"])
        text = "\n".join(html_to_lines(row.get("html") or ""))
        done[row["name"]] = (Extracted(row.get("title"), normalized(None, case), text), row["ms"])
    version = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    return Tool(f"magic-html {version}".strip(), lambda case: Extracted(), precomputed=done)
