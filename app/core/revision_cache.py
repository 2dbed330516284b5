"""Results of expensive reads kept per process by the revisions of the tables they read
(issue 15: the home page's counts and the aid inbox's follow-up alerts at national scale).

`cached(key, tables, compute)` reads the revisions first (app.stats.revisions.fingerprint:
one small query, moved by triggers in the same transaction as any change to a tracked
table, whoever makes it: a form, raw SQL, another worker), and returns the value computed
under the same revisions of `tables`, else computes it and keeps it under the revisions read
BEFORE computing. A value is therefore never older than the revisions it is kept under: a
change committed while it was computed can only make it newer, and after such a change the
revisions differ, so the kept value is not found again. Without the triggers (fingerprint
None), or for a table they do not track, nothing is kept: computed every time.

Only results that read tracked tables alone (app.stats.revisions.TRACKED_TABLES) may be
kept; `cached` refuses others. A result that only rows able to count can change (an alert
list of decided items) may name a table's counted series (revisions.counted): drafting then
keeps it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from app.extensions import db
from app.stats import revisions

MAX_ENTRIES = 256  # keys (with today's date, a limit...) per process; the oldest go first

_store: OrderedDict = OrderedDict()
_lock = threading.Lock()


def cached(key: tuple, tables: tuple[str, ...], compute):
    """compute()'s value, reused while the revisions of `tables` are those it was computed
    under (one small query on a hit)."""
    untracked = set(tables) - revisions.SERIES
    if untracked:
        raise ValueError(f"not tracked by revisions: {sorted(untracked)}")
    connection = db.session.connection()
    before = revisions.fingerprint(connection)  # read BEFORE computing
    if before is None:
        return compute()
    where = (connection.engine.url.render_as_string(hide_password=True), key)
    version = revisions.covering(before, tables)
    with _lock:
        found = _store.get(where)
    if found is not None and found[0] == version:
        return found[1]
    value = compute()
    with _lock:
        _store[where] = (version, value)
        _store.move_to_end(where)
        while len(_store) > MAX_ENTRIES:
            _store.popitem(last=False)
    return value


def clear() -> None:
    """Forget every kept value (tests)."""
    with _lock:
        _store.clear()
