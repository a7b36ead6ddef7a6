"""The archive's promise, tested with real crawls over a generated multi-page site: every
article once, whatever the kill, the interruption or the order; nothing marked seen that
is not on disk."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from newsbot.core.dedup import minhash
from newsbot.store import SqliteStateStore, adoption
from newsbot.store.adoption import adopt_lines, check_own_lines
from newsbot.store.jsonl import JsonlWriter
from tests.conftest import (
    BIN,
    ROOT,
    Mirror,
    crawl_in_process,
    read_jsonl,
    run_command,
    start_mirror,
    stop,
)
from tests.testsite import SITE_FEED, write_site, written_ids

ARTICLES, PER_PAGE = 300, 30  # ten list pages
NEWS = "bank.example.cn/news"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Mirror, dict[str, str]]]:
    """A 300-article, 10-page newsroom on a mirror, and the environment that crawls it."""
    write_site(tmp_path / "sites", articles=ARTICLES, per_page=PER_PAGE)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    yield server, {**os.environ, "NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)}
    stop(server.process)


def newsbot_crawl(
    out: Path, env: dict[str, str], *settings: str
) -> subprocess.CompletedProcess[str]:
    """`newsbot crawl --out OUT [-s …]`, run to its end."""
    extra = [part for setting in settings for part in ("-s", setting)]
    result = run_command(["newsbot", "crawl", "--out", str(out), *extra], env=env)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return result


def comparable(out: Path) -> dict[str, dict[str, Any]]:
    """Records by id, without the crawl time (the only field two runs may differ in)."""
    records = [record for path in out.glob("test_site/*.jsonl") for record in read_jsonl(path)]
    return {str(r["id"]): {k: v for k, v in r.items() if k != "crawled_at"} for r in records}


def seen_ids(out: Path) -> set[str]:
    """Ids the state store holds as written."""
    path = out / "_state" / "newsbot.sqlite3"
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "records" not in tables:  # killed after creating the file, before its schema
            return set()
        return {row[0] for row in db.execute("SELECT id FROM records")}


def assert_archive_sound(out: Path) -> None:
    """No id twice on disk, and nothing marked seen that is not on disk."""
    on_disk = written_ids(out)
    assert len(on_disk) == len(set(on_disk)), "an article written twice"
    assert seen_ids(out) <= set(on_disk), "marked seen but not on disk"


def kill_when(
    out: Path, env: dict[str, str], ready: Callable[[], bool], timeout: float = 60
) -> None:
    """Start `newsbot crawl`, SIGKILL it as soon as ``ready()`` holds (or it ends)."""
    process = subprocess.Popen(
        [str(BIN / "newsbot"), "crawl", "--out", str(out), "-s", "DOWNLOAD_DELAY=0.005"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline and not ready():
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def after(seconds: float) -> Callable[[], bool]:
    """A condition that holds ``seconds`` from now."""
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def test_an_interrupted_back_fill_is_finished_by_the_next_runs(
    site: tuple[Mirror, dict[str, str]], tmp_path: Path
) -> None:
    """The issue's reproduction: a run stopped by CLOSESPIDER_ITEMCOUNT, then plain runs."""
    _, env = site
    out = tmp_path / "out"
    newsbot_crawl(out, env, "CLOSESPIDER_ITEMCOUNT=40")
    assert 40 <= len(written_ids(out)) < ARTICLES
    newsbot_crawl(out, env)
    assert sorted(written_ids(out)) == sorted(set(written_ids(out)))
    assert len(written_ids(out)) == ARTICLES
    third = newsbot_crawl(out, env)  # complete now: stops at the first, all-known page
    assert "test_site: 0 new records; 30 known articles skipped — state in " in third.stdout, (
        third.stdout
    )
    assert len(written_ids(out)) == ARTICLES


def test_a_failed_list_page_does_not_hide_older_pages(
    site: tuple[Mirror, dict[str, str]], tmp_path: Path
) -> None:
    """Page 1 fully written, page 2 failing: the next run pages past the known page 1."""
    server, env = site
    sites = tmp_path / "sites" / NEWS
    (sites / "list1.html").rename(sites / "list1.away")
    out = tmp_path / "out"
    first = newsbot_crawl(out, env)
    assert first.returncode == 1  # a list page failed: the feed failed
    assert len(written_ids(out)) == PER_PAGE
    (sites / "list1.away").rename(sites / "list1.html")
    newsbot_crawl(out, env)
    assert len(set(written_ids(out))) == ARTICLES
    before = len(server.requests())
    newsbot_crawl(out, env)  # that pass was complete: page 1 is trusted again
    list_requests = [line for line in server.requests()[before:] if "/list" in line]
    assert list_requests == []


def test_kills_at_each_phase_end_as_an_uninterrupted_run(
    site: tuple[Mirror, dict[str, str]], tmp_path: Path
) -> None:
    server, env = site
    out, whole = tmp_path / "interrupted", tmp_path / "whole"

    def requested(path: str) -> Callable[[], bool]:
        return lambda: any(line.endswith(path) for line in server.requests())

    phases: list[Callable[[], bool]] = [
        requested(f"{NEWS}/index.html"),  # during list page 1
        requested(f"{NEWS}/list2.html"),  # between list pages
        lambda: len(written_ids(out)) >= 120,  # during article writes
        lambda: len(written_ids(out)) >= ARTICLES,  # during close
    ]
    for ready in phases:
        kill_when(out, env, ready)
        assert_archive_sound(out)
    newsbot_crawl(out, env)
    newsbot_crawl(whole, env)
    assert_archive_sound(out)
    assert comparable(out) == comparable(whole)
    assert len(comparable(whole)) == ARTICLES


def test_twenty_random_kills_lose_nothing_and_double_nothing(
    site: tuple[Mirror, dict[str, str]], tmp_path: Path
) -> None:
    _, env = site
    out, whole = tmp_path / "interrupted", tmp_path / "whole"
    seed = random.randrange(1_000_000)
    draw = random.Random(seed)
    for _ in range(20):
        # startup, list pages, article writes or the close
        kill_when(out, env, after(draw.uniform(0.2, 2.5)))
        assert_archive_sound(out)
    newsbot_crawl(out, env)
    newsbot_crawl(whole, env)
    assert_archive_sound(out)
    for path in out.glob("test_site/*.jsonl"):  # no torn line is left behind
        for line in path.read_text(encoding="utf-8").splitlines():
            json.loads(line)
    assert comparable(out) == comparable(whole), seed
    assert len(comparable(out)) == ARTICLES, seed


def test_a_finished_run_leaves_the_next_nothing_of_the_archive_to_read(
    site: tuple[Mirror, dict[str, str]], tmp_path: Path
) -> None:
    # Each run read every line of today's file again to adopt what a killed run left:
    # the re-run of a 5,000-article day spent 0.5 s of its 1.7 s on it.
    _, env = site
    out = tmp_path / "out"
    newsbot_crawl(out, env)
    (archive,) = out.glob("test_site/*.jsonl")
    with sqlite3.connect(out / "_state" / "newsbot.sqlite3") as db:
        checked = db.execute("SELECT size FROM adopted WHERE output = ?", (str(archive),))
        assert checked.fetchone() == (archive.stat().st_size,)
    # A line it has checked is not read again: one made unreadable stops nothing.
    lines = archive.read_bytes().split(b"\n")
    lines[5] = b"x" * len(lines[5])
    archive.write_bytes(b"\n".join(lines))
    again = newsbot_crawl(out, env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(written_ids(out)) == ARTICLES - 1


def _line(number: int) -> str:
    url = f"https://bank.example.cn/news/a{number}.html"
    record = {"id": f"{number:016x}", "url": url, "feed": "f", "text": f"第{number}篇正文。" * 20}
    return json.dumps(record, ensure_ascii=False) + "\n"


def test_adoption_reads_what_was_added_since_and_a_replaced_file_again(tmp_path: Path) -> None:
    store, archive = SqliteStateStore(tmp_path / "s.sqlite3"), tmp_path / "f.jsonl"
    archive.write_text("".join(_line(n) for n in range(3)), encoding="utf-8")
    assert adopt_lines(store, archive, {}) == 3
    with archive.open("a", encoding="utf-8") as handle:  # another run's, killed before
        handle.write(_line(3) + _line(4))  # it recorded them
    assert adopt_lines(store, archive, {}) == 2
    assert store.adopted_through(str(archive))[0] == archive.stat().st_size
    # Replaced by a file of other lines (a restored backup): read from its start.
    archive.write_text("".join(_line(n) for n in (10, 11, 0)), encoding="utf-8")
    assert adopt_lines(store, archive, {}) == 2
    # Cut shorter than what was checked: read from its start too (nothing new in it).
    archive.write_text(_line(10), encoding="utf-8")
    assert adopt_lines(store, archive, {}) == 0
    assert store.count() == 7


def _record(store: SqliteStateStore, writer: JsonlWriter, path: Path, number: int) -> None:
    """Write and record one line as the archive pipeline does (the line first)."""
    record = json.loads(_line(number))
    with store.transaction():
        writer.write(record, path)
        url = record["url"]
        store.add(record["id"], url, "f", url, str(path), minhash(record["text"]), None)


def test_a_runs_own_lines_are_checked_without_reading_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At its close a run re-read its own lines (a JSON decode and a canonical URL each,
    # ~2 % of a crawl's main thread) to note the file as checked. Its writer knows them:
    # one run of lines straight after the checked part, ending the file.
    store, archive = SqliteStateStore(tmp_path / "s.sqlite3"), tmp_path / "f.jsonl"
    archive.write_text(_line(0), encoding="utf-8")  # a killed run's line, adopted at start
    assert adopt_lines(store, archive, {}) == 1
    writer = JsonlWriter(str(tmp_path / "{feed}.jsonl"))
    for number in range(1, 4):
        _record(store, writer, archive, number)
    writer.close()
    monkeypatch.setattr(adoption, "json", None)  # reading a line would fail
    assert check_own_lines(store, archive, writer.written_run(archive))
    size = archive.stat().st_size
    assert store.adopted_through(str(archive)) == (size, archive.read_bytes()[-256:])


def test_a_line_of_another_process_among_a_runs_lines_is_still_adopted(tmp_path: Path) -> None:
    store, archive = SqliteStateStore(tmp_path / "s.sqlite3"), tmp_path / "f.jsonl"
    writer = JsonlWriter(str(tmp_path / "{feed}.jsonl"))
    _record(store, writer, archive, 1)
    with archive.open("a", encoding="utf-8") as other:  # another process, killed after
        other.write(_line(50))
    _record(store, writer, archive, 2)
    assert writer.written_run(archive) is None  # not one run: read, as before
    with archive.open("a", encoding="utf-8") as other:
        other.write(_line(51))
    assert adopt_lines(store, archive, {}) == 2
    ends_after = JsonlWriter(str(tmp_path / "{feed}.jsonl"))  # one run, but not the end
    later = tmp_path / "g.jsonl"
    _record(store, ends_after, later, 3)
    with later.open("a", encoding="utf-8") as other:
        other.write(_line(52))
    assert not check_own_lines(store, later, ends_after.written_run(later))
    assert adopt_lines(store, later, {}) == 1
    assert store.count() == 6


def test_a_batch_that_could_not_be_committed_is_counted_and_its_lines_adopted(
    tmp_path: Path,
) -> None:
    # The archive pipeline trusts its writer's run of lines only while no batch of the
    # store was lost (a timer's commit that failed leaves the crawl going, with lines on
    # disk whose records are gone): else it reads them, as here.
    path = tmp_path / "s.sqlite3"
    store = SqliteStateStore(path, batch_items=100, batch_seconds=60, merge_rows=3 * 32)
    archive, writer = tmp_path / "f.jsonl", JsonlWriter(str(tmp_path / "{feed}.jsonl"))
    for number in range(4):  # the first is committed at once (a new file), the rest wait
        _record(store, writer, archive, number)
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # the merge cannot grow the file
    with pytest.raises(sqlite3.DatabaseError, match="full"):
        store.commit()
    store._db.execute(f"PRAGMA max_page_count = {1 << 30}")
    assert store.batches_lost() == 1 and store.count() == 1
    assert writer.written_run(archive) is not None  # the writer cannot know
    assert adopt_lines(store, archive, {}) == 3
    assert store.count() == 4


def test_a_run_without_state_leaves_the_archive_alone(tmp_path: Path) -> None:
    """`scrapy crawl FEED -O out.jsonl -s NEWSBOT_STATE=` (the documented one-off export)."""
    write_site(tmp_path / "sites", articles=5, per_page=5)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    archive = tmp_path / "archive"
    env = {"NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)}
    try:
        for run in range(2):
            result = run_command(
                ["scrapy", "crawl", "test_site", "-O", str(tmp_path / f"out{run}.jsonl"),
                 "-s", f"NEWSBOT_OUTPUT={archive}/{{feed}}/{{day}}.jsonl", "-s", "NEWSBOT_STATE="],
                env=env,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr[-2000:]
    finally:
        stop(server.process)
    assert not archive.exists()
    for run in range(2):  # each one-off run exports everything it read
        assert len(read_jsonl(tmp_path / f"out{run}.jsonl")) == 5


@pytest_twisted.ensureDeferred
async def test_a_dropped_story_is_not_downloaded_again(mirror: Mirror, tmp_path: Path) -> None:
    """eastmoney_share's copies of eastmoney_news stories are dropped once, remembered."""
    state = str(tmp_path / "state.sqlite3")
    await crawl_in_process(mirror, "eastmoney_news", tmp_path, state)
    dropping = await crawl_in_process(mirror, "eastmoney_share", tmp_path, state)
    assert dropping.counts("newsbot/dropped/") == {"duplicate-text": 6}
    before = len(mirror.requests())
    again = await crawl_in_process(mirror, "eastmoney_share", tmp_path, state)
    fetched = mirror.requests()[before:]
    assert again.items == []
    assert again.counts("newsbot/dropped/") == {}
    # list page 1 is all known (remembered as dropped): paging stops there
    assert again.stats["newsbot/skipped_known"] == 3
    assert again.stats["newsbot/paging_stopped_known"] == 1
    assert not [line for line in fetched if "GetNewsText" in line]


def test_the_same_site_gives_the_same_archive_at_any_concurrency(
    mirror: Mirror, tmp_path: Path
) -> None:
    """Which feed keeps a story, and which copy is a duplicate, never depends on timing:
    one request at a time, a few, and many give the same archive."""
    env = {"NEWSBOT_MIRROR": mirror.url}
    archives = []
    for run, concurrency in enumerate((1, 32, 4)):
        out = tmp_path / f"run{run}"
        result = run_command(
            ["newsbot", "crawl", "--out", str(out), "-s", f"CONCURRENT_REQUESTS={concurrency}",
             "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"],
            env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
        records = [r for path in out.glob("*/*.jsonl") for r in read_jsonl(path)]
        by_id = {str(r["id"]): r for r in records}
        archives.append(
            {(r["url"], r["feed"], by_id[r["duplicate_of"]]["url"] if r["duplicate_of"] else None)
             for r in records}
        )  # fmt: skip
    assert all(archive == archives[0] for archive in archives[1:])
    assert len(archives[0]) >= 40
