"""The generic extractor on the extraction corpus (tests/extraction_corpus, format in its
README.md): every hand-written case gets its title and date exactly and its text at a
character-level F1 of at least 0.97 (tests/corpus.py defines the score). Pure and fast:
no network, no timing (benchmarks/extraction.py measures speed and the other tools)."""

from __future__ import annotations

import pytest

from newsbot.core.extract.generic import extract_generic
from tests.corpus import Case, load_cases, same_title, text_scores

CASES = load_cases()
#: The least text F1 a case may score.
MIN_F1 = 0.97


def test_the_corpus_is_big_and_varied() -> None:
    templates = {case.template for case in CASES}
    assert len(CASES) >= 80 and len(templates) >= 15, (len(CASES), sorted(templates))
    for template in templates:
        assert sum(case.template == template for case in CASES) >= 5, template


def test_every_case_is_well_formed() -> None:
    keys = {"title", "date", "source", "author", "editor", "text"}
    for case in CASES:
        assert set(case.expected) == keys, case.name
        assert case.url.startswith(("http://", "https://")), case.name
        assert case.expected["title"] and case.expected["text"], case.name
    texts = [case.expected["text"] for case in CASES]
    assert len(set(texts)) == len(texts), "two cases share a text"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_generic_extractor_on_corpus(case: Case) -> None:
    got = extract_generic(case.html, case.url, crawl_time=case.crawl_time)
    want = case.expected
    assert same_title(got.title, want["title"]), (got.title, want["title"])
    assert got.date == want["date"], (got.date, got.date_raw, want["date"])
    precision, recall, f1 = text_scores(got.text, want["text"])
    assert f1 >= MIN_F1, f"F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f})\n{got.text}"
