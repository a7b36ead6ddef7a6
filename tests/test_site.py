"""Publishing checked for real: records exported into the shipped Jekyll site
(deploy/jekyll-site), built by Debian's Jekyll, served on loopback and opened in Chromium."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
from lxml import etree

from newsbot.browser import DEFAULT_CHROMIUM, chromium_available
from newsbot.browser.launch import launch_options
from tests.conftest import ROOT, read_jsonl, run_command

T = TypeVar("T")
#: A built site and the records it was built from.
Site = tuple[Path, list[dict[str, Any]]]
SKELETON = ROOT / "deploy" / "jekyll-site"
POSTS = ROOT / "tests" / "posts"
ATOM = "{http://www.w3.org/2005/Atom}"
JEKYLL = shutil.which("jekyll")
CHROMIUM = os.environ.get("CHROMIUM_PATH", DEFAULT_CHROMIUM)
HAVE_CHROMIUM = chromium_available(CHROMIUM)
if os.environ.get("CI") and not (JEKYLL and HAVE_CHROMIUM):
    raise RuntimeError("CI must build the site: jekyll or chromium missing (make system)")
pytestmark = pytest.mark.skipif(
    not (JEKYLL and HAVE_CHROMIUM),
    reason="Debian's jekyll and chromium are needed: `apt-get install -y jekyll chromium` "
    "(or `make system`)",
)


def newsbot(*args: str) -> str:
    """Run ``newsbot ARGS``; its stdout (the test fails on a non-zero exit)."""
    result = run_command(["newsbot", *args])
    assert result.returncode == 0, result.stderr
    return result.stdout


def build_site(site: Path, records: Path) -> None:
    """Export the records into a copy of the skeleton at ``site`` and build it with Jekyll."""
    shutil.copytree(SKELETON, site)
    newsbot("export", "posts", "--from", str(records), "--to", str(site / "_posts"))
    newsbot("export", "category-pages", "--from", str(records), "--to", str(site / "category"))
    newsbot("export", "atom", "--from", str(records), "--to", str(site / "feed.xml"))
    built = subprocess.run(
        [str(JEKYLL), "build", "--source", str(site), "--destination", str(site / "_site")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The test posts imported, exported into the skeleton and built: (site, records)."""
    work = tmp_path_factory.mktemp("site")
    records = work / "records.jsonl"
    newsbot("import", "posts", str(POSTS), "--out", str(records))
    build_site(work / "site", records)
    return work / "site", read_jsonl(records)


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[str]:
    """The built ``_site`` served by a stdlib server on a free loopback port."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site[0] / "_site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def in_chromium(check: Callable[[Any], T]) -> T:
    """``check(page)`` on a page of Debian's headless Chromium, through Playwright's sync
    API in a thread of its own (the test process's asyncio loop belongs to the reactor)."""

    def run() -> T:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(**launch_options(CHROMIUM))
            try:
                page = chromium.new_page(viewport={"width": 900, "height": 700})
                page.set_default_timeout(10_000)  # a missing element fails fast
                return check(page)
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=60)


def post_url(record: dict[str, Any]) -> str:
    """The URL path Jekyll gives a record's post (the skeleton's permalink pattern)."""
    day = str(record["date"])[:10].replace("-", "/")
    return f"/{day}/{str(record['post']['filename'])[11:].removesuffix('.md')}.html"


def test_the_index_lists_every_post(served: str, site: Site) -> None:
    def titles(page: Any) -> list[str]:
        page.goto(f"{served}/")
        return list(page.locator("ul.posts li a").all_inner_texts())

    newest_first = sorted(site[1], key=lambda r: str(r["date"]), reverse=True)
    assert in_chromium(titles) == [r["title"] for r in newest_first]


def test_a_post_page_shows_title_date_and_body(served: str, site: Site) -> None:
    record = next(r for r in site[1] if "NW202212152607788990" in str(r["url"]))

    def seen(page: Any) -> dict[str, Any]:
        response = page.goto(served + post_url(record))
        shown = {
            "status": response.status,
            "title": page.locator("h1.post-title").inner_text(),
            "datetime": page.locator("time.post-date").get_attribute("datetime"),
            "date": page.locator("time.post-date").inner_text(),
            "body": page.locator(".post-body").inner_text(),
            "source links": page.locator(f'.post-body a[href="{record["url"]}"]').count(),
            "category": page.locator("a.post-category").inner_text(),
        }
        page.locator("a.post-category").click()
        return {**shown, "category page": page.url}

    shown = in_chromium(seen)
    assert (shown["status"], shown["title"]) == (200, record["title"])
    assert (shown["datetime"], shown["date"]) == ("2022-12-15T10:42:07+08:00", "2022-12-15 10:42")
    assert all(line in shown["body"] for line in str(record["text"]).splitlines())
    assert (shown["source links"], shown["category"]) == (1, record["tags"])
    assert shown["category page"] == f"{served}/category/{record['categories']}.html"


def test_a_category_page_lists_its_posts(served: str, site: Site) -> None:
    def listings(page: Any) -> dict[str, tuple[int, str, list[str]]]:
        found = {}
        for path in ("/category/zhengquanshibao.html", "/emnews/"):  # a section page too
            status = page.goto(served + path).status
            title = page.locator("h1.category-title").inner_text()
            found[path] = (status, title, sorted(page.locator("ul.posts li a").all_inner_texts()))
        return found

    found = in_chromium(listings)
    for categories, path in (("zhengquanshibao", "/category/zhengquanshibao.html"),
                             ("emnews", "/emnews/")):  # fmt: skip
        records = [r for r in site[1] if r["categories"] == categories]
        assert found[path] == (200, records[0]["tags"], sorted(r["title"] for r in records))


def test_the_atom_feed_is_valid(served: str, site: Site) -> None:
    def fetched(page: Any) -> tuple[int, bytes]:
        response = page.goto(f"{served}/feed.xml")
        return response.status, response.body()

    status, body = in_chromium(fetched)
    assert status == 200
    feed = etree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):  # RFC 4287 4.1.1: required, exactly once
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(site[1])
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
        links = entry.findall(f"{ATOM}link")
        assert links and all(link.get("href", "").startswith("http") for link in links)
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)


def test_long_categories_still_build(tmp_path: Path) -> None:
    category = "中" * 200  # 600 bytes: more than one path component may have
    record = {"id": "a1b2c3", "title": "长分类", "date": "2022-03-25 18:22:56 +0800",
              "categories": category, "tags": "长分类新闻", "content": "<p>正文</p>",
              "url": "https://x.cn/1"}  # fmt: skip
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    build_site(tmp_path / "site", records)
    built = [p for p in (tmp_path / "site" / "_site" / "category").iterdir()]
    assert len(built) == 1 and len(built[0].name.encode("utf-8")) <= 255
    index = (tmp_path / "site" / "_site" / "index.html").read_text(encoding="utf-8")
    assert "长分类" in index
