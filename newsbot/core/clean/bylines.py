"""Bylines: publisher, author and editor lines lifted out of an article's text."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Bylines:
    """Publisher, author and editor lifted out of the body text."""

    source: str | None = None
    author: str | None = None
    editor: str | None = None


_OPEN = r"[\[【(（]?\s*"
_CLOSE = r"\s*[\]】)）]?"
BYLINE_PATTERNS: dict[str, re.Pattern[str]] = {
    "source": re.compile(rf"^{_OPEN}(?:文章来源|内容来源|来源)\s*[:：]\s*(.+?){_CLOSE}$"),
    "author": re.compile(rf"^{_OPEN}作者\s*[:：]\s*(.+?){_CLOSE}$"),
    "editor": re.compile(rf"^{_OPEN}(?:责任编辑|编辑)\s*[:：]\s*(.+?){_CLOSE}$"),
}


_TRAILING_DATE = re.compile(r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月].*$")


def split_bylines(lines: list[str]) -> tuple[list[str], Bylines]:
    """Remove byline lines (来源/作者/责任编辑 …) from the text's head and tail; return them."""
    found: dict[str, str] = {}
    kept = list(lines)
    for edge in (0, -1):
        while kept:
            line = kept[edge]
            name = next((n for n, p in BYLINE_PATTERNS.items() if p.match(line)), None)
            if name is None:
                break
            match = BYLINE_PATTERNS[name].match(line)
            assert match is not None
            found.setdefault(name, _TRAILING_DATE.sub("", match.group(1)).strip())
            kept.pop(edge)
    return kept, Bylines(**found)
