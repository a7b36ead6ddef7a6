"""Measure the near-duplicate method on the bundled pages (docs/dedup.md).

Crawls every feed over the bundled mirror (in-memory state), then prints, for every pair
of records, the exact shingle Jaccard and the MinHash estimate, and the margin between the
most similar distinct stories and the least similar republished pair.

    .venv/bin/python benchmarks/dedup_measure.py
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsbot.core.dedup import DUPLICATE_THRESHOLD, jaccard, minhash, similarity  # noqa: E402

#: Pairs of URLs (substrings) that are the same story republished by another site.
SAME_STORY = [("docId=1036155", "20220223101530123456780")]


def crawl_all(out: Path) -> list[dict[str, str]]:
    """Records of every feed, crawled over the bundled mirror with an empty state."""
    subprocess.run(
        [str(Path(sys.executable).parent / "newsbot"), "demo", "--out", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    records = []
    for path in sorted(out.glob("*/*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return records


def variants(text: str) -> dict[str, str]:
    """How portals typically alter a story they republish."""
    lines = text.split("\n")
    sentences = text.split("。")
    return {
        "byline and note added": "来源：某门户网站\n"
        + text
        + "\n（本文转载自官方网站）\n责任编辑：某某",
        "first paragraph dropped": "\n".join(lines[1:]) or text,
        "last third cut": text[: max(1, len(text) * 2 // 3)],
        "every 5th sentence reworded": "。".join(
            sentence[::-1] if index % 5 == 0 else sentence
            for index, sentence in enumerate(sentences)
        ),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records = crawl_all(Path(tmp))
    signatures = {record["url"]: minhash(record["text"]) for record in records}
    same, distinct = [], []
    for first, second in itertools.combinations(records, 2):
        urls = (first["url"], second["url"])
        exact = jaccard(first["text"], second["text"])
        estimate = similarity(signatures[urls[0]], signatures[urls[1]])
        is_same = any(
            (a in urls[0] and b in urls[1]) or (b in urls[0] and a in urls[1])
            for a, b in SAME_STORY
        )
        (same if is_same else distinct).append((exact, estimate, first["title"], second["title"]))
    distinct.sort(reverse=True)
    print(f"records: {len(records)}, pairs: {len(same) + len(distinct)}")
    print(f"threshold (estimated Jaccard): {DUPLICATE_THRESHOLD}")
    print("republished pairs (exact, estimate):")
    for exact, estimate, a, b in same:
        print(f"  {exact:.3f} {estimate:.3f}  {a[:24]} | {b[:24]}")
    print("most similar distinct pairs (exact, estimate):")
    for exact, estimate, a, b in distinct[:5]:
        print(f"  {exact:.3f} {estimate:.3f}  {a[:24]} | {b[:24]}")
    print("edited republications of every record (lowest exact, lowest estimate):")
    edited: dict[str, list[tuple[float, float]]] = {}
    for record in records:
        if len(record["text"]) < 200:
            continue
        for name, text in variants(record["text"]).items():
            edited.setdefault(name, []).append(
                (
                    jaccard(record["text"], text),
                    similarity(signatures[record["url"]], minhash(text)),
                )
            )
    for name, scores in edited.items():
        print(f"  {min(s[0] for s in scores):.3f} {min(s[1] for s in scores):.3f}  {name}")
    worst_same = min(estimate for _, estimate, _, _ in same)
    best_distinct = max(estimate for _, estimate, _, _ in distinct)
    print(f"margin: lowest republished {worst_same:.3f} vs highest distinct {best_distinct:.3f}")


if __name__ == "__main__":
    main()
