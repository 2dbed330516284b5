"""Wake the job worker's statistics warm-up after a commit that changed what they count.

The worker warms the current years' statistics every minute (app.stats.services.warm); a
user who records a disbursement and opens the statistics at once would still wait for
them to be computed. So when a session commits a change to a table the statistics read
(app.stats.revisions.TRACKED_TABLES, seen in its flushes), the warm-up is queued to run
DELAY seconds later, and a web process queues at most one per DELAY: a commit that comes
while one is queued is covered by it, since that warm-up runs after it. Writes that bypass
the ORM's flush (the import's bulk statements, SQL by hand) are left to the minute.

Only with a worker (HUEY_IMMEDIATE=0): in immediate mode (development without a worker,
tests) the warm-up would run inside the writing request, so nothing is queued. Never fails
the commit: a queue that cannot be written is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.stats.revisions import TRACKED_TABLES

log = logging.getLogger(__name__)

DELAY = 3.0  # seconds: a burst of commits (a form's save, its redirect) gets one warm-up
CHANGED = "stats_changed"
_lock = threading.Lock()
_queued_until = [0.0]  # monotonic time at which the last queued warm-up runs
_listening = [False]


def init_app(_app) -> None:
    """Listen on every session (once per process)."""
    if _listening[0]:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _listening[0] = True


def _after_flush(session, _context) -> None:
    changed = chain(session.new, session.dirty, session.deleted)
    if any(getattr(row, "__tablename__", None) in TRACKED_TABLES for row in changed):
        session.info[CHANGED] = True


def _after_rollback(session) -> None:
    session.info.pop(CHANGED, None)


def _after_commit(session) -> None:
    if session.info.pop(CHANGED, False):
        queue_warm_up()


def queue_warm_up() -> bool:
    """Queue the warm-up DELAY seconds from now unless one queued by this process runs
    later than now; True when one was queued."""
    from app.transfer import jobs

    with _lock:
        now = time.monotonic()
        if _queued_until[0] > now:
            return False
        try:
            queued = jobs.warm_statistics_soon(DELAY)
        except Exception:  # the commit is done: a queue that cannot be written is not its fault
            log.warning("statistics warm-up not queued", exc_info=True)
            return False
        if queued:
            _queued_until[0] = now + DELAY
        return queued
