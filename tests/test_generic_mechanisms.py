"""The generic extractor's mechanisms added while tuning it on the extraction corpus
(issue 15 point 6): each on one small hand-written page, so a regression names its cause
(tests/test_extraction_corpus.py holds the whole corpus)."""

# ruff: noqa: E501 -- hand-written pages of CJK text (two columns a character) read better unbroken

from __future__ import annotations

from newsbot.core.extract.generic import extract_generic
from tests.test_generic import P1, P2, P3, footer, nav, page


def test_a_first_paragraph_that_mentions_a_time_is_article_text() -> None:
    lead = "美东时间3月20日，美联储宣布将联邦基金利率目标区间维持在5.25%至5.50%之间不变。"
    body = f"""{nav()}<div class="article"><h1>美联储维持利率不变</h1><div class="info">2024-03-21 02:15 来源：财联社</div>
      <div class="content"><p>{lead}</p><p>{P1}</p><p>{P2}</p></div></div>{footer()}"""
    got = extract_generic(page("美联储维持利率不变_财经", body))
    assert got.text == f"{lead}\n{P1}\n{P2}"
    assert got.date == "2024-03-21 02:15:00 +0800"


def test_a_labelled_publish_date_above_the_title_beats_the_signature() -> None:
    table = (
        '<table class="info"><tr><td>发文机关：</td><td>国务院</td><td>成文日期：</td><td>2024年04月04日</td></tr>'
        "<tr><td>发文字号：</td><td>国发〔2024〕10号</td><td>发布日期：</td><td>2024-04-12</td></tr></table>"
    )
    body = f"""{nav()}{table}<div class="article"><h1>国务院关于推动高质量发展的若干意见</h1>
      <div id="UCAP-CONTENT"><p>{P1}</p><p>{P2}</p><p>国务院</p><p>2024年4月4日</p></div></div>{footer()}"""
    got = extract_generic(page("国务院关于推动高质量发展的若干意见_中国政府网", body))
    assert (got.date, got.date_origin) == ("2024-04-12 00:00:00 +0800", "printed")


def test_a_heading_matching_the_article_title_meta_anchors_the_publish_line() -> None:
    head = '<meta name="ArticleTitle" content="金融监管总局召开监管工作会议"><meta name="PubDate" content="2024-04-26 18:30">'
    body = f"""{nav()}<div class="wenzhang"><div class="wenzhang-title">金融监管总局召开监管工作会议</div>
      <div class="xxgkInfoTablePlain">发布时间：2024-04-26 18:30:12 来源：国家金融监督管理总局</div>
      <div id="wenzhang-content"><p>{P1}</p><p>{P2}</p></div></div>{footer()}"""
    got = extract_generic(page("国家金融监督管理总局", body, head))
    assert got.title == "金融监管总局召开监管工作会议"
    assert (got.date, got.date_origin) == ("2024-04-26 18:30:12 +0800", "printed")
    assert got.source == "国家金融监督管理总局"


def test_a_headline_in_a_plain_element_is_found_by_its_text() -> None:
    head = '<meta name="ArticleTitle" content="浙江出台金融支持民营经济十条措施">'
    body = f"""{nav()}<div class="main-txt"><div class="main-tit"><p class="tit">浙江出台金融支持民营经济十条措施</p></div>
      <div class="main-fl"><span>信息来源：省地方金融管理局</span><span>发布时间：2024-05-20 10:32</span></div>
      <div class="TRS_Editor"><p>{P1}</p><p>{P2}</p></div></div>{footer()}"""
    got = extract_generic(page("浙江省人民政府 浙江出台金融支持民营经济十条措施", body, head))
    assert got.title == "浙江出台金融支持民营经济十条措施"
    assert (got.source, got.date) == ("省地方金融管理局", "2024-05-20 10:32:00 +0800")


def test_a_column_of_teasers_with_summaries_is_not_the_article() -> None:
    items = "".join(
        f'<div class="item"><a href="/a/{i}.html">晶圆代工厂产能利用率回升至九成{i}</a>'
        f"<p>成熟制程需求回暖，部分代工厂已通知客户明年起上调报价，功率器件和电源管理芯片订单明显增加{i}。</p>"
        f'<span class="time">11-2{i} 1{i}:05</span></div>'
        for i in range(5)
    )
    body = f"""{nav()}<div class="page"><div class="left"><div class="detail-title">半导体设备国产化提速</div>
      <div class="detail-info"><span>2026-11-22 10:48</span><span>作者：钱仲</span></div>
      <div class="detail-content"><p>{P1}</p><p>{P2}</p></div></div>
      <div class="right"><div class="side">{items}</div></div></div>{footer()}"""
    got = extract_generic(page("半导体设备国产化提速 | 证券时讯网", body))
    assert got.text == f"{P1}\n{P2}"
    assert (got.date, got.author) == ("2026-11-22 10:48:00 +0800", "钱仲")


def test_prompts_and_statements_are_not_text_and_the_editor_below_the_body_is_read() -> None:
    body = f"""{nav()}<div class="article"><h1>财富号文章的标题在这里</h1><div class="meta">2024-05-10 11:30</div>
      <div class="body"><p>▼点击上方蓝字关注我们▼</p><p>内容来源于公众号：医药小研</p><p>{P1}</p><p>{P2}</p><p>{P3}</p>
        <p>文章来源于公众号：医药小研</p><p>特别声明：以上内容为自媒体平台用户上传并发布。</p></div>
      <div class="app">打开APP，查看更多实时快讯 下载客户端</div><div class="editor">编辑：孟亚</div></div>{footer()}"""
    got = extract_generic(page("财富号文章的标题在这里_东方财富网", body))
    assert got.text == f"{P1}\n{P2}\n{P3}"
    assert got.editor == "孟亚"


def test_a_bracketed_reporter_in_the_first_paragraph_is_the_author() -> None:
    lead = f"上证报中国证券网讯（记者 覃明）{P1}"
    body = f"""{nav()}<div class="article"><h1>沪市公司分红金额创新高</h1><div class="meta">2026-11-10 08:00</div>
      <div class="body"><p>{lead}</p><p>{P2}</p></div></div>{footer()}"""
    got = extract_generic(page("沪市公司分红金额创新高_中国证券网", body))
    assert got.author == "覃明"
    assert got.text.startswith(lead)


def test_the_titles_column_wins_over_a_denser_sidebar_blurb() -> None:
    lines = [f"第{i}项数据环比回落。" for i in range(10)]
    blurb = "本报是全国性财经证券类日报，以权威、专业、及时著称，读者覆盖广大投资者和上市公司。" * 4
    body = f"""{nav()}<div class="w1200"><div class="left"><div class="detail-title"><h2>4月A股新开户数据出炉</h2></div>
      <div class="detail-info"><span>作者：毛军</span> <span>2024-05-08 19:46</span></div>
      <div class="detail-content">{"".join(f"<p>{line}</p>" for line in lines)}</div></div>
      <div class="right"><div class="about"><h4>关于我们</h4><p>{blurb}</p></div></div></div>{footer()}"""
    got = extract_generic(page("4月A股新开户数据出炉-证券时报网", body))
    assert got.text == "\n".join(lines)
    assert (got.date, got.author) == ("2024-05-08 19:46:00 +0800", "毛军")


def test_a_bold_headline_inside_a_prefixed_title_anchors_the_publish_line() -> None:
    body = f"""<table><tr><td class="nav"><a href="/">首页</a></td></tr></table>
      <table><tr><td><font size="4"><b>前10月服务贸易进出口同比增长8.5%</b></font></td></tr>
      <tr><td><font color="#666">2026年11月30日 15:28　来源：国际商报</font></td></tr>
      <tr><td class="zw"><p>{P1}</p><p>{P2}</p></td></tr></table>"""
    got = extract_generic(page("[财经要闻] 前10月服务贸易进出口同比增长8.5%--中华财讯网", body))
    assert got.title == "前10月服务贸易进出口同比增长8.5%"
    assert (got.date, got.source) == ("2026-11-30 15:28:00 +0800", "国际商报")


def test_an_authors_opinion_disclaimer_ends_the_text() -> None:
    body = f"""<div class="rich_media"><h1>货币政策报告的五个关键词</h1><em id="publish_time">2026-11-17 14:00</em>
      <div id="js_content"><section>{P1}</section><section>{P2}</section>
      <section>本文仅代表作者个人观点，不构成投资建议。点击“在看”，让更多人看到。</section></div></div>"""
    got = extract_generic(page("货币政策报告的五个关键词", body))
    assert got.text == f"{P1}\n{P2}"


def test_reporter_labels_and_several_names_after_one_label() -> None:
    def author(info: str) -> str | None:
        body = f"""<div class="article"><h1>温州推进金融改革试点工作</h1><div class="info">{info}</div>
          <div class="content"><p>{P1}</p><p>{P2}</p></div></div>"""
        return extract_generic(page("温州推进金融改革试点工作_温州网", body)).author

    assert author("发布时间：2026-11-19 15:40　来源：温州日报　作者：陈喆 李堃") == "陈喆 李堃"
    assert author("时间：2026-11-20 16:05　作者：记者 张琼斯　来源：金融时讯网") == "张琼斯"
    assert author("2026年11月27日 10:18 来源：经济日报 记者：曾金华") == "曾金华"
    assert author('昨天 21:40 <span class="author"><a href="/a/1">记者 韩宇</a></span>') == "韩宇"


def test_a_sidebar_headline_in_og_title_does_not_win_over_the_title() -> None:
    head = '<meta property="og:title" content="央行：保持流动性合理充裕">'
    body = f"""{nav()}<div class="main"><h1>券商两融利率降至4%以下</h1><div class="info">2024-03-18 07:45</div>
      <div class="content"><p>{P1}</p><p>{P2}</p></div></div>
      <div class="side"><h3>央行：保持流动性合理充裕</h3></div>{footer()}"""
    got = extract_generic(page("券商两融利率降至4%以下_东方财富网", body, head))
    assert (got.title, got.date) == ("券商两融利率降至4%以下", "2024-03-18 07:45:00 +0800")


def test_an_editors_signature_in_a_bottom_bar_is_read_and_a_comment_is_not() -> None:
    body = f"""<div class="artical"><h1>央行开展逆回购操作</h1><div class="info">2024-03-15 09:32</div>
      <div class="artical-content"><p>{P1}</p><p>{P2}</p></div>
      <div class="artical-bottom"><span>[责任编辑：邹洁]</span></div>
      <div class="comment-bottom"><p>作者：网友甲 2024-03-16 说得好</p></div></div>"""
    got = extract_generic(page("央行开展逆回购操作_财经", body))
    assert (got.editor, got.author) == ("邹洁", None)
    assert got.text == f"{P1}\n{P2}"
