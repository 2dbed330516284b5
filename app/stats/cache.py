"""A per-process memo of the statistics' figures, keyed first by the input revisions,
then by the content of the loaded rows.

The figures (report.annual_report, report.yearly_figures, notes) are functions of the
rows of a few tables and the year. A page asks in two steps (services.figures):

1. The revisions of the input tables (app.stats.revisions.fingerprint: one small query;
   database triggers move them with every change, in the change's own transaction). The
   same revisions as a stored result: that result, with no other query.
2. Otherwise the rows are loaded and hashed (digest below) and the pandas rules run again
   only when the rows differ from those of a stored result. A write that changes no
   counted row (a draft, a donor, a member of a draft delegation: the load test's writes)
   moves the revisions and so costs a load, not the rules.

Why step 1 cannot serve stale figures. The revisions are read BEFORE the rows are loaded,
and the result is stored under them only if a second read AFTER the loading gives the same
revisions. Under READ COMMITTED (PostgreSQL's default: each statement sees what was
committed when it started) a writer's change and its revision bump commit together, so:
- a change committed before the first read is in the revisions and in every row read
  after it;
- a change committed between the two reads moves the revisions, so the second read differs
  and nothing is stored (the rows may hold it or not);
- a change committed after the second read moves the revisions past the stored ones, so
  no later reader asks for that result again.
Reading in the other order (rows, then revisions) would store rows without a change under
revisions that include it, served until the next change. With the check after loading, a
stored result is exactly the figures of the rows committed at those revisions, which also
holds when a backup brings back old revisions with their rows. (SQLite reads a whole
transaction from one snapshot, so the same holds there trivially.)

A data-version fingerprint from the highest audit-log id was rejected earlier: on
PostgreSQL ids come from a sequence and are not in commit order (an entry given id 100 may
commit after id 101 was read, so figures cached under 101 would stay stale). The trigger
revisions are counted per commit, not numbered before it.

Step 2's digest keys the rules' result by content, whichever process wrote the rows. The
people-to-people diplomacy sections (associations, training, budget, mobilisation) are part
of the report's key the same way: their frames go into the digest with the aid and
delegation frames, and the budget's day and share setting into the key.

Bounded: the least recently used entry goes first.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

import numpy as np
import pandas as pd

MAX_ENTRIES = 128  # a few years of pages, their parts and key figures; a few KiB each
MISSING = object()


def digest(frames: Iterable[pd.DataFrame]) -> bytes:
    """A digest of the frames' content: column names, dtypes, and their rows in any order.

    The queries have no ORDER BY and PostgreSQL may return the same rows in another order
    when its plan changes (after an automatic ANALYZE, say); the rules do not depend on
    the order (tests/test_stats_cache.py), so neither does the digest.
    """
    hasher = hashlib.blake2b(digest_size=20)
    for frame in frames:
        header = (list(frame.columns), [str(t) for t in frame.dtypes], len(frame))
        hasher.update(repr(header).encode())
        # categorize=False: every value is hashed by its own text (no merging of equal
        # values that print differently, such as Decimal 1.0 and 1.00).
        try:
            rows = pd.util.hash_pandas_object(frame, index=False, categorize=False)
        except (TypeError, ValueError):  # cells holding lists or tuples (an activity's
            rows = pd.util.hash_pandas_object(  # countries, a course's topics)
                _sequences_as_text(frame), index=False, categorize=False
            )
        hasher.update(np.sort(rows.to_numpy()).tobytes())
    return hasher.digest()


def _sequences_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each list or tuple cell as the repr of its items (so two rows differ
    in the digest exactly when their sequences do)."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            column = column.map(lambda v: repr(tuple(v)) if isinstance(v, (list, tuple)) else v)
        columns[name] = column
    return pd.DataFrame(columns, index=frame.index)


class FiguresCache:
    """Results by (name, arguments, digest of the inputs) and by (name, arguments, input
    revisions), least recently used evicted first. `hits` counts results given from
    either, `misses` the computations.

    A result is stored and returned as a deep copy, so a caller may change what it gets.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()  # by content digest
        self._by_revision: OrderedDict[Hashable, object] = OrderedDict()  # by revisions
        self._lock = threading.Lock()  # the development server runs threads
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, frames: Iterable[pd.DataFrame], compute: Callable[[], object]):
        """The result of compute() for these input frames, computed once per content."""
        full_key = (key, digest(frames))
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                self.hits += 1
                return copy.deepcopy(self._entries[full_key])
            self.misses += 1
        result = compute()  # outside the lock: another thread may compute the same thing
        with self._lock:
            self._entries[full_key] = copy.deepcopy(result)
            self._entries.move_to_end(full_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return result

    def recall(self, key: Hashable):
        """The result stored under `key` by remember() (a deep copy), or MISSING."""
        with self._lock:
            if key not in self._by_revision:
                return MISSING
            self._by_revision.move_to_end(key)
            self.hits += 1
            return copy.deepcopy(self._by_revision[key])

    def remember(self, key: Hashable, result) -> None:
        """Store `result` under `key` (the name, arguments and input revisions)."""
        with self._lock:
            self._by_revision[key] = copy.deepcopy(result)
            self._by_revision.move_to_end(key)
            while len(self._by_revision) > self.max_entries:
                self._by_revision.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._by_revision.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


figures = FiguresCache()
