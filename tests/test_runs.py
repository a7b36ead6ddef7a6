"""What a run says and where it writes: the closing line of every crawl, `--fresh`
re-reads that touch no archive, unreachable sites, output folders that cannot be
written, dry runs that write nothing, the demo's own folder, and logs that name their
feed in a bounded number of one-line entries."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from newsbot.core.codes import ExitCode
from tests.conftest import ROOT, SITES, Mirror, read_jsonl, run_command
from tests.test_scheduled import newsbot_crawl

#: A feed whose only site is a closed loopback port: no answer, as with no network.
UNREACHABLE_FEED = """feeds:
  - name: gone_site
    kind: bank
    flow: html
    categories: testsite
    tags: 测试
    source: 测试银行
    allow_private: a closed port stands for a site that does not answer
    start_urls: ["http://127.0.0.1:9/news/index.html"]
    list: {links: "ul.news a"}
    article: {title: h1, date: div.time, body: "#body"}
"""
#: A log line: the time, then the feed it belongs to (or the run).
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(?P<feed>[a-z_]+)\] ")


def scrapy_crawl(mirror: Mirror, data: Path, out: Path, *args: str) -> tuple[int, str]:
    """``scrapy crawl nfra_news -O OUT`` with its archive and state under ``data``."""
    result = run_command(
        ["scrapy", "crawl", "nfra_news", "-O", str(out), *args,
         "-s", f"NEWSBOT_OUTPUT={data}/{{feed}}/{{day}}.jsonl",
         "-s", f"NEWSBOT_STATE={data}/_state/newsbot.sqlite3"],
        env={"NEWSBOT_MIRROR": mirror.url},
    )  # fmt: skip
    return result.returncode, result.stderr


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and its mtime."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_crawl_that_writes_nothing_says_why_in_its_last_line(
    mirror: Mirror, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    code, first = scrapy_crawl(mirror, data, tmp_path / "out1.jsonl")
    assert code == 0, first[-2000:]
    assert first.splitlines()[-1].endswith(
        f"INFO: nfra_news: 3 new records → {data}/nfra_news/"
        + next((data / "nfra_news").glob("*.jsonl")).name
    )
    code, second = scrapy_crawl(mirror, data, tmp_path / "out2.jsonl")
    assert code == 0 and (tmp_path / "out2.jsonl").read_text() == ""
    assert second.splitlines()[-1].endswith(
        f"INFO: nfra_news: 0 new records; 2 known articles skipped — state in {data}/_state; "
        "`--fresh` for a full re-read"
    )
    again = newsbot_crawl(mirror, data, "nfra_news")
    assert again.returncode == 0, again.stderr[-2000:]
    assert (
        f"nfra_news: 0 new records; 2 known articles skipped — state in {data}/_state; "
        "`--fresh` for a full re-read\n"
    ) in again.stdout


def test_fresh_rereads_everything_and_leaves_the_state_and_archive_untouched(
    mirror: Mirror, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    assert newsbot_crawl(mirror, data, "nfra_news").returncode == 0
    before = snapshot(data)
    assert "_state/newsbot.sqlite3" in before and len(read_jsonl(
        data / next(name for name in before if name.startswith("nfra_news/"))
    )) == 3  # fmt: skip

    code, stderr = scrapy_crawl(mirror, data, tmp_path / "fresh.jsonl", "--fresh")
    assert code == 0, stderr[-2000:]
    assert stderr.splitlines()[-1].endswith(
        "nfra_news: 3 new records; fresh re-read: the state store and the archive were not used"
    )
    code, stderr = scrapy_crawl(mirror, data, tmp_path / "set.jsonl", "-s", "NEWSBOT_FRESH=1")
    assert code == 0, stderr[-2000:]
    again = newsbot_crawl(mirror, tmp_path / "reread", "nfra_news", "--fresh")
    assert again.returncode == 0, again.stderr[-2000:]
    twice = newsbot_crawl(mirror, tmp_path / "reread", "nfra_news", "--fresh")
    assert twice.returncode == 0, twice.stderr[-2000:]

    assert snapshot(data) == before  # bytes and mtimes: nothing read-write, nothing added
    urls = {record["url"] for record in read_jsonl(data / next(iter(
        name for name in before if name.startswith("nfra_news/"))))}  # fmt: skip
    for out in (tmp_path / "fresh.jsonl", tmp_path / "set.jsonl"):
        assert {record["url"] for record in read_jsonl(out)} == urls
    (reread,) = (tmp_path / "reread" / "nfra_news").glob("*.jsonl")
    assert {record["url"] for record in read_jsonl(reread)} == urls
    assert len(read_jsonl(reread)) == 3  # replaced by the second fresh run, not appended
    assert not (tmp_path / "reread" / "_state" / "newsbot.sqlite3").exists()
    assert str(reread) in twice.stdout  # the summary's output column

    into_archive = newsbot_crawl(mirror, data, "nfra_news", "--fresh")
    assert into_archive.returncode == ExitCode.BAD_CONFIG
    assert f"--fresh re-reads everything into a separate folder, but {data} holds" in (
        into_archive.stderr
    )
    assert snapshot(data) == before


def test_an_unreachable_site_fails_and_says_so_in_one_line(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(UNREACHABLE_FEED, encoding="utf-8")
    env = {"NEWSBOT_FEEDS": str(feeds), "NEWSBOT_MIRROR": ""}
    scrapy = run_command(
        ["scrapy", "crawl", "gone_site", "-O", str(tmp_path / "out.jsonl"),
         "-s", "RETRY_TIMES=0", "-s", "NEWSBOT_STATE="],
        env=env,
    )  # fmt: skip
    assert scrapy.returncode == ExitCode.FAILED, scrapy.stderr[-3000:]
    assert "Traceback" not in scrapy.stderr and "Dumping Scrapy stats" not in scrapy.stderr
    assert sum("cannot fetch" in line for line in scrapy.stderr.splitlines()) == 1
    assert scrapy.stderr.splitlines()[-1].endswith(
        "gone_site: 0 new records; no state store (NEWSBOT_STATE empty): the archive was not "
        "written; no page downloaded: unreachable 127.0.0.1 (DownloadConnectionRefusedError: "
        "Connection was refused by other side: 111: Connection refused.)"
    )

    out = tmp_path / "data"
    crawl = run_command(["newsbot", "crawl", "--out", str(out), "-s", "RETRY_TIMES=0"], env=env)
    assert crawl.returncode == ExitCode.FAILED, crawl.stdout + crawl.stderr
    assert "gone_site            failed: no page was downloaded: unreachable 127.0.0.1 (" in (
        crawl.stdout
    )
    assert "gone_site: 0 new records; no page downloaded: unreachable 127.0.0.1" in crawl.stdout
    page = "http://127.0.0.1:9/news/index.html"
    (line,) = crawl.stderr.splitlines()  # one line, no traceback
    assert f"ERROR: feed 'gone_site': cannot fetch {page}: DownloadConnectionRefusedError" in line
    log = (out / "_logs" / "newsbot.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert sum(page in line for line in log.splitlines() if "ERROR" in line) == 1


def immutable_folder(folder: Path) -> bool:
    """Make ``folder`` immutable (``chattr +i``) if this system can; whether it did."""
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0


def test_an_output_folder_that_cannot_be_written_is_one_line_and_exit_2(
    mirror: Mirror, tmp_path: Path
) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    for out, reason in (
        (Path("/proc/x"), "No such file or directory"),
        (a_file / "sub", "Not a directory"),
    ):
        result = newsbot_crawl(mirror, out, "nfra_news")
        assert result.returncode == ExitCode.BAD_CONFIG, result.stderr[-2000:]
        assert result.stderr == f"newsbot crawl: cannot write to {out}: {reason}\n"
    immutable = tmp_path / "immutable"
    immutable.mkdir()
    if immutable_folder(immutable):  # root writes to a chmod 0o500 folder; not to this one
        try:
            result = newsbot_crawl(mirror, immutable, "nfra_news")
        finally:
            subprocess.run(["chattr", "-i", str(immutable)], check=True)
        assert result.returncode == ExitCode.BAD_CONFIG, result.stderr[-2000:]
        assert (
            result.stderr
            == f"newsbot crawl: cannot write to {immutable}: Operation not permitted\n"
        )
        assert list(immutable.iterdir()) == []
    log_under_file = newsbot_crawl(
        mirror, tmp_path / "data", "nfra_news", "--log-file", str(a_file / "x.log")
    )
    assert log_under_file.returncode == ExitCode.BAD_CONFIG
    assert log_under_file.stderr == (
        f"newsbot crawl: cannot write to {a_file}: a file is there, not a folder\n"
    )
    assert not (tmp_path / "data" / "nfra_news").exists()


def test_a_dry_run_writes_nothing(mirror: Mirror, tmp_path: Path) -> None:
    new = tmp_path / "new"
    assert newsbot_crawl(mirror, new, "nfra_news", "--dry-run").returncode == 0
    assert not new.exists()
    data = tmp_path / "data"
    assert newsbot_crawl(mirror, data, "nfra_news").returncode == 0
    before = snapshot(data)
    dry = newsbot_crawl(mirror, data, "nfra_news", "--dry-run")
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert "nfra_news: 1 list page(s) read, 0 new article(s) to fetch, 2 known" in dry.stdout
    assert snapshot(data) == before  # no new file, no byte or mtime changed
    fresh = newsbot_crawl(mirror, new, "nfra_news", "--dry-run", "--fresh")
    assert "nfra_news: 2 list page(s) read, 3 new article(s) to fetch, 0 known" in fresh.stdout
    assert not new.exists()


def test_the_demo_writes_into_its_own_folder(tmp_path: Path) -> None:
    result = run_command(
        ["newsbot", "demo", "nfra_news", "--sites", str(SITES)],
        cwd=tmp_path,
        env={"NEWSBOT_FEEDS": str(ROOT / "feeds.yaml")},
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == (
        "offline demo: records in data-demo/ (live crawls write to data/)"
    )
    (written,) = (tmp_path / "data-demo" / "nfra_news").glob("*.jsonl")
    assert len(read_jsonl(written)) == 3
    assert not (tmp_path / "data").exists()


def test_a_run_log_names_each_line_s_feed_and_stays_short(mirror: Mirror, tmp_path: Path) -> None:
    out = tmp_path / "data"
    for _ in range(4):
        result = newsbot_crawl(mirror, out, "nfra_news", "icbc_news")
        assert result.returncode == 0, result.stderr[-2000:]
    lines = (out / "_logs" / "newsbot.log").read_text(encoding="utf-8").splitlines()
    feeds = [LOG_LINE.match(line) for line in lines]
    assert all(feeds), [line for line, feed in zip(lines, feeds, strict=True) if not feed]
    assert {feed["feed"] for feed in feeds if feed} <= {"nfra_news", "icbc_news", "run"}
    assert not [line for line in lines if "Telnet" in line or "Overridden settings" in line]
    assert not [line for line in lines if "Dumping Scrapy stats" in line or "Enabled" in line]
    # What a feed's run logs: the mirror in use, spider opened, crawled 0 pages, closing,
    # closed, its closing line; the first run also says it pages past known pages. So
    # 4 runs of 2 feeds: 2 × (7 + 3 × 6) = 50.
    assert len(lines) <= 50, "\n".join(lines)
