"""Plain wording for feeds.yaml problems: pydantic's errors as ``must be …`` messages, and
"did you mean" suggestions for misspelt keys and feed names."""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from newsbot.config.models import FEED_NAME_PATTERN, HtmlFeed, JsonFeed

#: The model of each ``flow``, for the fields a mapping may hold.
FLOW_MODELS: dict[str, type[BaseModel]] = {"html": HtmlFeed, "json": JsonFeed}


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` nearest to ``word`` (a misspelling of it), if any is near."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when one of ``choices`` is close to ``word``, else ``""``."""
    near = closest(word, choices)
    return f"; did you mean {near!r}?" if near else ""


def unknown_feed(name: str, known: Sequence[str]) -> str:
    """One line naming an unknown feed, the nearest known one and every known feed."""
    hint = did_you_mean(name, known) or ";"
    return f"unknown feed {name!r}{hint} known feeds: {', '.join(sorted(known)) or 'none'}"


def shown(value: Any) -> str:
    """A value as a message shows it: scalars as written, containers by their kind."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _quoted_values(expected: str) -> str:
    """``"'a', 'b' or 'c'"`` (pydantic's ctx) as ``"a, b, c"``."""
    return ", ".join(re.findall(r"'([^']*)'", expected))


def _bounds(ctx: Mapping[str, Any], key: str) -> str:
    value = ctx.get(key)
    return f"{value:g}" if isinstance(value, float) else str(value)


_Wording = Callable[[Mapping[str, Any], Any], str]

#: pydantic error type → the plain message (given the error's ctx and input).
WORDING: dict[str, _Wording] = {
    "literal_error": lambda ctx, got: (
        f"must be one of {_quoted_values(ctx['expected'])} (got {shown(got)})"
    ),
    "int_parsing": lambda ctx, got: f"must be a whole number (got {shown(got)})",
    "int_from_float": lambda ctx, got: f"must be a whole number (got {shown(got)})",
    "int_type": lambda ctx, got: f"must be a whole number (got {shown(got)})",
    "float_parsing": lambda ctx, got: f"must be a number (got {shown(got)})",
    "float_type": lambda ctx, got: f"must be a number (got {shown(got)})",
    "bool_parsing": lambda ctx, got: f"must be true or false (got {shown(got)})",
    "bool_type": lambda ctx, got: f"must be true or false (got {shown(got)})",
    "string_type": lambda ctx, got: f"must be text (got {shown(got)}); quote it",
    "list_type": lambda ctx, got: f"must be a list, e.g. [a, b] (got {shown(got)})",
    "dict_type": lambda ctx, got: f"must be a mapping of key: value (got {shown(got)})",
    "model_type": lambda ctx, got: f"must be a mapping of key: value (got {shown(got)})",
    "model_attributes_type": lambda ctx, got: f"must be a mapping of key: value (got {shown(got)})",
    "greater_than_equal": lambda ctx, got: f"must be at least {_bounds(ctx, 'ge')} (got {got!r})",
    "greater_than": lambda ctx, got: f"must be more than {_bounds(ctx, 'gt')} (got {got!r})",
    "less_than_equal": lambda ctx, got: f"must be at most {_bounds(ctx, 'le')} (got {got!r})",
    "less_than": lambda ctx, got: f"must be less than {_bounds(ctx, 'lt')} (got {got!r})",
    "too_short": lambda ctx, got: f"must have at least {ctx['min_length']} item(s)",
    "too_long": lambda ctx, got: f"must have at most {ctx['max_length']} item(s)",
    "string_pattern_mismatch": lambda ctx, got: (
        f"must be lowercase letters, digits and _, starting with a letter (got {shown(got)})"
        if ctx.get("pattern") == FEED_NAME_PATTERN
        else f"must match {ctx.get('pattern')} (got {shown(got)})"
    ),
    "url_parsing": lambda ctx, got: f"must be an absolute http(s) URL (got {shown(got)})",
    "url_scheme": lambda ctx, got: f"must be an absolute http(s) URL (got {shown(got)})",
    "url_type": lambda ctx, got: f"must be an absolute http(s) URL (got {shown(got)})",
    "union_tag_invalid": lambda ctx, got: (
        f"must be one of {_quoted_values(ctx['expected_tags'])} (got {ctx['tag']!r})"
    ),
    "union_tag_not_found": lambda ctx, got: "required, but not given (html or json)",
    "missing": lambda ctx, got: "required, but not given",
}
for _kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
    WORDING[_kind] = lambda ctx, got: (
        f"must be a date YYYY-MM-DD (got {shown(got)}: {ctx['error']})"
        if ctx and ctx.get("error")
        else f"must be a date YYYY-MM-DD (got {shown(got)})"
    )
WORDING["date_type"] = lambda ctx, got: f"must be a date YYYY-MM-DD (got {shown(got)})"


def plain_message(error: ErrorDetails) -> str:
    """pydantic's error in plain words (its own message for a type not listed)."""
    kind = error["type"]
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    wording = WORDING.get(kind)
    if wording is None:
        return error["msg"]
    return wording(error.get("ctx") or {}, error.get("input"))


def model_fields_at(loc: Sequence[str | int]) -> list[str]:
    """The field names of the model holding the last part of a feed error's location
    (``('html', 'article', 'titel')`` → ArticleRules' fields); [] when it is no model."""
    if not loc or loc[0] not in FLOW_MODELS:
        return []
    model: type[BaseModel] | None = FLOW_MODELS[str(loc[0])]
    for part in loc[1:-1]:
        if isinstance(part, int):
            continue  # a list item: its model was found from the list's annotation
        assert model is not None
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
        if model is None:
            return []
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (``X | None``, ``list[X]``, ``Annotated``)."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
