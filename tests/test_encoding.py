"""newsbot.core.encoding: the charset a page's bytes are in, decided from the bytes when
its declarations disagree with them or say nothing."""

from __future__ import annotations

import pytest

from newsbot.core.encoding import chinese_share, choose_encoding, normalize
from newsbot.mirror.layout import with_charset
from tests.charsetsite import PAGES, UNDECODABLE_BODY, UTF8_BOM, Page

TRUE_CODEC = {"gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs"}


def content_type(page: Page) -> str:
    """The Content-Type the mirror serves ``page`` with."""
    guessed = f"text/html; charset={page.meta or 'utf-8'}"
    return guessed if page.header is None else with_charset(guessed, page.header)


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_each_page_is_decoded_in_the_encoding_of_its_bytes(page: Page) -> None:
    body = page.body(1)
    choice = choose_encoding(body, content_type(page), "cp1252")
    expected = TRUE_CODEC.get(page.encoding, page.encoding)
    assert choice.encoding == expected
    text = body.removeprefix(UTF8_BOM).decode(expected)
    assert page.title in text and page.text in text


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_a_change_is_reported_only_when_it_differs_from_the_crawlers_choice(page: Page) -> None:
    right = TRUE_CODEC.get(page.encoding, page.encoding)
    assert not choose_encoding(page.body(1), content_type(page), right).changed
    wrong = "utf-8" if right != "utf-8" else "gb18030"
    assert choose_encoding(page.body(1), content_type(page), wrong).changed


def test_the_issues_three_mislabellings() -> None:
    gbk = '<meta charset="gbk"><title>中国人民银行</title>'.encode("gbk")
    utf8 = "<title>中国人民银行</title>".encode()
    assert choose_encoding(gbk, "text/html; charset=utf-8", "utf-8").encoding == "gb18030"
    assert choose_encoding(utf8, "text/html; charset=gbk", "gb18030").encoding == "utf-8"
    latin = choose_encoding(gbk, "text/html; charset=ISO-8859-1", "cp1252")
    assert (latin.encoding, latin.changed, latin.declared) == (
        "gb18030", True, ("cp1252", "gb18030"),
    )  # fmt: skip


def test_ascii_pages_keep_what_the_crawler_chose() -> None:
    choice = choose_encoding(b"<html><p>plain</p></html>", "text/html; charset=gbk", "gb18030")
    assert (choice.encoding, choice.changed) == ("gb18030", False)


def test_a_latin_label_holds_for_text_that_is_not_chinese() -> None:
    body = "<p>Le café de la gare, où l'été est doux.</p>".encode("cp1252")
    choice = choose_encoding(body, "text/html; charset=iso-8859-1", "cp1252")
    assert (choice.encoding, choice.changed) == ("cp1252", False)


def test_json_bodies_are_decided_from_the_header_alone() -> None:
    body = '{"title": "中国人民银行", "body": "<meta charset=utf-8>"}'.encode("gbk")
    choice = choose_encoding(body, "application/json; charset=utf-8", "utf-8", html=False)
    assert (choice.encoding, choice.changed, choice.declared) == ("gb18030", True, ("utf-8",))


def test_bytes_no_candidate_decodes_are_undecodable() -> None:
    choice = choose_encoding(UNDECODABLE_BODY, "text/html; charset=utf-8", "utf-8")
    assert (choice.encoding, choice.changed) == (None, True)
    assert choice.errors > 100


def test_one_broken_character_does_not_make_a_page_undecodable() -> None:
    body = ("<p>" + "中国人民银行发布公告。" * 20 + "</p>").encode("gbk")
    broken = body[:41] + b"\xff" + body[41:]  # between two characters
    choice = choose_encoding(broken, "text/html; charset=gbk", "gb18030")
    assert (choice.encoding, choice.changed, choice.errors) == ("gb18030", False, 1)


def test_labels_are_normalized_as_scrapy_does() -> None:
    names = [normalize(label) for label in ("GBK", "gb2312", "big5", "ISO-8859-1", "UTF8")]
    assert names == ["gb18030", "gb18030", "big5hkscs", "cp1252", "utf-8"]
    assert normalize("no-such-charset") is None


def test_the_chinese_share_separates_text_from_mojibake() -> None:
    simplified = "中国人民银行发布公告，决定下调金融机构存款准备金率。"
    traditional = "中國人民銀行發佈公告，決定下調金融機構存款準備金率。"
    assert chinese_share(simplified) == chinese_share(traditional) == 1.0
    assert chinese_share(traditional.encode("big5").decode("gb18030")) < 0.6
    assert chinese_share(simplified.encode("gbk").decode("big5hkscs", "replace")) < 0.6


def test_the_mirror_serves_a_chosen_charset_or_none() -> None:
    assert with_charset("text/html; charset=utf-8", "gbk") == "text/html; charset=gbk"
    assert with_charset("application/json; charset=utf-8", "none") == "application/json"
    assert with_charset("text/html", "text/plain; charset=big5") == "text/plain; charset=big5"
