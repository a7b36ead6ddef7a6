"""Broken and hostile input: odd bytes, unclosed foreign elements and markup inside a body
never lose an article, and never run."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted

from newsbot.core.clean import sanitize_html
from newsbot.core.clean.sanitize import clean_url
from tests.conftest import crawl_site
from tests.testsite import SITE_FEED, write_site

BASE = "https://a.cn/x.html"


@pytest.mark.parametrize(
    ("body", "clean"),
    [
        ('<a href="/a&#8;b.html">附件</a>', '<a href="https://a.cn/a%08b.html">附件</a>'),
        ('<img src="a&#x01;b.png">', '<img src="https://a.cn/a%01b.png">'),
        ('<a href="java&#9;script:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="&#1; JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="vb&#10;script:x">x</a>', "<a>x</a>"),
    ],
)
def test_odd_bytes_in_urls_are_read_as_a_browser_reads_them(body: str, clean: str) -> None:
    assert sanitize_html(body, base_url=BASE) == clean


def test_clean_url() -> None:
    assert clean_url(" \x00/a\tb\n.html\x7f ") == "/ab.html%7F"


@pytest.mark.parametrize("tag", ["svg", "math"])
def test_an_unclosed_foreign_element_does_not_swallow_the_body(tag: str) -> None:
    body = f"<{tag}><script>alert(1)</script><p onclick='x()'>正文一</p><p>正文二</p>"
    assert sanitize_html(body) == "<p>正文一</p><p>正文二</p>"


def test_a_closed_svg_goes_with_its_content() -> None:
    body = "<p>甲</p><svg><text>图例</text><circle r='1'/></svg><p>乙</p>"
    assert sanitize_html(body) == "<p>甲</p><p>乙</p>"


@pytest_twisted.ensureDeferred
async def test_markup_inside_a_body_is_never_followed_and_never_swallows_it(
    tmp_path: Path,
) -> None:
    write_site(tmp_path / "sites", articles=3, per_page=3)
    news = tmp_path / "sites" / "bank.example.cn" / "news"
    refresh = '<meta http-equiv="Refresh" content="0;url=/news/index.html">'
    page = (news / "a0.html").read_text(encoding="utf-8")
    (news / "a0.html").write_text(page.replace('<div id="body">', f'<div id="body">{refresh}'))
    page = (news / "a1.html").read_text(encoding="utf-8")
    (news / "a1.html").write_text(page.replace('<div id="body">', '<div id="body"><svg>'))
    result = await crawl_site(
        tmp_path / "sites", SITE_FEED, "test_site", tmp_path, str(tmp_path / "state.sqlite3")
    )
    assert [record["title"] for record in result.items] == [f"测试银行新闻{n}" for n in range(3)]
    for record in result.items:
        assert str(record["text"]).startswith("测试银行第"), record["text"]
    assert result.counts("newsbot/dropped/") == {}


@pytest_twisted.ensureDeferred
async def test_a_refresh_in_the_head_is_followed_in_any_case(tmp_path: Path) -> None:
    # The counterpart of the test above: a moved article whose old page only refreshes.
    write_site(tmp_path / "sites", articles=2, per_page=2)
    news = tmp_path / "sites" / "bank.example.cn" / "news"
    (news / "moved0.html").write_bytes((news / "a0.html").read_bytes())
    (news / "a0.html").write_text(
        '<html><head><META HTTP-EQUIV="REFRESH" CONTENT="0;url=/news/moved0.html"></head>'
        "<body></body></html>",
        encoding="utf-8",
    )
    result = await crawl_site(tmp_path / "sites", SITE_FEED, "test_site", tmp_path)
    assert sorted((record["title"], record["url"]) for record in result.items) == [
        ("测试银行新闻0", "https://bank.example.cn/news/moved0.html"),
        ("测试银行新闻1", "https://bank.example.cn/news/a1.html"),
    ]


#: C0 controls but tab, newline and carriage return; DEL; the C1 controls.
CONTROLS = "".join(
    map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
)


def test_control_characters_never_reach_the_body() -> None:
    body = f"<p>正文\x08一{CONTROLS[1:]}</p><p>正\x7f文\x85二</p>"
    assert sanitize_html(body) == "<p>正文一</p><p>正文二</p>"


@pytest_twisted.ensureDeferred
async def test_control_characters_never_reach_a_record(tmp_path: Path) -> None:
    """A page with control bytes in its title and body (a broken CMS export, a pasted
    Word document) gives the record without them, in every field."""
    write_site(tmp_path / "sites", articles=2, per_page=2)
    news = tmp_path / "sites" / "bank.example.cn" / "news"
    page = (news / "a0.html").read_text(encoding="utf-8")
    page = page.replace("<h1>测试银行", "<h1>测试\x08银行").replace("<p>　　", "<p>　　\x1b[0m\x07")
    (news / "a0.html").write_text(page.replace("第二段", "第\x00二\x85段"), encoding="utf-8")
    result = await crawl_site(
        tmp_path / "sites", SITE_FEED, "test_site", tmp_path, str(tmp_path / "state.sqlite3")
    )
    assert [record["title"] for record in result.items] == ["测试银行新闻0", "测试银行新闻1"]
    for record in result.items:
        for name, value in record.items():
            assert not set(str(value)) & set(CONTROLS), (name, value)
    assert "第二段" in str(result.items[0]["text"])
