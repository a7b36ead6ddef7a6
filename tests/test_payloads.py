"""The sanitizer is a security boundary, tried with tests/xss_payloads.py: every payload,
at the start and in the middle of a body, through the pure clean step and through real
crawls of both flows (HTML pages, JSON API), leaves no executable construct in
``content`` and no markup in ``text``; then every ``content`` is loaded in real Chromium
and nothing runs, while the raw payloads (the positive control) do run there."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from lxml import html as lxml_html

from newsbot.browser import DEFAULT_CHROMIUM, chromium_available
from newsbot.core.clean import ALLOWED_TAGS, html_to_lines, sanitize_html, strip_boilerplate
from newsbot.core.clean.attributes import safe_style, safe_url
from tests.conftest import ROOT, Mirror, crawl_in_process, start_mirror, stop
from tests.testsite import SITE_FEED, api_feed, story_text, write_site
from tests.xss_payloads import PAYLOADS

BASE = "https://bank.example.cn/news/a0.html"
FIRST, SECOND = "<p>正文第一段，测试。</p>", "<p>正文第二段，测试。</p>"
PLACES = ("start", "middle")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})
_URL_EDGE = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STYLE_DANGER = re.compile(r"expression|javascript|vbscript|behavio|binding|url\(|@import|\\")
_MARKUP = re.compile(r"<[A-Za-z/!?]")
CASES = [(n, place) for n in range(len(PAYLOADS)) for place in PLACES]


def placed(n: int, place: str) -> str:
    """Payload ``n`` at the start or in the middle of an article body."""
    payload = PAYLOADS[n].render(n)
    return payload + FIRST + SECOND if place == "start" else FIRST + payload + SECOND


def executable(html: str) -> list[str]:
    """Every construct of ``html`` that could run or load something, as a browser reads
    it: an element outside the allow-list, an ``on*`` handler, a URL whose scheme is not
    web or mail (after the browser's own trimming of controls, tabs and newlines), a style
    that scripts, binds or loads."""
    root = lxml_html.fragment_fromstring(html or "<span></span>", create_parent="div")
    found = []
    for node in root.iter():
        if node is root:
            continue
        if not isinstance(node.tag, str):
            found.append(f"comment {node!r}")
            continue
        if node.tag not in ALLOWED_TAGS:
            found.append(f"<{node.tag}>")
        for name, value in node.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{name}= on <{node.tag}>")
            if name in ("href", "src", "action", "formaction", "data", "srcdoc"):
                url = re.sub(r"[\t\n\r]", "", _URL_EDGE.sub("", value))
                scheme = _SCHEME.match(url)
                if name in ("srcdoc", "action", "formaction", "data") or (
                    scheme and scheme.group(1).lower() not in SAFE_SCHEMES
                ):
                    found.append(f"{name}={value!r}")
            if name == "style":
                flat = re.sub(r"\s+", "", re.sub(r"/\*.*?\*/", "", value)).lower()
                if _STYLE_DANGER.search(flat):
                    found.append(f"style={value!r}")
    return found


def assert_clean(content: str, text: str, where: str) -> None:
    """No executable construct in ``content``, no markup in ``text``."""
    assert not executable(content), (where, executable(content), content)
    assert not _MARKUP.search(text), (where, text)


@pytest.mark.parametrize(("n", "place"), CASES)
def test_no_payload_survives_the_clean_step(n: int, place: str) -> None:
    content = strip_boilerplate(sanitize_html(placed(n, place), base_url=BASE), title="标题")
    assert_clean(content, "\n".join(html_to_lines(content)), f"{n} {place}")
    if PAYLOADS[n].keeps_body:  # the article around the payload is kept
        assert "正文第一段" in content and "正文第二段" in content, content
    else:
        assert place == "start" or "正文第一段" in content, content


@pytest.mark.parametrize(
    ("style", "kept"),
    [
        ("text-align:left;", "text-align:left;"),  # harmless: byte for byte (seed 000)
        ('font-family:"Microsoft YaHei"; color: red', 'font-family:"Microsoft YaHei"; color: red'),
        ("color:red;width:expression(alert(1))", "color:red"),
        ("w\\idth:e\\xpression(alert(1));color:red", "color:red"),
        ("background:url(javascript:alert(1))", None),
        ("background-image: URL( 'x.png' ); color: red", "color: red"),
        ("behavior:url(x.htc)", None),
        ("-moz-binding:url(x.xml#x)", None),
        ("color:red;/**/width:ex/**/pression(alert(1))", "color:red"),
        ("@import 'x.css'", None),
    ],
)
def test_style_keeps_only_harmless_declarations(style: str, kept: str | None) -> None:
    assert safe_style(style) == kept


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://a.cn/x.html", "https://a.cn/x.html"),
        ("/x.html", "/x.html"),
        ("mailto:a@b.cn", "mailto:a@b.cn"),
        ("\x01 JaVa\tScRiPt:alert(1)", None),
        ("vbscript:msgbox(1)", None),
        ("data:text/html,x", None),
        ("data:image/png;base64,AA", None),
        ("java\x00script:alert(1)", "java%00script:alert(1)"),  # relative: no scheme
    ],
)
def test_urls_keep_only_web_and_mail_schemes(url: str, kept: str | None) -> None:
    assert safe_url(url) == kept


def test_the_corpus_covers_every_class() -> None:
    kinds = {payload.kind for payload in PAYLOADS}
    assert len(PAYLOADS) >= 70
    assert kinds >= {
        "script", "on*", "javascript:", "vbscript:", "data:", "svg", "math", "iframe",
        "object", "embed", "style", "meta", "base", "form", "mxss", "entities", "null",
    }  # fmt: skip


API_FEED = api_feed("api_payloads")


def _date(k: int) -> str:
    return f"2022-03-{k % 28 + 1:02d} 10:{k % 60:02d}"


def write_html_site(root: Path) -> None:
    """The test site, one article per case: its body's first paragraph and the payload."""
    write_site(root, articles=len(CASES), per_page=len(CASES))
    news = root / "bank.example.cn" / "news"
    for k, (n, place) in enumerate(CASES):
        page = news / f"a{k}.html"
        text = page.read_text(encoding="utf-8")
        start, end = (
            text.index('<div id="body">') + len('<div id="body">'),
            text.index('</div>\n<div class="share">'),
        )
        body = text[start:end]
        first, second = body.split("</p>", 1)
        body = (
            PAYLOADS[n].render(n) + body
            if place == "start"
            else first + "</p>" + PAYLOADS[n].render(n) + second
        )
        page.write_text(text[:start] + body + text[end:], encoding="utf-8")


def write_api_site(root: Path) -> None:
    """A JSON list API and article API, one document per case (payload in the body)."""
    site = root / "api.example.cn"
    site.mkdir(parents=True)
    rows = [{"id": k} for k in range(len(CASES))]
    (site / "list@page=1").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    for k, (n, place) in enumerate(CASES):
        story = f"<p>测试接口第{k}号新闻：{story_text(500 + k)}</p>"
        payload = PAYLOADS[n].render(n)
        body = payload + story + SECOND if place == "start" else story + payload + SECOND
        doc = {"data": {"title": f"测试接口新闻{k}", "date": _date(k), "body": body}}
        (site / f"doc@id={k}").write_text(json.dumps(doc), encoding="utf-8")


_CRAWLED: dict[str, list[dict[str, Any]]] = {}


async def crawled(flow: str, workdir: Path) -> list[dict[str, Any]]:
    """The records of one crawl of every case in ``flow`` (html or json), crawled once."""
    if flow not in _CRAWLED:
        sites = workdir / "sites"
        feeds = workdir / "feeds.yaml"
        if flow == "html":
            write_html_site(sites)
            feeds.write_text(SITE_FEED, encoding="utf-8")
        else:
            write_api_site(sites)
            feeds.write_text("feeds:\n" + API_FEED, encoding="utf-8")
        server: Mirror = start_mirror(sites)
        try:
            feed = "test_site" if flow == "html" else "api_payloads"
            result = await crawl_in_process(server, feed, workdir, "", feeds)
        finally:
            stop(server.process)
        swallowed = sum(1 for n, place in CASES if place == "start" and not PAYLOADS[n].keeps_body)
        assert result.counts("newsbot/dropped/") == ({"empty-body": swallowed} if swallowed else {})
        _CRAWLED[flow] = result.items
    return _CRAWLED[flow]


@pytest.mark.parametrize("flow", ["html", "json"])
@pytest_twisted.ensureDeferred
async def test_no_payload_survives_a_crawl(flow: str, tmp_path: Path) -> None:
    records = await crawled(flow, tmp_path)
    # No payload loses its article, but an unclosed wrapper at its very start (a counted drop).
    lost = {
        k for k, (n, place) in enumerate(CASES) if place == "start" and not PAYLOADS[n].keeps_body
    }
    assert len(records) == len(CASES) - len(lost)
    for record in records:
        assert_clean(str(record["content"]), str(record["text"]), str(record["url"]))


def _pages(contents: dict[str, list[str]], per_page: int = 25) -> dict[str, dict[str, Any]]:
    """Cleaned contents grouped into pages (each in its own ``<article>``): only allowed
    tags are left in them (checked above), so none can swallow the next."""
    pages = {}
    for name, htmls in contents.items():
        for start in range(0, len(htmls), per_page):
            chunk = htmls[start : start + per_page]
            html = "".join(f"<article>{content}</article>" for content in chunk)
            pages[f"{name}/{start}"] = {"html": html, "wait_ms": 200}
    return pages


def ran_in_chromium(pages: dict[str, dict[str, Any]], workdir: Path) -> dict[str, Any]:
    """Load the pages in Chromium (tests/chromium_check.py, one browser) and say what ran."""
    source, result = workdir / "pages.json", workdir / "ran.json"
    source.write_text(json.dumps(pages), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tests.chromium_check", str(source), str(result)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ran: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return ran


def names_itself(what: dict[str, Any], n: int) -> bool:
    """Whether payload ``n`` ran in its page: a dialog ``alert(n)`` or a request for ``/n``
    (or below it) on the marker host; an event of a neighbouring page never counts for it."""
    own = f"/{n}"
    return str(n) in what["dialogs"] or any(
        path == own or path.startswith(own + "/") for path in what["marker"]
    )


@pytest_twisted.ensureDeferred
async def test_nothing_runs_in_chromium_and_the_raw_payloads_do(tmp_path: Path) -> None:
    if not chromium_available(DEFAULT_CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {DEFAULT_CHROMIUM} missing")
        pytest.skip(f"Chromium not found at {DEFAULT_CHROMIUM}: `apt-get install -y chromium`")
    contents = {
        place: [
            strip_boilerplate(sanitize_html(placed(n, place), base_url=BASE), title="标题")
            for n in range(len(PAYLOADS))
        ]
        for place in PLACES
    }
    for flow in ("html", "json"):
        (tmp_path / flow).mkdir()
        records = await crawled(flow, tmp_path / flow)
        contents[flow] = [str(record["content"]) for record in records]
    raw = {f"raw/{n}": {"html": placed(n, "start"), "wait_ms": 150} for n in range(len(PAYLOADS))}
    ran = ran_in_chromium({**raw, **_pages(contents)}, tmp_path)
    after = {name: what for name, what in ran.items() if not name.startswith("raw/")}
    assert all(not what["dialogs"] and not what["marker"] for what in after.values()), after
    # The positive control: the raw payloads do run in this Chromium (a dialog or a request
    # to the marker host), every one expected to; the classes marked ``dead`` (VBScript,
    # expression(), behavior, -moz-binding, blocked data:/javascript: navigations, text)
    # cannot, and are left out of the count.
    fired = {n for n in range(len(PAYLOADS)) if names_itself(ran[f"raw/{n}"], n)}
    live = {n for n, payload in enumerate(PAYLOADS) if not payload.dead}
    print(
        f"payloads {len(PAYLOADS)}, placed {len(CASES)}; expected to run raw {len(live)}, "
        f"ran raw {len(fired)}; contents loaded after cleaning "
        f"{sum(len(htmls) for htmls in contents.values())}, ran after cleaning 0"
    )
    assert len(fired & live) >= 0.9 * len(live), sorted(live - fired)
    assert not fired - live, sorted(fired - live)  # a payload marked dead that ran: re-mark it
