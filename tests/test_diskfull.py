"""A full disk stops the crawl cleanly: the first write error of the archive or the state
store closes the spider with one ERROR line naming the file, the command exits 74
(``ExitCode.WRITE_FAILED``), no torn line stays in the archive, nothing is marked seen that
is not on disk, and a rerun on a roomy disk writes the rest, nothing twice."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from newsbot.core.codes import ExitCode
from newsbot.store import jsonl
from newsbot.store.sqlite import SqliteStateStore
from tests.conftest import Mirror, crawl_in_process, run_command, start_mirror, stop
from tests.test_outcomes import feeds_file
from tests.testsite import site_feed, write_site

ARTICLES = 100


def archive_ids(out: Path) -> list[str]:
    """Ids of every line of the archive under ``out``; each line must parse (none torn)."""
    ids = []
    for path in sorted(out.glob("test_site/*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path} ends in a torn line"
        ids.extend(json.loads(line)["id"] for line in data.decode("utf-8").splitlines())
    return ids


def state_ids(database: Path) -> list[str]:
    """Ids of the records the state store holds as seen."""
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT id FROM records")]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "] ERROR: " in line]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Mirror, Path]]:
    """A newsroom of 100 articles on the mirror, and a feeds file naming it."""
    write_site(tmp_path / "sites", articles=ARTICLES, per_page=25)
    server = start_mirror(tmp_path / "sites")
    yield server, feeds_file(tmp_path, site_feed("test_site"))
    stop(server.process)


def crawl_command(tool: str, out: Path) -> list[str]:
    """``newsbot crawl`` or ``scrapy crawl test_site`` writing under ``out``."""
    if tool == "newsbot":
        return ["newsbot", "crawl", "--out", str(out), "--log-file", ""]
    return ["scrapy", "crawl", "test_site", "-s", f"NEWSBOT_OUTPUT={out}/{{feed}}/{{day}}.jsonl",
            "-s", f"NEWSBOT_STATE={out}/_state/newsbot.sqlite3"]  # fmt: skip


def mount_tmpfs(directory: Path, size: str) -> None:
    """Mount a tmpfs of ``size`` on ``directory``, or skip the test saying why."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    directory.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")


@pytest.mark.parametrize("tool", ["newsbot", "scrapy"])
def test_a_full_disk_stops_the_crawl_and_a_rerun_writes_the_rest(
    tool: str, site: tuple[Mirror, Path], tmp_path: Path
) -> None:
    mirror, feeds = site
    small, roomy = tmp_path / "small", tmp_path / "roomy"
    env = {"NEWSBOT_MIRROR": mirror.url, "NEWSBOT_FEEDS": str(feeds)}
    mount_tmpfs(small, "200k")
    try:
        full = run_command(crawl_command(tool, small), env=env)
        shutil.copytree(small, roomy)
    finally:
        subprocess.run(["umount", str(small)], check=True)
    assert full.returncode == ExitCode.WRITE_FAILED, full.stdout + full.stderr[-3000:]
    assert "Traceback" not in full.stderr, full.stderr[-3000:]
    errors = error_lines(full.stderr)
    assert len(errors) == 1, full.stderr[-4000:]
    (line,) = errors
    assert f"to {small}/" in line and ("No space left on device" in line or "disk is full" in line)
    assert "the crawl stops here" in line
    written = archive_ids(roomy)
    assert 0 < len(written) < ARTICLES
    # Seen only what is on disk; a batch the full disk kept from committing is adopted by
    # the next run (newsbot.store.batch), so the state may hold fewer than the archive.
    assert set(state_ids(roomy / "_state" / "newsbot.sqlite3")) <= set(written)

    again = run_command(crawl_command(tool, roomy), env=env)
    assert again.returncode == ExitCode.OK, again.stdout + again.stderr[-3000:]
    everything = archive_ids(roomy)
    assert len(everything) == len(set(everything)) == ARTICLES
    assert everything[: len(written)] == written
    assert sorted(state_ids(roomy / "_state" / "newsbot.sqlite3")) == sorted(everything)


def failing_disk(room: int, partial: list[int]) -> Callable[[int, bytes], int]:
    """``os.write`` on a disk with ``room`` bytes left: a write that does not fit is
    partial (its length noted in ``partial``), the next one fails with ENOSPC."""
    left = [room]

    def write(fd: int, data: bytes) -> int:
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done = os.write(fd, data[: left[0]])
        left[0] -= done
        if done < len(data):
            partial.append(done)
        return done

    return write


def failing_store(calls: int) -> Callable[..., None]:
    """``SqliteStateStore.add`` that fails as a full disk does after ``calls`` records."""
    real, done = SqliteStateStore.add, [0]

    def add(self: SqliteStateStore, *args: Any) -> None:
        if done[0] >= calls:
            raise sqlite3.OperationalError("database or disk is full")
        done[0] += 1
        real(self, *args)

    return add


@pytest.mark.parametrize("broken", ["archive", "state"])
@pytest_twisted.ensureDeferred
async def test_an_injected_write_error_cuts_the_line_and_stops_the_crawl(
    broken: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(tmp_path / "sites", articles=30, per_page=10)
    feeds = feeds_file(tmp_path, site_feed("test_site"))
    state = tmp_path / "state.sqlite3"
    partial: list[int] = []
    if broken == "archive":  # room for a few lines and part of the next
        monkeypatch.setattr(jsonl, "_write", failing_disk(4000, partial))
    else:  # the third record's line is written, then the store cannot take it
        monkeypatch.setattr(SqliteStateStore, "add", failing_store(2))
    server = start_mirror(tmp_path / "sites")
    try:
        stopped = await crawl_in_process(
            server, "test_site", tmp_path, str(state), feeds=feeds, finish="write-failed"
        )
        on_disk, seen = archive_ids(tmp_path / "archive"), state_ids(state)
        monkeypatch.undo()
        rerun = await crawl_in_process(server, "test_site", tmp_path, str(state), feeds=feeds)
    finally:
        stop(server.process)
    (line,) = stopped.messages(logging.ERROR)
    where = str(state) if broken == "state" else str(tmp_path / "archive" / "test_site")
    assert where in line and "the crawl stops here" in line, line
    assert ("No space left on device" if broken == "archive" else "disk is full") in line
    assert stopped.counts("newsbot/failed/") == {"write": 1}
    # Whole lines only: the one cut short (or whose record the store refused) is cut off.
    written = [str(record["id"]) for record in stopped.items]
    assert len(written) == (2 if broken == "state" else len(written)) and written
    assert sorted(on_disk) == sorted(written) == sorted(seen)
    assert len(partial) == (broken == "archive")  # a line was half written, then cut
    assert stopped.counts("newsbot/lost/").get("write-error", 0) >= 1
    assert rerun.counts("newsbot/failed/") == {}
    everything = archive_ids(tmp_path / "archive")
    assert len(everything) == len(set(everything)) == 30
    assert everything[: len(written)] == on_disk
    assert sorted(written + [str(item["id"]) for item in rerun.items]) == sorted(everything)
    assert sorted(state_ids(state)) == sorted(everything)
