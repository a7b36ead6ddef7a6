"""Distributed crawling (issue 17): `newsbot worker --redis URL` processes sharing each
feed's requests through scrapy-redis on a real redis-server (tests/redisserver.py), over
a generated site served by the mirror. Each article is written exactly once across the
workers' JSONL parts, whatever happens to a worker or to Redis."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from newsbot.core.codes import ExitCode
from newsbot.core.dedup import minhash
from newsbot.distributed import use_redis
from newsbot.distributed.scheduler import WorkScheduler
from newsbot.ops.redislock import RedisWorkerLock, WorkerIdBusy
from newsbot.store.redis import RedisStateStore, connect
from tests.conftest import BIN, Mirror, read_jsonl, run_command, start_mirror, stop
from tests.redisserver import RedisServer, have_redis, start_redis
from tests.testsite import SITE_FEED, story_text, write_site

if not have_redis():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the distributed tests: redis-server missing (make system)")
    pytest.skip("redis-server is not installed (make system)", allow_module_level=True)

#: A per-request delay standing in for network latency, so that a worker's share depends
#: on how many workers there are, not on which one woke first.
DELAY = "0.02"


#: Every worker a test started, killed (by PID) when the test ends, however it ends.
STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test only (AOF on, for the restart test)."""
    server = start_redis(tmp_path / "redis", aof=True)
    yield server
    while STARTED:
        child = STARTED.pop()
        child.kill()
        child.wait()
    server.stop()


def site(tmp_path: Path, articles: int) -> tuple[Mirror, Path]:
    """A generated bank newsroom of ``articles`` pages served by the mirror; its feeds file."""
    write_site(tmp_path / "site", articles, 10)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    return start_mirror(tmp_path / "site"), feeds


@dataclass
class Worker:
    """A `newsbot worker` child process and the file its output goes to."""

    process: subprocess.Popen[str]
    log: Path


def worker(mirror: Mirror, feeds: Path, out: Path, redis: str, name: str,
           timeout: str = "2") -> Worker:  # fmt: skip
    """Start `newsbot worker NAME` over the mirror (a child, stopped by its PID)."""
    args = [str(BIN / "newsbot"), "worker", "--redis", redis, "--feeds", str(feeds),
            "--out", str(out), "--worker-id", name, "-s", f"DOWNLOAD_DELAY={DELAY}",
            "-s", f"NEWSBOT_WORKER_TIMEOUT={timeout}"]  # fmt: skip
    env = {**os.environ, "NEWSBOT_MIRROR": mirror.url}
    log = out.parent / f"{name}.out"
    with log.open("w", encoding="utf-8") as sink:  # a file: no pipe to fill up and block
        process = subprocess.Popen(args, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   text=True)  # fmt: skip
    STARTED.append(process)
    return Worker(process, log)


def finish(child: Worker, timeout: float = 60) -> str:
    """Wait for a worker to stop by itself; its output (it must exit 0)."""
    try:
        child.process.wait(timeout=timeout)
    finally:
        child.process.kill()  # by its PID; a no-op once it has exited
    output = child.log.read_text(encoding="utf-8")
    assert child.process.returncode == 0, output
    return output


def parts(out: Path) -> dict[str, list[dict[str, object]]]:
    """The records of each worker's part, by worker name."""
    return {
        path.name.split(".")[1]: read_jsonl(path)
        for path in sorted((out / "test_site").glob("*.*.jsonl"))
    }


def lines_written(out: Path) -> int:
    """Complete lines in the workers' parts so far (they are being written: a line without
    its newline yet is not counted, nor read)."""
    return sum(path.read_bytes().count(b"\n") for path in (out / "test_site").glob("*.*.jsonl"))


def leftovers(redis: str) -> list[str]:
    """The feed's coordination keys still in Redis: queue, in-flight, workers, alive."""
    names = [key.decode() for key in connect(redis).keys("newsbot:test_site:*")]
    return sorted(name for name in names if not name.endswith(":dupefilter"))


def test_two_workers_split_a_500_article_site_each_article_once(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    mirror, feeds = site(tmp_path, 500)
    try:
        workers = [worker(mirror, feeds, tmp_path / "out", redis_server.url, name)
                   for name in ("w1", "w2")]  # fmt: skip
        # the single-process run, at the same time (its own SQLite state, its own folder)
        alone_args = [str(BIN / "newsbot"), "crawl", "--feeds", str(feeds),
                      "--out", str(tmp_path / "single")]  # fmt: skip
        single = subprocess.Popen(alone_args, env={**os.environ, "NEWSBOT_MIRROR": mirror.url},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        for process in workers:
            finish(process)
        assert single.wait(timeout=120) == 0
    finally:
        stop(mirror.process)
    shares = {name: len(records) for name, records in parts(tmp_path / "out").items()}
    assert set(shares) == {"w1", "w2"}
    union = [record for records in parts(tmp_path / "out").values() for record in records]
    assert Counter(Counter(record["url"] for record in union).values()) == {1: 500}
    assert min(shares.values()) >= 0.3 * 500, shares
    alone = read_jsonl(next((tmp_path / "single" / "test_site").glob("*.jsonl")))
    by_id = {record["id"]: record for record in alone}
    differing = {key for one in union for key in one if one[key] != by_id[one["id"]][key]}
    assert differing <= {"crawled_at"}  # the moment each was read: the records are the same
    assert len(union) == len(alone)
    assert leftovers(redis_server.url) == []


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path: Path, redis_server: RedisServer) -> None:
    mirror, feeds = site(tmp_path, 80)
    out = tmp_path / "out"
    try:
        first, second = (worker(mirror, feeds, out, redis_server.url, n) for n in ("w1", "w2"))
        deadline = time.monotonic() + 30
        while lines_written(out) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(random.uniform(0, 0.5))  # a random point of the crawl
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        finish(second)  # it puts w1's unfinished requests back in the queue, and does them
    finally:
        stop(mirror.process)
    records = [record for part in parts(out).values() for record in part]
    assert Counter(Counter(record["url"] for record in records).values()) == {1: 80}
    assert leftovers(redis_server.url) == []
    assert "worker w1 stopped beating" in (out / "_logs" / "newsbot.log").read_text("utf-8")


def shared_scheduler(redis_url: str, worker: str) -> WorkScheduler:
    """A worker's scheduler of feed ``test_site`` on the shared queue, opened."""
    settings = Settings()
    settings.setmodule("newsbot.settings")
    settings.set("NEWSBOT_WORKER", worker)
    settings.set("NEWSBOT_REDIS_URL", redis_url)
    use_redis(settings, redis_url)
    crawler = get_crawler(Spider, settings.copy_to_dict())
    scheduler = WorkScheduler.from_crawler(crawler)
    scheduler.open(Spider.from_crawler(crawler, name="test_site"))
    return scheduler


def test_a_worker_killed_while_queueing_a_link_leaves_it_queued(redis_server: RedisServer) -> None:
    """Marking a link seen and queueing it are one step: a worker that dies right after
    the mark (here: its push never happens) cannot leave the link marked and unqueued,
    which every other worker would then skip for good."""
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    first = shared_scheduler(redis_server.url, "w1")
    link = "https://bank.example.cn/news/a56.html"
    killed = ConnectionError("killed")  # dies there, as SIGKILL would have it
    with (
        mock.patch.object(first.queue, "push", side_effect=killed),
        contextlib.suppress(ConnectionError),
    ):
        first.enqueue_request(Request(link))
    second = shared_scheduler(redis_server.url, "w2")
    second.enqueue_request(Request(link))
    assert len(second.queue) == 1
    assert second.next_request() is not None and second.next_request() is None


def test_a_worker_stopped_with_sigterm_gives_its_requests_back(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """SIGTERM (Scrapy's graceful shutdown): the worker leaves at once, nothing marked in
    flight and nothing lost; the other finishes without waiting for a heartbeat to expire."""
    mirror, feeds = site(tmp_path, 80)
    out = tmp_path / "out"
    try:
        first, second = (
            worker(mirror, feeds, out, redis_server.url, n, "60") for n in ("w1", "w2")
        )
        deadline = time.monotonic() + 30
        while lines_written(out) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(timeout=30) == 1  # the run ended early: judged failed
        finish(second, timeout=40)  # well before w1's 60 s heartbeat timeout
    finally:
        stop(mirror.process)
    records = [record for part in parts(out).values() for record in part]
    assert Counter(Counter(record["url"] for record in records).values()) == {1: 80}
    assert leftovers(redis_server.url) == []
    assert "stopped beating" not in (out / "_logs" / "newsbot.log").read_text("utf-8")


def test_workers_reconnect_when_redis_restarts_mid_run(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    mirror, feeds = site(tmp_path, 80)
    out = tmp_path / "out"
    try:
        workers = [worker(mirror, feeds, out, redis_server.url, n, "15") for n in ("w1", "w2")]
        deadline = time.monotonic() + 30
        while lines_written(out) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        written_before = lines_written(out)
        redis_server.restart(down=1.0)  # AOF on: the queue and the store survive
        for process in workers:
            finish(process)
    finally:
        stop(mirror.process)
    records = [record for part in parts(out).values() for record in part]
    assert Counter(Counter(record["url"] for record in records).values()) == {1: 80}
    assert 30 <= written_before < 80  # Redis was restarted in the middle of the run
    assert leftovers(redis_server.url) == []


def test_the_same_article_at_the_same_moment_is_recorded_once(
    redis_server: RedisServer,
) -> None:
    """Two workers (two stores, two connections) check-write-record the same 100 articles,
    each pair released at the same instant: for each, exactly one writes it."""
    stores = [RedisStateStore(redis_server.url, worker=name) for name in ("w1", "w2")]
    written: dict[str, list[str]] = {"w1": [], "w2": []}
    gate = threading.Barrier(2)

    def write_all(store: RedisStateStore) -> None:
        for n in range(100):
            url = f"https://bank.example.cn/news/a{n}.html"
            gate.wait()
            with store.transaction():
                signature = minhash(story_text(n))
                if store.known_url(url) is None and store.near_duplicate(signature) is None:
                    written[store.worker].append(url)  # the line, in the real pipeline
                    store.add(f"id{n}-{store.worker}", url, "test_site", url, "part",
                              signature, None)  # fmt: skip

    threads = [threading.Thread(target=write_all, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    both = written["w1"] + written["w2"]
    assert sorted(both) == sorted(f"https://bank.example.cn/news/a{n}.html" for n in range(100))
    assert stores[0].count("test_site") == 100
    assert all(store.near_duplicate(minhash(story_text(7))) is not None for store in stores)
    assert stores[0].near_duplicate(minhash(story_text(1000))) is None


def test_scrapy_crawl_with_a_redis_url_keeps_its_state_there(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """One switch: `scrapy crawl FEED -s NEWSBOT_REDIS_URL=…` queues in Redis and keeps
    the state store there (no SQLite file); the next run skips the known articles and
    stops paging at the first all-known list page (the last pass was complete)."""
    mirror, feeds = site(tmp_path, 20)
    env = {"NEWSBOT_MIRROR": mirror.url, "NEWSBOT_FEEDS": str(feeds)}
    out = tmp_path / "out"
    args = ["scrapy", "crawl", "test_site", "-s", f"NEWSBOT_REDIS_URL={redis_server.url}",
            "-s", f"NEWSBOT_OUTPUT={out}/{{feed}}/{{day}}.jsonl",
            "-s", f"NEWSBOT_STATE={tmp_path}/unused.sqlite3"]  # fmt: skip
    try:
        first = run_command(args, env=env)
        again = run_command(args, env=env)
    finally:
        stop(mirror.process)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "DeprecationWarning" not in first.stderr
    assert len(read_jsonl(next((out / "test_site").glob("*.jsonl")))) == 20
    assert RedisStateStore(redis_server.url).count("test_site") == 20
    assert not (tmp_path / "unused.sqlite3").exists()
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"0 new records; 10 known articles skipped — state in {redis_server.url}" in again.stderr
    assert leftovers(redis_server.url) == []


def test_a_worker_that_found_the_work_taken_is_not_failed() -> None:
    """`newsbot status`: a worker that downloaded nothing (the others took every request)
    is ok and says whose share it is; a whole crawl that downloaded nothing still fails."""
    from newsbot.ops.health import FAILED, OK, RunReport, feed_report, judge, status_lines

    idle = judge(feed_report("test_site", {"finish_reason": "finished",
                                           "newsbot/worker": "w2"}), [])  # fmt: skip
    alone = judge(feed_report("test_site", {"finish_reason": "finished"}), [])
    assert (idle.status, alone.status) == (OK, FAILED)
    report = RunReport(started="2026-12-01T10:00:00+00:00", finished="2026-12-01T10:01:00+00:00",
                       elapsed=60.0, feeds=[idle])  # fmt: skip
    lines = status_lines([report], ["test_site"], 5)
    assert "worker w2: its share of a distributed run" in "\n".join(lines)


def test_a_worker_id_is_held_across_machines_until_its_owner_is_gone(
    redis_server: RedisServer,
) -> None:
    """The run lock in Redis: one live worker per id, whichever machine it runs on."""
    url, key = redis_server.url, "newsbot:worker-lock:w1"
    with RedisWorkerLock(url, "w1", lifetime=1.0):
        time.sleep(1.5)  # past its lifetime: renewed while its owner lives
        with pytest.raises(WorkerIdBusy, match=f"'w1' is held by pid {os.getpid()}"):
            RedisWorkerLock(url, "w1").__enter__()
    with RedisWorkerLock(url, "w1"):  # released at the end of the block: free at once
        pass
    db = connect(url)
    elsewhere = {"worker": "w1", "host": "another-machine", "pid": os.getpid()}
    db.set(key, json.dumps(elsewhere), px=500)  # a worker of another machine, just killed
    with pytest.raises(WorkerIdBusy, match="on another-machine"):
        RedisWorkerLock(url, "w1").__enter__()
    time.sleep(0.7)  # its key expired: the id is free again
    with RedisWorkerLock(url, "w1"):
        assert b"another-machine" not in db.get(key)
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid of this host that is no longer running
    here = {"worker": "w1", "host": socket.gethostname(), "pid": gone.pid}
    db.set(key, json.dumps(here), px=60_000)
    with RedisWorkerLock(url, "w1"):  # a dead owner of this host: taken over at once
        assert json.loads(db.get(key))["pid"] == os.getpid()
    assert db.get(key) is None


def test_a_second_worker_with_a_live_id_is_refused_in_one_line(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    args = ["newsbot", "worker", "--redis", redis_server.url, "--feeds", str(feeds),
            "--out", str(tmp_path / "out"), "--worker-id", "w1"]  # fmt: skip
    with RedisWorkerLock(redis_server.url, "w1"):  # held as if by another machine's worker
        result = run_command(args)
    assert result.returncode == ExitCode.LOCKED, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"newsbot worker: worker id 'w1' is held by pid {os.getpid()} on {socket.gethostname()}"
    )
    assert line.endswith(f"{redis_server.url} newsbot:worker-lock:w1; give another --worker-id")
    assert not list((tmp_path / "out").glob("test_site/*.jsonl"))
