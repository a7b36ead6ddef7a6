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
    """The generic extractor's value of one raw field: the body as HTML; the date only
    when the page prints it (normalized, so a year-less or relative date is resolved) —
    a date from metadata or the URL is a date fallback (:func:`generic_date_hint`), so the
    fill rate of the page's own dates stays what it measures."""
    if name == "date" and generic.date_origin != "printed":
        return None
    return getattr(generic, name) or None


def generic_date_hint(generic: GenericArticle) -> list[str]:
    """The generic extractor's date when it is not printed on the page, as a date
    fallback (tried after the page's own date text fails)."""
    return [generic.date] if generic.date and generic.date_origin != "printed" else []


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
