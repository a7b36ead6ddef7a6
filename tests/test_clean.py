"""Pure cleaning, extraction helpers, labels and dates used by the backbone."""

from __future__ import annotations

import pytest
from parsel import Selector

from newsbot.config import FieldRule
from newsbot.core.clean import (
    clean_body,
    html_to_lines,
    html_to_text,
    sanitize_html,
    split_bylines,
    strip_boilerplate,
)
from newsbot.core.dates import format_date, parse_date
from newsbot.core.extract import (
    extract_dated_links,
    extract_links,
    json_path,
    parse_jsonp,
    select_body,
    select_text,
)
from newsbot.core.labels import pinyin_slug, render_label
from tests.conftest import ROOT, seed_post


@pytest.mark.parametrize("seed", ["000", "001"])
def test_seed_bodies_pass_the_sanitizer_unchanged(seed: str) -> None:
    _, body = seed_post(seed)
    assert sanitize_html(body) == body


@pytest.mark.parametrize("seed", ["000", "001"])
def test_one_parse_cleans_a_body_as_two_passes_did(seed: str) -> None:
    matter, body = seed_post(seed)
    title = matter["title"]
    noisy = (
        f"<h1>{title}</h1><p>分享到：微信</p>{body}<p>相关新闻</p><p>别的文章</p><pre>a\nb</pre>"
    )
    for html in (body, noisy, "", "  ", "<p> </p>"):
        stripped = strip_boilerplate(html, title=title)
        assert clean_body(html, title=title) == (stripped, html_to_lines(stripped))


def test_sanitizer_drops_everything_executable() -> None:
    dirty = (
        '<p onclick="steal()">　　正文<script>alert(1)</script><!-- ad --></p>'
        '<iframe src="https://ads.example/"></iframe>'
        '<form><input name="q"><button>搜</button></form>'
        '<p><a href="javascript:void(0)">分享</a> <a href="/x.html" target="_blank">链接</a></p>'
        '<style>p{}</style><object data="x.swf"></object><embed src="y.swf">'
        '<p><img data-src="/pic.jpg" onerror="x()"><font color="red">红</font></p>'
    )
    assert sanitize_html(dirty, base_url="https://bank.example.cn/news/1.html") == (
        "<p>正文</p>"
        '<p><a>分享</a> <a href="https://bank.example.cn/x.html">链接</a></p>'
        '<p><img src="https://bank.example.cn/pic.jpg">红</p>'
    )


def test_sanitizer_keeps_structure() -> None:
    kept = (
        '<p><strong>一</strong><em>二</em><br>三</p><table><tr><td colspan="2">表</td></tr></table>'
        "<ul><li>甲</li></ul>"
    )
    # Parsed as a browser parses it (html5ever): a table row sits in a <tbody>.
    assert sanitize_html(kept) == kept.replace("<tr>", "<tbody><tr>").replace(
        "</tr>", "</tr></tbody>"
    )


def test_text_is_one_line_per_block_with_spaces_normalized() -> None:
    html = (
        "<p>　　第一段&nbsp;&nbsp;有 空格</p> &nbsp;<p></p><div>第二段<br>第三行</div>"
        "<table><tr><td>甲</td><td>乙</td></tr></table>"
    )
    assert html_to_text(html) == "第一段 有 空格\n第二段\n第三行\n甲 乙"


def test_bylines_are_lifted_from_head_and_tail() -> None:
    lines = ["来源：工行三明分行", "正文一", "正文二", "（文章来源：上海证券报）"]
    kept, bylines = split_bylines(lines)
    assert kept == ["正文一", "正文二"]
    assert bylines.source == "工行三明分行"  # the first one found wins
    kept, bylines = split_bylines(["正文", "[责任编辑:CXer]", "作者: 陈丽新"])
    assert kept == ["正文"] and bylines.editor == "CXer" and bylines.author == "陈丽新"
    assert split_bylines(html_to_lines("<p>来源不明的正文</p>"))[0] == ["来源不明的正文"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [("上海证券报", "shanghaizhengquanbao"), ("中国证券报", "zhongguozhengquanbao"),
     ("证券时报", "zhengquanshibao"), ("重庆日报", "chongqingribao"), ("银行", "yinhang"),
     ("21世纪经济报道", "21shijijingjibaodao")],
)  # fmt: skip
def test_pinyin_slug(name: str, slug: str) -> None:
    assert pinyin_slug(name) == slug


def test_render_label() -> None:
    assert render_label("{source}新闻", "中国证券报", "f") == "中国证券报新闻"
    assert render_label("{source_pinyin}", "中国证券报", "f") == "zhongguozhengquanbao"
    assert render_label("{feed}", None, "icbc_news") == "icbc_news"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2022-03-25 18:22:56", "2022-03-25 18:22:56 +0800"),
     ("2022年03月25日 18:22", "2022-03-25 18:22:00 +0800"),
     ("来源: 工行三明分行 2020-03-31 16:40", "2020-03-31 16:40:00 +0800"),
     ("２０２２－０３－２５", "2022-03-25 00:00:00 +0800"),
     ("20220325", "2022-03-25 00:00:00 +0800"),
     ("1648203776", "2022-03-25 18:22:56 +0800"),
     ("2022-03-25T10:22:56Z", "2022-03-25 18:22:56 +0800")],
)  # fmt: skip
def test_dates(text: str, expected: str) -> None:
    moment = parse_date(text)
    assert moment is not None and format_date(moment) == expected


def test_undatable_text() -> None:
    assert parse_date("发布时间：未知") is None
    assert parse_date("2022-13-45") is None


def test_selectors_and_json_helpers() -> None:
    page = Selector(
        text='<div class="item">来源：上海证券报</div>'
        '<div id="b"><p>正文</p><div class="ad">广告</div></div>'
        '<a href="/a/1.html">1</a><a href="javascript:;">x</a><a href="/a/1.html">again</a>'
    )
    assert select_text(page, FieldRule(selector="div.item", re="来源：(.+)")) == "上海证券报"
    assert select_body(page, FieldRule(selector="#b"), ["div.ad"]) == "<p>正文</p>"
    assert extract_links(page, "a", "https://x.cn/list/") == ["https://x.cn/a/1.html"]
    assert json_path({"data": {"rows": [{"t": 1}]}}, "data.rows.0.t") == 1
    assert json_path({"data": None}, "data.rows") is None
    assert parse_jsonp('var ajaxResult={"a":1};') == '{"a":1}'
    assert parse_jsonp('cb({"a":1})') == '{"a":1}'


def test_list_links_pair_with_their_dates_only_when_counts_agree() -> None:
    page = Selector(
        text='<ul><li><a href="/a/2.html">二</a><span>2022-03-30</span></li>'
        '<li><a href="javascript:;">空</a><span>2022-03-29</span></li>'
        '<li><a href="/a/1.html">一</a><span>2022-03-28</span></li>'
        '<li><a href="/a/2.html">二</a><span>2022-03-27</span></li></ul>'
    )
    assert extract_dated_links(page, "li a", "li > span", "https://x.cn/") == [
        ("https://x.cn/a/2.html", "2022-03-30"),  # the first of a repeated link wins
        ("https://x.cn/a/1.html", "2022-03-28"),
    ]
    assert extract_dated_links(page, "li a", "li:nth-child(-n+2) > span", "https://x.cn/") is None


def test_boilerplate_defaults_and_feed_rules() -> None:
    from newsbot.core.clean import strip_boilerplate

    body = (
        "<p>文章正文</p><p>正文第一段。</p><div>我要评论（3）</div>"
        '<p><a href="/">返回首页</a></p><p><a href="/yh/">返回银行新闻</a></p>'
        "<p>[打印本页]</p><p>【关闭窗口】</p><div>分享到：微信 微博</div>"
        "<p>某地银行业协会召开年度工作会议，部署全年重点工作并提出要求..</p>"
        "<p>正文第二段。</p><p>广告：开户送好礼</p><p>标题</p>"
        "<p>【<a>打印</a>】【<a>关闭</a>】</p><div>分享：微信</div><div>分享至：微博</div>"
        "<p>【字体：大 中 小】</p>"
        "<h3>延伸阅读</h3><p>其他文章</p>"
    )
    cleaned = strip_boilerplate(
        body, title="标题", boilerplate=[r"广告[:：].*"], cut_after=[r"延伸阅读"]
    )
    assert cleaned == "<p>正文第一段。</p><p>正文第二段。</p>"


def test_cut_marker_removes_the_rest_of_the_body_only() -> None:
    from newsbot.core.clean import strip_boilerplate

    body = (
        "<div><p>正文。</p><div><p>【相关链接】</p><ul><li>甲</li></ul></div>"
        "<p>已有0条评论</p></div>"
    )
    assert strip_boilerplate(body) == "<div><p>正文。</p></div>"


def test_the_challenge_scan_finds_markers_in_any_case_and_skips_content() -> None:
    from newsbot.core.extract import looks_like_js_challenge

    challenge = (ROOT / "tests" / "sites" / "www.pbc.gov.cn" / "_challenge.html").read_bytes()
    assert looks_like_js_challenge(challenge.decode("utf-8", "replace"))
    assert looks_like_js_challenge("<noscript>Please ENABLE JAVASCRIPT</noscript>")
    assert not looks_like_js_challenge("<p>" + "正文" * 5000 + "</p>enable javascript")
    _, body = seed_post("000")
    assert not looks_like_js_challenge(body)


def test_collapsing_space_is_the_regex_it_stands_in_for() -> None:
    # collapse_space does by str.replace and split what these regexes did by re.sub
    # (they stay the definition), a few times faster on long Chinese text.
    import random
    import re

    from newsbot.core.clean.fragment import INLINE_SPACE_CHARS, LINE_SPACE_CHARS, collapse_space

    inline_space = re.compile(f"[{INLINE_SPACE_CHARS}]+")
    line_space = re.compile(f"[{LINE_SPACE_CHARS}]+")

    alphabet = [*INLINE_SPACE_CHARS, "a", "银", "\u2028", "\x0b", "\u200a", "&"]
    rng = random.Random(20261201)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))
        assert collapse_space(text) == inline_space.sub(" ", text).strip(" "), repr(text)
        assert collapse_space(text, LINE_SPACE_CHARS) == line_space.sub(" ", text).strip(" ")


def test_an_indent_is_stripped_as_the_regex_defines_it() -> None:
    import random
    import re

    from newsbot.core.clean.sanitize import _without_indent

    indent = re.compile(r"^[ \t\r\n]*\u3000+")  # the definition (the regex it was)

    alphabet = [" ", "\t", "\n", "\u3000", "\xa0", "a", "银"]
    rng = random.Random(20261202)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8)))
        expected = indent.sub("", text) if indent.match(text) else None
        assert _without_indent(text) == expected, repr(text)


def test_each_elements_text_is_its_text_content() -> None:
    # The boilerplate pass read every element's text_content(), each over its whole
    # subtree: the article's text several times over. element_texts builds them once.
    import random

    from newsbot.core.clean.boilerplate import element_texts
    from newsbot.core.clean.fragment import parse_fragment

    pieces = ["<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "<br>", "<!-- 注释 -->",
              "<b>", "</b>", "文字", " a ", "&amp;", "<img src=x>", "\n"]  # fmt: skip
    rng = random.Random(20261203)
    pages = [path.read_text(encoding="utf-8", errors="replace")
             for path in sorted((ROOT / "tests" / "sites").rglob("*.html"))[:40]]  # fmt: skip
    pages += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30))) for _ in range(500)]
    for html in pages:
        root = parse_fragment(html)
        found = element_texts(root)
        expected = [
            (node, node.text_content()) for node in root.iter() if isinstance(node.tag, str)
        ]
        assert [node for node, _ in found] == [node for node, _ in expected], html
        assert [text for _, text in found] == [text for _, text in expected], html


def test_the_texts_of_a_tree_nested_thousands_deep_do_not_run_out_of_stack() -> None:
    # A parsed body nests at most 256 deep, but a tree built otherwise need not.
    from lxml import etree
    from lxml import html as lxml_html

    from newsbot.core.clean.boilerplate import element_texts

    root = node = lxml_html.Element("div")
    for _ in range(5000):
        node = etree.SubElement(node, "div")
        node.tail = "尾"
    node.text = "最深处"
    found = element_texts(root)
    assert len(found) == 5001
    assert found[0][1] == root.text_content() == "最深处" + "尾" * 5000
    assert found[-1] == (node, "最深处")
