"""Run one crawl command in this process and, at exit, note its I/O counters and the time
its cycle collector took (and, with ``--profile FILE``, a cProfile of the whole run): the
benchmark's measured child.

    python benchmarks/child.py IOFILE [--profile FILE] -- scrapy crawl FEED ...
    python benchmarks/child.py IOFILE -- newsbot crawl --out DIR
    python benchmarks/child.py IOFILE -- bare START_URL OUT.jsonl
"""

from __future__ import annotations

import atexit
import cProfile
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any


class CollectorClock:
    """Counts the cycle collector's runs and the seconds they take (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.runs = 0
        self.seconds = 0.0
        self._started = 0.0
        gc.callbacks.append(self.note)

    def note(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.runs += 1
            self.seconds += time.perf_counter() - self._started


def note_io(
    path: Path, clock: CollectorClock, profile: cProfile.Profile | None, profile_path: str | None
) -> None:
    """Write /proc/self/io and the collector's runs and time as JSON (and the profile,
    when one runs)."""
    if profile is not None and profile_path:
        profile.disable()
        profile.dump_stats(profile_path)
    fields: dict[str, float] = {"gc_runs": clock.runs, "gc_seconds": clock.seconds}
    for line in Path("/proc/self/io").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = int(value)
    path.write_text(json.dumps(fields))


def main() -> None:
    args = sys.argv[1:]
    split = args.index("--")
    own, command = args[:split], args[split + 1 :]
    profile_path = own[own.index("--profile") + 1] if "--profile" in own else None
    profile = cProfile.Profile() if profile_path else None
    atexit.register(note_io, Path(own[0]), CollectorClock(), profile, profile_path)
    sys.argv = command
    if profile is not None:
        profile.enable()
    if command[0] == "scrapy":
        from scrapy.cmdline import execute

        execute(command)
    elif command[0] == "newsbot":
        from newsbot.cli import main as newsbot_main

        sys.exit(newsbot_main())
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from bare_spider import crawl

        crawl(command[1], command[2])


if __name__ == "__main__":
    main()
