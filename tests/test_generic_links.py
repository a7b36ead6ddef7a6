"""The generic list-page reader (newsbot.core.extract.generic_links, .lists) on list
shapes: two-column lists, navigation and sidebars, pagination; and its feeds.yaml keys."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from parsel import Selector

from newsbot.config import FeedConfigError, parse_feeds
from newsbot.core.extract.generic_links import find_article_links, find_next_page
from newsbot.core.extract.lists import read_list_page
from tests.test_config import GOOD_FEED

BASE = "https://bank.example.cn/news/index.html"

CHROME = """
<div class="header"><ul class="nav">
  <li><a href="/about/2022/intro.html">关于我们银行的简介页面</a></li>
  <li><a href="/news/">新闻中心栏目首页</a></li></ul></div>
<div class="left-menu"><ul>
  <li><a href="/news/202203/t20220301_111111.html">栏目导航里的一篇文章标题</a></li></ul></div>
"""
FOOTER = """<div class="footer"><a href="/map/20220101/sitemap.html">网站地图与法律声明页面</a>
<a href="https://other.example.com/202203/t20220330_999.html">友情链接其他网站的标题</a></div>"""


def page(body: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(f"<html><body>{CHROME}{body}{FOOTER}</body></html>")


def item(n: int) -> str:
    """A dated list item linking to a TRS-style article URL."""
    href = f"./202203/t2022033{n}_2094751{n}.html"
    return (
        f'<li><a href="{href}">中国银行推出第{n}项普惠金融新举措</a><span>2022-03-3{n}</span></li>'
    )


def links(*pairs: tuple[str, str]) -> str:
    """An undated <ul> of (href, text) items."""
    return "<ul>" + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in pairs) + "</ul>"


def test_the_main_list_wins_over_navigation_sidebars_and_footer() -> None:
    hot = (
        '<div class="hot">'
        + links(("/news/202203/t20220320_5.html", "热点推荐里的一篇旧文章"))
        + "</div>"
    )
    found = find_article_links(page(f'<ul class="list">{item(1)}{item(2)}</ul>{hot}'), BASE)
    assert found.links == [
        "https://bank.example.cn/news/202203/t20220331_20947511.html",
        "https://bank.example.cn/news/202203/t20220332_20947512.html",
    ]
    assert found.how.startswith("heuristic: main list ul.list, 2 links")


def test_a_list_in_two_columns_is_read_whole() -> None:
    columns = (
        f'<div class="cols"><ul class="col">{item(1)}{item(2)}</ul>'
        f'<ul class="col">{item(3)}{item(4)}</ul></div>'
    )
    found = find_article_links(page(columns), BASE)
    assert [link[-13:-5] for link in found.links] == [
        "20947511",
        "20947512",
        "20947513",
        "20947514",
    ]


def test_a_table_of_two_columns_is_one_list() -> None:
    def cell(n: int) -> str:
        return f'<td><a href="/news/show.aspx?id=5500{n}0">监管部门发布第{n}号公告全文</a></td>'

    table = f"<table><tr>{cell(1)}{cell(2)}</tr><tr>{cell(3)}{cell(4)}</tr></table>"
    found = find_article_links(page(table), BASE)
    assert [link[-6:] for link in found.links] == ["550010", "550020", "550030", "550040"]


def test_a_dated_list_beats_an_undated_one_of_the_same_size() -> None:
    undated = links(
        ("/news/202203/t20220301_7.html", "另一栏目里没有日期的标题一"),
        ("/news/202203/t20220302_8.html", "另一栏目里没有日期的标题二"),
    )
    found = find_article_links(page(f'{undated}<ul class="list">{item(1)}{item(2)}</ul>'), BASE)
    assert found.links[0].endswith("_20947511.html")


def test_without_dates_or_ids_in_urls_links_of_one_folder_are_taken() -> None:
    plain = links(
        ("/news/工行召开普惠金融推进会.htm", "工行召开普惠金融工作推进会"),
        ("/news/春耕贷助力农业生产.htm", "工行春耕贷助力春季农业生产"),
        ("/about/联系我们.htm", "联系我们与各地营业网点"),
    )
    found = find_article_links(page(plain), BASE)
    assert len(found.links) == 2
    assert "one folder" in found.how


def test_a_page_with_nothing_but_chrome_gives_no_links() -> None:
    assert find_article_links(page(""), BASE).links == []


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        ('<a href="index_1.html">下一页</a>', "https://bank.example.cn/news/index_1.html"),
        ('<a href="?page=2">下页</a>', "https://bank.example.cn/news/index.html?page=2"),
        ('<a href="p3.html">&gt;</a>', "https://bank.example.cn/news/p3.html"),
        ('<a rel="next" href="more.html">更多</a>', "https://bank.example.cn/news/more.html"),
        ('<a href="javascript:void(0)">下一页</a>', None),
        ("<a>下一页</a>", None),
        ('<span>上一页</span><a href="index.html">2</a>', None),
    ],
)
def test_the_next_page_link(pager: str, expected: str | None) -> None:
    assert find_next_page(page(f'<div class="page">{pager}</div>'), BASE) == expected


class Rules:
    def __init__(self, links: str | None = None, link_pattern: str | None = None,
                 next_page: str | None = None) -> None:  # fmt: skip
        self.links, self.link_pattern, self.next_page = links, link_pattern, next_page


def test_rules_win_over_the_heuristic_part_by_part() -> None:
    html = f'<ul class="list">{item(1)}{item(2)}</ul><a class="more" href="b.html">下一页</a>'
    selector = Selector(text=f"<html><body>{CHROME}{html}</body></html>")
    by_pattern = read_list_page(selector, BASE, Rules(link_pattern=r"_20947512\.html$"))
    assert by_pattern.links == ["https://bank.example.cn/news/202203/t20220332_20947512.html"]
    assert "list.link_pattern" in by_pattern.how
    assert by_pattern.next_page == "https://bank.example.cn/news/b.html"
    assert by_pattern.next_how.startswith("heuristic")
    by_rules = read_list_page(selector, BASE, Rules(links="ul.list a", next_page="a.none"))
    assert len(by_rules.links) == 2
    assert by_rules.next_page is None


def test_a_feed_may_give_no_list_rules_and_a_link_pattern() -> None:
    (bare,) = parse_feeds(
        GOOD_FEED.replace('    list: {links: "ul.list a", next_page: "a.next"}\n', "")
    )
    assert bare.list.links is None  # type: ignore[union-attr]
    patterned = GOOD_FEED.replace('links: "ul.list a"', r'link_pattern: "/t\\d{8}_\\d+\\.html$"')
    (feed,) = parse_feeds(patterned)
    assert feed.list.link_pattern == r"/t\d{8}_\d+\.html$"  # type: ignore[union-attr]


def test_a_bad_link_pattern_or_dates_without_links_is_a_located_problem() -> None:
    bad = GOOD_FEED.replace('links: "ul.list a"', 'link_pattern: "t(\\\\d+"')
    with pytest.raises(FeedConfigError) as raised:
        parse_feeds(bad)
    assert raised.value.problems == [
        "feeds.yaml:8: feed 'demo_bank' → list.link_pattern: invalid regex 't(\\\\d+': "
        "missing ), unterminated subpattern at position 1",
    ]
    undated = GOOD_FEED.replace('links: "ul.list a"', "dates: span")
    with pytest.raises(FeedConfigError) as raised:
        parse_feeds(undated)
    assert raised.value.problems == [
        "feeds.yaml:8: feed 'demo_bank' → list: `dates` pairs each date with a link of "
        "`links`: give `links` too",
    ]
