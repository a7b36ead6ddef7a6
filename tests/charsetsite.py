"""Article pages in every charset newsbot meets, labelled right, not at all, or wrong,
for tests/test_charset.py: each :class:`Page` knows its bytes, the Content-Type rule the
mirror serves it with (``_headers.json``) and the title and text it must give."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

HOST = "charset.example.cn"
FEED = f"""feeds:
  - name: charset_site
    kind: bank
    flow: html
    categories: testsite
    tags: 测试
    source: 测试银行
    max_pages: 1
    start_urls: ["https://{HOST}/news/index.html"]
    list: {{links: "ul.news a"}}
    article: {{title: h1, date: div.time, body: "#body"}}
"""
PAGE = """<html><head>{meta}<title>{title}</title></head><body>
<h1>{title}</h1><div class="time">2022-03-{day:02d} 10:00</div>
<div id="body"><p>{text}</p></div></body></html>"""
SIMPLIFIED = "中国人民银行发布公告，决定下调金融机构存款准备金率。"
TRADITIONAL = "中國人民銀行發佈公告，決定下調金融機構存款準備金率。"
#: Characters GB18030 has and GBK lacks (CJK Extension B and A).
BEYOND_GBK = "𠀀㐀"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Page:
    """One article page: its name, the encoding of its bytes, its ``<meta charset>``
    (None: none), the mirror's header rule (None: the mirror's guess, i.e. the meta's
    charset or utf-8), and whether a declaration it carries is wrong."""

    name: str
    encoding: str
    meta: str | None
    header: str | None
    mislabelled: bool = False
    bom: bool = False

    @property
    def traditional(self) -> bool:
        return self.encoding.startswith("big5")

    @property
    def title(self) -> str:
        words = "銀行公告" if self.traditional else "银行公告"
        return f"{words}{self.name}"

    @property
    def text(self) -> str:
        """A sentence of the page's script, then characters drawn from the common ones
        its encoding has (seeded by its name: no two pages are near-duplicates)."""
        sentence = TRADITIONAL if self.traditional else SIMPLIFIED
        if self.encoding == "gb18030":
            sentence += BEYOND_GBK
        draw = random.Random(self.name)
        pool = common_chars("big5" if self.traditional else "gb2312")
        return sentence + "".join(draw.choice(pool) for _ in range(60)) + "。"

    def body(self, day: int) -> bytes:
        meta = f'<meta charset="{self.meta}">' if self.meta else ""
        html = PAGE.format(meta=meta, title=self.title, day=day, text=self.text)
        return (UTF8_BOM if self.bom else b"") + html.encode(self.encoding)


def common_chars(encoding: str) -> str:
    """The level-1 characters of GB2312 (simplified) or Big5 (traditional)."""
    leads = range(0xB0, 0xD8) if encoding == "gb2312" else range(0xA4, 0xC6)
    trails = range(0xA1, 0xFF) if encoding == "gb2312" else [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    chars = []
    for lead in leads:
        for trail in trails:
            try:
                chars.append(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


PAGES = [
    # Declared right, in the header, the <meta>, both, or neither.
    Page("gbk-both", "gbk", "gbk", None),
    Page("gbk-header", "gbk", None, "gbk"),
    Page("gbk-meta", "gbk", "gbk", "none"),
    Page("gbk-neither", "gbk", None, "none"),
    Page("gb2312-both", "gb2312", "gb2312", None),
    Page("gb2312-header", "gb2312", None, "GB2312"),
    Page("gb18030-both", "gb18030", "gb18030", None),
    Page("gb18030-as-gbk", "gb18030", "gbk", None),
    Page("gb18030-neither", "gb18030", None, "none"),
    Page("big5-both", "big5", "big5", None),
    Page("big5-header", "big5", None, "big5"),
    Page("big5-meta", "big5", "big5", "none"),
    Page("big5-neither", "big5", None, "none"),
    Page("utf8-both", "utf-8", "utf-8", None),
    Page("utf8-header", "utf-8", None, "utf-8"),
    Page("utf8-meta", "utf-8", "utf-8", "none"),
    Page("utf8-neither", "utf-8", None, "none"),
    Page("utf8-bom", "utf-8", None, "none", bom=True),
    Page("utf8-bom-header", "utf-8", "utf-8", "utf-8", bom=True),
    Page("utf8-bom-header-gbk", "utf-8", None, "gbk", bom=True),  # a BOM wins, in Scrapy too
    # Declared wrong, each way.
    Page("gbk-header-utf8-meta-gbk", "gbk", "gbk", "utf-8", mislabelled=True),
    Page("gbk-header-utf8", "gbk", None, "utf-8", mislabelled=True),
    Page("gbk-meta-utf8", "gbk", "utf-8", "none", mislabelled=True),
    Page("gbk-both-utf8", "gbk", "utf-8", None, mislabelled=True),
    Page("gbk-header-latin1-meta-gbk", "gbk", "gbk", "ISO-8859-1", mislabelled=True),
    Page("gbk-header-latin1", "gbk", None, "iso-8859-1", mislabelled=True),
    Page("gbk-header-big5", "gbk", None, "big5", mislabelled=True),
    Page("utf8-header-gbk", "utf-8", None, "gbk", mislabelled=True),
    Page("utf8-header-gbk-meta-utf8", "utf-8", "utf-8", "gbk", mislabelled=True),
    Page("utf8-meta-gbk", "utf-8", "gbk", "none", mislabelled=True),
    Page("utf8-header-windows1252", "utf-8", None, "windows-1252", mislabelled=True),
    Page("big5-header-gbk", "big5", None, "gbk", mislabelled=True),
    Page("big5-meta-gb2312", "big5", "gb2312", "none", mislabelled=True),
    Page("big5-header-utf8", "big5", None, "utf-8", mislabelled=True),
    Page("gb18030-header-big5", "gb18030", None, "big5", mislabelled=True),
]
#: A page whose body bytes are invalid in every candidate charset.
UNDECODABLE = "undecodable"
UNDECODABLE_BODY = (
    b'<html><head><meta charset="utf-8"><title>x</title></head><body><h1>undecodable</h1>'
    b'<div class="time">2022-03-01 10:00</div><div id="body"><p>'
    + b"\xff\x80\xfe" * 200
    + b"</p></div></body></html>"
)


def write_charset_site(root: Path) -> None:
    """Every page of :data:`PAGES` and the undecodable one, listed on one UTF-8 list
    page, with their header rules in the host's ``_headers.json``."""
    news = root / HOST / "news"
    news.mkdir(parents=True)
    names = [page.name for page in PAGES] + [UNDECODABLE]
    links = "".join(f'<li><a href="/news/{name}.html">{name}</a></li>' for name in names)
    (news / "index.html").write_text(
        f'<html><meta charset="utf-8"><ul class="news">{links}</ul></html>', encoding="utf-8"
    )
    rules = {}
    for day, page in enumerate(PAGES, start=1):
        (news / f"{page.name}.html").write_bytes(page.body(day % 28 + 1))
        if page.header is not None:
            rules[f"/news/{page.name}.html"] = page.header
    (news / f"{UNDECODABLE}.html").write_bytes(UNDECODABLE_BODY)
    (root / HOST / "_headers.json").write_text(json.dumps(rules), encoding="utf-8")
