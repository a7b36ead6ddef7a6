"""Loading feeds.yaml: parse, validate into Feed models, and locate every problem.

All problems are reported at once, each as ``feeds.yaml:LINE: feed 'NAME' → key.path: message``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from newsbot.config.messages import closest, did_you_mean, model_fields_at, plain_message
from newsbot.config.models import Feed, HtmlFeed, JsonFeed
from newsbot.config.yamlerrors import feed_at_line, syntax_problem


class FeedConfigError(ValueError):
    """feeds.yaml is invalid; ``problems`` holds one located message per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


_FEED_ADAPTER: TypeAdapter[HtmlFeed | JsonFeed] = TypeAdapter(Feed)
_TOP_LEVEL_KEYS = frozenset({"feeds"})
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


#: libyaml's parser when PyYAML has it (many times faster on a large feeds file).
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FeedsLoader(_SafeLoader):  # type: ignore[misc]
    """PyYAML's safe loader, leaving dates as text: the models validate them, so a bad one
    (``since: 2024-13-45``) is a located problem, not a traceback from the YAML parser."""


_FeedsLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _compose_and_load(text: str, filename: str) -> tuple[yaml.Node | None, Any, list[str]]:
    """The node tree (for line numbers), the data and the keys given twice of one YAML
    text, parsed once. Keys are checked before construction, which flattens ``<<``
    merges into the tree."""
    loader = _FeedsLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, []
        twice = duplicate_keys(root, filename)
        return root, loader.construct_document(root), twice
    finally:
        loader.dispose()


def duplicate_keys(root: yaml.Node, filename: str) -> list[str]:
    """A located problem for every key given twice in one mapping (YAML keeps the last
    silently); keys brought in by a ``<<`` merge may be overridden, as YAML intends."""
    problems: set[tuple[int, str]] = set()
    stack, visited = [root], set[int]()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue  # an alias: the same node again
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                stack.append(value)
                if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
                    continue
                line = key.start_mark.line + 1
                if key.value in first:
                    message = (
                        f"{filename}:{line}: key {key.value!r} is given twice "
                        f"(first on line {first[key.value]}); keep one"
                    )
                    problems.add((line, message))
                else:
                    first[key.value] = line
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return [message for _, message in sorted(problems)]


@dataclass(frozen=True)
class _Located:
    """A YAML node's line, for error messages."""

    node: yaml.Node

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def child(self, key: str | int) -> _Located | None:
        if isinstance(self.node, yaml.MappingNode):
            for key_node, value_node in self.node.value:
                if key_node.value == key:
                    return _Located(value_node)
        elif (
            isinstance(self.node, yaml.SequenceNode)
            and isinstance(key, int)
            and 0 <= key < len(self.node.value)
        ):
            return _Located(self.node.value[key])
        return None

    def key_line(self, key: str) -> int:
        if isinstance(self.node, yaml.MappingNode):
            for key_node, _ in self.node.value:
                if key_node.value == key:
                    return int(key_node.start_mark.line) + 1
        return self.line


def _locate(feed_node: _Located, loc: Sequence[str | int]) -> tuple[int, str]:
    """Line and dotted path of a pydantic error location inside one feed's node."""
    node, line = feed_node, feed_node.line
    path: list[str] = []
    for part in loc:
        child = node.child(part)
        if child is None:
            if isinstance(part, str) and part in ("html", "json") and not path:
                continue  # the discriminator's own level
            if isinstance(part, str) and not part.startswith("function-"):
                line = node.key_line(part)
                path.append(part)
            continue
        line = node.key_line(part) if isinstance(part, str) else child.line
        path.append(str(part) if isinstance(part, str) else f"[{part}]")
        node = child
    return line, ".".join(path).replace(".[", "[")


def parse_feeds(text: str, filename: str = "feeds.yaml") -> list[HtmlFeed | JsonFeed]:
    """Validate the text of a feeds file; raise FeedConfigError listing every problem."""
    try:
        root, data, twice = _compose_and_load(text, filename)
    except yaml.MarkedYAMLError as exc:
        problem = syntax_problem(exc, text)
        feed = feed_at_line(text, problem.line)
        where = f" feed {feed!r}:" if feed else ""
        raise FeedConfigError(
            [f"{filename}:{problem.line}:{where} YAML syntax error: {problem.message}"]
        ) from None
    except yaml.YAMLError as exc:
        raise FeedConfigError([f"{filename}: YAML error: {exc}"]) from None
    if root is None or not isinstance(data, dict):
        raise FeedConfigError([f"{filename}:1: expected a mapping with a 'feeds' list"])
    top = _Located(root)
    problems = twice + [
        f"{filename}:{top.key_line(str(key))}: unknown top-level key {key!r}"
        + did_you_mean(str(key), _TOP_LEVEL_KEYS)
        for key in data
        if key not in _TOP_LEVEL_KEYS
    ]
    raw_feeds = data.get("feeds")
    feeds_node = top.child("feeds")
    if not isinstance(raw_feeds, list) or feeds_node is None:
        problems.append(f"{filename}:{top.line}: 'feeds' must be a list of feed blocks")
        raise FeedConfigError(problems)

    feeds = _validate_feeds(raw_feeds, feeds_node, filename, problems)
    if problems:
        raise FeedConfigError(problems)
    return feeds


def _validate_feeds(
    raw_feeds: list[Any], feeds_node: _Located, filename: str, problems: list[str]
) -> list[HtmlFeed | JsonFeed]:
    """The feed blocks that validate; every problem of the others goes onto ``problems``."""
    feeds: list[HtmlFeed | JsonFeed] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_feeds):
        node = feeds_node.child(index)
        assert node is not None  # the same YAML text gave both trees
        name = raw.get("name") if isinstance(raw, dict) else None
        label = f"feed {name!r}" if name else f"feed #{index + 1}"
        if not isinstance(raw, dict):
            problems.append(f"{filename}:{node.line}: {label}: a feed must be a mapping")
            continue
        if isinstance(name, str) and name in seen:
            problems.append(
                f"{filename}:{node.key_line('name')}: {label}: duplicate feed name "
                f"(first defined on line {seen[name]})"
            )
            continue
        if isinstance(name, str):
            seen[name] = node.key_line("name")
        try:
            feeds.append(_FEED_ADAPTER.validate_python(raw))
        except ValidationError as exc:
            for line, path, message in _feed_problems(exc.errors(include_url=False), node):
                where = f" → {path}" if path else ""
                problems.append(f"{filename}:{line}: {label}{where}: {message}")
    return feeds


def _feed_problems(errors: list[ErrorDetails], node: _Located) -> list[tuple[int, str, str]]:
    """Line, key path and plain message of each of a feed's errors. A misspelt key gets
    "did you mean", and the required key it stands for is not reported missing too."""
    meant: set[tuple[str | int, ...]] = set()
    worded: list[tuple[tuple[str | int, ...], str, str]] = []
    for error in errors:
        loc, kind = tuple(error["loc"]), error["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            loc = ("flow",)  # pydantic locates the discriminator at the feed itself
        misspelt = _misspelt_flow(node) if kind == "union_tag_not_found" else None
        if misspelt is not None:
            worded.append(((misspelt,), "extra_forbidden", "unknown key; did you mean 'flow'?"))
        elif kind == "extra_forbidden":
            near = closest(str(loc[-1]), model_fields_at(loc))
            if near is not None:
                meant.add((*loc[:-1], near))
            worded.append(
                (loc, kind, "unknown key" + (f"; did you mean {near!r}?" if near else ""))
            )
        else:
            worded.append((loc, kind, plain_message(error)))
    return [
        (*_locate(node, loc), message)
        for loc, kind, message in worded
        if not (kind == "missing" and loc in meant)
    ]


def _misspelt_flow(node: _Located) -> str | None:
    """A key of a feed with no ``flow`` that is a misspelling of it (``flw``), if any."""
    known = set(HtmlFeed.model_fields) | set(JsonFeed.model_fields)
    keys = (
        [key.value for key, _ in node.node.value] if isinstance(node.node, yaml.MappingNode) else []
    )
    return next((key for key in keys if key not in known and closest(key, ["flow"])), None)


def load_feeds(path: str | Path) -> list[HtmlFeed | JsonFeed]:
    """Read and validate a feeds file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedConfigError([f"{path}: cannot read feeds file: {exc.strerror}"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FeedConfigError(
            [f"{path}:{line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
             "save it as UTF-8"]
        ) from None  # fmt: skip
    return parse_feeds(text, str(path))


def iter_feed_urls(feed: HtmlFeed | JsonFeed) -> Iterator[str]:
    """Every URL or URL template a feed declares (for allowed domains), ``check_url``
    included."""
    if isinstance(feed, HtmlFeed):
        yield from feed.start_urls
    else:
        yield feed.list_api.url
        yield feed.list_api.link
        if feed.article_api is not None:
            yield feed.article_api.url
    if feed.check_url is not None:
        yield feed.check_url


def feeds_schema() -> dict[str, Any]:
    """JSON Schema of one feed block (for docs/feeds.schema.json)."""
    return _FEED_ADAPTER.json_schema()
