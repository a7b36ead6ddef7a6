"""Running one measured crawl: servers (newsbot's mirror, a neutral static server), the
three crawlers (bare Scrapy, ``scrapy crawl``, ``newsbot crawl``) as child processes, and
what each cost: wall time, CPU time and peak RSS (``os.wait4``), bytes written
(``/proc/self/io`` at the child's exit), records kept and requests answered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from benchmarks.newsroom import CACHE, START  # noqa: E402
from tests.children import stop  # noqa: E402

#: The concurrency every crawler gets (newsbot's defaults; no delay, no throttling).
SAME = ["CONCURRENT_REQUESTS=16", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=False", "LOGSTATS_INTERVAL=0"]  # fmt: skip


@dataclass
class Server:
    """A running server of a site directory (``HOST/PATH`` layout)."""

    name: str
    url: str
    process: subprocess.Popen[str]

    def requests(self) -> int | None:
        """Requests answered so far (the mirror counts them; a static server does not)."""
        if self.name != "mirror":
            return None
        with urlopen(f"{self.url}/_mirror/requests", timeout=30) as response:
            return len(json.load(response))

    def request_times(self) -> list[float]:
        """When each request answered so far came (``time.monotonic()``; the mirror logs
        it, a static server does not: [])."""
        if self.name != "mirror":
            return []
        with urlopen(f"{self.url}/_mirror/times", timeout=30) as response:
            return [float(moment) for moment in json.load(response)]

    def stop(self) -> None:
        """Stop the server we started, by its PID."""
        stop(self.process)


def start_server(name: str, root: Path) -> Server:
    """``mirror``: ``newsbot mirror ROOT --port 0``; ``static``: Python's threading
    file server, benchmarks/static_server.py (no fault rules, no request log)."""
    if name == "mirror":
        command = [str(BIN / "newsbot"), "mirror", str(root), "--port", "0"]
    else:
        command = [sys.executable, str(ROOT / "benchmarks" / "static_server.py"), str(root)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    url = line
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"{name} server did not start: {line!r}")
    return Server(name, url, process)


@dataclass
class Run:
    """What one crawl cost (written: bytes handed to write(); disk: bytes the kernel
    counted as sent to storage, a page dirtied twice counted once)."""

    crawler: str
    wall: float
    cpu: float
    rss_mb: float
    written_mb: float
    disk_mb: float
    kept: int
    requests: int | None
    #: Seconds from the crawl's first request to its last (the mirror's log; None through
    #: a static server): the crawl without its process's start-up and shutdown.
    span: float | None = None
    #: The cycle collector's runs in the crawl process, and the seconds they took.
    gc_runs: int = 0
    gc_seconds: float = 0.0

    def cpu_ms(self, pages: int) -> float:
        """CPU milliseconds per page."""
        return 1000 * self.cpu / pages

    def steady_rate(self) -> float | None:
        """Requests a second between the crawl's first request and its last."""
        if not self.span or not self.requests:
            return None
        return (self.requests - 1) / self.span


def command_for(crawler: str, server: Server, work: Path, feeds: Path) -> list[str]:
    """The command line of one crawler over ``server``, its output under ``work``."""
    settings = [part for pair in SAME for part in ("-s", pair)]
    if crawler == "bare":
        return ["bare", f"{server.url}/{START}", str(work / "bare.jsonl")]
    if crawler == "scrapy":
        return ["scrapy", "crawl", "bench", "-L", "WARNING", *settings,
                "-s", f"NEWSBOT_STATE={work}/_state/newsbot.sqlite3",
                "-s", f"NEWSBOT_OUTPUT={work}/{{feed}}/{{day}}.jsonl"]  # fmt: skip
    return ["newsbot", "crawl", "--feeds", str(feeds), "--out", str(work), "--log-file",
            "", *settings]  # fmt: skip


def before_code(revision: str) -> Path:
    """newsbot as of ``revision`` (``git archive``), to run against today's in one run."""
    target = CACHE / f"code-{revision}"
    if not (target / "newsbot").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def crawl(
    crawler: str,
    server: Server,
    work: Path,
    feeds: Path,
    profile: Path | None = None,
    code: Path | None = None,
) -> Run:
    """Run one crawl to its end in a child process and measure it (``code``: another
    checkout of newsbot to run instead of this one)."""
    work.mkdir(parents=True, exist_ok=True)
    io_file = work / "_io.json"
    extra = ["--profile", str(profile)] if profile else []
    command = [sys.executable, str(ROOT / "benchmarks" / "child.py"), str(io_file), *extra,
               "--", *command_for(crawler, server, work, feeds)]  # fmt: skip
    env = {**os.environ, "NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    before = server.requests()
    started = time.monotonic()
    with (work / "_stderr.txt").open("wb") as stderr:
        process = subprocess.Popen(command, cwd=code or ROOT, env=env, stdout=stderr, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)  # reaped here: its rusage is ours
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        tail = (work / "_stderr.txt").read_text(errors="replace")[-2000:]
        raise SystemExit(f"{crawler} crawl failed ({process.returncode}): {tail}")
    after = server.requests()
    times = server.request_times()[before or 0 : after]
    io = json.loads(io_file.read_text())
    return Run(
        crawler, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
        io["wchar"] / 1e6, io["write_bytes"] / 1e6, kept_records(crawler, work),
        None if before is None or after is None else after - before,
        times[-1] - times[0] if len(times) > 1 else None,
        int(io.get("gc_runs", 0)), float(io.get("gc_seconds", 0.0)),
    )  # fmt: skip


def kept_records(crawler: str, work: Path) -> int:
    """Records the crawl's output holds."""
    files = [work / "bare.jsonl"] if crawler == "bare" else list(work.glob("bench/*.jsonl"))
    return sum(sum(1 for _ in path.open("rb")) for path in files if path.exists())


def disk_kept_mb(work: Path) -> float:
    """Megabytes of files left under ``work`` (records, state)."""
    return sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) / 1e6
