"""Importing a real archive: every post shape of the site read and exported back byte for
byte, the files that are not posts named, and each record's kind from its feed or unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.publish.jekyll import PostStyle, parse_post, render_post
from tests.conftest import ROOT, read_jsonl, run_command

POSTS = ROOT / "tests" / "posts"
STYLE = PostStyle()

#: One test post of each shape of ending, and what its record keeps of that ending.
SHAPES = {
    "category and home links": ("2022-04-18-NW202204182361185204.md", {}),
    "home link only": ("2022-12-08-NW202212082601234567.md", {"back_links": "home"}),
    "URL line, no back links": ("2022-12-15-NW202212152607788990.md", {"back_links": "none"}),
    "older host": ("2021-06-03-NW202106031982345671.md", {"site": "finews.zning.xyz"}),
    "older host, home only": (
        "2021-09-10-202109102075512345.md",
        {"site": "finews.zning.xyz", "back_links": "home"},
    ),
}

FEEDS = """\
feeds:
  - name: old_share
    kind: bank
    flow: html
    categories: demo
    tags: 演示
    start_urls: ["http://finews.zning.xyz/html_News/list.html"]
    list: {links: "ul.list a"}
    article: {title: h1, body: "#content", date: span.time}
"""


def copy_posts(target: Path) -> Path:
    """A folder with every test post and the README beside them."""
    target.mkdir()
    for path in POSTS.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_each_post_shape_round_trips_byte_for_byte(shape: str) -> None:
    name, kept = SHAPES[shape]
    text = (POSTS / name).read_text(encoding="utf-8")
    record = parse_post(text, name, STYLE)
    assert render_post(record, STYLE) == text
    assert record["url"] == text.rsplit("<", 1)[1].split(">")[0]  # the URL line, not the body
    assert "<http" not in record["content"] and "返回" not in record["content"]
    ending = {key: value for key, value in (record["post"] or {}).items() if key != "filename"}
    assert {key: ending[key] for key in ending if key in ("site", "back_links", "links")} == kept


def test_a_post_without_back_links_keeps_a_blank_line_inside_its_body() -> None:
    name = SHAPES["URL line, no back links"][0]
    record = parse_post((POSTS / name).read_text(encoding="utf-8"), name, STYLE)
    assert "</p>\n\n <p>" in record["content"]
    assert record["url"].endswith("infoCode=NW202212152607788990")


def test_import_counts_every_file_and_exports_each_back(tmp_path: Path) -> None:
    source = copy_posts(tmp_path / "posts")
    (source / "2022-12-31-broken.md").write_text("---\ntitle: x\n---\n<p>only a body</p>")
    (source / "2022-12-30-latin1.md").write_bytes("---\ntitle: é\n---\n".encode("latin-1"))
    records = tmp_path / "r.jsonl"
    result = run_command(["newsbot", "import", "posts", str(source), "--out", str(records)])
    posts = sorted(POSTS.glob("*.md"))
    assert result.returncode == 1  # two post files could not be read
    assert result.stdout.strip() == (
        f"posts: {len(posts) + 3} read, 3 skipped, {len(posts)} written to {records}"
    )
    assert f"{source / 'README'}: skipped, not a post file" in result.stderr
    assert f"{source / '2022-12-31-broken.md'}: skipped, no '<URL>' line" in result.stderr
    assert f"{source / '2022-12-30-latin1.md'}: skipped, not UTF-8" in result.stderr
    out = tmp_path / "_posts"
    run_command(["newsbot", "export", "posts", "--from", str(records), "--to", str(out)])
    for path in posts:
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


def test_kind_comes_from_a_feed_of_the_url_host_else_is_unknown(tmp_path: Path) -> None:
    source = copy_posts(tmp_path / "posts")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS, encoding="utf-8")
    records = tmp_path / "r.jsonl"
    command = ["newsbot", "import", "posts", str(source), "--out", str(records)]
    assert run_command([*command, "--feeds", str(feeds)]).returncode == 0
    kinds = {str(r["url"]).split("/")[2]: r["kind"] for r in read_jsonl(records)}
    assert kinds == {"finews.zning.xyz": "bank", "finance.eastmoney.com": None}
    assert run_command([*command, "--feeds", str(feeds), "--kind", "portal"]).returncode == 0
    assert {r["kind"] for r in read_jsonl(records)} == {"portal"}


def test_a_feeds_file_that_does_not_load_stops_the_import(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS.replace("kind: bank", "kind: newspaper"), encoding="utf-8")
    command = ["newsbot", "import", "posts", str(POSTS), "--feeds", str(feeds)]
    result = run_command(command)
    assert result.returncode == 2
    assert f"{feeds}:3: feed 'old_share'" in result.stderr and result.stdout == ""
