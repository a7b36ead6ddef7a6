"""The extraction corpus (tests/extraction_corpus, format in its README.md): loading the
cases and scoring an extraction against a case's hand-written answer. Used by
tests/test_extraction_corpus.py and benchmarks/extraction.py."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newsbot.core.dates import DATE_FORMAT

CORPUS = Path(__file__).resolve().parent / "extraction_corpus"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    """One corpus page and its answer."""

    name: str
    html: bytes
    url: str
    expected: dict[str, Any]
    crawl_time: datetime | None

    @property
    def template(self) -> str:
        """The template number, ``01`` … ``15``."""
        return self.name.split("-", 1)[0]


def load_cases(root: Path = CORPUS) -> list[Case]:
    """Every case folder under ``root``, in name order."""
    cases = []
    for folder in sorted(p for p in root.iterdir() if (p / "expected.json").is_file()):
        crawl = folder / "crawl_time.txt"
        cases.append(
            Case(
                name=folder.name,
                html=(folder / "input.html").read_bytes(),
                url=(folder / "url.txt").read_text(encoding="utf-8").strip(),
                expected=json.loads((folder / "expected.json").read_text(encoding="utf-8")),
                crawl_time=(
                    datetime.strptime(crawl.read_text(encoding="utf-8").strip(), DATE_FORMAT)
                    if crawl.is_file()
                    else None
                ),
            )
        )
    return cases


def same_title(got: str | None, want: str | None) -> bool:
    """Title exact: equal once whitespace runs are one space and the ends stripped."""
    return _SPACE.sub(" ", got or "").strip() == _SPACE.sub(" ", want or "").strip()


def text_scores(got: str | None, want: str) -> tuple[float, float, float]:
    """Character-level precision, recall and F1 of ``got`` against ``want``: both with all
    whitespace removed, compared as multisets of characters (common = Σ min of the two
    counts of each character). An empty extraction scores 0, 0, 0."""
    have, need = Counter(_SPACE.sub("", got or "")), Counter(_SPACE.sub("", want))
    common = sum((have & need).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(have.values()), common / sum(need.values())
    return precision, recall, 2 * precision * recall / (precision + recall)
