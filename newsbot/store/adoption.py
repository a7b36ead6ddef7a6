"""Reconciling the state store with what is on disk after an interrupted run, and
remembering links that redirected to a written record."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from newsbot.core.dedup import canonical_url, minhash
from newsbot.store.jsonl import drop_torn_tail
from newsbot.store.protocol import StateStore

#: Redirect chains longer than this are not followed when aliasing.
MAX_REDIRECT_HOPS = 10


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


def remember_redirects(
    store: StateStore, redirects: Mapping[str, str], host_aliases: Mapping[str, str]
) -> int:
    """Article links that redirected (link → target) to a written record count as known
    from now on: later runs do not download them again. Returns how many were remembered."""
    remembered = 0
    with store.transaction():
        for link in redirects:
            target, hops = redirects[link], 0
            while target in redirects and hops < MAX_REDIRECT_HOPS:  # a chain of redirects
                target, hops = redirects[target], hops + 1
            record_id = store.known_url(canonical_url(target, host_aliases))
            alias = canonical_url(link, host_aliases)
            if record_id is not None and alias != canonical_url(target, host_aliases):
                store.add_alias(alias, record_id)
                remembered += 1
    return remembered
