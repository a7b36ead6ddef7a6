"""Every Chinese date form the sources use → YYYY-MM-DD HH:MM:SS +0800."""

from __future__ import annotations

from datetime import datetime

import pytest
from parsel import Selector

from newsbot.core.dates import SHANGHAI, first_date, format_date, parse_date
from newsbot.core.extract import date_fallbacks, metadata_dates, url_date

NOW = datetime(2022, 3, 26, 10, 0, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-25 18:22:56", "2022-03-25 18:22:56"),
        ("2022-03-25 18:22", "2022-03-25 18:22:00"),
        ("2022/3/25", "2022-03-25 00:00:00"),
        ("2022.03.25", "2022-03-25 00:00:00"),
        ("20220325", "2022-03-25 00:00:00"),
        ("2022年03月25日 18:22", "2022-03-25 18:22:00"),
        ("2022年3月25日", "2022-03-25 00:00:00"),
        ("２０２２年３月２５日　１８：２２", "2022-03-25 18:22:00"),
        ("二〇二二年三月二十五日", "2022-03-25 00:00:00"),
        ("二〇二一年十二月十日", "2021-12-10 00:00:00"),
        ("03-25 18:22", "2022-03-25 18:22:00"),
        ("3月25日", "2022-03-25 00:00:00"),
        ("12月30日", "2021-12-30 00:00:00"),  # never in the future: last year
        ("今天 08:15", "2022-03-26 08:15:00"),
        ("昨天", "2022-03-25 00:00:00"),
        ("昨天 18:22", "2022-03-25 18:22:00"),
        ("前天", "2022-03-24 00:00:00"),
        ("3小时前", "2022-03-26 07:00:00"),
        ("15分钟前", "2022-03-26 09:45:00"),
        ("刚刚", "2022-03-26 10:00:00"),
        ("1648203776", "2022-03-25 18:22:56"),
        ("1648203776000", "2022-03-25 18:22:56"),
        ("2022-03-25T10:22:56Z", "2022-03-25 18:22:56"),
        ("2022-03-25T05:22:56-05:00", "2022-03-25 18:22:56"),
        ("2022-03-25T11:22:56+01:00", "2022-03-25 18:22:56"),
        ("来源: 工行三明分行 2020-03-31 16:40", "2020-03-31 16:40:00"),
        ("发布时间：2022-03-25", "2022-03-25 00:00:00"),
    ],
)
def test_every_form(text: str, expected: str) -> None:
    moment = parse_date(text, now=NOW)
    assert moment is not None, text
    assert format_date(moment) == f"{expected} +0800"


def test_numbers_are_epochs() -> None:
    moment = parse_date(1648203776000, now=NOW)
    assert moment is not None and format_date(moment) == "2022-03-25 18:22:56 +0800"


@pytest.mark.parametrize("text", ["", None, "未知", "阅读 1234", "2022-02-30"])
def test_no_date(text: str | None) -> None:
    assert parse_date(text, now=NOW) is None


def test_metadata_dates_in_order() -> None:
    page = Selector(
        text="<html><head>"
        '<meta property="article:published_time" content="2022-02-23T10:15:30+08:00">'
        '<meta name="PubDate" content="2022-02-23 10:15"><script type="application/ld+json">'
        '{"@type": "NewsArticle", "datePublished": "2022-02-23T02:15:30Z"}</script></head></html>'
    )
    assert metadata_dates(page) == [
        "2022-02-23T10:15:30+08:00",
        "2022-02-23 10:15",
        "2022-02-23T02:15:30Z",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.financialnews.com.cn/yh/sd/202204/t20220401_187711.html", "20220401"),
        ("https://finance.eastmoney.com/a/202203252323545653.html", "20220325"),
        ("https://example.cn/news/2022-03-25/123.html", "20220325"),
        ("https://example.cn/news/123.html", None),
    ],
)
def test_url_dates(url: str, expected: str | None) -> None:
    assert url_date(url) == expected


def test_fallbacks_put_metadata_before_the_url() -> None:
    page = Selector(text='<meta name="publishdate" content="2022-04-02">')
    url = "http://x.cn/202204/t20220401_1.html"
    assert date_fallbacks(page, url) == ["2022-04-02", "20220401"]
    assert date_fallbacks(None, url) == ["20220401"]


def test_first_date_is_the_first_text_that_parses() -> None:
    found = first_date([None, "", "来源：测试银行", "2022-03-05 10:12", "2021-01-01"])
    assert found is not None and format_date(found) == "2022-03-05 10:12:00 +0800"
    assert first_date([None, "无日期"]) is None
    assert first_date([]) is None
