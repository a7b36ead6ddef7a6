"""The Bloom filter in front of the state store's big bands table (newsbot.store.bandfilter):
never a false "absent", few false "maybe"s, and a lookup that probes the table only for
keys the filter may hold, kept right across stores sharing one file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from newsbot.core.dedup import BANDS, minhash
from newsbot.store import SqliteStateStore as StateStore
from newsbot.store.bandfilter import BandFilter
from tests.testsite import story_text


def random_rows(count: int, seed: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    bands = rng.integers(0, BANDS, count).tolist()
    keys = rng.integers(0, 1 << 63, count, dtype=np.uint64).tolist()
    return bands, keys


def test_the_filter_never_says_absent_for_a_row_it_holds_and_rarely_maybe_for_others() -> None:
    kept = BandFilter(capacity=50_000)
    bands, keys = random_rows(50_000, 1)
    kept.add(bands, keys)
    assert all(kept.may_hold(bands, keys))
    others = kept.may_hold(*random_rows(20_000, 2))
    assert sum(others) / len(others) < 0.03  # ~1 % expected at 10 bits and 7 hashes
    assert not kept.full
    kept.add(*random_rows(1, 3))
    assert kept.full


def add_story(store: StateStore, n: int) -> None:
    url = f"https://x.cn/{n}"
    with store.transaction():
        store.add(f"a{n}", url, "f", url, "o", minhash(story_text(n)), None)


def assert_found(store: StateStore, numbers: range) -> None:
    """Each of these stories is found again, as the record it was added as."""
    for n in numbers:
        match = store.near_duplicate(minhash(story_text(n)))
        assert match is not None and match.id == f"a{n}"


def probes_of_bands(store: StateStore) -> list[str]:
    """Every statement that reads the big bands table, from now on."""
    seen: list[str] = []
    store._db.set_trace_callback(
        lambda sql: seen.append(sql) if "FROM bands " in sql or "FROM bands\n" in sql else None
    )
    return seen


def test_a_lookup_of_a_new_story_does_not_probe_the_merged_bands(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=2 * BANDS)
    for n in range(6):
        add_story(store, n)
    seen = probes_of_bands(store)
    assert store.near_duplicate(minhash(story_text(100))) is None
    assert seen == []  # every key certainly absent from bands: only bands_recent is read
    match = store.near_duplicate(minhash(story_text(1) + "编辑：某"))
    assert match is not None and match.id == "a1"  # merged: found through the big table
    assert seen


def test_stores_sharing_a_file_see_each_others_merges(tmp_path: Path) -> None:
    first = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=2 * BANDS)
    second = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=2 * BANDS)
    for n in range(4):  # merged by the first store; the second's filter is out of date
        add_story(first, n)
    assert_found(second, range(4))
    for n in range(4, 8):  # the second merges on top of the first's merges
        add_story(second, n)
    assert_found(first, range(8))
    first.close()
    second.close()


def test_a_store_from_before_the_filter_gets_one_built_from_its_bands(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = StateStore(path, batch_items=1, merge_rows=BANDS)
    for n in range(3):
        add_story(store, n)
    store.close()
    old = sqlite3.connect(path)
    old.execute("DROP TABLE band_filter")  # as newsbot before the filter left it
    old.commit()
    old.close()
    reopened = StateStore(path)
    assert_found(reopened, range(3))
    assert reopened.near_duplicate(minhash(story_text(50))) is None


def band_reads(store: StateStore) -> list[str]:
    """Every statement that reads either band table (recent or merged), from now on."""
    seen: list[str] = []
    store._db.set_trace_callback(lambda sql: seen.append(sql) if "FROM bands" in sql else None)
    return seen


def test_a_lookup_of_a_new_story_reads_no_band_table_at_all(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=4 * BANDS)
    for n in range(6):  # two merged, four still in bands_recent
        add_story(store, n)
    assert store.near_duplicate(minhash(story_text(99))) is None  # the filters are built
    seen = band_reads(store)
    assert store.near_duplicate(minhash(story_text(100))) is None
    assert seen == []  # neither table holds any of its keys, and both filters know it
    match = store.near_duplicate(minhash(story_text(5) + "编辑：某"))
    assert match is not None and match.id == "a5"  # a recent record: found in bands_recent
    assert seen and all("bands_recent" in sql for sql in seen)


def test_stores_sharing_a_file_see_each_others_recent_bands(tmp_path: Path) -> None:
    first = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=100 * BANDS)
    second = StateStore(tmp_path / "s.sqlite3", batch_items=1, merge_rows=100 * BANDS)
    assert second.near_duplicate(minhash(story_text(0))) is None  # its filters: empty
    for n in range(3):  # committed by the first, never merged
        add_story(first, n)
    assert_found(second, range(3))
    first.close()
    second.close()


def test_a_merge_whose_commit_fails_leaves_every_committed_record_findable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite3"
    store = StateStore(path, batch_items=100, batch_seconds=60, merge_rows=3 * BANDS)
    for n in range(4):  # the first is committed at once (a new file), the rest wait
        add_story(store, n)
    assert store.near_duplicate(minhash(story_text(0))) is not None  # filters built
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # the merge cannot grow the file
    try:
        store.commit()  # 128 recent rows: the merge runs in this commit, the file is full
    except sqlite3.DatabaseError as exc:
        assert "full" in str(exc)
    else:
        raise AssertionError("the merge grew a database that could not grow")
    store._db.execute(f"PRAGMA max_page_count = {1 << 30}")
    match = store.near_duplicate(minhash(story_text(0)))  # rolled back: still recent
    assert match is not None and match.id == "a0"
    for n in range(1, 4):  # the batch was rolled back: their lines are the next run's
        assert store.near_duplicate(minhash(story_text(n))) is None


def test_a_records_band_rows_are_its_keys_in_band_order(tmp_path: Path) -> None:
    # One INSERT … SELECT over json_each makes a record's 32 rows (it was 32 bound rows);
    # SQLite must read each 63-bit key back as the integer it was.
    from newsbot.core.dedup import band_keys

    store = StateStore(tmp_path / "s.sqlite3")
    signature = minhash(story_text(1))
    add_story(store, 1)
    rows = store._db.execute("SELECT band, key, id FROM bands_recent ORDER BY band").fetchall()
    assert rows == [(band, key, "a1") for band, key in enumerate(band_keys(signature))]
    assert max(key for _, key, _ in rows) > 1 << 60  # large keys among them
    store.close()
