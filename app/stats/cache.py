"""A small per-process memo of the statistics' pandas work, keyed by its input's content.

The figures (report.annual_report, report.yearly_figures) are pure functions of the loaded
frames and the year. Each request still loads the frames (one small query per table) and
hashes them; the figures are computed again only when those rows differ from the ones they
were computed from. So a figure can never be stale: any write that changes an input row
changes the digest, whichever process made it (another gunicorn worker, the CLI, the
workbook import, a restored backup, a fix in SQL), and a write that changes no input row
(a draft, a donor's phone number, a login) keeps the figures.

A data-version fingerprint (the highest audit-log id) was considered and not used: on
PostgreSQL ids come from a sequence and are not in commit order (an entry given id 100
may commit after id 101 was read, so figures cached under 101 would stay stale), and the
registry's everyday writes (a new draft or donor every few seconds under load) would
empty such a cache before it was ever reused although no figure changed.

The people-to-people diplomacy sections (associations, training, budget, mobilisation) are
part of the report's key the same way: their frames go into the digest with the aid and
delegation frames, and the budget's day and share setting into the key.

Saved per hit: the pandas rules, about 85 % of the statistics page and 70 % of the home
page's figures on the demo data. Bounded: the least recently used entry goes first.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

import numpy as np
import pandas as pd

MAX_ENTRIES = 64  # a few years of pages and key figures; each entry is a few KiB


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
    """Results by (name, arguments, digest of the inputs), least recently used evicted first.

    A result is stored and returned as a deep copy, so a caller may change what it gets.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
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

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


figures = FiguresCache()
