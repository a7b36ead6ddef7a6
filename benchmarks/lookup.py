"""The near-duplicate lookup's cost as the store grows: ms per lookup (and per recorded
item) with 1,000 vs 20,000 records in a SQLite state store on disk. Signatures are random
(as unrelated texts' are), so the lookups find candidates only by chance, as in a crawl.
Both are measured while as many new items are looked up and recorded as one merge of the
recent bands takes (MERGE_ROWS / BANDS): the small table's fill and the merge's cost are
in each figure once, as in a long crawl. The first lookup of a store (of a run) builds
the in-memory filter of the recent bands from their table; it is made before the clock
starts.

    .venv/bin/python benchmarks/lookup.py [--sizes 1000 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsbot.core.dedup import BANDS, NUM_PERMUTATIONS
from newsbot.store import SqliteStateStore
from newsbot.store.bands import MERGE_ROWS


def signatures(count: int, seed: int) -> np.ndarray:
    """``count`` random signatures."""
    return np.random.default_rng(seed).integers(
        0, 1 << 32, (count, NUM_PERMUTATIONS), dtype=np.uint64
    )


def measure(size: int, probes: int = MERGE_ROWS // BANDS) -> tuple[float, float]:
    """(ms per near-duplicate lookup, ms per lookup + record) with ``size`` records in the
    store, over ``probes`` new records: one cycle of the small recent-bands table, from
    wherever ``size`` left it, through one merge (so two sizes compare like with like)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStateStore(Path(tmp) / "state.sqlite3")
        for n, signature in enumerate(signatures(size, 1)):
            with store.transaction():
                store.add(
                    f"r{n}", f"https://x.cn/{n}", "f", f"https://x.cn/{n}", "o", signature, None
                )
        store.commit()
        store.near_duplicate(signatures(1, 3)[0])  # once a run: the recent bands' filter
        looking = 0.0
        started = time.perf_counter()
        for n, signature in enumerate(signatures(probes, 2)):
            with store.transaction():
                asked = time.perf_counter()
                store.near_duplicate(signature)
                looking += time.perf_counter() - asked
                url = f"https://y.cn/{n}"
                store.add(f"p{n}", url, "f", url, "o", signature, None)
        store.commit()
        both = (time.perf_counter() - started) / probes
        store.close()
    return 1000 * looking / probes, 1000 * both


def main(argv: list[str] | None = None) -> list[tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    args = parser.parse_args(argv)
    rows = []
    print("\nnear-duplicate lookup in the SQLite state store")
    for size in args.sizes:
        lookup, both = measure(size)
        print(f"{size:6d} records: {lookup:.3f} ms/lookup, {both:.3f} ms/item (lookup + record)")
        rows.append(
            (f"near-dup lookup at {size} records: ms/lookup, ms/item", f"{lookup:.3f}, {both:.3f}")
        )
    return rows


if __name__ == "__main__":
    for label, value in main():
        print(f"{label:55} {value}")
