"""Publishing: records → Jekyll posts exactly like the seeds, posts → records, and back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import pytest_twisted
import yaml
from lxml import etree

from newsbot.publish.jekyll import (
    PostStyle,
    fit_filename,
    parse_post,
    post_path,
    render_post,
    safe_filename,
    yaml_quote,
)
from tests.conftest import (
    ROOT,
    SEEDS,
    Mirror,
    crawl_in_process,
    read_jsonl,
    run_command,
    seed_post,
)

POSTS = ROOT / "tests" / "posts"
STYLE = PostStyle()


def post_files() -> list[Path]:
    return sorted([*SEEDS.glob("00[01]_*.txt"), *POSTS.glob("*.md")])


@pytest.mark.parametrize("path", post_files(), ids=lambda path: path.name)
def test_import_then_render_gives_the_same_bytes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    record = parse_post(text, path.name, STYLE)
    assert render_post(record, STYLE) == text
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record  # JSONL-safe


def test_there_are_enough_test_posts() -> None:
    posts = list(POSTS.glob("*.md"))
    assert len(posts) >= 10
    texts = [path.read_text(encoding="utf-8") for path in posts]
    assert any("categories: emnews" in text for text in texts)
    assert any("<table" in text for text in texts) and any("<img" in text for text in texts)
    assert any('\\"' in text.split("\n")[2] for text in texts)


def test_seed_000_record_fields() -> None:
    path = next(SEEDS.glob("000_*.txt"))
    record = parse_post(path.read_text(encoding="utf-8"), path.name, STYLE)
    matter, body = seed_post("000")
    assert (record["title"], record["date"], record["categories"], record["tags"]) == (
        matter["title"], matter["date"], matter["categories"], matter["tags"],
    )  # fmt: skip
    assert record["content"] == body
    assert record["source"] == "上海证券报"
    assert record["url"].endswith("NewsShare.html?infoCode=NW202203252323545653")
    assert record["post"] == {"filename": path.name}  # all the rest is derived


@pytest.mark.parametrize(
    "title",
    [
        '他说"稳": 市场 #1',
        '反斜杠\\和引号"',
        "冒号: 井号 # 结尾:",
        "制表\t换行\n结束",
        "\u2028分隔",
    ],
)
def test_any_title_survives_yaml(title: str) -> None:
    line = f"title: {yaml_quote(title)}"
    assert yaml.load(line, Loader=yaml.BaseLoader)["title"] == title
    record = {"title": title, "date": "2022-03-25 18:22:56 +0800", "categories": "c",
              "tags": "t", "content": "<p>x</p>", "url": "https://x.cn/1", "id": "1"}  # fmt: skip
    assert parse_post(render_post(record, STYLE), "2022-03-25-1.md", STYLE)["title"] == title


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a/b.md", "..", "x\x00y\x1b.md", "/abs.md", "...md"]
)
def test_file_names_never_leave_the_target(tmp_path: Path, name: str) -> None:
    record = {"post": {"filename": name}, "date": "2022-03-25", "id": "x"}
    path = post_path(record, STYLE, tmp_path)
    assert path.parent == tmp_path.resolve()
    assert "/" not in safe_filename(name) and "\x00" not in safe_filename(name)


def test_record_ids_with_slashes_stay_inside(tmp_path: Path) -> None:
    record = {"date": "2022-03-25 10:00:00 +0800", "id": "../../../evil"}
    assert post_path(record, STYLE, tmp_path).parent == tmp_path.resolve()


def test_cli_round_trip_is_byte_identical_and_idempotent(tmp_path: Path) -> None:
    source = tmp_path / "posts"
    source.mkdir()
    for path in post_files():
        (source / path.name).write_bytes(path.read_bytes())
    records = tmp_path / "imported.jsonl"
    result = run_command(["newsbot", "import", "posts", str(source), "--out", str(records)])
    assert result.returncode == 0, result.stderr
    assert len(read_jsonl(records)) == len(post_files())
    out = tmp_path / "_posts"
    first = run_command(["newsbot", "export", "posts", "--from", str(records), "--to", str(out)])
    assert first.returncode == 0, first.stderr
    for path in post_files():
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    stamps = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    second = run_command(["newsbot", "export", "posts", "--from", str(records), "--to", str(out)])
    assert "0 written" in second.stdout
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == stamps


@pytest_twisted.ensureDeferred
async def test_crawled_record_renders_like_the_seed(mirror: Mirror, tmp_path: Path) -> None:
    records = (await crawl_in_process(mirror, "eastmoney_share", tmp_path)).items
    record = next(r for r in records if "NW202203252323545653" in str(r["url"]))
    seed = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    seed_url = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202203252323545653"
    assert render_post(record, STYLE) == seed.replace(seed_url, str(record["url"]))


def test_category_pages_and_atom_feed(tmp_path: Path) -> None:
    source = tmp_path / "posts"
    source.mkdir()
    for path in post_files():
        (source / path.name).write_bytes(path.read_bytes())
    records = tmp_path / "r.jsonl"
    run_command(["newsbot", "import", "posts", str(source), "--out", str(records)])
    all_records = read_jsonl(records)
    pages = tmp_path / "category"
    result = run_command(
        ["newsbot", "export", "category-pages", "--from", str(records), "--to", str(pages)]
    )
    assert result.returncode == 0, result.stderr
    categories = {str(record["categories"]) for record in all_records}
    assert {path.stem for path in pages.glob("*.html")} == categories
    page = (pages / "shanghaizhengquanbao.html").read_text(encoding="utf-8")
    matter = yaml.load(page.split("---\n")[1], Loader=yaml.BaseLoader)
    assert matter == {"layout": "category", "title": "上海证券报新闻",
                      "category": "shanghaizhengquanbao",
                      "permalink": "/category/shanghaizhengquanbao.html"}  # fmt: skip

    feed = tmp_path / "feed.xml"
    result = run_command(
        ["newsbot", "export", "atom", "--from", str(records), "--to", str(feed), "--limit", "5"]
    )
    assert result.returncode == 0, result.stderr
    atom = {"a": "http://www.w3.org/2005/Atom"}
    tree = etree.parse(str(feed))
    entries = tree.findall("a:entry", atom)
    assert len(entries) == 5
    newest = sorted(all_records, key=lambda record: str(record["date"]), reverse=True)[:5]
    assert [entry.findtext("a:title", namespaces=atom) for entry in entries] == [
        record["title"] for record in newest
    ]
    assert entries[0].findtext("a:published", namespaces=atom).endswith("+08:00")


# Hostile input: over-long names and bad JSONL lines.
LONG = "中" * 200  # 600 bytes in UTF-8, over the 255 a file name may have


def good_record(**fields: object) -> dict[str, object]:
    """A small valid record, with ``fields`` changed."""
    record: dict[str, object] = {
        "title": "标题", "date": "2022-03-25 18:22:56 +0800", "categories": "c",
        "tags": "标签", "content": "<p>x</p>", "url": "https://x.cn/1", "id": "abc123",
    }  # fmt: skip
    return {**record, **fields}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    """A JSONL file of these lines."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "keep", "expected"),
    [
        ("short-abc.md", "abc", "short-abc.md"),
        (LONG + "-abc.md", "abc", "中" * 82 + "~abc.md"),  # 246 + 9 bytes
        (LONG + ".html", "", "中" * 79 + "~" + "0" * 12 + ".html"),
        ("é" * 200 + "-id", "id", "é" * 126 + "~id"),  # 2-byte characters, no extension
    ],
)
def test_fit_filename_cuts_by_bytes(name: str, keep: str, expected: str) -> None:
    fitted = fit_filename(name, keep)
    if not keep and fitted != name:  # the hash part is a digest of the whole name
        digest = fitted.rsplit("~", 1)[1].split(".")[0]
        expected = expected.replace("0" * 12, digest)
    assert fitted == expected
    assert len(fitted.encode("utf-8")) <= 255
    assert fit_filename(name, keep) == fitted  # stable


def test_fit_filename_keeps_names_unique() -> None:
    one, two = fit_filename(LONG + "-a.md", "a"), fit_filename(LONG + "-b.md", "b")
    assert one != two and one.endswith("~a.md") and two.endswith("~b.md")
    assert fit_filename(LONG + "x.html") != fit_filename(LONG + "y.html")


def test_fit_filename_never_cuts_a_character() -> None:
    for extra in range(4):
        name = "a" * extra + "😀" * 100 + ".md"
        fitted = fit_filename(name, "id", limit=50)
        assert len(fitted.encode("utf-8")) <= 50
        assert fitted.endswith("~id.md") and "\ufffd" not in fitted


@pytest.mark.parametrize(
    ("record", "args", "expected"),
    [
        (
            good_record(categories=LONG),
            ["--filename", "{categories}-{id}.md"],
            "中" * 81 + "~abc123.md",
        ),
        (good_record(post={"filename": LONG + ".md"}), [], "中" * 81 + "~abc123.md"),
    ],
    ids=["pattern", "kept-filename"],
)
def test_export_posts_shortens_long_names(
    tmp_path: Path, record: dict[str, object], args: list[str], expected: str
) -> None:
    source = write_jsonl(tmp_path / "r.jsonl", [json.dumps(record, ensure_ascii=False)])
    out = tmp_path / "_posts"
    result = run_command(
        ["newsbot", "export", "posts", "--from", str(source), "--to", str(out), *args]
    )
    assert result.returncode == 0, result.stderr
    assert [path.name for path in out.iterdir()] == [expected]
    assert len(expected.encode("utf-8")) <= 255
    assert result.stdout == "posts: 1 written, 0 unchanged, 0 duplicates skipped, 0 bad lines\n"


def test_export_category_pages_shortens_long_names(tmp_path: Path) -> None:
    records = [good_record(categories=LONG), good_record(categories="short")]
    source = write_jsonl(tmp_path / "r.jsonl", [json.dumps(r, ensure_ascii=False) for r in records])
    out = tmp_path / "category"
    result = run_command(
        ["newsbot", "export", "category-pages", "--from", str(source), "--to", str(out)]
    )
    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in out.iterdir())
    assert names[0] == "short.html"
    assert names[1].startswith("中" * 79 + "~") and names[1].endswith(".html")
    assert len(names[1].encode("utf-8")) <= 255
    assert f"category: {LONG}\n" in (out / names[1]).read_text(encoding="utf-8")
    assert result.stdout == "category pages: 2 written, 0 unchanged, 0 bad lines\n"


BAD_LINES = ["[1, 2]", '"x"', "{not json", "null"]


@pytest.mark.parametrize(
    ("what", "missing", "summary"),
    [
        (
            "posts",
            '{"title": "no id"}',
            "posts: 1 written, 0 unchanged, 0 duplicates skipped, 5 bad lines\n",
        ),
        (
            "category-pages",
            '{"categories": "no-tags"}',
            "category pages: 1 written, 0 unchanged, 5 bad lines\n",
        ),
        ("atom", '{"title": "no url"}', None),
    ],
)
def test_export_skips_bad_lines_and_names_them(
    tmp_path: Path, what: str, missing: str, summary: str | None
) -> None:
    good = json.dumps(good_record(), ensure_ascii=False)
    source = write_jsonl(tmp_path / "r.jsonl", [BAD_LINES[0], good, *BAD_LINES[1:], missing])
    out = tmp_path / ("feed.xml" if what == "atom" else "out")
    result = run_command(["newsbot", "export", what, "--from", str(source), "--to", str(out)])
    assert result.returncode == 1
    needed = {"posts": "id", "category-pages": "tags", "atom": "url, date"}[what]
    assert result.stderr.splitlines() == [
        f"{source}:1: skipped, not a JSON object (list)",
        f"{source}:3: skipped, not a JSON object (str)",
        f"{source}:4: skipped, not JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))",
        f"{source}:5: skipped, not a JSON object (NoneType)",
        f"{source}:6: skipped, missing {needed}",
    ]
    if summary is None:
        assert result.stdout == f"atom feed: 1 entries in {out}, 5 bad lines\n"
        assert len(etree.parse(str(out)).findall("{http://www.w3.org/2005/Atom}entry")) == 1
    else:
        assert result.stdout == summary
        assert len(list(out.iterdir())) == 1
