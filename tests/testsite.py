"""A synthetic bank newsroom written for the tests: list pages of numbered articles,
an optional undatable page; SITE_FEED is its feeds.yaml block. Used by the pipeline,
render and scheduled-crawl tests and by benchmarks/render.py."""

from __future__ import annotations

import json
import random
from pathlib import Path

ARTICLE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a></div><h1>{title}</h1><div class="time">{date}</div>
<div id="body"><p>　　{text}</p><p>第二段：{title}的详细内容，编号{n}。</p></div>
<div class="share">分享到：微信</div>
<script>setTimeout(function () {{
  document.body.insertAdjacentHTML("beforeend", '<i id="ready"></i>'); }}, 300);</script>
</body></html>"""
SITE_FEED = """feeds:
  - name: test_site
    kind: bank
    flow: html
    categories: testsite
    tags: 测试
    source: 测试银行
    max_pages: 100
    start_urls: ["https://bank.example.cn/news/index.html"]
    list: {links: "ul.news a", next_page: "a.next"}
    article: {title: h1, date: div.time, body: "#body"}
"""


def story_text(n: int, sentences: int = 8) -> str:
    """Text of article ``n``: sentences of characters drawn with seed ``n``, so that no two
    articles are near-duplicates of each other (their MinHash signatures differ)."""
    draw = random.Random(n)
    return "".join(
        "".join(chr(0x4E00 + draw.randrange(3000)) for _ in range(14)) + "。"
        for _ in range(sentences)
    )


def site_feed(name: str, host: str = "bank.example.cn", start: str = "news/index.html") -> str:
    """SITE_FEED's block (without the ``feeds:`` line) for another name, host or start page."""
    block = SITE_FEED.removeprefix("feeds:\n").replace("test_site", name)
    return block.replace("bank.example.cn/news/index.html", f"{host}/{start}")


def api_feed(name: str) -> str:
    """The feeds.yaml block of a JSON list API + article API test site named ``name``
    (list ``https://api.example.cn/list?page=N``, documents ``/doc?id=ID``)."""
    return API_FEED_BLOCK.replace("{name}", name)


API_FEED_BLOCK = """  - name: {name}
    kind: bank
    flow: json
    categories: testsite
    tags: 测试
    source: 测试银行
    max_pages: 1
    list_api:
      url: "https://api.example.cn/list?page={page}"
      items: rows
      link: "https://api.example.cn/a/{id}.html"
    article_api:
      url: "https://api.example.cn/doc?id={id}"
      fields: {title: data.title, date: data.date, body: data.body}
"""


def write_site(
    root: Path,
    articles: int,
    per_page: int,
    undatable: set[int] = frozenset(),
    host: str = "bank.example.cn",
    first: int = 0,
) -> None:
    """A bank newsroom of ``articles`` pages (numbered from ``first``: another number is
    another story), listed ``per_page`` per list page, under ``root/host``."""
    site = root / host / "news"
    site.mkdir(parents=True)
    pages = (articles + per_page - 1) // per_page
    for page in range(pages):
        numbers = range(first + page * per_page, first + min(articles, (page + 1) * per_page))
        links = "".join(f'<li><a href="/news/a{n}.html">文章{n}</a></li>' for n in numbers)
        following = (
            f'<a class="next" href="list{page + 1}.html">下一页</a>' if page + 1 < pages else ""
        )
        name = "index.html" if page == 0 else f"list{page}.html"
        (site / name).write_text(
            f'<html><meta charset="utf-8"><ul class="news">{links}</ul>{following}</html>',
            encoding="utf-8",
        )
    for n in range(first, first + articles):
        date = "" if n in undatable else f"2022-03-{n % 28 + 1:02d} 10:{n % 60:02d}"
        text = f"测试银行第{n}号新闻：" + story_text(n)
        (site / f"a{n}.html").write_text(
            ARTICLE.format(title=f"测试银行新闻{n}", date=date, text=text, n=n), encoding="utf-8"
        )


def written_ids(archive: Path) -> list[str]:
    """Ids of every complete line in the archive."""
    ids = []
    for path in archive.glob("*/*.jsonl"):
        for line in path.read_bytes().splitlines():
            try:
                ids.append(json.loads(line.decode("utf-8"))["id"])
            except ValueError:  # UnicodeDecodeError too: cut inside a character
                continue  # the torn last line of a killed run, or one being written
    return ids
