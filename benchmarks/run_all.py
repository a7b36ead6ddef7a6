"""Every benchmark in one run, one summary table at the end (``make bench``,
``make bench-quick``).

    .venv/bin/python benchmarks/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import dates, lookup, throughput

#: (throughput size, static-server size, scaling sizes, lookup sizes) per mode.
SIZES = {
    "full": (5000, 1000, [1000, 20000], [1000, 20000]),
    "quick": (0, 400, [200, 600], [1000, 5000]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    crawl, static, scaling, sizes = SIZES["quick" if args.quick else "full"]
    started = time.monotonic()
    rows = []
    if crawl:  # the main comparison and the re-run (quick: done at the static size)
        rows += throughput.main(["--articles", str(crawl), "--rounds", str(args.rounds),
                                 "--servers", "mirror"])  # fmt: skip
    # The static server against the mirror at one size (full: the mirror's figure at that
    # size is the scaling run's).
    servers = "static,mirror" if args.quick else "static"
    rows += throughput.main(["--articles", str(static), "--rounds", str(args.rounds),
                             "--servers", servers])  # fmt: skip
    rows += throughput.main(["--scaling", *map(str, scaling)])
    rows += lookup.main(["--sizes", *map(str, sizes)])
    rows += dates.main([])
    elapsed = time.monotonic() - started
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"\nsummary ({'quick' if args.quick else 'full'}; {os.cpu_count()} cores, "
          f"{memory:.0f} GiB, {time.strftime('%Y-%m-%d %H:%M %Z')}; {elapsed:.0f} s)")  # fmt: skip
    width = max(len(label) for label, _ in rows)
    print(f"{'figure':{width}}  value\n{'-' * width}  {'-' * 24}")
    for label, value in rows:
        print(f"{label:{width}}  {value}")


if __name__ == "__main__":
    main()
