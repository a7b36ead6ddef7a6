"""End to end over the mirror: feeds crawled on the real Scrapy engine (in this process)
reproduce the seeds, and the real `scrapy` and `newsbot` commands crawl and export."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import pytest
import pytest_twisted

from newsbot.browser import DEFAULT_CHROMIUM, chromium_available
from newsbot.config import load_feeds
from tests.conftest import (
    ROOT,
    SITES,
    Mirror,
    crawl_in_process,
    project_settings,
    read_jsonl,
    run_command,
    seed_info_code,
    seed_post,
    start_mirror,
    stop,
)

RECORD_FIELDS = [
    "layout", "title", "date", "categories", "tags", "content", "url", "text", "source",
    "author", "editor", "feed", "kind", "id", "crawled_at", "duplicate_of", "post",
]  # fmt: skip


def archive_settings(directory: Path, state: str | None = None) -> list[str]:
    """`-s` options that keep a crawl's archive and state store inside ``directory``."""
    return [
        "-s", f"NEWSBOT_OUTPUT={directory}/archive/{{feed}}/{{day}}.jsonl",
        "-s", f"NEWSBOT_STATE={state if state is not None else directory / 'state.sqlite3'}",
    ]  # fmt: skip


async def clean_crawl(mirror: Mirror, feed: str, workdir: Path) -> list[dict[str, object]]:
    """A crawl that logs no error; its archive's records (sorted by URL), which are
    exactly the items it scraped, each in the record's field order."""
    result = await crawl_in_process(mirror, feed, workdir, str(workdir / "state.sqlite3"))
    assert [r.getMessage() for r in result.logs if r.levelno >= logging.ERROR] == []
    announced = f"Offline mirror on: every request is served by {mirror.url}"
    assert result.messages(logging.INFO).count(announced) == 1  # once, for http and https
    assert "log_count/ERROR" not in result.stats
    (archive,) = (workdir / "archive" / feed).glob("*.jsonl")
    assert result.stats["newsbot/output"] == str(archive)
    records = sorted(read_jsonl(archive), key=lambda record: str(record["url"]))
    assert all(list(record) == RECORD_FIELDS for record in records)
    assert records == result.items
    return records


def seed_text(body: str) -> tuple[str, str]:
    """A seed body's paragraphs as plain text (independent of core.clean), and its source."""
    lines = []
    for chunk in body.split("</p>"):
        plain = html.unescape(re.sub(r"<[^>]+>", "", chunk))
        line = " ".join(plain.replace("\u3000", " ").split())
        if line:
            lines.append(line)
    source = re.fullmatch(r"（文章来源：(.+)）", lines.pop())
    assert source is not None
    return "\n".join(lines), source.group(1)


def test_scrapy_list_prints_one_spider_per_feed() -> None:
    result = run_command(["scrapy", "list"])
    assert result.returncode == 0, result.stderr
    names = [feed.name for feed in load_feeds(ROOT / "feeds.yaml")]
    assert result.stdout.split() == sorted(names)
    assert {"eastmoney_shzqb", "eastmoney_zgzqb", "icbc_news", "nfra_news"} <= set(names)


@pytest.mark.parametrize(
    ("feed", "seed", "other_url"),
    [
        ("eastmoney_shzqb", "000", "https://finance.eastmoney.com/a/202203250935118765.html"),
        ("eastmoney_zgzqb", "001", "https://finance.eastmoney.com/a/202203180610057781.html"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_east_money_feed_reproduces_the_seed_post(
    mirror: Mirror, tmp_path: Path, feed: str, seed: str, other_url: str
) -> None:
    records = await clean_crawl(mirror, feed, tmp_path)
    matter, body = seed_post(seed)
    seed_url = f"https://finance.eastmoney.com/a/{seed_info_code(seed)}.html"
    assert [record["url"] for record in records] == sorted([seed_url, other_url])
    record = next(record for record in records if record["url"] == seed_url)

    assert list(record) == RECORD_FIELDS
    for key in ("layout", "title", "date", "categories", "tags"):
        assert record[key] == matter[key], key
    assert record["content"] == body
    text, source = seed_text(body)
    assert record["text"] == text
    assert record["source"] == source
    assert record["feed"] == feed
    assert record["kind"] == "portal"
    assert re.fullmatch(r"[0-9a-f]{16}", str(record["id"]))
    # the page's chrome stays out
    for noise in ("妙想", "责任编辑", "打开微信", "相关阅读", "评论", "newsid", "emReadTime"):
        assert noise not in str(record["content"]) + str(record["text"]), noise


@pytest_twisted.ensureDeferred
async def test_stock_links_stay_as_text(mirror: Mirror, tmp_path: Path) -> None:
    records = await clean_crawl(mirror, "eastmoney_shzqb", tmp_path)
    other = next(record for record in records if "202203250935118765" in str(record["url"]))
    assert "指导会员单位做好中信证券等重点机构" in str(other["text"])
    assert 'id="quote_1.600030"' not in str(other["content"])
    assert other["editor"] == "李丹"


@pytest_twisted.ensureDeferred
async def test_regulator_table_and_attachment_survive(mirror: Mirror, tmp_path: Path) -> None:
    records = await clean_crawl(mirror, "nfra_news", tmp_path)
    jiangsu = next(record for record in records if record["source"] == "江苏监管局")
    assert "<table" in str(jiangsu["content"]) and "<td" in str(jiangsu["content"])
    assert 'href="https://www.nfra.gov.cn/cbircweb/download/downloadDoc?' in str(jiangsu["content"])
    assert jiangsu["categories"] == "nfra" and jiangsu["tags"] == "监管动态"


def test_logs_show_real_urls_not_the_mirror(mirror: Mirror, tmp_path: Path) -> None:
    result = run_command(
        [
            "scrapy",
            "crawl",
            "icbc_news",
            "-O",
            str(tmp_path / "o.jsonl"),
            "-L",
            "DEBUG",
            *archive_settings(tmp_path),
        ],
        env={"NEWSBOT_MIRROR": mirror.url},
    )
    assert result.returncode == 0
    assert "Crawled (200) <GET http://www.icbc.com.cn/icbc/" in result.stderr
    assert f"<GET {mirror.url}" not in result.stderr
    assert "Scraped from <200 http://www.icbc.com.cn/icbc/" in result.stderr


def test_mirror_setting_works_like_the_environment_variable(mirror: Mirror, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    result = run_command(
        [
            "scrapy",
            "crawl",
            "nfra_news",
            "-O",
            str(out),
            "-s",
            f"NEWSBOT_MIRROR={mirror.url}",
            *archive_settings(tmp_path),
        ]
    )
    assert result.returncode == 0, result.stderr[-2000:]
    exported = read_jsonl(out)
    assert len(exported) == 3
    # `-O` exports exactly what the archive holds, in the record's field order
    (archive,) = (tmp_path / "archive" / "nfra_news").glob("*.jsonl")
    assert exported == read_jsonl(archive)
    assert all(list(record) == RECORD_FIELDS for record in exported)


def test_a_crawl_opens_no_console_and_names_its_contact(tmp_path: Path) -> None:
    own = start_mirror(SITES)
    contact = "https://example.org/our-bot"
    try:
        result = run_command(
            [
                "scrapy",
                "crawl",
                "nfra_news",
                "-s",
                f"NEWSBOT_MIRROR={own.url}",
                "-s",
                f"NEWSBOT_CONTACT_URL={contact}",
                *archive_settings(tmp_path),
            ]
        )
        agents = own.user_agents()
    finally:
        stop(own.process)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Telnet console listening" not in result.stderr
    assert "Remote control" not in result.stderr
    assert agents and all(f"+{contact})" in agent for agent in agents), agents


def test_the_default_user_agent_names_the_project() -> None:
    from newsbot.config.runtime import DEFAULT_CONTACT_URL

    settings = project_settings()
    assert settings["NEWSBOT_CONTACT_URL"] == DEFAULT_CONTACT_URL
    assert f"+{DEFAULT_CONTACT_URL})" in settings["USER_AGENT"]
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")


def summary_rows(stdout: str) -> dict[str, list[int]]:
    """The run summary's rows: feed → [pages, new, dupes, dropped, errors]."""
    rows = {}
    for match in re.finditer(r"^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s", stdout, re.M):
        rows[match.group(1)] = [int(value) for value in match.groups()[1:]]
    return rows


#: Distinct stories among the bundled pages: East Money, ICBC, five more banks, NFRA,
#: 中国金融新闻网, 财富号 (one of its two is also 江苏局's), 江苏局's other, CSRC, and
#: PBOC (behind its JavaScript challenge: only with Chromium).
DISTINCT_STORIES = (
    6 + 3 + 5 * 3 + 3 + 3 + 2 + 1 + 3 + (3 if chromium_available(DEFAULT_CHROMIUM) else 0)
)


def test_demo_crawls_every_feed_and_prints_a_summary(tmp_path: Path) -> None:
    result = run_command(["newsbot", "demo", "--out", str(tmp_path / "data")])
    rows = summary_rows(result.stdout)
    feeds = {feed.name: feed for feed in load_feeds(ROOT / "feeds.yaml")}
    assert set(rows) == set(feeds), result.stdout
    records = [
        record for path in (tmp_path / "data").glob("*/*.jsonl") for record in read_jsonl(path)
    ]
    assert sum(row[1] for row in rows.values()) == len(records)
    originals = {record["id"] for record in records if record["duplicate_of"] is None}
    assert len(originals) == DISTINCT_STORIES
    assert {record["duplicate_of"] for record in records} - {None} <= originals
    for name, (pages, _, _, _, errors) in rows.items():
        assert pages > 0, name
        assert errors == 0 or feeds[name].render, (name, result.stdout)

    again = run_command(["newsbot", "demo", "--out", str(tmp_path / "data")])
    rows = summary_rows(again.stdout)
    assert set(rows) == set(feeds)
    assert all(row[1] == 0 for row in rows.values()), again.stdout
    assert rows["icbc_news"][1:] == [0, 0, 0, 0]
    assert rows["icbc_news"][0] < 6  # list page 1 only: its articles are known
    assert (
        f"icbc_news: 0 new records; 2 known articles skipped — state in {tmp_path}/data/_state; "
        "`--fresh` for a full re-read"
    ) in again.stdout.splitlines()


LOCK_HOLDER = """
import fcntl, json, os, sys, time
path = sys.argv[1]
os.makedirs(os.path.dirname(path), exist_ok=True)
handle = open(path, "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.write(json.dumps({"pid": os.getpid(), "started": "2026-11-24T10:00:00+00:00"}))
handle.flush()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_crawl_exits_at_once_while_one_runs(mirror: Mirror, tmp_path: Path) -> None:
    import subprocess
    import sys

    lock = tmp_path / "data" / "_state" / "crawl.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_command(
            ["newsbot", "crawl", "icbc_news", "--out", str(tmp_path / "data")],
            env={"NEWSBOT_MIRROR": mirror.url},
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 75
    assert f"another newsbot crawl is running (pid {holder.pid}" in result.stderr
    assert not (tmp_path / "data" / "icbc_news").exists()


def test_a_lock_left_by_a_killed_run_is_taken_over(mirror: Mirror, tmp_path: Path) -> None:
    lock = tmp_path / "data" / "_state" / "crawl.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text('{"pid": 999999, "started": "2026-11-24T10:00:00+00:00"}')
    result = run_command(
        ["newsbot", "crawl", "icbc_news", "--out", str(tmp_path / "data")],
        env={"NEWSBOT_MIRROR": mirror.url},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "was left by pid 999999" in result.stderr
    assert lock.read_text() == ""  # released cleanly at the end
    (written,) = (tmp_path / "data" / "icbc_news").glob("*.jsonl")
    assert len(read_jsonl(written)) == 3
