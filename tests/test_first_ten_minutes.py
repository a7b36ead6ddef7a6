"""The README's "First ten minutes", followed command by command in a fresh clone.

The commands are read from the README itself: every ```sh block under the section's
heading, one command a line (a here-document is one command with its body). Each runs in
its own ``bash``, in a temporary folder that ``git clone`` fills, after the shell-state
commands before it (``cd``, ``.``, ``export``), and must exit 0 with its key output.
The commands come from this checkout's README; the files they use, from its committed
HEAD (what ``git clone`` gives): commit a new page before running this test.

Placeholders and stand-ins, the only places where the test does not do what a reader does:

* ``git clone URL``: URL is replaced by ``origin/newsbot.git``, a symlink to this
  repository (``ROOT``), so the clone is of the code under test (its committed HEAD,
  offline) and lands in ``newsbot/`` as a clone of the real URL does.
* ``make setup``: stood in for by a symlink ``.venv`` → this test's venv (the same
  ``pyproject.toml`` installed), and ``PYTHONPATH`` naming the clone, so that the clone's
  own code runs, with the venv's dependencies. No download, no minute of pip.
* port ``8000``: the mirror line (the one ending in ``&``) is started in the background with
  ``--port 0``, and ``127.0.0.1:8000`` in later commands becomes the port it chose.
* ``crontab``: a stand-in on PATH that keeps the table in a file (``-l`` prints it, ``-``
  replaces it), so the reader's crontab line is installed nowhere real; the README then
  runs the installed line's command itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import BIN, COMMAND_TIMEOUT, ROOT, read_jsonl, stop
from tests.test_render import needs_chromium

SECTION = "## First ten minutes"
CLONE_URL = "https://github.com/newsbot/newsbot.git"
PORT = "8000"
NEW_FEED = "psbc_news"
NEW_TITLE = "邮储银行发布2021年度业绩 服务乡村振兴成效显著"
CRON_RUN = 'sh -c "$(crontab -l'  # the installed line's command, run once by hand
FAKE_CRONTAB = """#!/bin/sh
# crontab stand-in: the table lives in $CRONTAB_FILE.
case "$1" in
  -l) [ -f "$CRONTAB_FILE" ] && exec cat "$CRONTAB_FILE"; echo "no crontab for $USER" >&2; exit 1;;
  -) exec cat > "$CRONTAB_FILE";;
  *) echo "crontab stand-in: only -l and - are supported" >&2; exit 2;;
esac
"""

#: What each command must print (stdout and stderr together), by its opening words.
#: Every command of the section must match one, and every entry must be used.
EXPECTED: dict[str, list[str]] = {
    "git clone ": [],
    "cd newsbot": [],
    "make setup": [],
    ". .venv/bin/activate": [],
    "newsbot demo": ["icbc_news: 3 new records", "status ok (exit 0)", "records in data-demo/"],
    "ls data-demo/": ["icbc_news", "nfra_news", "_runs"],
    "head -n 1 data-demo/icbc_news/": ['"feed": "icbc_news"', '"kind": "bank"', '"layout": "post"'],
    "newsbot status icbc_news": ["status ok (exit 0)", "icbc_news "],
    "cat >> feeds.yaml": [],
    "newsbot validate": ["17 feeds OK", NEW_FEED],
    "newsbot mirror tests/sites": ["http://127.0.0.1:"],
    "export NEWSBOT_MIRROR=": [],
    "scrapy parse --spider psbc_news": [
        f"'title': '{NEW_TITLE}'",
        f"'feed': '{NEW_FEED}'",
        "'date': '2022-03-30 18:30:00 +0800'",
    ],
    "scrapy check psbc_news": ["Ran 2 contracts", "\nOK"],
    "newsbot demo psbc_news": [f"{NEW_FEED}: 2 new records", "status ok (exit 0)"],
    "(crontab -l": [],
    CRON_RUN: ["cron run: ok, nothing to mail"],
}


def section_commands(readme: str) -> list[str]:
    """The commands of the ```sh blocks under the section's heading, in order."""
    start = readme.index(f"\n{SECTION}\n")
    end = readme.find("\n## ", start + 1)
    body = readme[start : end if end != -1 else len(readme)]
    commands: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```$", body, flags=re.M | re.S):
        lines = iter(block.splitlines())
        for line in lines:
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(with_here_document(line, lines))
    return commands


def with_here_document(line: str, rest: Iterator[str]) -> str:
    """A command line, with the body of its here-document (``<<'EOF'``) when it has one."""
    match = re.search(r"<<-?'?(\w+)'?", line)
    if match is None:
        return line
    body = []
    for next_line in rest:
        body.append(next_line)
        if next_line.strip() == match.group(1):
            return "\n".join([line, *body])
    raise AssertionError(f"here-document {match.group(1)} never ends: {line}")


def expected_output(command: str) -> tuple[str, list[str]]:
    """The EXPECTED entry of a command: the longest key it starts with."""
    words = re.sub(r"\s+#\s.*$", "", command.splitlines()[0])
    keys = [key for key in EXPECTED if words.startswith(key)]
    assert keys, f"no expected output for README command: {command}"
    key = max(keys, key=len)
    return key, EXPECTED[key]


@dataclass
class Walkthrough:
    """A shell session's state across separate ``bash`` runs: the working folder it starts
    in, the commands that change shell state, the environment and the mirror's port."""

    home: Path
    env: dict[str, str]
    origin: Path
    state: list[str] = field(default_factory=list)
    port: str = PORT
    background: list[subprocess.Popen[str]] = field(default_factory=list)

    def script(self, command: str, *, exec_last: bool = False) -> str:
        """The command after the state-changing ones, placeholders filled in."""
        command = command.replace(CLONE_URL, str(self.origin))
        command = command.replace(f"127.0.0.1:{PORT}", f"127.0.0.1:{self.port}")
        # No `set -e`: an interactive shell has none (`crontab -l` failing mid-line is fine).
        return "\n".join([*self.state, f"exec {command}" if exec_last else command])

    def run(self, command: str) -> str:
        """Run one README command; return what it printed. Fails unless it exits 0."""
        if command == "make setup":
            self.stand_in_for_setup()
            return ""
        if command.endswith("&"):
            return self.start_in_background(command.rstrip("& "))
        result = subprocess.run(
            ["bash", "-c", self.script(command)], cwd=self.home, env=self.env,
            capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False,
        )  # fmt: skip
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{command}\n→ exit {result.returncode}\n{output[-3000:]}"
        if re.match(r"(cd|\.|source|export) ", command):
            self.state.append(self.script(command).splitlines()[-1])
        return output

    def stand_in_for_setup(self) -> None:
        """`make setup`: this test's venv, and the clone's code on PYTHONPATH."""
        clone = Path(self.run("pwd").strip())
        (clone / ".venv").symlink_to(BIN.parent)
        self.env["PYTHONPATH"] = str(clone)

    def start_in_background(self, command: str) -> str:
        """A server line (``… &``): started on a free port; its first line is its URL."""
        script = self.script(command.replace(f"--port {PORT}", "--port 0"), exec_last=True)
        process = subprocess.Popen(
            ["bash", "-c", script], cwd=self.home, env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.background.append(process)
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", url)
        assert match is not None, f"{command} did not print its URL: {url!r}"
        self.port = match.group(1)
        return url


def walkthrough_env(tmp_path: Path) -> dict[str, str]:
    """The reader's environment: no NEWSBOT_* settings, a home of its own, the crontab
    stand-in first on PATH."""
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "crontab").write_text(FAKE_CRONTAB, encoding="utf-8")
    (fake_bin / "crontab").chmod(0o755)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("NEWSBOT_", "VIRTUAL_ENV", "PYTHON"))}  # fmt: skip
    env.update(HOME=str(tmp_path / "home"), CRONTAB_FILE=str(tmp_path / "crontab.txt"))
    env["PATH"] = f"{fake_bin}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


@needs_chromium  # the demo and the crawl of every feed include pbc_news, read in Chromium
def test_first_ten_minutes_command_by_command(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    commands = section_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    (tmp_path / "home").mkdir()
    (tmp_path / "origin").mkdir()
    origin = tmp_path / "origin" / "newsbot.git"
    origin.symlink_to(ROOT)
    walk = Walkthrough(tmp_path / "home", walkthrough_env(tmp_path), origin)
    used: set[str] = set()
    try:
        for command in commands:
            key, wanted = expected_output(command)
            used.add(key)
            output = walk.run(command)
            for text in wanted:
                assert text in output, f"{command}\n→ no {text!r} in:\n{output[-3000:]}"
            if key == CRON_RUN:  # what cron would mail: nothing but the README's own echo
                assert output.splitlines() == wanted, output[-3000:]
    finally:
        for process in walk.background:
            stop(process)
    assert used == set(EXPECTED), f"README lacks: {sorted(set(EXPECTED) - used)}"
    check_what_the_walkthrough_left(tmp_path)


def check_what_the_walkthrough_left(tmp_path: Path) -> None:
    """The clone's feeds, records, crontab and the cron line's run, as the README says."""
    clone = tmp_path / "home" / "newsbot"
    assert f"- name: {NEW_FEED}" in (clone / "feeds.yaml").read_text(encoding="utf-8")
    (records,) = (clone / "data-demo" / NEW_FEED).glob("*.jsonl")
    assert sorted(str(r["title"]) for r in read_jsonl(records))[0] == NEW_TITLE
    (line,) = (tmp_path / "crontab.txt").read_text(encoding="utf-8").splitlines()
    assert line == f"7 * * * * cd {clone} && .venv/bin/newsbot crawl --quiet"
    reports = sorted((clone / "data-demo" / "_runs").glob("*.json"))
    cron_run = json.loads(reports[-1].read_text(encoding="utf-8"))
    assert cron_run["status"] == "ok" and len(reports) == 3  # demo, demo psbc_news, cron's
    assert NEW_FEED in [feed["feed"] for feed in cron_run["feeds"]]
    assert not (clone / "data").exists()  # the live archive: nothing offline went there
