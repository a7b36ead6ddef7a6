"""`newsbot doctor`: what a feed's rules and the generic extractor get from pages, run as
a subprocess over the mirror, on local files, with --json, --list and --render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsbot.config import load_feeds
from newsbot.core.extract.generic import extract_generic
from newsbot.ops.doctor import match_feed
from newsbot.ops.doctorview import list_lines
from tests.conftest import EXPECTED, ROOT, SITES, Mirror, feeds_with, run_command
from tests.test_render import needs_chromium

#: Feeds whose records come from their article pages alone (no list-API fields).
ARTICLE_FEEDS = ["boc_news", "csrc_news", "cbhb_news", "icbc_news"]
RECORD_FIELDS = ("title", "date", "source", "author", "editor", "text")
BOC_ARTICLE = SITES / "www.boc.cn/aboutboc/bi1/202203/t20220328_20935208.html"
PBC_ARTICLE = "http://www.pbc.gov.cn/goutongjiaoliu/113456/113469/5234101/index.html"


def doctor(mirror: Mirror | None, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run `newsbot doctor --json ARGS`; exit code, the JSON objects, stderr."""
    env = {"NEWSBOT_MIRROR": mirror.url} if mirror is not None else {"NEWSBOT_MIRROR": ""}
    result = run_command(["newsbot", "doctor", "--json", *args], env=env)
    reports = [json.loads(line) for line in result.stdout.splitlines() if line]
    return result.returncode, reports, result.stderr


def expected_records() -> list[dict[str, Any]]:
    records = []
    for feed in ARTICLE_FEEDS:
        records += json.loads((EXPECTED / f"{feed}.json").read_text(encoding="utf-8"))
    return records


def test_json_over_the_mirror_gives_each_feeds_records_in_order(mirror: Mirror) -> None:
    """One object per page, in the order given: the record the matching feed writes
    (tests/expected), its extraction time, no warnings."""
    records = expected_records()
    code, reports, stderr = doctor(mirror, *[record["url"] for record in records])
    assert code == 0, stderr
    assert [r["url"] for r in reports] == [record["url"] for record in records]
    for report, record in zip(reports, records, strict=True):
        wanted = {name: record[name] for name in RECORD_FIELDS if name in record}
        assert {name: report[name] for name in wanted} == wanted
        assert report["via"] == "mirror"
        assert isinstance(report["ms"], float)
        assert report["warnings"] == []
    assert {r["feed"] for r in reports} == set(ARTICLE_FEEDS)


def test_a_local_file_without_a_feed_gives_the_generic_extractors_result() -> None:
    code, (report,), _ = doctor(None, str(BOC_ARTICLE))
    generic = extract_generic(BOC_ARTICLE.read_bytes(), BOC_ARTICLE.resolve().as_uri())
    assert code == 0
    assert report["feed"] is None and report["rules"] is None and report["via"] == "file"
    assert (report["title"], report["date"], report["text"]) == (
        generic.title,
        generic.date,
        generic.text,
    )
    assert report["date"] == "2022-03-28 00:00:00 +0800"


def test_rules_that_match_nothing_a_future_date_a_short_body_and_a_challenge_are_warned(
    tmp_path: Path,
) -> None:
    future = tmp_path / "future.html"
    future.write_text(
        "<html><head><title>央行发布公告</title></head><body><div class=main><h1>央行发布公告</h1>"
        "<div class=info>2099-01-02 10:00</div><div class=text>"
        "<p>央行今天发布了一则简短的公告。</p><p>公告全文见附件，请各单位遵照执行。</p></div></div></body></html>",
        encoding="utf-8",
    )
    challenge = SITES / "www.pbc.gov.cn" / "_challenge.html"
    code, (dated, blocked), _ = doctor(None, "--feed", "csrc_news", str(future), str(challenge))
    assert code == 0
    assert dated["date"] == "2099-01-02 10:00:00 +0800"
    assert (
        "rule article.body 'div.detail-news' matched nothing (the generic extractor filled it)"
        in dated["warnings"]
    )
    assert "the date 2099-01-02 10:00:00 +0800 is in the future" in dated["warnings"]
    assert "the body is suspiciously short (32 characters)" in dated["warnings"]
    assert dated["fallbacks"] == ["title", "date", "body"]
    assert blocked["warnings"][0].startswith("the page is a JavaScript anti-bot challenge")


def test_the_text_report_shows_rules_and_the_generic_extractor(mirror: Mirror) -> None:
    url = "https://www.boc.cn/aboutboc/bi1/202203/t20220330_20947512.html"
    result = run_command(["newsbot", "doctor", url], env={"NEWSBOT_MIRROR": mirror.url})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"== {url}\n   feed boc_news; via mirror;" in out
    assert "    date     2022-03-30 00:00:00 +0800 (printed '2022-03-30')" in out
    assert "  rules\n    title    .content.con_area h2.title → 中国银行推出" in out
    assert "  generic extractor\n" in out and "4 paragraphs, 0 links" in out


def test_list_shows_the_links_and_what_found_them(mirror: Mirror, tmp_path: Path) -> None:
    url = "http://www.bankcomm.com/BankCommSite/shtml/jyjr/cn/7158/7162/list_1.shtml"
    articles = [
        "http://www.bankcomm.com/BankCommSite/shtml/jyjr/cn/7158/7162/2536127.shtml",
        "http://www.bankcomm.com/BankCommSite/shtml/jyjr/cn/7158/7162/2535306.shtml",
    ]
    code, (by_rules,), _ = doctor(mirror, "--list", url)
    assert code == 0
    assert by_rules["links"] == articles and by_rules["how"].startswith("list.links")
    assert by_rules["next_page"].endswith("/7162/list_2.shtml")
    assert by_rules["generic"]["links"] == articles
    feeds = feeds_with(tmp_path, "bankcomm_news", list={"next_page": "a.page-next"})
    code, (generic,), _ = doctor(mirror, "--list", "--feeds", str(feeds), url)
    assert generic["links"] == articles
    assert generic["how"].startswith("heuristic: main list ul.tzzgx-conter.ty-list, 2 links")
    assert generic["next_how"] == "list.next_page 'a.page-next'"
    psbc = "http://www.psbc.com/cn/index/syycxw/index.html"  # a site no feed reads
    code, (other,), _ = doctor(mirror, "--list", "--feed", "boc_news", psbc)
    assert (code, other["feed"], other["links"]) == (0, "boc_news", [])
    assert other["how"] == "list.links '.news ul.list li a'"
    assert other["generic"]["links"][0].endswith("/202203/t20220330_12041.html")
    assert other["warnings"] == ["no article links found"]
    text = "\n".join(list_lines(by_rules))  # what `newsbot doctor --list URL` prints
    assert f"== {url}\n   feed bankcomm_news; via mirror;" in text
    assert "2 article links by list.links '.main ul.tzzgx-conter.ty-list li a'\n    http" in text
    assert "without rules: 2 links (the same links), heuristic: main list" in text


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no/such/page.html", "no/such/page.html: no such file, and not an http(s) URL"),
        (
            "https://www.boc.cn/aboutboc/bi1/202203/t20990101_1.html",
            "cannot fetch https://www.boc.cn/aboutboc/bi1/202203/t20990101_1.html: "
            "HTTP 404 Not Found",
        ),
    ],
)
def test_a_missing_file_or_unknown_url_is_one_line_and_exit_2(
    mirror: Mirror, target: str, message: str
) -> None:
    result = run_command(["newsbot", "doctor", target], env={"NEWSBOT_MIRROR": mirror.url})
    assert result.returncode == 2
    assert result.stderr == f"newsbot doctor: {message}\n"


def test_an_unknown_feed_is_refused() -> None:
    result = run_command(["newsbot", "doctor", "--feed", "nope", str(BOC_ARTICLE)])
    assert result.returncode == 2
    assert result.stderr.startswith("newsbot doctor: unknown feed 'nope'")


@needs_chromium
def test_render_gets_past_the_challenge_a_plain_fetch_meets(mirror: Mirror, tmp_path: Path) -> None:
    """PBC's pages answer a plain fetch with the 网站卫士 challenge (warned); `--render`
    fetches through Chromium, routed to the mirror, and reads the article."""
    feeds = feeds_with(tmp_path, "pbc_news", render=False)
    code, (plain,), _ = doctor(mirror, "--feeds", str(feeds), PBC_ARTICLE)
    assert code == 0
    assert plain["warnings"][0].startswith("the page is a JavaScript anti-bot challenge")
    code, (rendered,), stderr = doctor(mirror, "--feeds", str(feeds), "--render", PBC_ARTICLE)
    assert code == 0, stderr
    (record,) = [
        r
        for r in json.loads((EXPECTED / "pbc_news.json").read_text(encoding="utf-8"))
        if r["url"] == PBC_ARTICLE
    ]
    assert rendered["via"] == "chromium, mirror"
    assert (rendered["title"], rendered["date"], rendered["text"]) == (
        record["title"],
        record["date"],
        record["text"],
    )
    assert rendered["warnings"] == []


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        ("https://www.boc.cn/aboutboc/bi1/202203/t20220330_20947512.html", "boc_news"),
        ("https://finance.eastmoney.com/a/202203252323545653.html", "eastmoney_news"),
        (
            "https://www.nfra.gov.cn/branch/jiangsu/view/pages/common/ItemDetail.html?docId=1",
            "nfra_jiangsu",
        ),
        ("https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1", "nfra_news"),
        ("http://www.psbc.com/cn/index/syycxw/index.html", None),
    ],
)
def test_a_page_is_read_by_the_feed_of_its_host_and_path(url: str, feed: str | None) -> None:
    """The feed sharing the URL's host and most of its path; the first on a tie."""
    found = match_feed(url, list(load_feeds(ROOT / "feeds.yaml")))
    assert (found.name if found is not None else None) == feed
