"""Pages per second of 1, 2 and 4 `newsbot worker` processes over the same mirror.

Writes a bank newsroom (tests.testsite.write_site), serves it with the mirror, starts a
real redis-server (tests/redisserver.py), and for each number of workers crawls the whole
site into a new output folder from an empty Redis. Every request waits a per-request delay
first (Scrapy's DOWNLOAD_DELAY, randomized 0.5-1.5x, per worker), standing in for the
network latency and politeness that bound a real crawl. pages/s is every page the workers
downloaded divided by the longest worker's crawl time (spider open to close, the wait for
the queue to drain included); the ratio is to one worker.

    .venv/bin/python benchmarks/distributed.py [--articles 200] [--delay 0.1] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import BIN, start_mirror, stop  # noqa: E402
from tests.redisserver import start_redis  # noqa: E402
from tests.testsite import SITE_FEED, write_site  # noqa: E402


def crawl(workers: int, redis: str, mirror: str, feeds: Path, out: Path, delay: float) -> dict:
    """Run ``workers`` workers to the end; pages, records and seconds of the run."""
    env = {**os.environ, "NEWSBOT_MIRROR": mirror}
    children = [
        subprocess.Popen(
            [
                str(BIN / "newsbot"),
                "worker",
                "--redis",
                redis,
                "--feeds",
                str(feeds),
                "--out",
                str(out),
                "--worker-id",
                f"w{n}",
                "-s",
                f"DOWNLOAD_DELAY={delay}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(1, workers + 1)
    ]
    for child in children:
        child.wait(timeout=600)
    feeds_run = [
        feed
        for report in sorted((out / "_runs").glob("*.json"))
        for feed in json.loads(report.read_text(encoding="utf-8"))["feeds"]
    ]
    pages = sum(feed["pages"] for feed in feeds_run)
    seconds = max(feed["elapsed"] for feed in feeds_run)
    shares = sorted((feed["new"] for feed in feeds_run), reverse=True)
    return {"pages": pages, "seconds": seconds, "rate": pages / seconds, "shares": shares}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1, help="DOWNLOAD_DELAY, seconds")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsbot-distributed-") as scratch:
        root = Path(scratch)
        write_site(root / "site", args.articles, 10)
        feeds = root / "feeds.yaml"
        feeds.write_text(SITE_FEED, encoding="utf-8")
        mirror = start_mirror(root / "site")
        print(f"{args.articles} articles + {(args.articles + 9) // 10} list pages; "
              f"DOWNLOAD_DELAY {args.delay}s per request, per worker")  # fmt: skip
        print(f"{'workers':>7} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'ratio':>6}"
              "  records each")  # fmt: skip
        base = None
        try:
            for count in args.workers:
                redis = start_redis(root / f"redis-{count}")  # an empty Redis each time
                try:
                    result = crawl(count, redis.url, mirror.url, feeds, root / f"out-{count}",
                                   args.delay)  # fmt: skip
                finally:
                    redis.stop()
                base = base or result["rate"]
                print(f"{count:>7} {result['pages']:>6} {result['seconds']:>8.1f} "
                      f"{result['rate']:>8.1f} {result['rate'] / base:>5.2f}x  "
                      f"{result['shares']}")  # fmt: skip
        finally:
            stop(mirror.process)


if __name__ == "__main__":
    main()
