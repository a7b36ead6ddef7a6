"""feeds.yaml validation: every problem reported at once, with file, line and feed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from newsbot.config import FeedConfigError, HtmlFeed, JsonFeed, load_feeds, parse_feeds
from newsbot.core.addresses import private_address
from tests.conftest import ROOT, run_command

GOOD_FEED = """\
feeds:
  - name: demo_bank
    kind: bank
    flow: html
    categories: demo
    tags: 演示
    start_urls: ["https://bank.example.cn/news/index.html"]
    list: {links: "ul.list a", next_page: "a.next"}
    article:
      title: h1
      body: "#content"
      date: {selector: span.time, re: "(\\\\d{4}-\\\\d\\\\d-\\\\d\\\\d)"}
"""

BAD_FEEDS = """\
feeds:
  - name: first
    kind: bank
    flow: html
    categories: demo
    tags: 演示
    start_urls: ["https://bank.example.cn/news/"]
    colour: blue
    list: {links: "ul.list a"}
    article:
      title: "h1[["
      body: "#content"
  - name: second
    kind: newspaper
    flow: json
    categories: demo
    tags: 演示
    max_pages: many
    list_api:
      url: "https://api.example.cn/list?page=1"
      items: data.rows
      link: "https://example.cn/{id}.html"
    article_api:
      url: "https://api.example.cn/doc?id={id}"
      fields: {title: data.title, body: data.html}
  - name: third
    kind: regulator
    flow: html
    tags: 演示
    start_urls: ["https://gov.example.cn/"]
    list: {links: a}
    article: {title: h1, body: div}
  - name: first
    kind: bank
    flow: html
    categories: demo
    tags: 演示
    start_urls: ["https://bank.example.cn/news/"]
    list: {links: a}
    article: {title: h1, body: div}
"""


def test_shipped_feeds_file_is_valid() -> None:
    feeds = load_feeds(ROOT / "feeds.yaml")
    names = [feed.name for feed in feeds]
    assert {"eastmoney_shzqb", "eastmoney_zgzqb", "icbc_news", "nfra_news"} <= set(names)
    kinds = {feed.kind for feed in feeds}
    assert kinds == {"portal", "bank", "regulator"}


def test_good_feed_is_parsed_into_its_flow_model() -> None:
    (feed,) = parse_feeds(GOOD_FEED)
    assert isinstance(feed, HtmlFeed)
    assert feed.article.date is not None
    assert feed.article.date.re == "(\\d{4}-\\d\\d-\\d\\d)"
    assert feed.article.title.selector == "h1"
    assert feed.max_pages == 1


def test_every_problem_is_reported_with_line_and_feed() -> None:
    with pytest.raises(FeedConfigError) as caught:
        parse_feeds(BAD_FEEDS, "feeds.yaml")
    problems = caught.value.problems
    assert problems == [
        "feeds.yaml:11: feed 'first' → article.title.selector: invalid selector 'h1[[': "
        "Expected ident or '*', got <DELIM '[' at 3>",
        "feeds.yaml:8: feed 'first' → colour: unknown key",
        "feeds.yaml:14: feed 'second' → kind: must be one of portal, bank, regulator "
        "(got 'newspaper')",
        "feeds.yaml:18: feed 'second' → max_pages: must be a whole number (got 'many')",
        "feeds.yaml:20: feed 'second' → list_api.url: the list API URL needs a {page} placeholder",
        "feeds.yaml:26: feed 'third' → categories: required, but not given",
        "feeds.yaml:33: feed 'first': duplicate feed name (first defined on line 2)",
    ]
    assert len(problems) == 7


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(FeedConfigError) as caught:
        parse_feeds("feeds:\n  - name: x\n    kind: [bank\n", "f.yaml")
    assert caught.value.problems == [
        "f.yaml:3: feed 'x': YAML syntax error: the [ opened on this line is not closed with ]"
    ]


def test_json_feed_takes_at_most_one_article_reader() -> None:
    """Neither: the generic extractor reads the HTML article pages; both: refused."""
    text = textwrap.dedent("""\
        feeds:
          - name: api
            kind: regulator
            flow: json
            categories: c
            tags: t
            list_api: {url: "https://x.cn/l?p={page}", items: rows, link: "https://x.cn/{id}"}
        """)
    (feed,) = parse_feeds(text)
    assert isinstance(feed, JsonFeed) and feed.article is None and feed.article_api is None
    both = text + (
        "    article: {title: h1, body: div}\n"
        '    article_api: {url: "https://x.cn/{id}", fields: {body: b}}\n'
    )
    with pytest.raises(FeedConfigError, match=r"feeds\.yaml:2: feed 'api': give at most one of"):
        parse_feeds(both)


def test_unknown_template_placeholder_is_rejected() -> None:
    bad = GOOD_FEED.replace("tags: 演示", "tags: '{paper}新闻'")
    with pytest.raises(FeedConfigError, match=r"feeds.yaml:6: feed 'demo_bank' → tags: unknown"):
        parse_feeds(bad)


def test_json_feed_model() -> None:
    feeds = load_feeds(ROOT / "feeds.yaml")
    nfra = next(feed for feed in feeds if feed.name == "nfra_news")
    assert isinstance(nfra, JsonFeed)
    assert nfra.article_api is not None and nfra.article_api.fields["body"] == "data.docClob"


def test_validate_command_exits_non_zero_listing_all_problems(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text(BAD_FEEDS, encoding="utf-8")
    result = run_command(["newsbot", "validate", "--feeds", str(bad)])
    assert result.returncode == 2
    assert result.stderr.count(f"{bad}:") == 8  # seven problems and the count line
    assert f"{bad}: 7 problem(s)" in result.stderr


def test_validate_command_accepts_the_shipped_file() -> None:
    result = run_command(["newsbot", "validate"])
    assert result.returncode == 0, result.stderr
    assert "feeds OK" in result.stdout


def test_scrapy_reports_a_broken_feeds_file(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text(BAD_FEEDS, encoding="utf-8")
    result = run_command(["scrapy", "list"], env={"NEWSBOT_FEEDS": str(bad)})
    assert result.returncode != 0
    assert f"{bad}:8: feed 'first' → colour" in result.stderr


def test_schema_document_is_current() -> None:
    import json

    from newsbot.config import feeds_schema

    written = json.loads((ROOT / "docs" / "feeds.schema.json").read_text(encoding="utf-8"))
    assert written == feeds_schema(), "run `make schema`"


def test_scrapy_list_with_a_bad_feeds_file_prints_located_problems_not_a_traceback(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text(GOOD_FEED.replace("title: h1", "title: 'h1[['"), encoding="utf-8")
    result = run_command(["scrapy", "list"], env={"NEWSBOT_FEEDS": str(bad)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:10: feed 'demo_bank' → article.title.selector" in result.stderr


def with_line(line: str) -> str:
    """GOOD_FEED with one more line after ``tags``."""
    return GOOD_FEED.replace("    tags: 演示\n", f"    tags: 演示\n    {line}\n")


def test_an_impossible_date_is_a_located_problem() -> None:
    with pytest.raises(FeedConfigError) as raised:
        parse_feeds(
            GOOD_FEED.replace("    tags: 演示\n", "    tags: 演示\n    since: 2024-13-45\n")
        )
    assert raised.value.problems == [
        "feeds.yaml:7: feed 'demo_bank' → since: must be a date YYYY-MM-DD (got '2024-13-45': "
        "month value is outside expected range of 1-12)"
    ]


def test_a_valid_date_is_still_a_date() -> None:
    (feed,) = parse_feeds(
        GOOD_FEED.replace("    tags: 演示\n", "    tags: 演示\n    since: 2024-03-29\n")
    )
    assert str(feed.since) == "2024-03-29"


def test_a_key_given_twice_in_one_feed_is_a_problem() -> None:
    with pytest.raises(FeedConfigError) as raised:
        parse_feeds(
            GOOD_FEED.replace("    tags: 演示\n", "    tags: 演示\n    categories: other\n")
        )
    assert raised.value.problems == [
        "feeds.yaml:7: key 'categories' is given twice (first on line 5); keep one"
    ]


def test_merged_keys_may_be_overridden() -> None:
    """`<<: *anchor` then a key of the anchor is YAML's override, as feeds.yaml uses it."""
    assert len(load_feeds(ROOT / "feeds.yaml")) >= 16


def test_a_feeds_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_bytes(GOOD_FEED.encode("gbk"))
    with pytest.raises(FeedConfigError) as raised:
        load_feeds(path)
    assert raised.value.problems == [
        f"{path}:6: the file is not UTF-8 (byte 0xd1); save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8000/news/", "loopback"),
        ("http://localhost/news/", "loopback"),
        ("http://[::1]/news/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.8/list?page={page}", "private"),
        ("http://192.168.1.2/", "private"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("https://www.nfra.gov.cn/", None),
        ("https://8.8.8.8/", None),
    ],
)
def test_private_addresses_are_recognised(url: str, kind: str | None) -> None:
    assert private_address(url) == kind


def test_a_feed_on_a_private_address_is_refused_unless_it_says_why() -> None:
    private = GOOD_FEED.replace(
        "https://bank.example.cn/news/index.html", "http://169.254.169.254/"
    )
    with pytest.raises(FeedConfigError) as raised:
        parse_feeds(private)
    assert raised.value.problems == [
        "feeds.yaml:2: feed 'demo_bank': 'http://169.254.169.254/' is a link-local address; "
        "a feed crawls public sites only, unless it says why with `allow_private: <reason>`"
    ]
    allowed = private.replace("    tags: 演示\n", "    tags: 演示\n    allow_private: 内网测试站\n")
    (feed,) = parse_feeds(allowed)
    assert feed.allow_private == "内网测试站"
