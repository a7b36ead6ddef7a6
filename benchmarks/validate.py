"""How long feeds.yaml validation takes for a large file: the shipped feeds repeated to
about 1,000 blocks, parsed and validated with located errors (newsbot.config.parse_feeds).

Run: .venv/bin/python benchmarks/validate.py [COPIES]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

from newsbot.config import parse_feeds

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print feeds, size and the min/median seconds of five validations."""
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 63
    feeds = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))["feeds"]
    blocks = [dict(feed, name=f"{feed['name']}_{n}") for n in range(copies) for feed in feeds]
    text = yaml.safe_dump({"feeds": blocks}, allow_unicode=True)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        parse_feeds(text)
        times.append(time.perf_counter() - started)
    times.sort()
    print(
        f"{len(blocks)} feeds, {len(text.encode()) / 1e6:.2f} MB: "
        f"min {times[0]:.2f} s, median {times[2]:.2f} s, {times[2] / len(blocks) * 1e3:.2f} ms/feed"
    )


if __name__ == "__main__":
    main()
