"""Where a crawl's time goes, before and after: ``scrapy crawl bench`` over a generated
newsroom (benchmarks/newsroom.py, mirror server, fresh state), profiled with cProfile once
for today's code and once for ``--before REV`` (``git archive``), then run unprofiled,
interleaved, ``--rounds`` times each for CPU ms/page, pages/s and bytes written.

    .venv/bin/python benchmarks/profile_crawl.py --articles 2000 --before b194862
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.crawlrun import Run, before_code, crawl, start_server
from benchmarks.newsroom import CACHE, FEED, list_pages, write_site

#: The costs issue 18 measured, by function name (and a part of its file's path).
NAMED = {
    "MinHash": ("minhash", "dedup.py"),
    "sanitize (nh3)": ("sanitize_html", "sanitize.py"),
    "boilerplate strip": ("strip_boilerplate", "boilerplate.py"),
    "boilerplate strip (tree)": ("strip_boilerplate_tree", "boilerplate.py"),
    "plain text (parse)": ("html_to_lines", "text.py"),
    "challenge scan": ("looks_like_js_challenge", "challenge.py"),
    "date fallbacks (metadata)": ("date_fallbacks", "hints.py"),
    "state transactions": ("transaction", "sqlite.py"),
    "state commits": ("commit", "sqlite.py"),
    "ArchivePipeline": ("process_item", "pipelines.py"),
    "item workers (Scraper)": ("_process_spidermw_output", "scraper.py"),
}


def named_costs(profile: Path, pages: int) -> dict[str, tuple[float, int]]:
    """Cumulative ms per page and call count of each named cost."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    found: dict[str, tuple[float, int]] = {}
    for label, (name, where) in NAMED.items():
        total, calls = 0.0, 0
        for (path, _, func), (_, ncalls, _, cumulative, _) in stats.items():
            if func == name and path.endswith(where):
                total, calls = total + cumulative, calls + ncalls
        if calls:
            found[label] = (1000 * total / pages, calls)
    return found


def top(profile: Path, pages: int, count: int = 15) -> list[str]:
    """The ``count`` functions with the most own time, as lines."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:count]
    return [
        f"{1000 * own / pages:7.3f} ms/page {ncalls:9d} calls  {func} ({Path(path).name}:{line})"
        for (path, line, func), (_, ncalls, own, _, _) in rows
    ]


def main() -> list[tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--before", default="b194862")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    root, feeds = write_site(args.articles), CACHE / "feeds.yaml"
    feeds.write_text(FEED, encoding="utf-8")
    pages = args.articles + list_pages(args.articles)
    codes = {"before": before_code(args.before), "after": None}
    server = start_server("mirror", root)
    runs: dict[str, list[Run]] = {"before": [], "after": []}
    try:
        if not args.no_profile:
            for label, code in codes.items():
                work, profile = CACHE / "work" / f"profile-{label}", CACHE / f"{label}.prof"
                shutil.rmtree(work, ignore_errors=True)
                crawl("scrapy", server, work, feeds, profile=profile, code=code)
                print(f"\n{label} ({args.before if code else 'today'}): top own time, cProfile")
                print("\n".join(top(profile, pages)))
                print("named costs (cumulative, profiled):")
                for name, (ms, calls) in named_costs(profile, pages).items():
                    print(f"  {name:28} {ms:7.3f} ms/page {calls:9d} calls")
        for _ in range(args.rounds):
            for label, code in codes.items():
                work = CACHE / "work" / f"ab-{label}"
                shutil.rmtree(work, ignore_errors=True)
                runs[label].append(crawl("scrapy", server, work, feeds, code=code))
    finally:
        server.stop()
    return report(runs, pages, args.before)


def report(runs: dict[str, list[Run]], pages: int, before: str) -> list[tuple[str, str]]:
    """Print before/after (min / median over the rounds); return summary rows."""
    print(f"\nscrapy crawl, {pages} pages, before ({before}) vs after, interleaved; min / median")
    cpu = {k: [r.cpu_ms(pages) for r in v] for k, v in runs.items()}
    rate = {k: [pages / r.wall for r in v] for k, v in runs.items()}
    for label, done in runs.items():
        written = statistics.median(r.written_mb for r in done)
        collector = statistics.median(1000 * r.gc_seconds / pages for r in done)
        print(f"{label:7} CPU {min(cpu[label]):6.2f} / {statistics.median(cpu[label]):6.2f} "
              f"ms/page, {min(rate[label]):6.1f} / {statistics.median(rate[label]):6.1f} "
              f"pages/s, {written:7.1f} MB written, cycle collector "
              f"{statistics.median(r.gc_runs for r in done):.0f} runs, "
              f"{collector:.3f} ms/page")  # fmt: skip
    gain = statistics.median(cpu["before"]) / statistics.median(cpu["after"])
    return [
        ("profile: CPU ms/page before → after",
         f"{statistics.median(cpu['before']):.2f} → {statistics.median(cpu['after']):.2f} "
         f"({gain:.2f}×)"),
        ("profile: MB written before → after",
         f"{statistics.median(r.written_mb for r in runs['before']):.0f} → "
         f"{statistics.median(r.written_mb for r in runs['after']):.0f}"),
    ]  # fmt: skip


if __name__ == "__main__":
    for label, value in main():
        print(f"{label:55} {value}")
