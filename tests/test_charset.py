"""Pages in every charset, labelled right, not at all or wrong, crawled over the mirror:
each gives its exact Chinese title and text; each page Scrapy alone would decode wrong is
counted as ``newsbot/encoding_fixed``; a page no charset decodes is dropped as
``undecodable``, counted and logged with its feed and URL. Both flows (HTML pages, JSON
APIs) are decoded the same way."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest_twisted
from scrapy.http import HtmlResponse

from newsbot.core.codes import DropReason
from newsbot.mirror.layout import with_charset
from tests.charsetsite import FEED, HOST, PAGES, UNDECODABLE, Page, write_charset_site
from tests.conftest import crawl_in_process, crawl_site, start_mirror, stop
from tests.test_outcomes import API_FEED, feeds_file
from tests.test_scheduled import last_report, newsbot_crawl


def scrapy_alone_misreads(page: Page) -> bool:
    """Whether Scrapy's own decoding (no newsbot) loses the page's title."""
    guessed = f"text/html; charset={page.meta or 'utf-8'}"
    content_type = guessed if page.header is None else with_charset(guessed, page.header)
    response = HtmlResponse(
        "https://x.cn/", body=page.body(1), headers={"Content-Type": content_type}
    )
    return page.title not in response.text


@pytest_twisted.ensureDeferred
async def test_every_charset_and_every_mislabelling_gives_the_exact_chinese_text(
    tmp_path: Path,
) -> None:
    write_charset_site(tmp_path / "sites")
    result = await crawl_site(tmp_path / "sites", FEED, "charset_site", tmp_path)
    by_url = {record["url"]: record for record in result.items}
    for page in PAGES:
        record = by_url[f"https://{HOST}/news/{page.name}.html"]
        assert (record["title"], record["text"]) == (page.title, page.text), page.name
    assert len(result.items) == len(PAGES)
    # Exactly the mislabelled pages are those Scrapy alone decodes wrong (it reads a BOM,
    # and guesses unlabelled GBK and Big5 right), and exactly those are fixed.
    mislabelled = [page.name for page in PAGES if page.mislabelled]
    assert [page.name for page in PAGES if scrapy_alone_misreads(page)] == mislabelled
    assert result.stats["newsbot/encoding_fixed"] == len(mislabelled) == 15
    assert result.counts("newsbot/dropped/") == {DropReason.UNDECODABLE: 1}
    assert result.stats["newsbot/encoding_undecodable"] == 1
    undecodable_url = f"https://{HOST}/news/{UNDECODABLE}.html"
    lost = result.stats["newsbot/lost_links"]
    assert [(entry["url"], entry["reason"]) for entry in lost] == [
        (undecodable_url, DropReason.UNDECODABLE)
    ]
    warnings = [m for m in result.messages(logging.WARNING) if undecodable_url in m]
    assert any("'charset_site'" in m and "no charset" in m for m in warnings), warnings


def write_gbk_api(root: Path) -> list[tuple[str, str]]:
    """A JSON list API and article API whose docs are GBK or UTF-8, labelled right or
    wrong (``_headers.json``); the (title, body text) each doc must give."""
    site = root / "api.example.cn"
    site.mkdir(parents=True)
    docs = [  # (bytes' encoding, the header's charset; None: the mirror's utf-8)
        ("gbk", None), ("gbk", "gbk"), ("utf-8", None), ("utf-8", "gbk"), ("gbk", "none"),
    ]  # fmt: skip
    rows = [{"id": n} for n in range(1, len(docs) + 1)]
    (site / "list@page=1").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    expected, rules = [], {}
    for n, (encoding, header) in enumerate(docs, start=1):
        page = Page(f"接口{n}", encoding, None, header)
        doc = {"data": {"title": page.title, "date": f"2022-03-0{n} 10:00",
                        "body": f"<p>{page.text}</p>"}}  # fmt: skip
        (site / f"doc@id={n}").write_bytes(json.dumps(doc, ensure_ascii=False).encode(encoding))
        if header is not None:
            rules[f"/doc?id={n}"] = header
        expected.append((page.title, page.text))
    (site / "_headers.json").write_text(json.dumps(rules), encoding="utf-8")
    return expected


@pytest_twisted.ensureDeferred
async def test_json_api_bodies_in_gbk_labelled_utf8_give_the_exact_chinese_text(
    tmp_path: Path,
) -> None:
    expected = write_gbk_api(tmp_path / "sites")
    feeds = feeds_file(tmp_path, API_FEED)
    server = start_mirror(tmp_path / "sites")
    try:
        result = await crawl_in_process(server, "api_site", tmp_path, feeds=feeds)
    finally:
        stop(server.process)
    got = [(record["title"], record["text"]) for record in result.items]
    assert sorted(got) == sorted(expected)
    # Fixed: doc 1 (GBK labelled utf-8) and doc 4 (UTF-8 labelled gbk); doc 5 (GBK, no
    # charset) Scrapy guesses right by itself.
    assert result.stats["newsbot/encoding_fixed"] == 2


def test_the_run_report_and_summary_say_how_many_pages_were_decoded_otherwise(
    tmp_path: Path,
) -> None:
    write_charset_site(tmp_path / "sites")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    try:
        run = newsbot_crawl(server, tmp_path / "data", feeds=feeds)
    finally:
        stop(server.process)
    assert run.returncode == 0, run.stdout + run.stderr  # one undecodable page: not broken
    (report,) = last_report(tmp_path / "data")["feeds"]
    assert (report["encoding_fixed"], report["new"], report["dropped"]) == (
        15, len(PAGES), {"undecodable": 1},
    )  # fmt: skip
    assert [entry["reason"] for entry in report["lost"]] == ["undecodable"]
    assert "charset_site         decoded 15 page(s) in another charset than declared" in (
        run.stdout
    ), run.stdout
    assert "dropped undecodable: 1" in run.stdout
