"""Rendered vs plain pages per second, and Chromium's memory over a 300-page crawl.

Writes a 300-article bank newsroom (tests.testsite.write_site), serves it with the
mirror, crawls it once plainly and once with `render: true` (Debian's Chromium through
scrapy-playwright), samples the browser processes' memory during the rendered crawl, and
checks that no Chromium process is left afterwards.

    .venv/bin/python benchmarks/render.py [--articles 300]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import BIN, start_mirror, stop  # noqa: E402
from tests.testsite import SITE_FEED, write_site  # noqa: E402

RENDER_FEED = SITE_FEED.replace("name: test_site", "name: test_site_rendered").replace(
    "    source: 测试银行\n", "    source: 测试银行\n    render: true\n"
)


def chromium_rss() -> tuple[int, int]:
    """(number of live Chromium processes, their total resident memory in KiB)."""
    count = total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        name = re.search(r"^Name:\s*(\S+)", text, re.M)
        state = re.search(r"^State:\s*(\S)", text, re.M)
        rss = re.search(r"^VmRSS:\s*(\d+)", text, re.M)
        if name and "chrom" in name.group(1) and state and state.group(1) != "Z":
            count += 1
            total += int(rss.group(1)) if rss else 0
    return count, total


def crawl(
    feed: str, workdir: Path, mirror: str, feeds: Path
) -> tuple[float, list[tuple[float, int]]]:
    """Run one crawl; its elapsed seconds and (time, Chromium RSS KiB) samples."""
    command = [
        str(BIN / "scrapy"), "crawl", feed, "-L", "WARNING", "-s", "NEWSBOT_STATE=",
        "-s", f"NEWSBOT_OUTPUT={workdir}/{{feed}}.jsonl", "-s", "LOGSTATS_INTERVAL=0",
    ]  # fmt: skip
    env = {**os.environ, "NEWSBOT_MIRROR": mirror, "NEWSBOT_FEEDS": str(feeds)}
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    samples = []
    while process.poll() is None:
        samples.append((time.monotonic() - started, chromium_rss()[1]))
        time.sleep(0.25)
    if process.returncode != 0:
        raise SystemExit(f"{feed} crawl failed ({process.returncode})")
    return time.monotonic() - started, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    before = chromium_rss()[0]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_site(workdir / "sites", articles=args.articles, per_page=30)
        feeds = workdir / "feeds.yaml"
        feeds.write_text(SITE_FEED + RENDER_FEED.removeprefix("feeds:\n"), encoding="utf-8")
        server = start_mirror(workdir / "sites")
        try:
            plain, _ = crawl("test_site", workdir, server.url, feeds)
            rendered, samples = crawl("test_site_rendered", workdir, server.url, feeds)
        finally:
            stop(server.process)
        written = {
            name: sum(1 for _ in (workdir / f"{name}.jsonl").open(encoding="utf-8"))
            for name in ("test_site", "test_site_rendered")
        }
    time.sleep(3)  # let the reaper collect exited browser processes
    left = chromium_rss()[0] - before
    busy = [rss for _, rss in samples if rss > 0]
    third = len(busy) // 3
    early = max(busy[third : 2 * third] or [0])
    late = max(busy[2 * third :] or [0])
    pages = args.articles + (args.articles + 29) // 30
    print(
        f"articles written: plain {written['test_site']}, rendered {written['test_site_rendered']}"
    )
    print(f"plain:    {pages / plain:7.1f} pages/s ({plain:.1f} s, whole process)")
    print(f"rendered: {pages / rendered:7.1f} pages/s ({rendered:.1f} s, whole process)")
    print(f"ratio plain/rendered: {rendered / plain:.1f}x")
    growth = late / max(early, 1)
    print(f"Chromium RSS, peak of middle third: {early / 1024:.0f} MiB; "
          f"peak of last third: {late / 1024:.0f} MiB (growth {growth:.2f}x)")  # fmt: skip
    print(f"Chromium processes left after the crawl: {left}")


if __name__ == "__main__":
    main()
