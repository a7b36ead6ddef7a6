"""The benchmark newsroom: N article pages of 6–10 KB of distinct Chinese text (title,
publish line, nav, share bars, related links), listed 20 per list page with a next-page
link, under ``ROOT/bank.example.cn/news/``. Links are relative, so a bare Scrapy spider
can crawl it straight from any static server and newsbot through its mirror mode.
Written once per size and kept (``/tmp/newsbot-bench/sites-N``)."""

from __future__ import annotations

import random
from pathlib import Path

HOST = "bank.example.cn"
PER_PAGE = 20
START = f"{HOST}/news/index.html"
CACHE = Path("/tmp/newsbot-bench")
FEED = """feeds:
  - name: bench
    kind: bank
    flow: html
    categories: bench
    tags: 基准
    source: 测试银行
    max_pages: 1000
    start_urls: ["https://bank.example.cn/news/index.html"]
    list: {links: "ul.news a", next_page: "a.next"}
    article: {title: h1, date: div.time, body: "#body"}
"""
NAV = "".join(f'<li><a href="/c{n}/">栏目{n}</a></li>' for n in range(12))
SHARE = (
    '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> '
    '<a href="#">QQ空间</a></div>'
)
PAGE = """<html><head><meta charset="utf-8"><title>{title} - 测试银行</title>
<meta name="keywords" content="银行,新闻"></head><body>
<div class="top"><ul class="nav">{nav}</ul></div>
<div class="main"><h1>{title}</h1>
<div class="time">发布时间：{date}　来源：测试银行</div>{share}
<div id="body">{paragraphs}</div>{share}
<div class="related"><h3>相关新闻</h3><ul>{related}</ul></div></div>
<div class="footer">版权所有 测试银行 备案号：京ICP备00000000号</div>
</body></html>"""


def sentence_pool(size: int = 60_000) -> list[str]:
    """Sentences of 18 characters drawn from 3,000 common code points (fixed seed)."""
    draw = random.Random(20261201)
    chars = [chr(0x4E00 + n) for n in range(3000)]
    return ["".join(draw.choices(chars, k=18)) + "。" for _ in range(size)]


def article_page(n: int, pool: list[str], articles: int) -> str:
    """Article ``n``: 85–145 sentences drawn with seed ``n`` (no two are near-duplicates)."""
    draw = random.Random(n)
    sentences = draw.sample(pool, draw.randrange(85, 145))
    paragraphs = "".join(
        "<p>　　" + "".join(sentences[i : i + 12]) + "</p>" for i in range(0, len(sentences), 12)
    )
    related = "".join(
        f'<li><a href="a{m}.html">测试银行新闻{m}</a></li>'
        for m in (draw.randrange(articles) for _ in range(5))
    )
    date = f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d} {n % 24:02d}:{n % 60:02d}"
    return PAGE.format(
        title=f"测试银行新闻{n}", date=date, nav=NAV, share=SHARE, paragraphs=paragraphs,
        related=related,
    )  # fmt: skip


def list_page(page: int, pages: int, articles: int) -> str:
    """List page ``page`` (0-based): 20 links and a next-page link."""
    numbers = range(page * PER_PAGE, min(articles, (page + 1) * PER_PAGE))
    links = "".join(f'<li><a href="a{n}.html">测试银行新闻{n}</a></li>' for n in numbers)
    following = f'<a class="next" href="list{page + 1}.html">下一页</a>' if page + 1 < pages else ""
    head = '<html><head><meta charset="utf-8"></head>'
    return f'{head}<body><ul class="news">{links}</ul>{following}</body></html>'


def list_pages(articles: int) -> int:
    """How many list pages list ``articles`` articles."""
    return (articles + PER_PAGE - 1) // PER_PAGE


def write_site(articles: int) -> Path:
    """The site of ``articles`` articles (written on first use); returns its root."""
    root = CACHE / f"sites-{articles}"
    done = root / ".complete"
    if done.exists():
        return root
    news = root / HOST / "news"
    news.mkdir(parents=True, exist_ok=True)
    pool, pages = sentence_pool(), list_pages(articles)
    for page in range(pages):
        name = "index.html" if page == 0 else f"list{page}.html"
        (news / name).write_text(list_page(page, pages, articles), encoding="utf-8")
    for n in range(articles):
        (news / f"a{n}.html").write_text(article_page(n, pool, articles), encoding="utf-8")
    done.touch()
    return root
