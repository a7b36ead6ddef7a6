"""Canonical URLs, MinHash near-duplicates, the SQLite state store and the JSONL writer."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from newsbot.core.clean import html_to_text
from newsbot.core.dedup import (
    _A,
    _B,
    BANDS,
    DUPLICATE_THRESHOLD,
    NUM_PERMUTATIONS,
    ROWS_PER_BAND,
    band_keys,
    canonical_url,
    jaccard,
    minhash,
    record_id,
    shingles,
    text_letters,
)
from newsbot.items import RECORD_FIELDS, Article
from newsbot.store import SqliteStateStore as StateStore
from newsbot.store.jsonl import JsonlWriter
from tests.conftest import ROOT, seed_post
from tests.testsite import story_text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("HTTP://WWW.Example.CN/a/1.html#top", "https://www.example.cn/a/1.html"),
        ("https://x.cn/a?b=2&a=1", "https://x.cn/a?a=1&b=2"),
        ("https://x.cn/a?utm_source=wx&spm=1.2&id=7&from=timeline", "https://x.cn/a?id=7"),
        ("https://x.cn:443/a", "https://x.cn/a"),
    ],
)
def test_canonical_url_folds_equivalent_urls(first: str, second: str) -> None:
    assert canonical_url(first) == canonical_url(second)
    assert record_id(first) == record_id(second)


def test_canonical_url_keeps_what_selects_content() -> None:
    assert canonical_url("https://x.cn/a?id=7") != canonical_url("https://x.cn/a?id=8")
    assert canonical_url("https://x.cn/A.html") != canonical_url("https://x.cn/a.html")


def test_host_aliases_make_mobile_and_desktop_one() -> None:
    aliases = {"m.eastmoney.com": "finance.eastmoney.com"}
    assert canonical_url("https://m.eastmoney.com/a/1.html", aliases) == canonical_url(
        "https://finance.eastmoney.com/a/1.html"
    )
    assert canonical_url("https://m.eastmoney.com/a/1.html") != canonical_url(
        "https://finance.eastmoney.com/a/1.html"
    )


def seed_text(prefix: str) -> str:
    return html_to_text(seed_post(prefix)[1])


def test_seeds_sharing_a_paragraph_are_not_duplicates() -> None:
    first, second = seed_text("000"), seed_text("001")
    assert "16000个一次性医用口罩" in first and "16000个一次性医用口罩" in second
    assert jaccard(first, second) < 0.1
    from newsbot.core.dedup import similarity

    assert similarity(minhash(first), minhash(second)) < DUPLICATE_THRESHOLD


def test_republished_story_is_a_duplicate() -> None:
    original = seed_text("000")
    republished = "来源：某门户\n" + original.replace("近期，", "近日，") + "\n责任编辑：某某"
    from newsbot.core.dedup import similarity

    assert similarity(minhash(original), minhash(republished)) >= 0.9


def make_item(url: str, text: str, feed: str = "f") -> Article:
    return Article(title="t", url=url, text=text, feed=feed, id=record_id(url), date="d")


def test_state_store_finds_urls_and_near_duplicates(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    text = seed_text("000")
    with store.transaction():
        store.add(
            "a1", canonical_url("https://x.cn/1"), "f", "https://x.cn/1", "o", minhash(text), None
        )
    assert store.known_url(canonical_url("HTTPS://x.cn/1#c")) == "a1"
    assert store.known_urls([canonical_url("https://x.cn/1"), "https://x.cn/2"]) == {
        canonical_url("https://x.cn/1")
    }
    match = store.near_duplicate(minhash(text + "\n编辑：某"))
    assert match is not None and match.id == "a1" and match.similarity > 0.9
    assert store.near_duplicate(minhash(seed_text("001"))) is None
    store.close()
    reopened = StateStore(tmp_path / "state.sqlite3")
    assert reopened.count() == 1 and reopened.count("f") == 1 and reopened.count("g") == 0


def test_near_duplicates_are_found_before_and_after_their_bands_are_merged(
    tmp_path: Path,
) -> None:
    """The newest records' bands wait in a small table and are merged into the big one at
    a commit: a lookup finds an earlier story wherever its bands are, reopened too."""
    store = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=3 * BANDS)
    stories = [story_text(n) for n in range(5)]
    for n, text in enumerate(stories):
        with store.transaction():
            url = f"https://x.cn/{n}"
            store.add(f"a{n}", url, "f", url, "o", minhash(text), None)
        for m, earlier in enumerate(stories[: n + 1]):
            match = store.near_duplicate(minhash(earlier + "编辑：某"))
            assert match is not None and match.id == f"a{m}"
    store.close()
    tables = sqlite3.connect(tmp_path / "s.sqlite3")
    rows = {
        name: tables.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
        for name in ("bands", "bands_recent")
    }
    tables.close()
    assert rows == {"bands": 3 * BANDS, "bands_recent": 2 * BANDS}  # merged at the 3rd
    reopened = StateStore(tmp_path / "s.sqlite3")
    found = [reopened.near_duplicate(minhash(text)) for text in stories]
    assert [match.id if match else None for match in found] == [f"a{n}" for n in range(5)]
    assert reopened.near_duplicate(minhash(story_text(99))) is None


def test_a_failed_transaction_records_nothing(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite3")
    with pytest.raises(RuntimeError), store.transaction():
        store.add("a1", "https://x.cn/1", "f", "https://x.cn/1", "o", minhash("正文"), None)
        raise RuntimeError("killed before commit")
    assert store.count() == 0


def _minhash_of_distinct_shingles(text: str) -> np.ndarray:
    """The signature as it was computed before: over np.unique'd shingles."""
    hashed = shingles(text)
    folded = (hashed ^ (hashed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    with np.errstate(over="ignore"):
        permuted = (np.outer(_A, folded) + _B[:, None]) >> np.uint64(32)
    result: np.ndarray = permuted.min(axis=1)
    return result


@pytest.mark.parametrize("name", ["000", "001"])
def test_minhash_without_unique_gives_identical_signatures(name: str) -> None:
    for text in (seed_text(name), seed_text(name) * 3, "重复重复重复重复重复重复", "短文"):
        assert np.array_equal(minhash(text), _minhash_of_distinct_shingles(text))


def test_the_permutations_are_the_ones_the_fixed_seed_drew() -> None:
    # Stored signatures depend on them: they must stay numpy.random.default_rng(20221125)'s.
    rng = np.random.default_rng(20221125)
    drawn_a = rng.integers(0, 1 << 63, NUM_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + 1
    drawn_b = rng.integers(0, 1 << 63, NUM_PERMUTATIONS, dtype=np.uint64)
    assert _A.dtype == _B.dtype == np.uint64
    assert np.array_equal(_A, drawn_a) and np.array_equal(_B, drawn_b)


def test_text_letters_keeps_what_the_word_regex_keeps_for_every_code_point() -> None:
    # Every code point once (lone surrogates too: a JSON API's "\\ud800" decodes to one),
    # and runs mixing the characters that change under NFKC or lower-casing.
    every = "".join(map(chr, range(0x110000)))
    for text in (every, "İstanbul ＡＢＣ１２３ ﬁ_x　中文。\ud800𝐀𝟘", seed_text("000")):
        expected = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()
        assert text_letters(text) == expected


def _band_keys_one_by_one(signature: np.ndarray) -> list[int]:
    """The band keys as they were computed before: a slice and a digest per band."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(rows.tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big") >> 1)
    return keys


def test_band_keys_are_the_keys_stored_by_earlier_versions() -> None:
    for text in (seed_text("000"), seed_text("001"), "短文", ""):
        signature = minhash(text)
        assert band_keys(signature) == _band_keys_one_by_one(signature)
        keys = band_keys(signature)
        keys.append(0)  # a caller's list is its own: the remembered keys stay as they were
        assert band_keys(signature) == _band_keys_one_by_one(signature)


def test_a_failed_transaction_in_a_batch_rolls_back_only_itself(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite3")
    with store.transaction():
        store.add("a1", "https://x.cn/1", "f", "https://x.cn/1", "o", minhash("正文一"), None)
    with pytest.raises(RuntimeError), store.transaction():
        store.add("a2", "https://x.cn/2", "f", "https://x.cn/2", "o", minhash("正文二"), None)
        raise RuntimeError("killed before commit")
    with store.transaction():
        store.add("a3", "https://x.cn/3", "f", "https://x.cn/3", "o", minhash("正文三"), None)
    store.close()
    reopened = StateStore(tmp_path / "s.sqlite3")
    assert reopened.known_urls(["https://x.cn/1", "https://x.cn/2", "https://x.cn/3"]) == {
        "https://x.cn/1",
        "https://x.cn/3",
    }


def test_a_batch_is_committed_by_its_timer_for_other_processes(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite3", batch_seconds=0.2)
    for n in range(2):  # the second goes to the same file: deferred to the batch's end
        with store.transaction():
            url = f"https://x.cn/{n}"
            store.add(f"a{n}", url, "f", url, "o", minhash(f"正文{n}"), None)
    deadline = time.monotonic() + 10
    while StateStore(tmp_path / "s.sqlite3", timeout=10).count() < 2:
        assert time.monotonic() < deadline, "the batch was never committed"
        time.sleep(0.05)
    store.close()


WRITER_SCRIPT = """
import sys
from newsbot.store import SqliteStateStore as StateStore
from newsbot.core.dedup import minhash
store = StateStore(sys.argv[1])
for n in range(200):
    with store.transaction():
        url = f"https://x.cn/{n}"
        if store.known_url(url) is None:
            store.add(f"{sys.argv[2]}{n}", url, "f", url, "o", minhash(f"正文{n}号"), None)
            print(url)
"""


def test_two_processes_never_record_a_url_twice(tmp_path: Path) -> None:
    state = str(tmp_path / "shared.sqlite3")
    StateStore(state).close()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, state, name],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for name in ("a", "b")
    ]
    outputs = [worker.communicate(timeout=60)[0].split() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    claimed = outputs[0] + outputs[1]
    assert sorted(claimed) == sorted(f"https://x.cn/{n}" for n in range(200))
    assert StateStore(state).count() == 200


def test_writer_appends_records_in_order_and_drops_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "f" / "2022-03-25.jsonl"
    path.parent.mkdir()
    path.write_text('{"title": "kept"}\n{"title": "tor', encoding="utf-8")
    writer = JsonlWriter(str(tmp_path / "{feed}" / "{day}.jsonl"))
    assert writer.path_for("f", "2022-03-25") == path
    item = make_item("https://x.cn/1", "正文")
    writer.write({name: getattr(item, name) for name in RECORD_FIELDS}, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"title": "kept"}
    assert list(json.loads(lines[1])) == list(RECORD_FIELDS)
    assert len(lines) == 2
    writer.close()
