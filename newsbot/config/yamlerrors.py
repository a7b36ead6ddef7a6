"""A YAML syntax error of feeds.yaml told plainly, at the line that holds the mistake.

PyYAML's marks often point past the mistake: an unclosed quote runs on to the next quote
of the file and the error is reported there; an unclosed bracket or a key without ``:``
is reported on the next line. This module picks the line where the mistake is, names the
feed that line belongs to, and says what is wrong in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

#: ``- name: x`` opening a feed block: the dash's column and the name.
_FEED_START = re.compile(r"^(?P<indent>\s*)-\s+name:\s*[\"']?(?P<name>[A-Za-z0-9_]+)")
#: Contexts whose mark is where the mistake was made (the opening of what never ended).
_CONTEXT_FIRST = (
    "while parsing a flow sequence",
    "while parsing a flow mapping",
    "while scanning a simple key",
    "while scanning a quoted scalar",
)


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a YAML syntax mistake is (1-based line) and what it is."""

    line: int
    message: str


def syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> SyntaxProblem:
    """The line and plain wording of a YAML syntax error in ``text``."""
    lines = text.splitlines()
    problem = exc.problem_mark.line if exc.problem_mark else 0
    context = exc.context_mark.line if exc.context_mark else None
    source = lines[problem] if problem < len(lines) else ""
    what = f"{exc.problem or ''}"
    for index in (problem, context):
        if index is not None and index < len(lines) and "\t" in _indent(lines[index]):
            return SyntaxProblem(index + 1, "a tab in the indentation; indent with spaces only")
    if context is not None and (exc.context or "").startswith(_CONTEXT_FIRST):
        return SyntaxProblem(context + 1, _opened_problem(exc, lines[context]))
    opened = _long_quote_ending_on(text, problem)
    if opened is not None:
        line, quote = opened
        return SyntaxProblem(line + 1, _unclosed(quote))
    if "mapping values are not allowed" in what:
        column = exc.problem_mark.column if exc.problem_mark else 0
        if source.find(":") < column:
            return SyntaxProblem(problem + 1, "a value holds ': '; put the value in quotes")
        return SyntaxProblem(
            problem + 1, "this key is indented more than the keys above it; line it up with them"
        )
    return SyntaxProblem(problem + 1, _plain(what))


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _opened_problem(exc: yaml.MarkedYAMLError, line: str) -> str:
    """What never ended: a bracket, a quote, or a key with no ``:``."""
    context = exc.context or ""
    if "simple key" in context:
        return "a key with no ':' after it; write `key: value`"
    if "quoted scalar" in context:
        column = exc.context_mark.column if exc.context_mark else 0
        return _unclosed(line[column : column + 1] or '"')
    bracket = "[" if "sequence" in context else "{"
    closing = "]" if bracket == "[" else "}"
    return f"the {bracket} opened on this line is not closed with {closing}"


def _unclosed(quote: str) -> str:
    return f"the {quote} opened on this line is not closed on it; end the value with {quote}"


def _long_quote_ending_on(text: str, line: int) -> tuple[int, str] | None:
    """The start line and quote of a quoted value that began on an earlier line, with an
    odd number of its quotes, and ran on to ``line`` (the quote was never closed there)."""
    lines = text.splitlines()
    loader: Any = yaml.SafeLoader(text)  # PyYAML is untyped
    try:
        while loader.check_token():
            token = loader.get_token()
            if not isinstance(token, yaml.ScalarToken) or token.style not in ("'", '"'):
                continue
            start, end = token.start_mark.line, token.end_mark.line
            if start < end == line and lines[start].count(token.style) % 2 == 1:
                return start, token.style
            if start > line:
                break
    except yaml.YAMLError:
        pass  # the scanner stops at the mistake; what it read so far is enough
    finally:
        loader.dispose()
    return None


#: PyYAML's (and libyaml's) wording → plain words.
_PLAIN = (
    ("did not find expected '-' indicator", "this line does not line up with the lines above"),
    ("expected <block end>", "this line does not line up with the keys above it"),
    ("did not find expected key", "this line does not line up with the keys above it"),
    ("could not find expected ':'", "a key with no ':' after it; write `key: value`"),
    ("found undefined alias", "an alias (*name) used before its anchor (&name) was given"),
    ("cannot start any token", "a value cannot start with this character; put it in quotes"),
    ("found duplicate anchor", "an anchor (&name) given twice; give each a new name"),
)


def _plain(problem: str) -> str:
    for pattern, plain in _PLAIN:
        if pattern in problem:
            return plain
    return problem or "not valid YAML"


def feed_at_line(text: str, line: int) -> str | None:
    """The name of the feed block whose lines include ``line`` (1-based), if any."""
    lines = text.splitlines()
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = _FEED_START.match(lines[index])
        if match is None:
            continue
        column = len(match["indent"].expandtabs())
        between = lines[index + 1 : line - 1]
        inside = all(
            len(_indent(body).expandtabs()) > column
            for body in between
            if body.strip() and not body.lstrip().startswith("#")
        )
        return match["name"] if inside else None
    return None
