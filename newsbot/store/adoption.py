"""Reconciling the state store with what is on disk after an interrupted run.

Only the part of a file not yet checked is read: the store notes how many bytes of each
archive file hold only recorded lines (:meth:`StateStore.adopted_through`), with the
bytes they end with, so a file replaced since (restored, edited, rewritten) is read
again from its start. A run checks its own lines when it closes, so the next run reads
only what was written after that: lines of a run killed since, or of another process.
When they follow the checked part straight and end the file (its writer knows), nothing
else can be among them, and they are noted as checked without being read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from newsbot.core.dedup import canonical_url, minhash
from newsbot.store.jsonl import drop_torn_tail
from newsbot.store.protocol import StateStore

#: Bytes of a file kept with its checked size to recognise the file: the end of the last
#: checked line (its id and crawl time are in there).
ENDING_BYTES = 256


def adopt_lines(store: StateStore, path: Path, host_aliases: Mapping[str, str]) -> int:
    """Record as seen every line of ``path`` a killed run wrote but did not get to record
    (its torn last line is cut first), reading only what was not checked before; note
    the file as checked to its end. Returns how many records were adopted."""
    drop_torn_tail(path)
    output = str(path)
    adopted = 0
    with path.open("rb") as lines, store.transaction():
        lines.seek(_unchecked_start(lines, *store.adopted_through(output)))
        for line in lines:
            record = json.loads(line)
            canonical = canonical_url(record["url"], host_aliases)
            if store.known_url(canonical) is None:
                store.add(
                    record["id"], canonical, record["feed"], record["url"], output,
                    minhash(record["text"]), record.get("duplicate_of"),
                )  # fmt: skip
                adopted += 1
        size = lines.tell()
        store.set_adopted_through(output, size, _ending(lines, size))
    return adopted


def check_own_lines(store: StateStore, path: Path, run: tuple[int, int] | None) -> bool:
    """Note ``path`` as checked through a run's own lines without reading them, when they
    (``run``: where they begin and end, every one recorded) start where the checked part
    ends and end the file; False, and nothing noted, if not (:func:`adopt_lines` then reads
    what is unchecked)."""
    if run is None:
        return False
    output = str(path)
    with path.open("rb") as lines, store.transaction():
        size, ending = store.adopted_through(output)
        first, end = run
        if first != size or os.fstat(lines.fileno()).st_size != end:
            return False  # another process wrote before them, or after
        if _unchecked_start(lines, size, ending) != size:
            return False  # the checked part is not what it was: the file was replaced
        store.set_adopted_through(output, end, _ending(lines, end))
    return True


def _unchecked_start(lines: BinaryIO, size: int, ending: bytes) -> int:
    """Where the unchecked part of the file begins: ``size`` if the file still holds the
    checked bytes there, else 0 (a shorter or different file is read again in full)."""
    if size == 0 or ending != _ending(lines, size):
        return 0
    return size


def _ending(lines: BinaryIO, size: int) -> bytes:
    """The last :data:`ENDING_BYTES` bytes of the file's first ``size`` bytes."""
    start = max(0, size - ENDING_BYTES)
    lines.seek(start)
    return lines.read(size - start)
