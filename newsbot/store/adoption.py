"""Reconciling the state store with what is on disk after an interrupted run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from newsbot.core.dedup import canonical_url, minhash
from newsbot.store.jsonl import drop_torn_tail
from newsbot.store.protocol import StateStore


def adopt_lines(store: StateStore, path: Path, host_aliases: Mapping[str, str]) -> int:
    """Record as seen every line of ``path`` a killed run wrote but did not get to record
    (its torn last line is cut first). Returns how many records were adopted."""
    drop_torn_tail(path)
    adopted = 0
    with path.open(encoding="utf-8") as lines, store.transaction():
        for line in lines:
            record = json.loads(line)
            canonical = canonical_url(record["url"], host_aliases)
            if store.known_url(canonical) is None:
                store.add(
                    record["id"], canonical, record["feed"], record["url"], str(path),
                    minhash(record["text"]), record.get("duplicate_of"),
                )  # fmt: skip
                adopted += 1
    return adopted
