"""`newsbot crawl` as cron runs it: run reports and broken feeds, `newsbot status`,
dry runs, output patterns, logging, the progress line, and resuming after SIGKILL."""

from __future__ import annotations

import configparser
import json
import os
import pty
import random
import select
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from newsbot.config import load_feeds
from newsbot.core.codes import ExitCode
from tests.conftest import (
    BIN,
    COMMAND_TIMEOUT,
    ROOT,
    Mirror,
    read_jsonl,
    run_command,
    start_mirror,
    stop,
)
from tests.testsite import SITE_FEED, story_text, write_site, written_ids

PAGE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<{tag}>{title}</{tag}><div class="time">2026-11-{day:02d} 09:30</div>
<div id="body"><p>{text}</p>{byline}</div></body></html>"""


def publish(site: Path, numbers: range, *, byline: bool = True, tag: str = "h1") -> None:
    """Write article pages a{n}.html of the test newsroom."""
    site.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        text = f"测试银行第{n}号公告：" + story_text(n)
        (site / f"a{n}.html").write_text(
            PAGE.format(
                title=f"测试银行公告{n}", tag=tag, day=n % 28 + 1, text=text,
                byline="<p>来源：测试银行总行</p>" if byline else "",
            ),
            encoding="utf-8",
        )  # fmt: skip


def list_page(site: Path, numbers: range, css: str = "news") -> None:
    """The newsroom's only list page, newest article first."""
    links = "".join(f'<li><a href="/news/a{n}.html">公告{n}</a></li>' for n in reversed(numbers))
    (site / "index.html").write_text(
        f'<html><meta charset="utf-8"><ul class="{css}">{links}</ul></html>', encoding="utf-8"
    )


def newsbot_crawl(
    mirror: Mirror, out: Path, *args: str, feeds: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``newsbot crawl ARGS --out OUT`` over the mirror."""
    env = {"NEWSBOT_MIRROR": mirror.url}
    if feeds is not None:
        env["NEWSBOT_FEEDS"] = str(feeds)
    return run_command(["newsbot", "crawl", *args, "--out", str(out)], env=env)


def last_report(out: Path) -> dict[str, Any]:
    """The newest run report under ``out``."""
    newest = sorted((out / "_runs").glob("*.json"))[-1]
    return json.loads(newest.read_text(encoding="utf-8"))


def test_a_site_that_changes_is_flagged_broken_run_by_run(tmp_path: Path) -> None:
    site, out = tmp_path / "sites" / "bank.example.cn" / "news", tmp_path / "data"
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    publish(site, range(4))
    list_page(site, range(4))
    server = start_mirror(tmp_path / "sites")
    try:
        first = newsbot_crawl(server, out, feeds=feeds)
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        assert "status ok (exit 0)" in first.stdout
        report = last_report(out)["feeds"][0]
        assert (report["status"], report["links"], report["new"]) == ("ok", 4, 4)
        assert report["filled"] == {"date": 4, "body": 4, "source": 4}

        # New articles lose their 来源 line: still written, but the feed is flagged.
        publish(site, range(4, 8), byline=False)
        list_page(site, range(8))
        second = newsbot_crawl(server, out, feeds=feeds)
        assert second.returncode == 3, second.stdout
        assert (
            "test_site            broken: source found on 0% of articles (previous runs: 100%)"
            in second.stdout
        )
        (archive,) = (out / "test_site").glob("*.jsonl")
        assert len(read_jsonl(archive)) == 8  # nothing scraped is lost

        # The title moves to <h2>: the title rule matches nothing on any new article; the
        # generic extractor fills the title in (nothing lost), and the feed is flagged.
        publish(site, range(8, 11), tag="h2")
        list_page(site, range(11))
        third = newsbot_crawl(server, out, feeds=feeds)
        assert third.returncode == 3
        assert last_report(out)["feeds"][0]["reasons"][0] == (
            "title: its rule matched nothing on 3 of 3 article(s); "
            "the generic extractor filled it in"
        )
        assert last_report(out)["feeds"][0]["fallbacks"] == {"title": 3}
        assert len(read_jsonl(archive)) == 11

        # The list's markup changes: no links at all.
        list_page(site, range(11), css="list")
        fourth = newsbot_crawl(server, out, feeds=feeds)
        assert fourth.returncode == 3
        assert last_report(out)["feeds"][0]["reasons"] == [
            "list pages yielded no article links (earlier runs found up to 11)"
        ]

        # The list page is gone: the feed failed.
        (site / "index.html").unlink()
        fifth = newsbot_crawl(server, out, feeds=feeds)
        assert fifth.returncode == 1
        assert "status failed (exit 1)" in fifth.stdout
        assert last_report(out)["feeds"][0]["status"] == "failed"
    finally:
        stop(server.process)

    env = {"NEWSBOT_FEEDS": str(feeds)}
    status = run_command(["newsbot", "status", "--out", str(out)], env=env)
    assert status.returncode == 1  # the latest run of a feed is not ok
    rows = [line.split()[4] for line in status.stdout.splitlines() if line.startswith("test_site")]
    assert rows == ["failed", "broken", "broken", "broken", "ok"]  # newest first, 5 runs
    assert "5 run(s) in" in status.stdout
    assert "broken: list pages yielded no article links" in status.stdout
    latest = run_command(["newsbot", "status", "--out", str(out), "--runs", "1"], env=env)
    assert [line.split()[4] for line in latest.stdout.splitlines() if line.startswith("test_")] == [
        "failed"
    ]


def test_dry_run_lists_new_articles_fetches_none_and_writes_nothing(
    mirror: Mirror, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    before = len(mirror.requests())
    dry = newsbot_crawl(mirror, out, "nfra_news", "--dry-run")
    assert dry.returncode == 0, dry.stderr[-2000:]
    fetched = mirror.requests()[before:]
    assert [line for line in fetched if "SelectByDocId" in line] == []  # no article fetched
    assert "nfra_news: 2 list page(s) read, 3 new article(s) to fetch, 0 known" in dry.stdout
    listed = [line.strip() for line in dry.stdout.splitlines() if line.startswith("  https://")]
    assert len(listed) == 3 and all("ItemDetail.html?docId=" in url for url in listed)
    assert not (out / "nfra_news").exists() and not (out / "_runs").exists()

    real = newsbot_crawl(mirror, out, "nfra_news")
    assert real.returncode == 0
    written = {record["url"] for record in read_jsonl(next((out / "nfra_news").glob("*.jsonl")))}
    assert written == set(listed)  # the dry run listed exactly what a run fetches
    again = newsbot_crawl(mirror, out, "nfra_news", "--dry-run")
    assert "nfra_news: 1 list page(s) read, 0 new article(s) to fetch, 2 known" in again.stdout


def test_output_pattern_log_file_and_quiet_stderr(mirror: Mirror, tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = newsbot_crawl(mirror, out, "icbc_news", "--pattern", "{month}/{feed}-{day}.jsonl")
    assert result.returncode == 0, result.stderr[-2000:]
    (written,) = out.glob("????-??/icbc_news-????-??-??.jsonl")
    assert written.parent.name == written.name[len("icbc_news-") :][:7]
    assert len(read_jsonl(written)) == 3
    assert last_report(out)["feeds"][0]["output"] == str(written)
    log = (out / "_logs" / "newsbot.log").read_text(encoding="utf-8")
    assert "[scrapy] INFO: Spider opened" in log
    assert " INFO: " not in result.stderr  # stderr shows warnings and errors only

    bad = newsbot_crawl(mirror, out, "icbc_news", "--pattern", "{feed}/{date}.jsonl")
    assert bad.returncode == 2
    assert "uses {date}; only {feed}, {day} and {month} exist" in bad.stderr
    unknown = newsbot_crawl(mirror, out, "icbc_new")
    assert unknown.returncode == 2
    assert "unknown feed 'icbc_new'; did you mean 'icbc_news'? known feeds: " in unknown.stderr
    wrong = newsbot_crawl(mirror, out, "icbc_news", "-s", "DOWNLOAD_DELAY")
    assert wrong.returncode == 2 and "'DOWNLOAD_DELAY' is not NAME=VALUE" in wrong.stderr

    quiet = newsbot_crawl(mirror, out, "icbc_news", "--quiet")
    assert (quiet.returncode, quiet.stdout) == (0, "")  # nothing for cron to mail


def read_terminal(fd: int, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    """Everything the child writes to its terminal until it exits."""
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_line_only_on_a_terminal(tmp_path: Path) -> None:
    write_site(tmp_path / "sites", articles=60, per_page=30)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    env = {**os.environ, "NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)}
    command = [str(BIN / "newsbot"), "crawl", "--out", str(tmp_path / "data"),
               "-s", "DOWNLOAD_DELAY=0.03"]  # fmt: skip
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=terminal
        )
        os.close(terminal)
        shown = read_terminal(controller, process)
        assert process.wait(timeout=60) == 0
        piped = run_command(
            ["newsbot", *command[1:]],
            env={"NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)},
        )
    finally:
        os.close(controller)
        stop(server.process)
    lines = [part for part in shown.split("\r") if part.strip()]
    assert len(lines) >= 2, shown  # redrawn in place while the crawl ran
    assert "[newsbot]" in lines[0] and "feeds 0/1 done" in lines[0]
    assert "feeds 1/1 done · pages 63 · new 60 · errors 0" in lines[-1]
    # While it runs, the line names the feed and the pages it has yet to fetch.
    crawling = [line for line in lines[:-1] if "feeds 0/1 done · test_site: " in line]
    assert crawling and all(" pages left · " in line or " page left · " in line
                            for line in crawling), lines  # fmt: skip
    assert piped.returncode == 0 and "[newsbot]" not in piped.stderr  # no terminal: quiet


def test_a_run_killed_at_a_random_point_resumes_to_the_uninterrupted_result(
    tmp_path: Path,
) -> None:
    write_site(tmp_path / "sites", articles=300, per_page=30)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(SITE_FEED, encoding="utf-8")
    server = start_mirror(tmp_path / "sites")
    env = {**os.environ, "NEWSBOT_MIRROR": server.url, "NEWSBOT_FEEDS": str(feeds)}
    interrupted, whole = tmp_path / "interrupted", tmp_path / "whole"
    seed = random.randrange(1_000_000)
    kill_after = random.Random(seed).randrange(10, 280)
    try:
        first = subprocess.Popen(
            [str(BIN / "newsbot"), "crawl", "--out", str(interrupted), "-s", "DOWNLOAD_DELAY=0.01"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(written_ids(interrupted)) < kill_after:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
        partial = len(written_ids(interrupted))
        assert kill_after <= partial < 300, (seed, partial)
        resumed = run_command(["newsbot", "crawl", "--out", str(interrupted)], env=env)
        assert resumed.returncode == 0, (seed, resumed.stdout, resumed.stderr[-2000:])
        complete = run_command(["newsbot", "crawl", "--out", str(whole)], env=env)
        assert complete.returncode == 0
    finally:
        stop(server.process)
    assert sorted(written_ids(interrupted)) == sorted(written_ids(whole)), seed  # none lost/twice
    assert len(set(written_ids(whole))) == 300
    resumed_records, whole_records = comparable(interrupted), comparable(whole)
    for key, record in whole_records.items():
        assert resumed_records[key] == record, (seed, key)


def comparable(out: Path) -> dict[str, dict[str, Any]]:
    """Records by id, without the crawl time (the only field two runs may differ in)."""
    records = [record for path in out.glob("test_site/*.jsonl") for record in read_jsonl(path)]
    return {str(r["id"]): {k: v for k, v in r.items() if k != "crawled_at"} for r in records}


DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/newsbot"  # where deploy/ files expect the project


def installed_copy(tmp_path: Path) -> Path:
    """A stand-in for /opt/newsbot: the project's scrapy.cfg and feeds.yaml, and its venv."""
    install = tmp_path / "newsbot"
    install.mkdir()
    for name in ("scrapy.cfg", "feeds.yaml"):
        shutil.copy(ROOT / name, install / name)
    (install / ".venv").symlink_to(ROOT / ".venv")
    return install


def test_crontab_line_and_systemd_units_work_as_written(mirror: Mirror, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("crontab", "newsbot.service", "newsbot.timer"):
        assert (DEPLOY / name).read_text(encoding="utf-8") in readme, name
    install = installed_copy(tmp_path)
    # cron: a minimal environment and /bin/sh; `%` would be turned into a newline.
    (line,) = [
        line
        for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    minute, hour, day, month, weekday, command = line.split(None, 5)
    assert (minute.isdigit(), hour, day, month, weekday) == (True, "*", "*", "*", "*")
    assert "%" not in command and command.startswith(f"cd {INSTALL_DIR} && ")
    cron_env = {
        "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh",
        "NEWSBOT_MIRROR": mirror.url,
    }  # fmt: skip
    cron = subprocess.run(
        ["/bin/sh", "-c", command.replace(INSTALL_DIR, str(install))],
        env=cron_env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False,
    )  # fmt: skip
    assert cron.returncode == 0, cron.stdout + cron.stderr[-3000:]
    assert (cron.stdout, cron.stderr) == ("", "")  # a healthy run: nothing for cron to mail
    report = last_report(install / "data")
    assert report["status"] == "ok" and len(report["feeds"]) == len(load_feeds(ROOT / "feeds.yaml"))
    assert read_jsonl(next((install / "data" / "icbc_news").glob("*.jsonl")))

    # systemd: the service's command, run in its WorkingDirectory with its exit codes.
    service = read_unit(DEPLOY / "newsbot.service")["Service"]
    timer = read_unit(DEPLOY / "newsbot.timer")
    assert service["Type"] == "oneshot" and service["WorkingDirectory"] == INSTALL_DIR
    assert str(int(ExitCode.LOCKED)) in service["SuccessExitStatus"].split()
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    argv = shlex.split(service["ExecStart"].replace(INSTALL_DIR, str(install)))
    assert Path(argv[0]).is_absolute()  # systemd needs an absolute ExecStart
    unit = subprocess.run(
        argv, cwd=install, env={"NEWSBOT_MIRROR": mirror.url, "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False,
    )  # fmt: skip
    assert unit.returncode == 0, unit.stdout + unit.stderr[-3000:]
    assert len(list((install / "data" / "_runs").glob("*.json"))) == 2


def read_unit(path: Path) -> configparser.ConfigParser:
    """A systemd unit file, read strictly (a repeated key or section fails)."""
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(path, encoding="utf-8")
    return unit
