"""Throughput of newsbot's item pipelines on 10,000 records (docs/benchmarks.md).

Runs the real pipeline classes (validate → clean → date → filter → dedup + write, with a
SQLite state file and JSONL output in a temporary directory) on synthetic articles with
page noise, and, as the baseline measured in the same run, Scrapy's own JSON-lines
exporter writing the same items. Prints items per second for each and their ratio.

    .venv/bin/python benchmarks/pipelines.py [--records 10000]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapy.exporters import JsonLinesItemExporter  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from newsbot.config import load_feeds  # noqa: E402
from newsbot.items import Article  # noqa: E402
from newsbot.pipelines import (  # noqa: E402
    ArchivePipeline,
    CleanPipeline,
    DatePipeline,
    FilterPipeline,
    ValidatePipeline,
)
from newsbot.spiderloader import spider_class  # noqa: E402

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
    "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
    "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
    "值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属"
    "圆包火住调满县局照参红细引听该铁价严"
)
NOISE = (
    '<div class="share">分享到：微信 微博</div><script>track("{n}")</script>'
    '<p>我要评论(0)</p><div class="related"><p>【相关链接】</p><ul><li>其他新闻..</li></ul></div>'
)


def synthetic_items(count: int) -> list[Article]:
    """Distinct articles (random text), each with page noise, bylines and a date text."""
    rng = random.Random(20221125)
    items = []
    for n in range(count):
        paragraphs = "".join(
            "<p>　　" + "".join(rng.choices(CHARS, k=rng.randint(60, 160))) + "。</p>\n"
            for _ in range(rng.randint(4, 10))
        )
        body = f"<!--正文-->{paragraphs}<p>作者:记者{n}</p><p>[责任编辑:编辑{n % 7}]</p>"
        items.append(
            Article(
                title=f"测试新闻{n}", date=f"2022年03月{n % 28 + 1:02d}日 10:{n % 60:02d}",
                content=body + NOISE.format(n=n), url=f"https://bank.example.cn/news/{n}.html",
                feed="icbc_news", kind="bank", id=f"{n:016x}",
            )
        )  # fmt: skip
    return items


def run_pipelines(items: list[Article], workdir: Path) -> float:
    """Seconds the pipeline chain takes for the items."""
    feed = next(feed for feed in load_feeds(ROOT / "feeds.yaml") if feed.name == "icbc_news")
    crawler = get_crawler(
        spider_class(feed),
        {
            "NEWSBOT_STATE": str(workdir / "state.sqlite3"),
            "NEWSBOT_OUTPUT": str(workdir / "{feed}" / "{day}.jsonl"),
        },
    )
    crawler.spider = crawler._create_spider()
    stages = [
        cls.from_crawler(crawler)
        for cls in (ValidatePipeline, CleanPipeline, DatePipeline, FilterPipeline, ArchivePipeline)
    ]
    archive = stages[-1]
    archive.open_spider()
    started = time.perf_counter()
    for item in items:
        for stage in stages:
            item = stage.process_item(item)
    elapsed = time.perf_counter() - started
    archive.close_spider()
    return elapsed


def run_bare_export(items: list[Article]) -> float:
    """Seconds Scrapy's JsonLinesItemExporter takes to write the same items."""
    exporter = JsonLinesItemExporter(io.BytesIO(), encoding="utf-8", ensure_ascii=False)
    exporter.start_exporting()
    started = time.perf_counter()
    for item in items:
        exporter.export_item(item)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    items = synthetic_items(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        pipelines = run_pipelines([replace(item) for item in items], Path(tmp))
    bare = run_bare_export(items)
    print(f"records: {args.records}")
    print(f"newsbot pipelines:           {args.records / pipelines:9.0f} items/s "
          f"({pipelines / args.records * 1000:.2f} ms/item)")  # fmt: skip
    print(f"Scrapy JsonLinesItemExporter: {args.records / bare:9.0f} items/s "
          f"({bare / args.records * 1000:.2f} ms/item)")  # fmt: skip
    print(f"ratio (pipelines / bare export time): {pipelines / bare:.1f}x")


if __name__ == "__main__":
    main()
