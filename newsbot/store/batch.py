"""Batched commits of the SQLite state store (newsbot.store.sqlite).

Recorded items are committed in batches (:data:`BATCH_ITEMS` items or
:data:`BATCH_SECONDS`, whichever comes first): each :meth:`BatchedTransactions.transaction`
is a savepoint inside a batch that holds the write lock. The durability rule holds: an
item is recorded only after its line is on disk, and a kill that loses an uncommitted
batch loses only records whose lines are in the archive, which the next run adopts
(newsbot.store.adoption). Anything but recording an item (a pass, a redirect, a skipped
link) and the first item written to a new file commit at once.
"""

from __future__ import annotations

import atexit
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

#: A batch of recorded items is committed after this many items ...
BATCH_ITEMS = 200
#: ... or this many seconds after it began, whichever comes first (a timer commits an
#: idle batch, so other processes never wait longer for the write lock).
BATCH_SECONDS = 2.0

logger = logging.getLogger(__name__)


class BatchedTransactions:
    """:meth:`transaction` as a savepoint of a batch, and :meth:`commit` of the batch."""

    path: str
    _db: sqlite3.Connection
    _lock: threading.RLock

    def _init_batches(self, batch_items: int, batch_seconds: float) -> None:
        """Start with no batch open (call once the connection is open)."""
        self._batch_items, self._batch_seconds = batch_items, batch_seconds
        self._batch = 0  # items recorded in the open batch (0: none open)
        self._batch_started = 0.0
        self._urgent = False  # something in this transaction must be committed at once
        self._depth = 0  # transactions open (nested ones are savepoints too)
        self._timer: threading.Timer | None = None
        self._batches_lost = 0
        atexit.register(_commit_at_exit, weakref.ref(self))

    def commit(self) -> None:
        """Commit the open batch of recorded items, if there is one. A COMMIT that fails
        (a full disk) rolls the batch back, so no transaction stays open, and raises."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._batch:
                return
            self._batch = 0
            try:
                self._before_commit()
                self._db.execute("COMMIT")
            except sqlite3.Error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._batches_lost += 1
                self._after_rollback()
                raise

    def batches_lost(self) -> int:
        """How many batches could not be committed (rolled back) since the store opened."""
        return self._batches_lost

    def commit_or_warn(self, which: str) -> None:
        """:meth:`commit`, a failure logged as a warning: the batch's records' lines are
        on disk, and the next run adopts them (newsbot.store.adoption)."""
        try:
            self.commit()
        except sqlite3.Error as exc:
            logger.warning(
                "state store %s: %s could not be committed (%s); the next run adopts its "
                "records from the archive", self.path, which, exc,
            )  # fmt: skip

    def _before_commit(self) -> None:
        """What a store does in a batch just before it is committed (nothing here)."""

    def _after_rollback(self) -> None:
        """What a store does when a batch could not be committed (nothing here)."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An IMMEDIATE transaction: other processes wait until it commits or rolls back,
        other threads of this one until it ends. It is a savepoint of the open batch: a
        failure rolls back this transaction only; a COMMIT that fails (a full disk) rolls
        back the batch, so no transaction stays open."""
        with self._lock:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
                self._batch, self._batch_started = 0, time.monotonic()
            if not self._depth:
                self._urgent = False
            self._depth += 1
            self._db.execute("SAVEPOINT item")
            try:
                yield
                self._db.execute("RELEASE item")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK TO item")
                    self._db.execute("RELEASE item")
                raise
            finally:
                self._depth -= 1
                self._batch += 1
                if not self._depth and self._db.in_transaction:
                    self._end_of_transaction()

    def _end_of_transaction(self) -> None:
        """Commit the batch when it is full, old or holds something urgent; else make sure
        a timer commits it."""
        full = self._batch >= self._batch_items
        old = time.monotonic() - self._batch_started >= self._batch_seconds
        if self._urgent or full or old:
            self.commit()
        elif self._timer is None:
            self._timer = threading.Timer(self._batch_seconds, self._commit_late)
            self._timer.daemon = True
            self._timer.start()

    def _commit_late(self) -> None:
        """The timer's commit of a batch that did not fill in time."""
        with self._lock:
            self._timer = None
            if self._depth:
                return  # a transaction is open (a nested use): it commits at its end
            self.commit_or_warn("a batch")  # a full disk: the next commit reports it too


def _commit_at_exit(ref: weakref.ref[BatchedTransactions]) -> None:
    """At interpreter exit, commit the open batch of a store nobody closed."""
    store = ref()
    if store is not None and store._depth == 0:
        try:
            store.commit()
        except sqlite3.ProgrammingError:  # closed already
            return
