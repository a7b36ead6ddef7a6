"""Crawl throughput against bare Scrapy, the incremental re-run, and scaling.

A generated newsroom (benchmarks/newsroom.py) is crawled, interleaved round by round,
by (a) a bare Scrapy spider, (b) ``scrapy crawl bench`` with every pipeline and a fresh
state store, (c) ``newsbot crawl``, all at 16 concurrent requests (4 per domain), no delay,
through newsbot's mirror and through a neutral static server (Python's threading
``http.server``). Then (c) runs again over the unchanged site, ``RERUNS`` times (the
incremental re-run: a second or so of start-up, so one sample is mostly the machine's
noise). Each figure is the min and median over the rounds; CPU is the child's own
(``wait4``). "steady" pages/s counts from a crawl's first request to its last (the
mirror's log, so only through the mirror): without the process's start-up. "GC" is the
time the crawl process's cycle collector took (``gc.callbacks``, benchmarks/child.py).

    .venv/bin/python benchmarks/throughput.py --articles 5000 --rounds 3
    .venv/bin/python benchmarks/throughput.py --scaling 1000 5000 20000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.crawlrun import Run, crawl, disk_kept_mb, start_server
from benchmarks.newsroom import CACHE, FEED, list_pages, write_site

CRAWLERS = ("bare", "scrapy", "newsbot")
#: Re-runs over the unchanged site after the last first run (min and median reported).
RERUNS = 3


def spread(values: list[float], digits: int = 1) -> str:
    """``min / median`` of the values."""
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f}"


def compare(articles: int, rounds: int, servers: list[str]) -> list[tuple[str, str]]:
    """Rounds of a/b/c over each server; prints the table; returns summary rows."""
    root, feeds = write_site(articles), CACHE / "feeds.yaml"
    feeds.write_text(FEED, encoding="utf-8")
    pages = articles + list_pages(articles)
    summary = []
    for name in servers:
        server = start_server(name, root)
        runs: dict[str, list[Run]] = {crawler: [] for crawler in CRAWLERS}
        reruns: list[Run] = []
        try:
            for turn in range(rounds):
                for crawler in CRAWLERS:
                    work = CACHE / "work" / f"{name}-{crawler}"
                    shutil.rmtree(work, ignore_errors=True)
                    runs[crawler].append(crawl(crawler, server, work, feeds))
                    if crawler == "newsbot" and turn == rounds - 1 and name == "mirror":
                        kept = disk_kept_mb(work)
                        reruns = [crawl(crawler, server, work, feeds) for _ in range(RERUNS)]
        finally:
            server.stop()
        summary += report(name, runs, pages, articles)
        if reruns:
            summary += report_rerun(runs["newsbot"], reruns, kept)
    return summary


def report(
    name: str, runs: dict[str, list[Run]], pages: int, articles: int
) -> list[tuple[str, str]]:
    """Print one server's table (min / median over rounds); return its summary rows."""
    print(f"\n{articles} articles ({pages} pages) through the {name} server, "
          f"{len(runs['bare'])} round(s); min / median")  # fmt: skip
    print(f"{'crawler':8} {'pages/s':>15} {'steady':>15} {'CPU ms/page':>13} "
          f"{'GC ms/page':>10} {'peak RSS MB':>12} {'written MB':>11} {'kept':>6}")  # fmt: skip
    rates = {c: [pages / r.wall for r in rs] for c, rs in runs.items()}
    steady = {c: [r.steady_rate() or 0.0 for r in rs] for c, rs in runs.items()}
    cpus = {c: [r.cpu_ms(pages) for r in rs] for c, rs in runs.items()}
    for crawler, done in runs.items():
        written = statistics.median(r.written_mb for r in done)
        rss = max(r.rss_mb for r in done)
        timed = spread(steady[crawler]) if any(steady[crawler]) else "-"  # mirror only
        collector = statistics.median(1000 * r.gc_seconds / pages for r in done)
        print(f"{crawler:8} {spread(rates[crawler]):>15} {timed:>15} "
              f"{spread(cpus[crawler], 2):>13} {collector:10.2f} {rss:12.0f} {written:11.1f} "
              f"{done[-1].kept:6d}")  # fmt: skip
    rows = []
    for crawler, label in (("scrapy", "b/a"), ("newsbot", "c/a")):
        speed = statistics.median(rates[crawler]) / statistics.median(rates["bare"])
        cpu = statistics.median(cpus["bare"]) / statistics.median(cpus[crawler])
        bare_steady = statistics.median(steady["bare"])
        steady_speed = statistics.median(steady[crawler]) / bare_steady if bare_steady else 0
        also = f" (steady {steady_speed:.2f})" if steady_speed else ""
        print(f"ratio {label}: pages/s {speed:.2f}{also}, CPU per page (a/{label[0]}) "
              f"{cpu:.2f}")  # fmt: skip
        rows.append((f"{name} {articles}: {label} pages/s, CPU", f"{speed:.2f}, {cpu:.2f}"))
    bare, ours = statistics.median(rates["bare"]), statistics.median(rates["newsbot"])
    rows.append((f"{name} {articles}: bare / newsbot pages/s", f"{bare:.0f} / {ours:.0f}"))
    return rows


def report_rerun(first: list[Run], reruns: list[Run], kept: float) -> list[tuple[str, str]]:
    """Print the incremental re-runs against the first run; return summary rows."""
    base = first[-1]
    shares = [100 * rerun.wall / base.wall for rerun in reruns]
    walls = [rerun.wall for rerun in reruns]
    print(f"\nincremental re-run over the unchanged site, {len(reruns)} times: "
          f"{', '.join(str(rerun.requests) for rerun in reruns)} requests (first run "
          f"{base.requests}), {spread(walls, 2)} s = {spread(shares)} % of the first run's "
          f"{base.wall:.2f} s (min / median); new records "
          f"{max(rerun.kept for rerun in reruns) - base.kept}")  # fmt: skip
    print(f"disk: the first newsbot run wrote {base.written_mb:.1f} MB (write_bytes "
          f"{base.disk_mb:.1f} MB) to keep {kept:.1f} MB")  # fmt: skip
    return [
        ("re-run: requests, share of first run time (min / median)",
         f"{max(rerun.requests or 0 for rerun in reruns)}, {spread(shares)} %"),
        ("newsbot crawl: MB written / MB kept", f"{base.written_mb:.1f} / {kept:.1f}"),
    ]  # fmt: skip


def scaling(sizes: list[int]) -> list[tuple[str, str]]:
    """Pages/s and peak RSS of bare and newsbot at each size (one run each, mirror).
    "steady" is requests a second from the crawl's first request to its last (the
    mirror's log): the process's start-up and shutdown left out, which weigh most on
    the smallest site."""
    feeds = CACHE / "feeds.yaml"
    feeds.write_text(FEED, encoding="utf-8")
    print(f"\nscaling (mirror server, one run each)\n{'articles':>8} {'crawler':8} "
          f"{'pages/s':>8} {'steady':>8} {'CPU ms/page':>12} {'peak RSS MB':>12}")  # fmt: skip
    rows = []
    for articles in sizes:
        root, pages = write_site(articles), articles + list_pages(articles)
        server = start_server("mirror", root)
        try:
            for crawler in ("bare", "newsbot"):
                work = CACHE / "work" / f"scale-{crawler}"
                shutil.rmtree(work, ignore_errors=True)
                run = crawl(crawler, server, work, feeds)
                steady = run.steady_rate() or 0.0
                print(f"{articles:8d} {crawler:8} {pages / run.wall:8.1f} {steady:8.1f} "
                      f"{run.cpu_ms(pages):12.2f} {run.rss_mb:12.0f}")  # fmt: skip
                label = f"scaling {articles} {crawler}: pages/s (steady), peak RSS MB"
                rows.append((label, f"{pages / run.wall:.0f} ({steady:.0f}), {run.rss_mb:.0f}"))
        finally:
            server.stop()
    return rows


def main(argv: list[str] | None = None) -> list[tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", default="mirror,static")
    parser.add_argument("--scaling", type=int, nargs="*", help="sizes to scale over instead")
    args = parser.parse_args(argv)
    if args.scaling:
        return scaling(args.scaling)
    return compare(args.articles, args.rounds, args.servers.split(","))


if __name__ == "__main__":
    for label, value in main():
        print(f"{label:55} {value}")
