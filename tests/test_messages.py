"""What a user reads when feeds.yaml, a feed name or a command is wrong: each problem at
its own line, with its feed, in plain words; and `--feeds FILE` on every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.config import FeedConfigError, load_feeds, parse_feeds
from tests.conftest import ROOT, run_command

SHIPPED = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
#: The line of the shipped file the syntax mistakes are made on (icbc_news's categories).
TARGET = "    categories: icbc\n"
TARGET_LINE = SHIPPED[: SHIPPED.index(TARGET)].count("\n") + 1

#: One feed, lines numbered as in the messages below.
ONE_FEED = """\
feeds:
  - name: demo_bank
    kind: bank
    flow: html
    categories: demo
    tags: 演示
    start_urls: ["https://bank.example.cn/news/index.html"]
    list: {links: "ul.list a", next_page: "a.next"}
    article:
      title: h1
      body: "#content"
"""


def problems_of(text: str) -> list[str]:
    """The problems parse_feeds reports for ``text`` (it must report some)."""
    with pytest.raises(FeedConfigError) as raised:
        parse_feeds(text)
    return raised.value.problems


def shipped_with(line: str) -> str:
    """The shipped feeds.yaml with icbc_news's categories line replaced."""
    return SHIPPED.replace(TARGET, line, 1)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param(
            '    categories: "icbc\n',
            'the " opened on this line is not closed on it; end the value with "',
            id="unclosed-double-quote",
        ),
        pytest.param(
            "    categories: 'icbc\n",
            "the ' opened on this line is not closed on it; end the value with '",
            id="unclosed-single-quote",
        ),
        pytest.param(
            "       categories: icbc\n",
            "this key is indented more than the keys above it; line it up with them",
            id="indented-too-far",
        ),
        pytest.param(
            "   categories: icbc\n",
            "this line does not line up with the lines above",
            id="indented-too-little",
        ),
        pytest.param(
            "\tcategories: icbc\n",
            "a tab in the indentation; indent with spaces only",
            id="tab",
        ),
        pytest.param(
            "    categories icbc\n",
            "a key with no ':' after it; write `key: value`",
            id="missing-colon",
        ),
        pytest.param(
            "    categories: [icbc\n",
            "the [ opened on this line is not closed with ]",
            id="unclosed-bracket",
        ),
        pytest.param(
            "    categories: icbc: bank\n",
            "a value holds ': '; put the value in quotes",
            id="colon-in-value",
        ),
    ],
)
def test_a_yaml_mistake_is_reported_at_its_own_line_with_its_feed(line: str, message: str) -> None:
    assert problems_of(shipped_with(line)) == [
        f"feeds.yaml:{TARGET_LINE}: feed 'icbc_news': YAML syntax error: {message}"
    ]


def test_an_unclosed_quote_at_the_end_names_its_line() -> None:
    text = ONE_FEED + '  - name: "second\n'
    assert problems_of(text) == [
        "feeds.yaml:12: feed 'second': YAML syntax error: "
        'the " opened on this line is not closed on it; end the value with "'
    ]


def test_a_bad_flow_is_reported_at_the_flow_key_in_plain_words() -> None:
    assert problems_of(ONE_FEED.replace("flow: html", "flow: htm")) == [
        "feeds.yaml:4: feed 'demo_bank' → flow: must be one of html, json (got 'htm')"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kind: bank", "kind: news", "3: feed 'demo_bank' → kind: must be one of portal, bank, "
         "regulator (got 'news')"),
        ("tags: 演示", "tags: 演示\n    max_pages: many",
         "7: feed 'demo_bank' → max_pages: must be a whole number (got 'many')"),
        ("tags: 演示", "tags: 演示\n    max_pages: 1.5",
         "7: feed 'demo_bank' → max_pages: must be a whole number (got 1.5)"),
        ("tags: 演示", "tags: 演示\n    max_pages: 0",
         "7: feed 'demo_bank' → max_pages: must be at least 1 (got 0)"),
        ("tags: 演示", "tags: 演示\n    render: maybe",
         "7: feed 'demo_bank' → render: must be true or false (got 'maybe')"),
        ("tags: 演示", "tags: 2024",
         "6: feed 'demo_bank' → tags: must be text (got 2024); quote it"),
        ("    flow: html\n", "",
         "2: feed 'demo_bank' → flow: required, but not given (html or json)"),
        ("    tags: 演示\n", "", "2: feed 'demo_bank' → tags: required, but not given"),
        ("tags: 演示", "tags: 演示\n    colour: blue", "7: feed 'demo_bank' → colour: unknown key"),
        ('list: {links: "ul.list a", next_page: "a.next"}', "list: ul.list a",
         "8: feed 'demo_bank' → list: must be a mapping of key: value (got 'ul.list a')"),
        ("name: demo_bank", "name: Demo",
         "2: feed 'Demo' → name: must be lowercase letters, digits and _, starting with a letter "
         "(got 'Demo')"),
        ('["https://bank.example.cn/news/index.html"]',
         '\n      - "https://bank.example.cn/"\n      - "ftp://bank.example.cn/"',
         "9: feed 'demo_bank' → start_urls[1]: must be an absolute http(s) URL "
         "(got 'ftp://bank.example.cn/')"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_value_gets_a_plain_message_at_its_key(
    old: str, new: str, message: str
) -> None:
    assert problems_of(ONE_FEED.replace(old, new, 1)) == [f"feeds.yaml:{message}"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("categories:", "categoris:",
         "5: feed 'demo_bank' → categoris: unknown key; did you mean 'categories'?"),
        ("flow:", "flw:", "4: feed 'demo_bank' → flw: unknown key; did you mean 'flow'?"),
        ("title: h1", "titel: h1",
         "10: feed 'demo_bank' → article.titel: unknown key; did you mean 'title'?"),
        ("next_page:", "nextpage:",
         "8: feed 'demo_bank' → list.nextpage: unknown key; did you mean 'next_page'?"),
    ],
)  # fmt: skip
def test_a_misspelt_key_gets_did_you_mean_and_nothing_else(
    old: str, new: str, message: str
) -> None:
    assert problems_of(ONE_FEED.replace(old, new, 1)) == [f"feeds.yaml:{message}"]


def test_a_misspelt_top_level_key_gets_did_you_mean() -> None:
    assert problems_of(ONE_FEED.replace("feeds:", "feed:", 1)) == [
        "feeds.yaml:1: unknown top-level key 'feed'; did you mean 'feeds'?",
        "feeds.yaml:1: 'feeds' must be a list of feed blocks",
    ]


# --- the commands -------------------------------------------------------------------------


@pytest.fixture
def bad_feeds(tmp_path: Path) -> Path:
    """The shipped feeds.yaml with one YAML mistake on icbc_news's categories line."""
    path = tmp_path / "feeds.yaml"
    path.write_text(shipped_with('    categories: "icbc\n'), encoding="utf-8")
    return path


def located(path: Path) -> str:
    return (
        f"{path}:{TARGET_LINE}: feed 'icbc_news': YAML syntax error: "
        'the " opened on this line is not closed on it; end the value with "'
    )


def test_validate_takes_the_file_as_its_argument(bad_feeds: Path) -> None:
    result = run_command(["newsbot", "validate", str(bad_feeds)])
    assert result.returncode == 2
    assert result.stderr.splitlines() == [located(bad_feeds), f"{bad_feeds}: 1 problem(s)"]
    good = run_command(["newsbot", "validate", str(ROOT / "feeds.yaml")])
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith(f"{ROOT / 'feeds.yaml'}: 16 feeds OK: eastmoney_news, ")


@pytest.mark.parametrize(
    "command",
    [["validate"], ["crawl", "--dry-run"], ["demo", "--dry-run"], ["status"]],
)
def test_every_command_reading_feeds_takes_feeds_file(
    bad_feeds: Path, tmp_path: Path, command: list[str]
) -> None:
    out = [] if command == ["validate"] else ["--out", str(tmp_path)]
    result = run_command(["newsbot", *command, "--feeds", str(bad_feeds), *out])
    assert result.returncode == 2
    assert located(bad_feeds) in result.stderr
    assert "Traceback" not in result.stderr


def one_feed_file(tmp_path: Path, name: str = "nfra_news") -> Path:
    """A feeds file holding only one of the shipped feeds."""
    import yaml

    data = yaml.safe_load(SHIPPED)
    data["feeds"] = [feed for feed in data["feeds"] if feed["name"] == name]
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_crawl_and_status_read_the_feeds_file_given(tmp_path: Path) -> None:
    one = one_feed_file(tmp_path)
    crawl = run_command(
        ["newsbot", "crawl", "--feeds", str(one), "--dry-run", "--out", str(tmp_path), "icbc_news"]
    )
    assert crawl.returncode == 2
    assert crawl.stderr == "newsbot crawl: unknown feed 'icbc_news'; known feeds: nfra_news\n"
    status = run_command(["newsbot", "status", "--feeds", str(one), "--out", str(tmp_path),
                          "icbc_news"])  # fmt: skip
    assert status.returncode == 2
    assert status.stderr == "newsbot status: unknown feed 'icbc_news'; known feeds: nfra_news\n"


def test_demo_crawls_the_feeds_of_the_file_given(tmp_path: Path) -> None:
    one = one_feed_file(tmp_path)
    result = run_command(["newsbot", "demo", "--feeds", str(one), "--out", str(tmp_path / "d")])
    assert result.returncode == 0, result.stderr[-2000:]
    assert [path.name for path in (tmp_path / "d").iterdir() if not path.name.startswith("_")] == [
        "nfra_news"
    ]


@pytest.mark.parametrize("command", [["list"], ["crawl", "icbc_news"]])
def test_scrapy_prints_the_located_problem_not_a_traceback(
    bad_feeds: Path, command: list[str]
) -> None:
    result = run_command(["scrapy", *command], env={"NEWSBOT_FEEDS": str(bad_feeds)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-2:] == [located(bad_feeds), f"{bad_feeds}: 1 problem(s)"]


def test_scrapy_crawl_of_an_unknown_feed_names_the_known_ones() -> None:
    result = run_command(["scrapy", "crawl", "icbc_new"])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    known = ", ".join(sorted(feed.name for feed in load_feeds(ROOT / "feeds.yaml")))
    assert result.stderr.splitlines()[-1] == (
        f"scrapy: error: unknown feed 'icbc_new'; did you mean 'icbc_news'? known feeds: {known}"
    )


def test_python_m_newsbot_cli_is_the_newsbot_command() -> None:
    """Without the console script on PATH, ``python -m newsbot.cli`` does the same."""
    result = run_command(["python", "-m", "newsbot.cli", "validate", str(ROOT / "feeds.yaml")])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{ROOT / 'feeds.yaml'}: 16 feeds OK: eastmoney_news, ")
