"""The generic extractor (newsbot/core/extract/generic.py): one hand-written page per
template, modelled on the real structures, then the bundled sites against their feeds."""

# ruff: noqa: E501 -- hand-written pages of CJK text (two columns a character) read better unbroken

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from newsbot.config.loader import parse_feeds
from newsbot.core.dates import SHANGHAI
from newsbot.core.extract.generic import GenericArticle, extract_generic
from newsbot.mirror.layout import mirror_relpath

ROOT = Path(__file__).resolve().parent
CRAWL_TIME = datetime(2022, 3, 25, 20, 0, tzinfo=SHANGHAI)
P1 = "近期，全国本土聚集性疫情呈现点多、面广、频发的特点，证券行业积极行动起来，做好金融服务保障工作。"
P2 = "中证协介绍，本轮疫情以来，各证券公司深入贯彻决策部署，确保公司经营正常开展、信息系统安全稳定运行。"
P3 = (
    "下一步，行业将继续统筹疫情防控和业务发展，切实保障投资者权益和健康安全，维护资本市场平稳运行。"
)


def page(title: str, body: str, head: str = "", charset: str = "utf-8") -> str:
    """A whole HTML page around ``body``."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>{head}'
        f"</head><body>{body}</body></html>"
    )


def nav() -> str:
    """A site's top menu and breadcrumb (links only)."""
    links = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(8))
    return f'<div class="top"><ul class="menu">{links}</ul></div><div class="position">当前位置：<a href="/">首页</a> &gt; 正文</div>'


def footer() -> str:
    """A footer with a disclaimer and a registration number (text, no links)."""
    return (
        '<div id="foot"><p>郑重声明：本网发布此信息的目的在于传播更多信息，与本站立场无关。</p>'
        "<p>版权所有 Copyright © 2004-2022 京ICP备05006054号-11 违法和不良信息举报电话：010-12345678</p></div>"
    )


def test_east_money_article_with_quote_spans_and_ad() -> None:
    body = f"""{nav()}<div class="main"><div class="contentwrap">
      <div class="title">证券业携手共抗疫情 全力维护资本市场平稳运行</div>
      <div class="infos"><div class="item">2022年03月25日 18:22</div><div class="item">来源：上海证券报</div>
        <div class="item"><a href="http://guba.eastmoney.com/news,1.html">评论(<span>12</span>)</a></div></div>
      <div class="b-review">摘要：证券业携手共抗疫情</div>
      <div id="ContentBody" class="txtinfos">
        <div class="ad_context3"><a class="toplink" href="https://acttg.eastmoney.com/">全新妙想投研助理，立即体验</a></div>
        <p>　　{P1}</p>
        <p>　　其中，<span id="stock_1.600030"><a href="http://quote.eastmoney.com/1.600030">中信证券</a></span><span id="quote_1.600030">23.15 +1.2%</span>第一时间印发紧急通知。</p>
        <p>　　{P2}</p>
        <p class="em_media">（文章来源：上海证券报）</p>
        <p class="res-edit">（责任编辑：郭健东）</p>
        <div class="em_weixin">打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享至朋友圈。</div>
      </div>
      <div class="related"><div class="hd">相关阅读</div><ul><li><a href="/a/1.html">券商一季度业绩前瞻..</a></li></ul></div>
    </div></div>{footer()}"""
    got = extract_generic(page("证券业携手共抗疫情 全力维护资本市场平稳运行_东方财富网", body))
    assert got.title == "证券业携手共抗疫情 全力维护资本市场平稳运行"
    assert (got.date, got.date_raw) == ("2022-03-25 18:22:00 +0800", "2022年03月25日 18:22")
    assert (got.source, got.editor) == ("上海证券报", "郭健东")
    assert got.text == f"{P1}\n其中，中信证券第一时间印发紧急通知。\n{P2}"
    assert got.body is not None and "ContentBody" not in got.body and "妙想" not in got.body


def test_securities_paper_site_with_author_and_disclaimer() -> None:
    body = f"""{nav()}<div class="w1200"><div class="detail-title"><h2>深市一季报披露拉开帷幕 多家公司业绩增长</h2></div>
      <div class="detail-info"><span>作者：张三</span> <span>2022-03-25 08:05</span> <span>来源：证券时报</span></div>
      <div class="detail-content"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>
      <div class="disclaimer">免责声明：本文所载内容仅供参考，不构成投资建议，据此操作风险自担。</div>
    </div>{footer()}"""
    got = extract_generic(page("深市一季报披露拉开帷幕 多家公司业绩增长 - 证券时报网", body))
    assert got.title == "深市一季报披露拉开帷幕 多家公司业绩增长"
    assert got.date == "2022-03-25 08:05:00 +0800"
    assert (got.source, got.author) == ("证券时报", "张三")
    assert got.text == f"{P1}\n{P2}\n{P3}"


def test_flash_page_with_login_prompt_and_year_less_time() -> None:
    hot = "".join(
        f'<li><a href="/kx/{i}.html">快讯标题第{i}条：某公司发布公告称拟回购股份</a><span>03-25 1{i}:00</span></li>'
        for i in range(10)
    )
    body = f"""{nav()}<div class="kx-main"><div class="kx-left">
      <h1 class="kx-title">央行开展100亿元逆回购操作</h1>
      <div class="kx-time">03-25 09:15</div>
      <div class="kx-content"><p>【央行开展100亿元逆回购操作】人民银行今日开展100亿元7天期逆回购操作，中标利率2.1%，当日实现零投放零回笼。</p></div>
      <div class="kx-more">登录后查看更多快讯 <a href="/login">立即登录</a></div>
    </div><div class="kx-right"><h3>24小时快讯</h3><ul>{hot}</ul></div></div>{footer()}"""
    got = extract_generic(page("央行开展100亿元逆回购操作_快讯", body), crawl_time=CRAWL_TIME)
    assert got.title == "央行开展100亿元逆回购操作"
    assert (got.date, got.date_raw) == ("2022-03-25 09:15:00 +0800", "03-25 09:15")
    assert got.text.startswith("【央行开展100亿元逆回购操作】") and "\n" not in got.text
    assert "登录" not in got.text and "快讯标题" not in got.text


def test_bank_newsroom_page_with_share_box() -> None:
    body = f"""{nav()}<div class="content con_area"><h2 class="title">中国银行召开2022年普惠金融工作推进会</h2>
      <div class="sub_con"><span>发布时间：2022-03-28</span></div>
      <div class="TRS_Editor"><p>{P1}</p><p>{P2}</p>
        <div class="bdsharebuttonbox">分享到：<a href="#">微博</a><a href="#">微信</a></div></div>
    </div>{footer()}"""
    got = extract_generic(page("中国银行召开2022年普惠金融工作推进会-中国银行", body))
    assert got.title == "中国银行召开2022年普惠金融工作推进会"
    assert (got.date, got.date_raw) == ("2022-03-28 00:00:00 +0800", "2022-03-28")
    assert got.text == f"{P1}\n{P2}"


def test_branch_news_page_with_print_links_and_time_from_meta() -> None:
    body = f"""{nav()}<table><tr><td class="left"><a href="/a">网点查询</a></td><td class="right">
      <div class="xl_title"><h3>工行上海市分行全力保障疫情期间金融服务</h3></div>
      <div class="xl_info">发布日期：2022年3月28日　来源：上海市分行</div>
      <div class="xl_content"><p>{P1}</p><p>{P2}</p><p>【打印本页】【关闭窗口】</p></div>
    </td></tr></table>{footer()}"""
    head = '<meta name="PubDate" content="2022-03-28 10:30">'
    got = extract_generic(page("工行上海市分行全力保障疫情期间金融服务", body, head))
    assert got.title == "工行上海市分行全力保障疫情期间金融服务"
    assert got.date == "2022-03-28 10:30:00 +0800"  # the printed day, the metadata's time
    assert got.source == "上海市分行"
    assert got.text == f"{P1}\n{P2}"


def test_regulator_release_with_ucap_content_and_svg() -> None:
    icon = '<svg viewBox="0 0 24 24"><path d="M2019.05.06 12.30 L2020-01-02 10:11Z"/></svg>'
    body = f"""{nav()}<div class="xxgk"><h1 class="wz_title">关于做好2024年春节期间银行业保险业金融服务工作的通知</h1>
      <div class="pages-date">{icon}发布时间：2024-01-19 16:05　来源：办公厅</div>
      <div class="UCAP-CONTENT"><p>各监管局，各政策性银行、大型银行、股份制银行：</p><p>{P1}</p><p>{P2}</p>
        <p style="text-align:right">国家金融监督管理总局办公厅</p><p style="text-align:right">2024年1月18日</p></div>
    </div>{footer()}"""
    title = "关于做好2024年春节期间银行业保险业金融服务工作的通知"
    got = extract_generic(page(f"{title}-中国人民银行", body))
    assert got.title == title
    assert (got.date, got.source) == ("2024-01-19 16:05:00 +0800", "办公厅")
    assert got.date_origin == "printed"
    assert got.text.endswith("国家金融监督管理总局办公厅\n2024年1月18日")
    assert got.text.startswith("各监管局")


def test_caifuhao_repost_dated_by_metadata_with_bylines_in_body() -> None:
    teasers = "".join(
        f'<p class="teaser"><a href="/news/{i}">来源:北京日报客户端4月1日,国务院联防联控机制召开新闻发布会,介绍从严从实抓好疫情防控工作有关情况{i}..</a></p>'
        for i in range(6)
    )
    body = f"""{nav()}<div class="article"><h1 class="article-title">苏州银行业保险业全力以赴抗疫情</h1>
      <div class="article-tools"><span class="read">阅读 2.1万</span></div>
      <div class="article-body"><p>2022年2月13日以来,苏州市连续报告新冠肺炎确诊病例。{P1}</p><p>{P2}</p>
        <p>内容来源:江苏银保监局</p><p>编辑:冀晓航</p>{teasers}<div class="qa">评论问答</div></div>
    </div>{footer()}"""
    head = '<meta property="article:published_time" content="2022-02-23T10:15:30+08:00">'
    got = extract_generic(page("苏州银行业保险业全力以赴抗疫情 _ 财富号 _ 东方财富网", body, head))
    assert got.title == "苏州银行业保险业全力以赴抗疫情"
    assert got.date == "2022-02-23 10:15:30 +0800"  # not 2月13日 from the first paragraph
    assert got.date_origin == "metadata"
    assert (got.source, got.editor) == ("江苏银保监局", "冀晓航")
    assert got.text == f"2022年2月13日以来,苏州市连续报告新冠肺炎确诊病例。{P1}\n{P2}"


def test_wechat_sections_without_paragraphs_beat_a_dense_sidebar() -> None:
    lines = [f"第{i}条：金融机构持续加大对小微企业的支持力度。" for i in range(12)]
    sections = "".join(f'<section style="margin:0"><span>{line}</span></section>' for line in lines)
    intro = "本公众号由某财经媒体运营，专注宏观经济、金融监管与资本市场报道，" * 4
    body = f"""<div class="rich_media"><h1 class="rich_media_title">一图读懂小微企业金融支持政策</h1>
      <div class="rich_media_meta_list"><em id="publish_time">2022-03-25 15:30</em><a id="js_name">金融时报</a></div>
      <div class="rich_media_content" id="js_content"><section><section>{sections}</section></section></div>
    </div><div class="profile"><p>{intro}</p></div>"""
    got = extract_generic(page("一图读懂小微企业金融支持政策", body))
    assert got.title == "一图读懂小微企业金融支持政策"
    assert got.date == "2022-03-25 15:30:00 +0800"
    assert got.text == "\n".join(lines)


def test_reader_comments_give_no_date_and_no_text() -> None:
    comments = "".join(
        f'<li><span class="time">2023-0{i}-01 10:00</span><p>网友{i}：这篇文章写得很好，分析得很透彻，希望以后多发这样的文章，支持一下！</p></li>'
        for i in range(1, 9)
    )
    body = f"""{nav()}<div class="article"><h1>多家券商推出线上开户绿色通道</h1>
      <div class="info">来源：中国证券报</div><div class="content"><p>{P1}</p><p>{P2}</p></div></div>
      <div class="comment-list"><h3>网友评论</h3><ul>{comments}</ul></div>{footer()}"""
    head = '<meta name="pubdate" content="2022-03-18 06:10:00">'
    got = extract_generic(page("多家券商推出线上开户绿色通道_财经", body, head))
    assert got.date == "2022-03-18 06:10:00 +0800"
    assert got.text == f"{P1}\n{P2}" and got.source == "中国证券报"


def test_two_column_list_page_next_to_the_article() -> None:
    items = "".join(
        f'<li><a href="/a/{i}.html">银行业保险业支持实体经济发展第{i}篇报道标题</a><span>2022-03-{10 + i}</span></li>'
        for i in range(15)
    )
    body = f"""{nav()}<div class="wrap"><div class="left"><h1>银保监会召开专题会议部署一季度工作</h1>
      <p class="time">2022-03-25 10:00:00</p><div class="text"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div>
      <div class="right"><h3>最新动态</h3><ul>{items}</ul></div></div>{footer()}"""
    got = extract_generic(page("银保监会召开专题会议部署一季度工作", body))
    assert got.date == "2022-03-25 10:00:00 +0800"
    assert got.text == f"{P1}\n{P2}\n{P3}"


@pytest.mark.parametrize("declared", ["gbk", "utf-8"])
def test_gbk_bytes_even_when_the_label_lies(declared: str) -> None:
    body = f"""<div class="content_title">齐心抗“疫”共同守“沪” 渤海银行上海分行全力做好金融服务</div>
      <div class="content_info">2022-04-01 来源: 渤海银行上海分行</div><div class="content_body"><p>{P1}</p><p>{P2}</p></div>"""
    html = page(
        "齐心抗“疫”共同守“沪” 渤海银行上海分行全力做好金融服务_中国金融新闻网",
        body,
        charset=declared,
    )
    got = extract_generic(
        html.encode("gbk"), "http://www.financialnews.com.cn/yh/sd/202204/t20220401_1.html"
    )
    assert got.title == "齐心抗“疫”共同守“沪” 渤海银行上海分行全力做好金融服务"
    assert (got.date, got.source) == ("2022-04-01 00:00:00 +0800", "渤海银行上海分行")
    assert got.text == f"{P1}\n{P2}"


def test_br_only_body_with_bare_text_and_an_editor_line() -> None:
    body = f"""{nav()}<h2 class="zw_title">人民银行召开2022年金融市场工作会议</h2>
      <div id="shijian">2022-03-24 17:30:00</div>
      <div id="zoom">　　{P1}<br><br>　　{P2}<br>　　{P3}<br>责任编辑：王五</div>{footer()}"""
    got = extract_generic(page("人民银行召开2022年金融市场工作会议-中国人民银行", body))
    assert got.title == "人民银行召开2022年金融市场工作会议"
    assert got.date == "2022-03-24 17:30:00 +0800"
    assert (got.text, got.editor) == (f"{P1}\n{P2}\n{P3}", "王五")


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("今天 10:30", "2022-03-25 10:30:00"),
        ("昨天 23:05", "2022-03-24 23:05:00"),
        ("5分钟前", "2022-03-25 19:55:00"),
    ],
)
def test_relative_dates_count_from_the_crawl_time(printed: str, expected: str) -> None:
    body = f"<h1>央行公开市场操作</h1><div class='time'>{printed}</div><div class='c'><p>{P1}</p></div>"
    got = extract_generic(page("央行公开市场操作", body), crawl_time=CRAWL_TIME)
    assert got.date == f"{expected} +0800"


def test_relative_dates_count_from_the_pages_own_timestamp() -> None:
    body = f"<h1>央行公开市场操作</h1><div class='time'>昨天 09:00</div><div class='c'><p>{P1}</p></div>"
    head = '<meta name="lastmodified" content="x"><script>var pageTime = "2022-03-25 12:00:00";</script>'
    html = page("央行公开市场操作", body, head).replace("pageTime", "publishTime")
    assert extract_generic(html).date == "2022-03-24 09:00:00 +0800"


def test_no_markup_gives_an_empty_result() -> None:
    assert extract_generic("") == GenericArticle()


def bundled_pages() -> list[tuple[str, dict[str, str]]]:
    """(feed, expected record) for every bundled HTML article page of tests/expected."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for path in sorted((ROOT / "expected").glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            file = ROOT / "sites" / mirror_relpath(record["url"])
            if file.is_file() and file.read_bytes().lstrip().startswith(b"<"):
                found.setdefault(record["url"], (path.stem, record))
    return list(found.values())


@pytest.mark.parametrize(
    ("feed", "record"), bundled_pages(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_bundled_pages_match_the_configured_feeds(feed: str, record: dict[str, str]) -> None:
    """Title and text exactly, the date to the minute the page prints (East Money's feeds
    take the seconds from the list API, which the page does not show)."""
    got = extract_generic(
        (ROOT / "sites" / mirror_relpath(record["url"])).read_bytes(), record["url"]
    )
    assert got.title == record["title"]
    assert got.text == record["text"]
    assert got.date is not None and got.date[:16] == record["date"][:16]


def test_bundled_pages_cover_every_html_feed() -> None:
    feeds = {feed for feed, _ in bundled_pages()}
    assert len(bundled_pages()) == 35 and len(feeds) == 11


def feed_sources() -> dict[str, str | None]:
    """Each feed's constant ``source:`` of feeds.yaml (None: the page names it)."""
    text = (ROOT.parent / "feeds.yaml").read_text(encoding="utf-8")
    return {feed.name: feed.source for feed in parse_feeds(text)}


@pytest.mark.parametrize(
    ("feed", "record"), bundled_pages(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_bundled_pages_bylines_match_the_configured_feeds(
    feed: str, record: dict[str, str]
) -> None:
    """Author and editor as the feeds give them; the source too, unless the feed sets one
    in feeds.yaml (ICBC and BOC print none; PBOC prints its column, 文章来源：沟通交流)."""
    got = extract_generic(
        (ROOT / "sites" / mirror_relpath(record["url"])).read_bytes(), record["url"]
    )
    for name in ("author", "editor"):
        if name in record:
            assert getattr(got, name) == record[name]
    if feed_sources()[feed] is None:
        assert got.source == record["source"]
