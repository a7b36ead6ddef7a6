"""Fields a feed's rules did not find, taken from the generic extractor. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from newsbot.core.extract.generic import GenericArticle
from newsbot.core.extract.selectors import ARTICLE_FIELDS, RawArticle


def missing_fields(raw: RawArticle) -> list[str]:
    """The article fields ``raw`` has no value for, in record order."""
    return [name for name in ARTICLE_FIELDS if not getattr(raw, name)]


def generic_value(generic: GenericArticle, name: str) -> str | None:
    """The generic extractor's value of one raw field (the date normalized, so a year-less
    or relative date is already resolved; the body as HTML)."""
    return getattr(generic, name) or None


def fill_missing(
    raw: RawArticle, generic: GenericArticle, names: Iterable[str]
) -> tuple[RawArticle, list[str]]:
    """``raw`` with each of ``names`` it lacks taken from ``generic``; and the names filled."""
    filled: dict[str, Any] = {
        name: value
        for name in names
        if not getattr(raw, name) and (value := generic_value(generic, name)) is not None
    }
    return replace(raw, **filled), list(filled)
